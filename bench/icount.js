// Two builds of the core compared by the instructions they execute, which unlike time do not
// depend on what else the machine is doing (a VM without performance counters: valgrind's
// cachegrind counts them). Each build translates the capture and, separately, its first
// --warm packets; the difference is the steady state — the packets after the first --warm,
// without node's start-up and without V8 compiling the core (a larger core takes longer to
// compile, a one-time cost that a whole-run count would mix with the per-packet cost).
//   node bench/icount.js A.wasm B.wasm CAPTURE.pcap [--verbosity info,debug] [--warm 2000]
// Needs valgrind and `npm run build:ts` (dist/src); classic pcap captures only (the prefix is
// cut by walking pcap record headers). Prints instructions per packet and B's ratio to A.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

// The child: one translation of a capture by one build, records counted, not written.
if (args[0] === '--child') {
  const [, wasm, capture, verbosity] = args;
  const { createTranslator } = await import(pathToFileURL(join(root, 'dist', 'src', 'index.js')).href);
  const t = await createTranslator(new WebAssembly.Module(readFileSync(wasm)), { verbosity });
  let bytes = 0;
  t.setSink((v) => { bytes += v.length; });
  const data = new Uint8Array(readFileSync(capture));
  for (let o = 0; o < data.length; o += 1 << 20) t.push(data.subarray(o, o + (1 << 20)));
  t.finish();
  process.stdout.write(`${bytes}\n`);
  process.exit(0);
}

const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const verbosities = opt('--verbosity', 'info,debug').split(',');
const warm = Number(opt('--warm', '2000'));
const [wasmA, wasmB, capture] = args;
if (!capture) { console.error('usage: node bench/icount.js A.wasm B.wasm CAPTURE.pcap [--verbosity info,debug] [--warm 2000]'); process.exit(2); }

// The capture's first n packets (classic pcap: 24-byte header, then 16-byte record headers).
function prefix(data, n) {
  const magic = data.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`${capture}: not a classic pcap file (magic 0x${magic.toString(16)})`);
  let off = 24, count = 0;
  while (count < n && off + 16 <= data.length) {
    const incl = le ? data.readUInt32LE(off + 8) : data.readUInt32BE(off + 8);
    off += 16 + incl; count++;
  }
  if (count < n) throw new Error(`${capture}: has only ${count} packets, fewer than --warm ${n}`);
  let total = count;
  for (let o = off; o + 16 <= data.length; total++) o += 16 + (le ? data.readUInt32LE(o + 8) : data.readUInt32BE(o + 8));
  return { bytes: data.subarray(0, off), total };
}

// Instructions (cachegrind's I refs) of one child run, and the bytes it produced.
function instructions(wasm, file, verbosity) {
  const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null',
    process.execPath, '--single-threaded', '--no-liftoff', fileURLToPath(import.meta.url), '--child', wasm, file, verbosity], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(r.error.code === 'ENOENT' ? 'valgrind is not installed (apt install valgrind)' : r.error.message);
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`valgrind run failed (${r.status}): ${r.stderr.slice(-400)}`);
  return { count: Number(m[1].replace(/,/g, '')), bytes: Number(r.stdout.trim()) };
}

const data = readFileSync(capture);
const dir = mkdtempSync(join(tmpdir(), 'tracecap-icount-'));
try {
  const { bytes, total } = prefix(data, warm);
  const head = join(dir, 'head.pcap');
  writeFileSync(head, bytes);
  const steady = total - warm;
  console.log(`${capture}: ${total} packets, steady state over the last ${steady}`);
  for (const v of verbosities) {
    const per = [wasmA, wasmB].map((w) => {
      const all = instructions(w, capture, v), first = instructions(w, head, v);
      return { perPacket: (all.count - first.count) / steady, bytes: all.bytes, fixed: first.count };
    });
    const same = per[0].bytes === per[1].bytes ? 'same output size' : `OUTPUT SIZE DIFFERS: ${per[0].bytes} vs ${per[1].bytes}`;
    console.log(`${v}: A ${per[0].perPacket.toFixed(1)} instr/packet, B ${per[1].perPacket.toFixed(1)} (B/A ${(per[1].perPacket / per[0].perPacket).toFixed(4)}); ` +
      `first ${warm} packets with start-up and compilation: A ${(per[0].fixed / 1e6).toFixed(1)} M, B ${(per[1].fixed / 1e6).toFixed(1)} M; ${same}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
