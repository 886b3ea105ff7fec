// npm run bench — tracecap against tshark and the I/O floor, in one run, on the same inputs.
// Every figure is a median of several runs; goals are ratios computed pair by pair, so the
// machine's speed cancels out. Writes bench/results.md and prints the same table.
//   node bench/run.js            full run (generates a ≥ 1 GB capture and a 1M-flow capture)
//   node bench/run.js --quick    small inputs, one run each (CI proves the harness works)
//   node bench/run.js --report   rebuild results.md from the last run's figures (bench/data/results.json, sinks.json)
//   node bench/run.js --sinks    measure the output sinks again (80 s here, no 1 GB capture needed), keep the rest's saved figures
//   node bench/run.js --no-app   without the browser app at the end (bench/app.js, `npm run bench:app`; skipped anyway
//                                with --quick, --report, --sinks, or when build/app is not built)
import { spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync, existsSync, mkdirSync, openSync, readSync, closeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { generate } from './gen.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const report = process.argv.includes('--report');
const sinksOnly = !report && process.argv.includes('--sinks');
const RUNS = quick ? 1 : 3;
// Small captures finish in a fraction of a second, where scheduling noise is largest: more runs.
const SMALL_RUNS = quick ? 1 : 7;
const dataDir = join(root, 'bench', 'data');
mkdirSync(dataDir, { recursive: true });
const wasmPath = join(root, 'build', 'tracecap.wasm');
const cli = join(root, 'bin', 'tracecap.js');
const corpus = join(root, '..', 'shared', 'corpus', 'bench');
const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const hasTime = existsSync('/usr/bin/time');
const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// Child environment: without NODE_EXTRA_CA_CERTS / NODE_OPTIONS. Some machines (this one) set
// a CA bundle that every Node process parses at start-up (~90 ms here); none of the measured
// programs opens a TLS connection, and it would count against the Node programs only.
const childEnv = { ...process.env };
delete childEnv.NODE_EXTRA_CA_CERTS; delete childEnv.NODE_OPTIONS;

/** Runs a command with stdout to /dev/null; returns wall seconds and peak RSS (KB) from /usr/bin/time -v. */
function measure(cmd, args) {
  const full = hasTime ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, env: childEnv });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr.toString();
  const rss = Number(err.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1] ?? NaN);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${err.slice(-500)}`);
  return { wall, rss };
}

/** Measures several commands `runCount` times each, interleaved so that drift hits all alike. */
function repeatAll(cmds, runCount) {
  const runs = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let i = 0; i < runCount; i++) for (const [k, [cmd, args]] of Object.entries(cmds)) runs[k].push(measure(cmd, args));
  return Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, { wall: median(rs.map((r) => r.wall)), rss: Math.max(...rs.map((r) => r.rss)) }]));
}

function repeat(cmd, args, runCount = RUNS) {
  const runs = Array.from({ length: runCount }, () => measure(cmd, args));
  return { wall: median(runs.map((r) => r.wall)), rss: Math.max(...runs.map((r) => r.rss)) };
}

function packetsOf(file) { return Number(execFileSync(process.execPath, [join(root, 'bench', 'walk.js'), file]).toString().trim()); }

/** The core in-process, no I/O: the file is read into memory first (at most 256 MiB of it). */
function coreSpeed(file, verbosity) {
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const fd = openSync(file, 'r');
  const size = Math.min(statSync(file).size, 256 << 20);
  const data = Buffer.alloc(size); readSync(fd, data, 0, size, 0); closeSync(fd);
  const runs = [];
  for (let k = 0; k < RUNS; k++) {
    const ex = new WebAssembly.Instance(module, { env: { abort() { throw new Error('core abort'); } } }).exports;
    ex.setVerbosity(verbosity);
    let out = 0;
    const t0 = process.hrtime.bigint();
    for (let off = 0; off < data.length;) {
      const n = Math.min(ex.inCap(), data.length - off);
      new Uint8Array(ex.memory.buffer, ex.inPtr(), n).set(data.subarray(off, off + n)); off += n;
      let st = ex.push(n);
      while (st === 1) { out += ex.outLen(); ex.outReset(); st = ex.resume(); }
      out += ex.outLen(); ex.outReset();
      if (st > 1) break; // a cut-off last record when the file was capped: stop there
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    runs.push({ pps: ex.packets() / s, mbs: out / s / 1e6 });
  }
  return { pps: median(runs.map((r) => r.pps)), mbs: median(runs.map((r) => r.mbs)) };
}

function instantiation() {
  const bytes = readFileSync(wasmPath);
  const compile = [], inst = [];
  for (let i = 0; i < 15; i++) {
    let t0 = process.hrtime.bigint();
    const m = new WebAssembly.Module(bytes);
    compile.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    new WebAssembly.Instance(m, { env: { abort() {} } });
    inst.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { compile: median(compile), instantiate: median(inst) };
}

// ---- inputs ----------------------------------------------------------------------------------
const big = join(dataDir, quick ? 'http-20m.pcap' : 'http-1g.pcap');
const flows = join(dataDir, quick ? 'flows-20k.pcap' : 'flows-1m.pcap');
const bigSize = quick ? 20e6 : 1.05e9;
const flowCount = quick ? 20000 : 1000000;
if (!report && !sinksOnly && (!existsSync(big) || statSync(big).size < bigSize)) { process.stderr.write(`generating ${big}\n`); generate('http', big, bigSize); }
if (!report && !sinksOnly && (!existsSync(flows) || packetsOf(flows) < flowCount * 2)) { process.stderr.write(`generating ${flows}\n`); generate('flows', flows, flowCount); }
let corpusFiles = ['api-8000req-mtu1500.pcap', 'h2c-3000req-mtu1500.pcap'].map((f) => join(corpus, f)).filter((f) => existsSync(f));
if (quick) {
  // Quick mode: the first 2000 packets of each corpus capture (editcap), so tshark finishes fast.
  corpusFiles = corpusFiles.map((f) => {
    const out = join(dataDir, basename(f).replace('.pcap', '-2000.pcap'));
    if (!existsSync(out)) execFileSync('editcap', ['-F', 'pcap', '-r', f, out, '1-2000']);
    return out;
  });
}
// A mid-size cut of the generated capture, for tshark: start-up is a small share of its run
// there, while the 1 GB capture would keep tshark busy for most of an hour.
const mid = join(dataDir, quick ? 'http-5k.pcap' : 'http-200k.pcap');
const midPackets = quick ? 5000 : 200000;
if (!report && !existsSync(mid)) {
  // Without the big capture (--sinks): the generator is deterministic, so a 40 MB run of it
  // starts with the same packets.
  let src = big;
  if (!existsSync(big)) { src = join(dataDir, 'http-prefix.pcap'); generate('http', src, midPackets * 200); }
  execFileSync('editcap', ['-F', 'pcap', '-r', src, mid, `1-${midPackets}`]);
}
const tsharkFiles = [...corpusFiles, mid];
const inputs = [...corpusFiles, mid, big, flows];

// ---- measurements ------------------------------------------------------------------------------
// --report rebuilds results.md from the figures saved by the last run (to revise analysis.md
// without measuring again).
const saved = join(dataDir, quick ? 'results-quick.json' : 'results.json');
let results = {};
let nodeStart, inst, wasmLen, gz, runDate;
if (report || sinksOnly) {
  if (!existsSync(saved)) throw new Error(`${saved} is missing: run the whole bench first (${quick ? 'npm run bench:quick' : 'npm run bench'})`);
  ({ results, nodeStart, inst, wasmLen, gz, runDate } = JSON.parse(readFileSync(saved, 'utf8')));
} else for (const file of inputs) {
  const name = basename(file);
  const packets = packetsOf(file);
  const size = statSync(file).size;
  process.stderr.write(`measuring ${name} (${packets} packets)\n`);
  const n = corpusFiles.includes(file) ? SMALL_RUNS : RUNS;
  const r = { packets, size, ...repeatAll({
    walk: [process.execPath, [join(root, 'bench', 'walk.js'), file]],
    info: [process.execPath, [cli, '--verbosity', 'info', file]],
    debug: [process.execPath, [cli, '--verbosity', 'debug', file]],
  }, n) };
  r.coreInfo = coreSpeed(file, 0);
  r.coreDebug = coreSpeed(file, 1);
  if (hasTshark && tsharkFiles.includes(file)) {
    // tshark takes minutes on the mid-size capture: one run there.
    const tn = file === mid ? 1 : RUNS;
    r.ek = repeat('tshark', ['-r', file, '-T', 'ek'], tn);
    r.json = repeat('tshark', ['-r', file, '-T', 'json'], tn);
  }
  results[name] = r;
}
// ---- output sinks ----------------------------------------------------------------------------
// The CLI itself on each sink (/dev/null, -w FILE, a pipe into `cat`) at INFO and DEBUG, each
// against a plain copy of the same NDJSON bytes through the same sink (`cat >`, `cp`,
// `cat | cat`): the ratio is the CLI's time over the copy's. tcpdump -n -r into the same pipe is
// the anchor for packets/s. bench/sink.js forces the output layer's writer thread on or off,
// which the CLI cannot: it checks the choice `auto` makes for files and pipes.
// The figures are saved on their own (sinks.json), with the run's mode and load average, so
// that `--sinks` can measure them again without the rest (and without the 1 GB capture).
function measureSinks() {
  const runs = quick ? 1 : 5;
  const sinkCapture = mid;
  const sinkJs = join(root, 'bench', 'sink.js');
  const fileOut = join(dataDir, 'sink-file.ndjson');
  const q = (x) => `'${x.replace(/'/g, `'\\''`)}'`;
  const node = q(process.execPath);
  // pipefail: a CLI that fails into `| cat` must fail the bench, not pass as a fast run.
  const sh = (script) => ['bash', ['-c', `set -o pipefail; ${script}`]];
  const tc = (verbosity, file) => `${node} ${q(cli)} --verbosity ${verbosity} ${q(file)}`;
  const tcpdump = (file) => `tcpdump -n -r ${q(file)} 2>/dev/null | cat > /dev/null`;
  const s = { capture: basename(sinkCapture), packets: packetsOf(sinkCapture), runs, mode: quick ? 'quick' : 'full',
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', cores: cpus().length, load: [loadavg()[0]], rows: [], anchor: [], modes: [], alone: sinksOnly };
  for (const verbosity of ['info', 'debug']) {
    const ndjson = join(dataDir, `sink-${verbosity}.ndjson`);
    execFileSync('sh', ['-c', `${tc(verbosity, sinkCapture)} > ${q(ndjson)}`], { env: childEnv });
    const bytes = statSync(ndjson).size;
    process.stderr.write(`measuring sinks at ${verbosity.toUpperCase()} (${fmt(bytes / 1e6, 1)} MB of NDJSON)\n`);
    const cmds = {
      nullCopy: sh(`cat ${q(ndjson)} > /dev/null`),
      nullCli: sh(`${tc(verbosity, sinkCapture)} > /dev/null`),
      fileCopy: sh(`cp ${q(ndjson)} ${q(fileOut)}`),
      fileCli: sh(`${tc(verbosity, sinkCapture)} -w ${q(fileOut)}`),
      pipeCopy: sh(`cat ${q(ndjson)} | cat > /dev/null`),
      pipeCli: sh(`${tc(verbosity, sinkCapture)} | cat > /dev/null`),
    };
    if (verbosity === 'info' && hasTcpdump) cmds.tcpdump = sh(tcpdump(sinkCapture));
    else for (const m of ['direct', 'thread']) {
      cmds[`file-${m}`] = sh(`${node} ${q(sinkJs)} --mode ${m} --verbosity ${verbosity} -w ${q(fileOut)} ${q(sinkCapture)}`);
      cmds[`pipe-${m}`] = sh(`${node} ${q(sinkJs)} --mode ${m} --verbosity ${verbosity} ${q(sinkCapture)} | cat > /dev/null`);
    }
    const m = repeatAll(cmds, runs);
    for (const sink of ['null', 'file', 'pipe']) s.rows.push({ verbosity, sink, bytes, copy: m[`${sink}Copy`].wall, cli: m[`${sink}Cli`].wall });
    if (m.tcpdump) s.anchor.push({ capture: s.capture, packets: s.packets, tcpdump: m.tcpdump.wall, cli: m.pipeCli.wall });
    if (verbosity === 'debug') for (const sink of ['file', 'pipe']) s.modes.push({ verbosity, sink, auto: sink === 'file' ? 'thread' : 'direct', direct: m[`${sink}-direct`].wall, thread: m[`${sink}-thread`].wall });
  }
  // The corpus captures: INFO into the pipe against tcpdump, where Node's start-up weighs most.
  for (const file of hasTcpdump ? corpusFiles : []) {
    process.stderr.write(`measuring ${basename(file)} into a pipe against tcpdump\n`);
    const m = repeatAll({ tcpdump: sh(tcpdump(file)), cli: sh(`${tc('info', file)} | cat > /dev/null`) }, quick ? 1 : 7);
    s.anchor.push({ capture: basename(file), packets: packetsOf(file), tcpdump: m.tcpdump.wall, cli: m.cli.wall });
  }
  s.load.push(loadavg()[0]);
  return s;
}
const savedSinks = join(dataDir, quick ? 'sinks-quick.json' : 'sinks.json');
let sinks = existsSync(savedSinks) ? JSON.parse(readFileSync(savedSinks, 'utf8')) : null;
if (!report) { sinks = measureSinks(); writeFileSync(savedSinks, JSON.stringify(sinks)); }

