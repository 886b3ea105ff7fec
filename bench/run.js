// npm run bench — tracecap against tshark, tcpdump and the I/O floor, in one run, on the same inputs.
// Every figure is a median of several runs; the goals (issue 12) are ratios computed pair by pair
// from commands run interleaved in this run, so the machine's speed cancels out. They are measured
// on a cut of ≥ 300,000 packets of the generated http capture (http-336k.pcap). Writes
// bench/results.md (bench/results-quick.md with --quick) and prints the same text.
// Decode quality: before anything is timed, every capture that is timed at DEBUG goes through
// bench/decode-check.js (one in-process DEBUG pass; the generated ones against bench/gen.js's
// ground truth, <capture>.truth). A DEBUG speed on a capture whose HTTP heads were not all
// decoded would time work the core skipped: the run prints the counts and stops (exit 1) unless
// --allow-incomplete, and then the report marks every figure taken on such a capture. With
// --quick it reports and marks but goes on (exit 0, a warning on stderr): CI runs the quick
// bench to prove the harness works, whatever the core decodes.
//   node bench/run.js            full run (generates a ≥ 1 GB capture and a 1M-flow capture in bench/data)
//   node bench/run.js --quick    small inputs, one run each (CI proves the harness works)
//   node bench/run.js --allow-incomplete   time captures that are not fully decoded at DEBUG (marked in the report)
//   node bench/run.js --report   rebuild results.md from the last run's figures (bench/data/results.json, sinks.json)
//   node bench/run.js --sinks    measure the output sinks again (80 s here, no 1 GB capture needed), keep the rest's saved figures
//   node bench/run.js --no-soak  without the soak (bench/soak/bench.js: 100,000 and 1,000,000 connections; ~1 hour)
//   node bench/run.js --no-app   without the browser app at the end (bench/app.js, `npm run bench:app`; skipped anyway
//                                with --quick, --report, --sinks, or when build/app is not built)
//   node bench/run.js --no-worker  without the Worker path (bench/worker.js: jobs of the deployable Worker in workerd
//                                through miniflare, 1, 2, 4 and 8 shards on 200 MiB; --quick: 1 and 8 on 16 MiB, ~30 s);
//                                its section of results.md is then the last saved one (bench/data/worker*.json), if any
// Generated captures are made again when their truth file is missing or from another bench/gen.js
// (GEN_VERSION), so a run never times a capture of an older generator. Needs `npm run build`.
import { spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync, existsSync, mkdirSync, openSync, readSync, closeSync, unlinkSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';
import { cpus, loadavg, availableParallelism } from 'node:os';
import { generate, GEN_VERSION, readTruth, truthPath, cutTruth } from './gen.js';
import { checkDecode, formatDecodeCheck } from './decode-check.js';
import { measureSoak, soakSection } from './soak/bench.js';
import { measureWorker, workerSection, HEADING as WORKER_HEADING } from './worker.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const report = process.argv.includes('--report');
const sinksOnly = !report && process.argv.includes('--sinks');
const allowIncomplete = process.argv.includes('--allow-incomplete');
const RUNS = quick ? 1 : 3;
// Small captures finish in a fraction of a second, where scheduling noise is largest: more runs.
const SMALL_RUNS = quick ? 1 : 7;
// The goals' own comparisons (DEBUG against tshark, the thread counts): the machine is noisy.
const GOAL_RUNS = quick ? 1 : 5;
const dataDir = join(root, 'bench', 'data');
mkdirSync(dataDir, { recursive: true });
const wasmPath = join(root, 'build', 'tracecap.wasm');
const cli = join(root, 'bin', 'tracecap.js');
const corpus = join(root, '..', 'shared', 'corpus', 'bench');
const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const hasTime = existsSync('/usr/bin/time');
const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;

// The 1-minute load average at the start of the run: other work on the machine shows in every figure.
const loadAtStart = loadavg()[0];
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

/** Measures several commands `runCount` times each, interleaved so that drift hits all alike.
 *  counts: fewer runs for some commands (a slow tshark: once), spread over the rounds (once: the middle one). */
function repeatAll(cmds, runCount, counts = {}) {
  const runs = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  const rounds = (k) => { const c = Math.min(counts[k] ?? runCount, runCount); return new Set(Array.from({ length: c }, (_, j) => Math.floor((j + 0.5) * runCount / c))); };
  const at = Object.fromEntries(Object.keys(cmds).map((k) => [k, rounds(k)]));
  for (let i = 0; i < runCount; i++) for (const [k, [cmd, args]] of Object.entries(cmds)) if (at[k].has(i)) runs[k].push(measure(cmd, args));
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
// A generated capture is fresh when its truth file is from this generator (GEN_VERSION).
const fresh = (file) => existsSync(file) && readTruth(truthPath(file))?.version === GEN_VERSION;
function generateWithTruth(kind, file, size) { process.stderr.write(`generating ${file}\n`); generate(kind, file, size, { truth: truthPath(file) }); }
if (!report && !sinksOnly && (!fresh(big) || statSync(big).size < bigSize)) generateWithTruth('http', big, bigSize);
if (!report && !sinksOnly && (!fresh(flows) || packetsOf(flows) < flowCount * 2)) generateWithTruth('flows', flows, flowCount);
let corpusFiles = ['api-8000req-mtu1500.pcap', 'h2c-3000req-mtu1500.pcap'].map((f) => join(corpus, f)).filter((f) => existsSync(f));
if (quick) {
  // Quick mode: the first 2000 packets of each corpus capture (editcap), so tshark finishes fast.
  corpusFiles = corpusFiles.map((f) => {
    const out = join(dataDir, basename(f).replace('.pcap', '-2000.pcap'));
    if (!existsSync(out)) execFileSync('editcap', ['-F', 'pcap', '-r', f, out, '1-2000']);
    return out;
  });
}
// Cuts of the generated http capture (editcap, its first N packets):
//   goal  — the capture the goals are measured on: ≥ 300,000 packets, where Node's start-up
//           and the core's compilation are a small share of the run;
//   tshark — the capture tshark is measured on (~4k packets/s here: the goal capture would take
//           minutes); the compute goal compares packets/s across the two;
//   mid   — the 200,000-packet cut of earlier runs, kept in the table.
// Quick mode uses small cuts of the 20 MB capture: the harness is checked, not the goals.
const cuts = quick ? { tshark: 3000, mid: 5000, goal: 30000 } : { tshark: 36000, mid: 200000, goal: 336000 };
// The http generator writes ~175 bytes a packet: a prefix run of this many bytes a packet holds the cut.
const PREFIX_BYTES_PER_PACKET = 200;
function cutOf(packets) {
  const out = join(dataDir, `http-${packets / 1000}k.pcap`);
  if (report || fresh(out)) return out;
  // Without the big capture (--sinks): the generator is deterministic (it writes packets until
  // the target size, nothing after), so a shorter run of it starts with the same packets.
  let src = big;
  if (!fresh(big) || statSync(big).size < bigSize) {
    src = join(dataDir, 'http-prefix.pcap');
    const need = Math.max(...Object.values(cuts)) * PREFIX_BYTES_PER_PACKET;
    if (!fresh(src) || statSync(src).size < need) generateWithTruth('http', src, need);
  }
  execFileSync('editcap', ['-F', 'pcap', '-r', src, out, `1-${packets}`]);
  const got = packetsOf(out);
  if (got !== packets) { unlinkSync(out); throw new Error(`${out}: ${got} packets, wanted ${packets} (${src} is too short)`); }
  // The cut's ground truth: the source's heads on its first `packets` packets.
  cutTruth(readTruth(truthPath(src)), packets, truthPath(out));
  return out;
}
const tsharkCut = cutOf(cuts.tshark);
const mid = cutOf(cuts.mid);
const goalCap = cutOf(cuts.goal);
const tsharkFiles = [...corpusFiles, tsharkCut];
const inputs = [...corpusFiles, tsharkCut, mid, goalCap, big, flows];

// --threads N (worker threads in the CLI) exists from some build on: exit status 1 is the usage
// error of an unknown option, and the threads measurements are then skipped.
function threadsFlag() {
  const r = spawnSync(process.execPath, [cli, '--threads', '1', join(root, 'examples', 'http-keepalive.pcap')], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv });
  if (r.status === 0) return true;
  if (r.status === 1) return false;
  throw new Error(`tracecap --threads 1 examples/http-keepalive.pcap exited ${r.status}: ${r.stderr.toString().slice(-500)}`);
}

// ---- decode quality ------------------------------------------------------------------------------
// Every capture timed at DEBUG below goes through bench/decode-check.js first (see the header);
// the generated ones against their ground truth. One in-process pass each (~50 s for 1 GB).
async function checkInputs(files) {
  const out = {};
  for (const file of files) {
    process.stderr.write(`checking the decoding of ${basename(file)} at DEBUG\n`);
    const r = await checkDecode(file, { truth: readTruth(truthPath(file)) });
    process.stderr.write(formatDecodeCheck(r) + '\n');
    out[basename(file)] = r;
  }
  return out;
}
/** Stops the run (exit 1) when a capture is not fully decoded, unless --quick or --allow-incomplete. */
function stopIfIncomplete(checked) {
  const names = Object.values(checked).filter((r) => !r.complete).map((r) => r.file);
  if (!names.length) return;
  if (quick || allowIncomplete) {
    process.stderr.write(`\nbench/run.js: NOT fully decoded at DEBUG: ${names.join(', ')}. Their DEBUG figures time work the core skipped; ` +
      `the report marks them (${quick ? '--quick reports and goes on' : '--allow-incomplete'}).\n\n`);
    return;
  }
  process.stderr.write(`\nbench/run.js: ${names.length} of ${Object.keys(checked).length} captures are NOT fully decoded at DEBUG: ${names.join(', ')} (counts above).\n` +
    'A DEBUG speed on them would time work the core skipped, so nothing was timed. Fix the decoding, or run again with ' +
    '--allow-incomplete to time them anyway (the report then marks their figures).\n');
  process.exit(1);
}
// name -> checkDecode's result, for the report (saved with the figures).
let decode = null;
if (!report && !sinksOnly) { decode = await checkInputs(inputs); stopIfIncomplete(decode); }
// --sinks times the goal capture only (at DEBUG too): that one is checked, and kept with the sinks' figures.
const sinksDecode = sinksOnly ? await checkInputs([goalCap]) : null;
if (sinksDecode) stopIfIncomplete(sinksDecode);

// ---- measurements ------------------------------------------------------------------------------
// --report rebuilds results.md from the figures saved by the last run (to revise the text
// without measuring again).
const saved = join(dataDir, quick ? 'results-quick.json' : 'results.json');
let results = {};
let nodeStart, inst, wasmLen, gz, runDate, goalRuns, load;
if (report || sinksOnly) {
  if (!existsSync(saved)) throw new Error(`${saved} is missing: run the whole bench first (${quick ? 'npm run bench:quick' : 'npm run bench'})`);
  ({ results, nodeStart, inst, wasmLen, gz, runDate, goalRuns, load, decode = null } = JSON.parse(readFileSync(saved, 'utf8')));
  if (!goalRuns) throw new Error(`${saved} is from an older bench/run.js (no goal measurements): run the whole bench again`);
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
    // tshark takes ~10 s on the tshark cut: one run there.
    const tn = file === tsharkCut ? 1 : RUNS;
    r.ek = repeat('tshark', ['-r', file, '-T', 'ek'], tn);
    r.json = repeat('tshark', ['-r', file, '-T', 'json'], tn);
  }
  results[name] = r;
}

