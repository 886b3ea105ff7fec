// Two builds of the core on the same capture, interleaved: the CPU time of translating it
// in-process (no file output, the records only counted) with build A and with build B, run after
// run in alternating order, so that the machine's drift hits both alike. Prints the medians and
// the fastest runs, and B's ratio to A of each, per verbosity. For changes that must not cost time (issue 22: within 3 %).
//   node bench/ab.js A.wasm B.wasm CAPTURE [--runs N] [--verbosity debug,info]
// Needs `npm run build:ts` (dist/src).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const runs = Number(opt('--runs', '7'));
const verbosities = opt('--verbosity', 'debug,info').split(',');
const [wasmA, wasmB, capture] = args;
if (!capture) { console.error('usage: node bench/ab.js A.wasm B.wasm CAPTURE [--runs N] [--verbosity debug,info]'); process.exit(2); }

const { createTranslator } = await import(pathToFileURL(join(root, 'dist', 'src', 'index.js')).href);
const modules = [wasmA, wasmB].map((f) => new WebAssembly.Module(readFileSync(f)));
const data = new Uint8Array(readFileSync(capture));

// One translation: CPU milliseconds of this process, and the output's size (both builds must agree).
async function once(module, verbosity) {
  const t = await createTranslator(module, { verbosity });
  let bytes = 0;
  t.setSink((v) => { bytes += v.length; });
  const c0 = process.cpuUsage();
  for (let o = 0; o < data.length; o += 1 << 20) t.push(data.subarray(o, o + (1 << 20)));
  t.finish();
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000, bytes };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const v of verbosities) {
  await once(modules[0], v); await once(modules[1], v); // warm-up: compile tiers, page in the capture
  const ms = [[], []];
  let size = [0, 0];
  for (let r = 0; r < runs; r++) {
    for (const k of r % 2 ? [1, 0] : [0, 1]) { const x = await once(modules[k], v); ms[k].push(x.ms); size[k] = x.bytes; }
  }
  const [a, b] = ms.map(median);
  const [la, lb] = ms.map((x) => Math.min(...x));
  console.log(`${v}: A ${a.toFixed(0)} ms, B ${b.toFixed(0)} ms (medians of ${runs}), B/A ${(b / a).toFixed(4)}; fastest runs ${la.toFixed(0)} and ${lb.toFixed(0)} ms, B/A ${(lb / la).toFixed(4)}${size[0] === size[1] ? '' : `; outputs differ in size: ${size[0]} vs ${size[1]}`}`);
}