if (!report && !sinksOnly) {
  // Node's own start-up and exit (an empty ES module): the floor under every Node process above.
  nodeStart = repeat(process.execPath, [join(root, 'bench', 'noop.js')], SMALL_RUNS);
  inst = instantiation();
  const wasm = readFileSync(wasmPath);
  wasmLen = wasm.length;
  gz = gzipSync(wasm, { level: 9 }).length;
  runDate = new Date().toISOString().slice(0, 10);
  writeFileSync(saved, JSON.stringify({ results, nodeStart, inst, wasmLen, gz, runDate }));
}

// ---- report ----------------------------------------------------------------------------------------
const pps = (r, k) => r.packets / r[k].wall;
const lines = [];
lines.push('# tracecap benchmark results', '');
lines.push(`Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${runDate}, Node ${process.version}: whole processes ${SMALL_RUNS} times on the corpus captures and ${RUNS} times on the generated ones (tshark once on the mid-size cut); every figure is the median, peak RSS the largest of the runs.`);
lines.push('Packets/s of a whole process = packets in the capture / wall time of the process (start-up included). Node processes run without NODE_EXTRA_CA_CERTS and NODE_OPTIONS (see bench/run.js).', '');
lines.push('| capture | packets | size | bare record walk | tracecap INFO | tracecap DEBUG | core INFO (no I/O) | core DEBUG (no I/O) | tshark -T ek | tshark -T json |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, r] of Object.entries(results)) {
  const cell = (k) => `${fmt(pps(r, k))} pkt/s<br>${fmt(r[k].rss / 1024, 1)} MB RSS`;
  lines.push(`| ${name} | ${fmt(r.packets)} | ${fmt(r.size / 1048576, 1)} MiB | ${cell('walk')} | ${cell('info')} | ${cell('debug')} | ${fmt(r.coreInfo.pps)} pkt/s, ${fmt(r.coreInfo.mbs)} MB/s out | ${fmt(r.coreDebug.pps)} pkt/s, ${fmt(r.coreDebug.mbs)} MB/s out | ${r.ek ? cell('ek') : '—'} | ${r.json ? cell('json') : '—'} |`);
}
lines.push('', `Node start-up (an empty ES module, whole process): ${fmt(nodeStart.wall * 1000, 1)} ms, ${fmt(nodeStart.rss / 1024, 1)} MB RSS.`);
lines.push('', `Core module: ${fmt(wasmLen)} bytes (${fmt(wasmLen / 1024, 1)} KiB), ${fmt(gz)} bytes gzipped; compile ${fmt(inst.compile, 2)} ms, instantiate ${fmt(inst.instantiate, 2)} ms (medians of 15).`, '');