// ---- the goals' own measurements ----------------------------------------------------------------
// Each goal is a ratio of commands measured here, in this run, interleaved (repeatAll) so that
// the machine's drift hits both sides alike. Command lines are kept with the figures, for the report.
const q = (x) => `'${x.replace(/'/g, `'\\''`)}'`;
const node = q(process.execPath);
// pipefail: a CLI that fails into `| cat` must fail the bench, not pass as a fast run.
const sh = (script) => ['bash', ['-c', `set -o pipefail; ${script}`]];
const shown = (f) => basename(f);
function measureGoals() {
  const cores = availableParallelism();
  const threads = threadsFlag();
  const g = { capture: basename(goalCap), packets: packetsOf(goalCap), cores, threads, runs: GOAL_RUNS, load: [loadavg()[0]] };
  // Compute: the DEBUG CLI with default options on the goal capture against tshark -T ek on the
  // tshark cut (once: ~10 s), both with standard output on /dev/null, packets/s against packets/s.
  process.stderr.write(`measuring the goals on ${g.capture}: DEBUG against tshark -T ek on ${basename(tsharkCut)}\n`);
  const c = repeatAll({
    cli: [process.execPath, [cli, '--verbosity', 'debug', goalCap]],
    ...(hasTshark ? { ek: ['tshark', ['-r', tsharkCut, '-T', 'ek']] } : {}),
  }, GOAL_RUNS, { ek: 1 });
  g.compute = { cli: c.cli.wall, cliCmd: `tracecap --verbosity debug ${shown(goalCap)} > /dev/null`,
    ek: c.ek?.wall ?? null, ekCmd: `tshark -r ${shown(tsharkCut)} -T ek > /dev/null`, ekCapture: basename(tsharkCut), ekPackets: packetsOf(tsharkCut) };
  if (threads) {
    // Parallel speed-up, whole process, DEBUG: N = 1, 2 always, 4 and 8 where there are cores.
    const ns = [1, 2, 4, 8].filter((n) => n <= 2 || n <= cores);
    process.stderr.write(`measuring --threads ${ns.join(', ')} on ${g.capture}\n`);
    const t = repeatAll(Object.fromEntries(ns.map((n) => [n, [process.execPath, [cli, '--threads', String(n), '--verbosity', 'debug', goalCap]]])), GOAL_RUNS);
    g.threadRuns = ns.map((n) => ({ n, wall: t[n].wall, rss: t[n].rss, cmd: `tracecap --threads ${n} --verbosity debug ${shown(goalCap)} > /dev/null` }));
    // The outputs of one and two threads, byte for byte (SHA-256 of each, once).
    const sha = (n) => execFileSync('bash', ['-c', `set -o pipefail; ${node} ${q(cli)} --threads ${n} --verbosity debug ${q(goalCap)} | sha256sum`], { env: childEnv, maxBuffer: 1 << 20 }).toString().split(' ')[0];
    g.sha = { 1: sha(1), 2: sha(2), cmd: `tracecap --threads N --verbosity debug ${shown(goalCap)} | sha256sum` };
    if (g.sha[1] !== g.sha[2]) process.stderr.write(`\nbench/run.js: the outputs of --threads 1 and --threads 2 on ${g.capture} are NOT identical (SHA-256 ${g.sha[1]} and ${g.sha[2]}); the bench goes on and exits 1\n\n`);
    // Peak RSS: one thread on the largest captures, and 2 (4) threads on the 1 GB capture; one run each.
    process.stderr.write(`measuring peak RSS with --threads on ${basename(big)} and ${basename(flows)}\n`);
    const rn = [1, 2, 4].filter((n) => n <= 2 || n <= cores);
    const rssCmds = { 'flows-1': [process.execPath, [cli, '--threads', '1', '--verbosity', 'debug', flows]] };
    for (const n of rn) rssCmds[`big-${n}`] = [process.execPath, [cli, '--threads', String(n), '--verbosity', 'debug', big]];
    const m = repeatAll(rssCmds, 1);
    g.rss = [{ n: 1, captures: [basename(big), basename(flows)], rss: Math.max(m['big-1'].rss, m['flows-1'].rss), big: m['big-1'].rss, bigWall: m['big-1'].wall, flows: m['flows-1'].rss, cmd: `tracecap --threads 1 --verbosity debug {${shown(big)}, ${shown(flows)}} > /dev/null` },
      ...rn.filter((n) => n > 1).map((n) => ({ n, captures: [basename(big)], rss: m[`big-${n}`].rss, bigWall: m[`big-${n}`].wall, cmd: `tracecap --threads ${n} --verbosity debug ${shown(big)} > /dev/null` }))];
  } else {
    // No --threads: the CLI runs on one thread, and the table's DEBUG runs are the one-thread figure.
    g.rss = [{ n: 1, captures: [basename(big), basename(flows)], rss: Math.max(results[basename(big)].debug.rss, results[basename(flows)].debug.rss), cmd: `tracecap --verbosity debug {${shown(big)}, ${shown(flows)}} > /dev/null (no --threads: one thread)` }];
  }
  g.load.push(loadavg()[0]);
  return g;
}
if (!report && !sinksOnly) goalRuns = measureGoals();

// ---- output sinks ----------------------------------------------------------------------------
// The CLI itself (default options) on each sink (/dev/null, -w FILE, a pipe into `cat`) at INFO
// and DEBUG, on the goal capture, each against a plain copy of the same NDJSON bytes through the
// same sink (`cat >`, `cp`, `cat | cat`): the ratio is the CLI's time over the copy's. tcpdump -n -r
// into the same pipe is the anchor for packets/s. bench/sink.js forces the output layer's writer
// thread on or off, which the CLI cannot: it checks the choice `auto` makes for files and pipes.
// The figures are saved on their own (sinks.json), with the run's mode and load average, so
// that `--sinks` can measure them again without the rest (and without the 1 GB capture).
function measureSinks() {
  const runs = quick ? 1 : 5;
  const sinkCapture = goalCap;
  const sinkJs = join(root, 'bench', 'sink.js');
  const fileOut = join(dataDir, 'sink-file.ndjson');
  const tc = (verbosity, file) => `${node} ${q(cli)} --verbosity ${verbosity} ${q(file)}`;
  const tcpdump = (file) => `tcpdump -n -r ${q(file)} 2>/dev/null | cat > /dev/null`;
  const s = { capture: basename(sinkCapture), packets: packetsOf(sinkCapture), runs, mode: quick ? 'quick' : 'full',
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', cores: cpus().length, load: [loadavg()[0]], rows: [], anchor: [], modes: [], alone: sinksOnly,
    decode: (sinksDecode ?? decode)?.[basename(sinkCapture)] ?? null };
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
  // The corpus captures: INFO into the pipe against tcpdump, where Node's start-up weighs most
  // (information: the goal is on the goal capture).
  for (const file of hasTcpdump ? corpusFiles : []) {
    process.stderr.write(`measuring ${basename(file)} into a pipe against tcpdump\n`);
    const m = repeatAll({ tcpdump: sh(tcpdump(file)), cli: sh(`${tc('info', file)} | cat > /dev/null`) }, quick ? 1 : 7);
    s.anchor.push({ capture: basename(file), packets: packetsOf(file), tcpdump: m.tcpdump.wall, cli: m.cli.wall });
  }
  s.load.push(loadavg()[0]);
  return s;
}
// ---- the soak: decode quality next to speed on long captures with churn (bench/soak/bench.js) ----
// Quick: 2,000 connections; full: 100,000 and 1,000,000 (the largest, tens of GB, is deleted
// after it is measured: the generator makes the same capture again next run).
const savedSoak = join(dataDir, quick ? 'soak-quick.json' : 'soak.json');
let soak = existsSync(savedSoak) ? JSON.parse(readFileSync(savedSoak, 'utf8')) : null;
if (!report && !sinksOnly && !process.argv.includes('--no-soak')) {
  soak = await measureSoak({ dataDir, sizes: quick ? [2000] : [100_000, 1_000_000], cli, measure, drop: 20e9 });
  writeFileSync(savedSoak, JSON.stringify(soak));
}

const savedSinks = join(dataDir, quick ? 'sinks-quick.json' : 'sinks.json');
let sinks = existsSync(savedSinks) ? JSON.parse(readFileSync(savedSinks, 'utf8')) : null;
if (!report) { sinks = measureSinks(); writeFileSync(savedSinks, JSON.stringify(sinks)); }

// ---- the Worker path: jobs in workerd (bench/worker.js) ------------------------------------------
// Figures saved on their own (worker.json), like the soak's, so --no-worker and --report keep the
// last ones. A job whose merged records are not the CLI's bytes fails this section (exit 1): no
// figure is reported for wrong output.
const savedWorker = join(dataDir, quick ? 'worker-quick.json' : 'worker.json');
let worker = existsSync(savedWorker) ? JSON.parse(readFileSync(savedWorker, 'utf8')) : null;
let workerFailed = null;
if (!report && !sinksOnly && !process.argv.includes('--no-worker')) {
  try {
    worker = await measureWorker(quick ? { quick, bytes: 16 << 20, shards: [1, 8] } : { bytes: 200 << 20, shards: [1, 2, 4, 8] });
    writeFileSync(savedWorker, JSON.stringify(worker, null, 1));
  } catch (e) {
    worker = null;
    workerFailed = e instanceof Error ? e.message : String(e);
    process.stderr.write(`bench/run.js: the Worker path (bench/worker.js) failed: ${workerFailed}\n`);
    process.exitCode = 1;
  }
}

if (!report && !sinksOnly) {
  // Node's own start-up and exit (an empty ES module): the floor under every Node process above.
  nodeStart = repeat(process.execPath, [join(root, 'bench', 'noop.js')], SMALL_RUNS);
  inst = instantiation();
  const wasm = readFileSync(wasmPath);
  wasmLen = wasm.length;
  gz = gzipSync(wasm, { level: 9 }).length;
  runDate = new Date().toISOString().slice(0, 10);
  load = { start: loadAtStart, end: loadavg()[0], cores: availableParallelism() };
  writeFileSync(saved, JSON.stringify({ results, nodeStart, inst, wasmLen, gz, runDate, goalRuns, load, decode }));
}

// ---- report ----------------------------------------------------------------------------------------
const pps = (r, k) => r.packets / r[k].wall;
const ms = (s) => `${fmt(s * 1000)} ms`;
const mb = (kb) => `${fmt(kb / 1024, 1)} MB`;
const lines = [];
lines.push('# tracecap benchmark results', '');
lines.push(`Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${runDate}, Node ${process.version}: whole processes ${SMALL_RUNS} times on the corpus captures and ${RUNS} times on the generated ones (tshark once on ${goalRuns.compute.ekCapture}); every figure is the median, peak RSS the largest of the runs.`);
lines.push('Packets/s of a whole process = packets in the capture / wall time of the process (start-up included). Node processes run without NODE_EXTRA_CA_CERTS and NODE_OPTIONS (see bench/run.js). The CLI runs with default options (its default thread count too) unless a table says otherwise.');
// The bench's own commands count in the load (a CLI on N threads as up to N + 1 runnable tasks):
// other work is flagged when the load passes the cores by more than 2.
const busy = (l, cores) => l.some((x) => x > cores + 2);
if (load) lines.push(`Load average (1 minute): ${fmt(load.start, 1)} at the start of the run, ${fmt(load.end, 1)} at the end, on ${load.cores} cores (the bench's own commands count in it).${busy([load.start, load.end], load.cores) ? ' **The machine was busy with other work during this run** (load above its core count + 2): the figures are low and noisy, and the ratios too, the threads\' speed-up most.' : ''}`);
// Decode quality (checked before timing, see the header): a DEBUG figure on a capture that was
// not fully decoded is marked wherever it shows.
const incomplete = (name) => decode?.[name] ? !decode[name].complete : false;
const UNDECODED = 'measured on incompletely decoded input';
// The sinks' capture as checked when they were measured (a --sinks run checks it alone).
const sinksUndecoded = sinks ? (sinks.decode ? !sinks.decode.complete : incomplete(sinks.capture)) : false;
const und = (...names) => names.filter(incomplete);
const undecodedNames = Object.values(decode ?? {}).filter((r) => !r.complete).map((r) => r.file);
if (undecodedNames.length) lines.push(`**Decode quality: ${undecodedNames.length} of ${Object.keys(decode).length} captures were NOT fully decoded at DEBUG (${undecodedNames.join(', ')}): their DEBUG figures, and the goals measured on them, are ${UNDECODED} — they time work the core skipped (see "Decode quality").**`);
lines.push('');
lines.push('| capture | packets | size | bare record walk | tracecap INFO | tracecap DEBUG | core INFO (no I/O) | core DEBUG (no I/O) | tshark -T ek | tshark -T json |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, r] of Object.entries(results)) {
  const cell = (k) => `${fmt(pps(r, k))} pkt/s<br>${fmt(r[k].rss / 1024, 1)} MB RSS`;
  const mark = incomplete(name) ? `<br>**${UNDECODED}**` : '';
  lines.push(`| ${name}${incomplete(name) ? '<br>**DEBUG: not fully decoded**' : ''} | ${fmt(r.packets)} | ${fmt(r.size / 1048576, 1)} MiB | ${cell('walk')} | ${cell('info')} | ${cell('debug')}${mark} | ${fmt(r.coreInfo.pps)} pkt/s, ${fmt(r.coreInfo.mbs)} MB/s out | ${fmt(r.coreDebug.pps)} pkt/s, ${fmt(r.coreDebug.mbs)} MB/s out${mark} | ${r.ek ? cell('ek') : '—'} | ${r.json ? cell('json') : '—'} |`);
}
lines.push('', `Node start-up (an empty ES module, whole process): ${fmt(nodeStart.wall * 1000, 1)} ms, ${fmt(nodeStart.rss / 1024, 1)} MB RSS.`);
lines.push('', `Core module: ${fmt(wasmLen)} bytes (${fmt(wasmLen / 1024, 1)} KiB), ${fmt(gz)} bytes gzipped; compile ${fmt(inst.compile, 2)} ms, instantiate ${fmt(inst.instantiate, 2)} ms (medians of 15).`, '');

lines.push(...soakSection(soak));

lines.push('## Decode quality', '');
if (!decode) lines.push('Not checked: these figures were saved by a bench/run.js from before the decode check (run the bench again).');
else {
  lines.push(`Each capture above, translated once at DEBUG in-process (bench/decode-check.js) before anything was timed: every HTTP/2 header block must decode to a request with :method, a response with :status, or trailers after its stream's response, with no unknown_headers; on the generated captures, every HTTP/1 and HTTP/2 head bench/gen.js wrote (its ground truth, <capture>.truth) must have its decoded object. Packets are numbered as pcap.num (from 0).${undecodedNames.length ? ` ${quick ? 'Quick mode reports and goes on' : 'This run went on with --allow-incomplete'}: the DEBUG figures of the captures not fully decoded are marked.` : ''}`, '');
  for (const r of Object.values(decode)) lines.push(`- ${formatDecodeCheck(r)}`);
}
lines.push('');

const G = goalRuns;
const noThreads = '— (no --threads in this build)';
lines.push('## Threads', '');
if (!G.threads) lines.push(`${noThreads}: \`tracecap --threads 1 examples/http-keepalive.pcap\` exits 1 (an unknown option), so the CLI runs on one thread and nothing here is measured.`, '');
else {
  const t1 = G.threadRuns.find((t) => t.n === 1);
  lines.push(`\`tracecap --threads N --verbosity debug ${G.capture} > /dev/null\` (${fmt(G.packets)} packets), whole processes, ${G.runs === 1 ? 'one run each' : `${G.runs} interleaved runs each, medians`}; this machine has ${G.cores} cores (os.availableParallelism()), N above that is not run. Peak RSS on ${basename(big)}: one run each (/usr/bin/time -v: the worker threads are in the one process).`, '');
  // The RSS runs on the 1 GB capture (one each) also give its wall time: the speed-up where start-up is nothing.
  const b1 = G.rss.find((x) => x.n === 1)?.bigWall;
  lines.push(`| threads | packets/s | wall | speed-up over 1 thread | peak RSS (${G.capture}) | peak RSS (${basename(big)}) | peak RSS (${basename(flows)}) | wall on ${basename(big)} (one run) | speed-up there |`, '|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of G.threadRuns) {
    const r = G.rss.find((x) => x.n === t.n);
    const bw = r?.bigWall;
    lines.push(`| ${t.n} | ${fmt(G.packets / t.wall)} | ${ms(t.wall)} | ${fmt(t1.wall / t.wall, 2)}× | ${mb(t.rss)} | ${!r ? '—' : r.n === 1 ? mb(r.big) : mb(r.rss)} | ${r?.n === 1 ? mb(r.flows) : '—'} | ${bw ? ms(bw) : '—'} | ${bw && b1 ? `${fmt(b1 / bw, 2)}×` : '—'} |`);
  }
  const same = G.sha[1] === G.sha[2];
  lines.push('', `Output of 1 and 2 threads (\`${G.sha.cmd}\`): ${same ? `identical, SHA-256 ${G.sha[1]}` : `**NOT identical**: SHA-256 ${G.sha[1]} (1 thread), ${G.sha[2]} (2 threads)`}.`, '');
  const bad = [G.capture, basename(big), basename(flows)].filter(incomplete);
  if (bad.length) lines.push(`**The figures on ${bad.join(', ')} are ${UNDECODED}** (see "Decode quality").`, '');
}