if (sinks) {
  const sinkName = { null: '/dev/null (`cat out.ndjson > /dev/null`)', file: '-w FILE (`cp out.ndjson FILE`)', pipe: 'a pipe (`cat out.ndjson \\| cat > /dev/null`)' };
  const ms = (s) => `${fmt(s * 1000)} ms`;
  lines.push('## Output sinks', '');
  lines.push(`Measured ${sinks.date} in **${sinks.mode} mode** (${sinks.mode === 'quick' ? '`npm run bench:quick`' : '`npm run bench` or `node bench/run.js --sinks`'}): ${sinks.runs === 1 ? 'one run of each command' : `${sinks.runs} interleaved runs of each command, medians`}; load average ${sinks.load.map((l) => fmt(l, 1)).join(' at the start, ')} at the end (1 minute) on ${sinks.cores} cores. ${sinks.alone ? 'Measured alone (`--sinks`), not in the run of the tables above.' : 'Measured in the same run as the tables above.'}`, '');
  lines.push(`The CLI itself (\`tracecap --verbosity V ${sinks.capture}\`, ${fmt(sinks.packets)} packets) on each sink, against a plain copy of the same NDJSON bytes through the same sink (the command in brackets); the ratio is the CLI's time over the copy's. A copy to /dev/null takes a few tens of ms, so that ratio moves most between runs.`, '');
  lines.push('| verbosity | sink (plain copy) | NDJSON | plain copy | tracecap | tracecap / copy |', '|---|---|---:|---:|---:|---:|');
  for (const r of sinks.rows) lines.push(`| ${r.verbosity.toUpperCase()} | ${sinkName[r.sink]} | ${fmt(r.bytes / 1e6, 1)} MB | ${ms(r.copy)} | ${ms(r.cli)} | ${fmt(r.cli / r.copy, 1)}× |`);
  if (sinks.anchor.length) {
    lines.push('', 'Into the same pipe, against tcpdump (`tcpdump -n -r FILE | cat > /dev/null` and `tracecap --verbosity info FILE | cat > /dev/null`), whole processes; packets/s = packets / wall time:', '');
    lines.push('| capture | packets | tcpdump -n | tracecap INFO | tracecap / tcpdump |', '|---|---:|---:|---:|---:|');
    for (const a of sinks.anchor) lines.push(`| ${a.capture} | ${fmt(a.packets)} | ${fmt(a.packets / a.tcpdump)} pkt/s | ${fmt(a.packets / a.cli)} pkt/s | ${fmt(a.tcpdump / a.cli, 2)}× |`);
  }
  lines.push('', 'The writer thread forced on or off (`bench/sink.js --mode direct|thread`: the output layer with a translator, without the CLI), DEBUG; the CLI runs `auto`:', '');
  lines.push('| sink | inline (`direct`) | writer thread | `auto` picks |', '|---|---:|---:|---|');
  for (const r of sinks.modes) lines.push(`| ${r.sink === 'file' ? '-w FILE' : 'a pipe'} | ${ms(r.direct)} | ${ms(r.thread)} | ${r.auto === 'thread' ? 'the thread' : 'inline'} |`);
  lines.push('');
}