if (sinks) {
  const sinkName = { null: '/dev/null (`cat out.ndjson > /dev/null`)', file: '-w FILE (`cp out.ndjson FILE`)', pipe: 'a pipe (`cat out.ndjson \\| cat > /dev/null`)' };
  lines.push('## Output sinks', '');
  lines.push(`Measured ${sinks.date} in **${sinks.mode} mode** (${sinks.mode === 'quick' ? '`npm run bench:quick`' : '`npm run bench` or `node bench/run.js --sinks`'}): ${sinks.runs === 1 ? 'one run of each command' : `${sinks.runs} interleaved runs of each command, medians`}; load average ${sinks.load.map((l) => fmt(l, 1)).join(' at the start, ')} at the end (1 minute) on ${sinks.cores} cores. ${sinks.alone ? 'Measured alone (`--sinks`), not in the run of the tables above.' : 'Measured in the same run as the tables above.'}`, '');
  lines.push(`The CLI itself (\`tracecap --verbosity V ${sinks.capture}\`, ${fmt(sinks.packets)} packets, default threads) on each sink, against a plain copy of the same NDJSON bytes through the same sink (the command in brackets); the ratio is the CLI's time over the copy's. A copy to /dev/null is the shortest of the copies, so that ratio moves most between runs.`, '');
  lines.push('| verbosity | sink (plain copy) | NDJSON | plain copy | tracecap | tracecap / copy |', '|---|---|---:|---:|---:|---:|');
  for (const r of sinks.rows) lines.push(`| ${r.verbosity.toUpperCase()}${r.verbosity === 'debug' && sinksUndecoded ? ` (**${UNDECODED}**)` : ''} | ${sinkName[r.sink]} | ${fmt(r.bytes / 1e6, 1)} MB | ${ms(r.copy)} | ${ms(r.cli)} | ${fmt(r.cli / r.copy, 2)}× |`);
  if (sinks.anchor.length) {
    lines.push('', 'Into the same pipe, against tcpdump (`tcpdump -n -r FILE 2>/dev/null | cat > /dev/null` and `tracecap --verbosity info FILE | cat > /dev/null`), whole processes; packets/s = packets / wall time (the corpus rows are information; the goal is on the goal capture):', '');
    lines.push('| capture | packets | tcpdump -n | tracecap INFO | tracecap / tcpdump |', '|---|---:|---:|---:|---:|');
    for (const a of sinks.anchor) lines.push(`| ${a.capture} | ${fmt(a.packets)} | ${fmt(a.packets / a.tcpdump)} pkt/s | ${fmt(a.packets / a.cli)} pkt/s | ${fmt(a.tcpdump / a.cli, 2)}× |`);
  }
  lines.push('', 'The writer thread forced on or off (`bench/sink.js --mode direct|thread`: the output layer with a translator, without the CLI), DEBUG; the CLI runs `auto`:', '');
  lines.push('| sink | inline (`direct`) | writer thread | `auto` picks |', '|---|---:|---:|---|');
  for (const r of sinks.modes) lines.push(`| ${r.sink === 'file' ? '-w FILE' : 'a pipe'} | ${ms(r.direct)} | ${ms(r.thread)} | ${r.auto === 'thread' ? 'the thread' : 'inline'} |`);
  lines.push('');
}

// ---- goals (issue 12): each a ratio of figures of this run ----------------------------------------
// goal(label, text, commands, measured, ok, why, undecoded): ok null = not measured (no tshark, no
// --threads, ...); undecoded: the captures it was measured on at DEBUG that were not fully decoded.
const goals = [];
const goal = (label, text, cmd, measured, ok, why = '', undecoded = []) => goals.push({ label, text, cmd, measured, ok, why, undecoded });
const MET = 'met', NOT = '**not met**';
const C = G.compute;
const cliPps = G.packets / C.cli;
if (C.ek !== null) {
  const ekPps = C.ekPackets / C.ek, ratio = cliPps / ekPps;
  // What 100x means in time: the whole DEBUG run on the goal capture within this many seconds.
  const budget = G.packets / (100 * ekPps);
  goal('Compute (DEBUG ≥ 100× tshark -T ek)', `Compute: DEBUG CLI, default options, ≥ 100× the packets/s of tshark -T ek (${G.capture}; tshark on ${C.ekCapture})`,
    `\`${C.cliCmd}\` against \`${C.ekCmd}\` (${fmt(C.ekPackets)} packets, once)`, `${fmt(cliPps)} against ${fmt(ekPps)} pkt/s: ${fmt(ratio, 1)}×`, ratio >= 100,
    `100× needs DEBUG on ${fmt(G.packets)} packets within ${ms(budget)}; it took ${ms(C.cli)}, of which Node's start-up (an empty module) is ${ms(nodeStart.wall)} (${fmt(100 * nodeStart.wall / C.cli, 1)} %).` +
    (results[G.capture] ? ` The core alone (in-process, no I/O) runs at ${fmt(results[G.capture].coreDebug.pps)} pkt/s on this capture, ${fmt(results[G.capture].coreDebug.pps / ekPps, 1)}× tshark.` : ''), und(G.capture));
} else goal('Compute (DEBUG ≥ 100× tshark -T ek)', 'Compute: DEBUG CLI ≥ 100× tshark -T ek', '—', '— (no tshark on this machine)', null);
if (G.threads) {
  const t1 = G.threadRuns.find((t) => t.n === 1), t2 = G.threadRuns.find((t) => t.n === 2);
  const s = t1.wall / t2.wall;
  goal('Parallel speed-up (2 threads ≥ 1.7×)', `Parallel speed-up at DEBUG, 2 threads ≥ 1.7× (time with 1 thread / time with 2, ${G.capture})`, `\`${t1.cmd}\`, \`${t2.cmd}\``,
    `${ms(t1.wall)} / ${ms(t2.wall)} = ${fmt(s, 2)}×`, s >= 1.7, `1.7× needs 2 threads within ${ms(t1.wall / 1.7)}; they took ${ms(t2.wall)}; Node's start-up is ${ms(nodeStart.wall)} of each.`, und(G.capture));
  const same = G.sha[1] === G.sha[2];
  goal('Same output on 1 and 2 threads', `Output of 1 and 2 threads byte-identical (${G.capture})`, `\`${G.sha.cmd}\``,
    same ? `identical (SHA-256 ${G.sha[1].slice(0, 16)}…)` : `**NOT identical** (SHA-256 ${G.sha[1].slice(0, 16)}… against ${G.sha[2].slice(0, 16)}…)`, same,
    same ? '' : 'The two thread counts write different bytes: a bug, whatever the speed.', und(G.capture));
} else {
  goal('Parallel speed-up (2 threads ≥ 1.7×)', 'Parallel speed-up at DEBUG, 2 threads ≥ 1.7×', `\`tracecap --threads N --verbosity debug ${G.capture} > /dev/null\``, noThreads, null);
  goal('Same output on 1 and 2 threads', 'Output of 1 and 2 threads byte-identical', '—', noThreads, null);
}
if (sinks) {
  const sinkCmd = { file: ['`tracecap --verbosity V FILE -w OUT`', '`cp out.ndjson OUT`'], pipe: ['`tracecap --verbosity V FILE | cat > /dev/null`', '`cat out.ndjson | cat > /dev/null`'] };
  const note = sinks.capture !== G.capture || sinks.alone ? ` (Sinks measured ${sinks.alone ? 'alone, `--sinks`, ' : ''}on ${sinks.capture}, ${sinks.date}.)` : '';
  for (const r of sinks.rows.filter((x) => x.sink !== 'null')) {
    const ratio = r.cli / r.copy, where = r.sink === 'file' ? 'a file (-w)' : 'a pipe', V = r.verbosity.toUpperCase();
    goal(`I/O: ${V} into ${where} ≤ 1.25× a copy`, `I/O: ${V} into ${where} ≤ 1.25× a plain copy of the same bytes through the same sink (${sinks.capture}, ${fmt(r.bytes / 1e6, 1)} MB)`,
      `${sinkCmd[r.sink][0].replace('V', r.verbosity)} against ${sinkCmd[r.sink][1]}`, `${ms(r.cli)} / ${ms(r.copy)} = ${fmt(ratio, 2)}×`, ratio <= 1.25,
      (() => {
        const toNull = sinks.rows.find((x) => x.verbosity === r.verbosity && x.sink === 'null').cli, allowed = 1.25 * r.copy;
        return `1.25× allows ${ms(allowed)}; the CLI took ${ms(r.cli - r.copy)} more than the copy. ` + (toNull > allowed
          ? `Into /dev/null it takes ${ms(toNull)}, already ${fmt(toNull / allowed, 2)}× that budget: the time goes to translating, not to this sink.`
          : `Into /dev/null it takes ${ms(toNull)}: this sink costs it ${ms(r.cli - toNull)}.`) + note;
      })(), V === 'DEBUG' && sinksUndecoded ? [sinks.capture] : []);
  }
  const a = sinks.anchor.find((x) => x.capture === sinks.capture);
  if (a) {
    const ratio = a.tcpdump / a.cli;
    goal('INFO into a pipe ≥ 1.5× tcpdump -n', `INFO into a pipe ≥ 1.5× the packets/s of tcpdump -n into the same pipe (${a.capture})`, '`tracecap --verbosity info FILE | cat > /dev/null` against `tcpdump -n -r FILE 2>/dev/null | cat > /dev/null`',
      `${fmt(a.packets / a.cli)} against ${fmt(a.packets / a.tcpdump)} pkt/s: ${fmt(ratio, 2)}×`, ratio >= 1.5, `1.5× needs INFO within ${ms(a.tcpdump / 1.5)}; it took ${ms(a.cli)}.${note}`);
  } else goal('INFO into a pipe ≥ 1.5× tcpdump -n', 'INFO into a pipe ≥ 1.5× tcpdump -n', '—', '— (no tcpdump on this machine)', null);
}
for (const r of G.rss) {
  const budget = 96 + 40 * (r.n - 1), ok = r.rss / 1024 <= budget;
  goal(`Peak RSS, ${r.n} thread${r.n > 1 ? 's' : ''} ≤ ${budget} MB`, `Peak RSS with ${r.n} thread${r.n > 1 ? `s ≤ ${budget} MB (96 + 40 × ${r.n - 1})` : ' ≤ 96 MB'}, DEBUG (${r.captures.join(', ')})`,
    `\`${r.cmd}\`, /usr/bin/time -v, one process`, mb(r.rss), ok, `${fmt(Math.abs(budget - r.rss / 1024), 1)} MB ${ok ? 'to spare' : 'too many'}; Node alone (an empty module) takes ${mb(nodeStart.rss)}.`, und(...r.captures));
}
if (G.threads && !G.rss.some((r) => r.n === 4)) goal('Peak RSS, 4 threads ≤ 216 MB', 'Peak RSS with 4 threads ≤ 216 MB (96 + 40 × 3)', '—', `— (${G.cores} cores)`, null);
goal('wasm ≤ 200 KB', 'wasm ≤ 200 KB', '`build/tracecap.wasm`', `${fmt(wasmLen / 1000, 1)} KB`, wasmLen <= 200_000, `${fmt(Math.abs(200_000 - wasmLen) / 1000, 1)} KB ${wasmLen <= 200_000 ? 'to spare' : 'over'}.`);
goal('instantiation < 20 ms', 'instantiation < 20 ms (compile + instantiate)', 'in-process, median of 15', `${fmt(inst.compile + inst.instantiate, 2)} ms`, inst.compile + inst.instantiate < 20);