const goals = [];
for (const f of tsharkFiles) {
  const r = results[basename(f)];
  if (r?.ek) {
    const ratio = pps(r, 'debug') / pps(r, 'ek');
    // What 100x means in time: the whole DEBUG process within a hundredth of tshark's time.
    const budget = r.ek.wall * 10;
    goals.push([`DEBUG ≥ 100× tshark -T ek (${basename(f)}): DEBUG took ${fmt(r.debug.wall * 1000)} ms; 100× needs ≤ ${fmt(budget)} ms, against ${fmt(r.walk.wall * 1000)} ms for the bare walk and ${fmt(nodeStart.wall * 1000)} ms for Node's start-up`, `${fmt(ratio, 1)}×`, ratio >= 100]);
  }
}
const b = results[basename(big)];
for (const f of inputs) {
  const r = results[basename(f)];
  const ratio = pps(r, 'info') / pps(r, 'walk');
  goals.push([`INFO ≥ 0.5× bare record walk (${basename(f)})`, `${fmt(ratio, 2)}×`, ratio >= 0.5]);
}
const peak = Math.max(b.info.rss, b.debug.rss, results[basename(flows)].debug.rss) / 1024;
goals.push([`CLI peak RSS ≤ 96 MB (${basename(big)}, ${basename(flows)})`, `${fmt(peak, 1)} MB`, peak <= 96]);
goals.push(['wasm ≤ 200 KB', `${fmt(wasmLen / 1000, 1)} KB`, wasmLen <= 200_000]);
goals.push(['instantiation < 20 ms (compile + instantiate)', `${fmt(inst.compile + inst.instantiate, 2)} ms`, inst.compile + inst.instantiate < 20]);
lines.push('## Goals', '', '| goal | measured | met |', '|---|---:|:---:|');
for (const [g, m, ok] of goals) lines.push(`| ${g} | ${m} | ${ok ? 'yes' : 'no'} |`);
if (quick) lines.push('', '_Quick mode: small inputs and one run; the goals are defined on the full run._');
else if (existsSync(join(root, 'bench', 'analysis.md'))) lines.push('', readFileSync(join(root, 'bench', 'analysis.md'), 'utf8').trimEnd());
const resultsPath = join(root, 'bench', quick ? 'results-quick.md' : 'results.md');
const text = lines.join('\n') + '\n';
writeFileSync(resultsPath, text + appSection(resultsPath));
process.stdout.write(text);

// bench/app.js writes its own section of results.md (the browser app); a rewrite here keeps it.
function appSection(path) {
  const heading = '## Browser app (npm run bench:app)\n';
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const start = old.indexOf(heading);
  if (start < 0) return '';
  const next = old.slice(start + heading.length).search(/^## /m);
  return '\n' + old.slice(start, next < 0 ? old.length : start + heading.length + next).trimEnd() + '\n';
}

// ---- the browser app ---------------------------------------------------------------------------------
// Last, in its own process: a browser that fails to start or an app that fails to load costs
// its own section only. Without build/app there is nothing to measure yet.
if (!quick && !report && !sinksOnly && !process.argv.includes('--no-app')) {
  if (!existsSync(join(root, 'build', 'app', 'index.html'))) process.stderr.write('bench/run.js: build/app/index.html is missing (the browser app is not built): bench/app.js skipped\n');
  else {
    const r = spawnSync(process.execPath, [join(root, 'bench', 'app.js')], { stdio: 'inherit' });
    if (r.status !== 0) { process.stderr.write(`bench/run.js: bench/app.js failed (exit ${r.status}); the rest of results.md is written\n`); process.exitCode = r.status ?? 1; }
  }
}