const metCell = (ok) => ok === null ? '—' : ok ? MET : NOT;
// A goal measured on a capture not fully decoded at DEBUG says so next to its figure and verdict.
const undecodedNote = (x) => x.undecoded.length ? `<br>**${UNDECODED}** (${x.undecoded.join(', ')})` : '';
lines.push('## Goals', '');
lines.push(`Issue 12's goals, each a ratio of figures measured in this run (FILE: the goal capture, ${G.capture}, ${fmt(G.packets)} packets, in bench/data); the commands compared are run interleaved, medians of ${G.runs}${G.runs === 1 ? ' (one run)' : ''}.` +
  (G.load ? ` Load average (1 minute) ${G.load.map((l) => fmt(l, 1)).join(' to ')} while the compute, threads and RSS goals were measured${busy(G.load, G.cores) ? `: **above the ${G.cores} cores + 2, other work was running**` : ''}.` : ''), '');
lines.push('| goal | commands | measured | met |', '|---|---|---:|:---:|');
for (const x of goals) lines.push(`| ${x.text} | ${x.cmd.replace(/\|/g, '\\|')} | ${x.measured}${undecodedNote(x)} | ${metCell(x.ok)}${x.undecoded.length && x.ok !== null ? ' (input not fully decoded)' : ''} |`);
if (quick) lines.push('', '_Quick mode: small inputs and one run; the goals are defined on the full run._');

// Where the goals stand: every figure from the run above, no text carried over from earlier runs.
lines.push('', '## Where the goals stand, and why', '');
const nMet = goals.filter((x) => x.ok === true).length, nOpen = goals.filter((x) => x.ok === false).length, nSkip = goals.filter((x) => x.ok === null).length;
lines.push(`${nMet} of ${goals.length} met${nOpen ? `, ${nOpen} not met` : ''}${nSkip ? `, ${nSkip} not measured` : ''}. Node's start-up is ${ms(nodeStart.wall)}, ${fmt(100 * nodeStart.wall / C.cli, 1)} % of the DEBUG run on ${G.capture}.`, '');
for (const x of goals) {
  const caveat = x.undecoded.length ? ` **Measured on incompletely decoded input** (${x.undecoded.join(', ')}: see "Decode quality"): the core skipped work there that it does on input it decodes, so this figure may flatter it.` : '';
  if (x.ok === null) lines.push(`- **${x.label}: not measured** ${x.measured}.`);
  else if (x.why || caveat) lines.push(`- **${x.label}: ${x.ok ? 'met' : 'not met'}.** ${x.measured}. ${x.why}${caveat}`);
}
if (existsSync(join(root, 'bench', 'analysis.md'))) lines.push('', 'Profiles and what was tried in earlier rounds: bench/analysis.md (its figures are from those runs, not this one).');
const resultsPath = join(root, 'bench', quick ? 'results-quick.md' : 'results.md');
const text = lines.join('\n') + '\n';
// The Worker path last, after the browser app's section (bench/app.js keeps what follows its own).
const edge = workerFailed ? [WORKER_HEADING, '', `**Not measured: bench/worker.js failed** (${workerFailed.split('\n')[0]}).`, ''] : workerSection(worker);
const edgeText = edge.length ? '\n' + edge.join('\n') + '\n' : '';
writeFileSync(resultsPath, text + appSection(resultsPath) + edgeText);
process.stdout.write(text + edgeText);
if (G.threads && G.sha[1] !== G.sha[2]) { process.stderr.write('bench/run.js: --threads 1 and --threads 2 wrote different output: NOT identical (see the Threads section)\n'); process.exitCode = 1; }

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
