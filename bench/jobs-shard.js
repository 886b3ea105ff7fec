// One shard of a Workers job (src/jobs.ts runShard, as runtimes/workers/edge/jobs.ts runs it on
// a queue consumer) in Node, to say what a consumer needs per MB of capture where workerd shows
// neither CPU time nor memory: the capture read in the consumer's ranged reads, the records
// parts counted and dropped. Prints one JSON line: CPU and wall seconds, peak RSS, external
// memory (wasm memory and buffers, with garbage not yet collected) and heap, and the core's
// memory at the end. Run with --max-old-space-size=64 to keep the JS heap near a Worker's, and
// with --expose-gc for the live peak (external and heap after a full collection at each sample).
//   node --max-old-space-size=64 [--expose-gc] bench/jobs-shard.js CAPTURE SHARD SHARDS [info|debug]
// Needs `npm run build` (dist/).
import { openSync, readSync, statSync, readFileSync } from 'node:fs';
import { runShard } from '../dist/src/jobs.js';
import { createTranslator } from '../dist/src/index.js';
import { SHARD_READ_BYTES, RECORDS_PART_BYTES } from '../dist/runtimes/workers/edge/job-limits.js';

const [file, shardArg, shardsArg, verbosity = 'debug'] = process.argv.slice(2);
if (!file || !shardArg || !shardsArg) {
  console.error('usage: node --max-old-space-size=64 bench/jobs-shard.js CAPTURE SHARD SHARDS [info|debug]');
  process.exit(2);
}
const shard = Number(shardArg), shards = Number(shardsArg);
const size = statSync(file).size;
const fd = openSync(file, 'r');
const module = new WebAssembly.Module(readFileSync(new URL('../build/tracecap.wasm', import.meta.url)));

let rss = 0, external = 0, heap = 0, live = 0, written = 0;
// With --expose-gc each sample first collects the garbage (the reads' buffers a runtime frees
// when memory runs short), so `live` is what the consumer holds: the figure its budget is about.
const gc = globalThis.gc;
const sample = () => {
  const u = process.memoryUsage(); rss = Math.max(rss, u.rss); external = Math.max(external, u.external); heap = Math.max(heap, u.heapUsed);
  if (gc) { gc(); const l = process.memoryUsage(); live = Math.max(live, l.external + l.heapUsed); }
};
const tick = setInterval(sample, 20);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await runShard(module, { job: 'bench', shard, shards, size, options: { verbosity }, chunkBytes: SHARD_READ_BYTES, partBytes: RECORDS_PART_BYTES }, {
  read: async (offset, length) => { const b = new Uint8Array(length); readSync(fd, b, 0, length, offset); sample(); return b; },
  put: async (_key, bytes) => { written += bytes.length; sample(); },
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(tick);

// The core's memory after the same run (runShard keeps its translator to itself).
const t = await createTranslator(module, { verbosity });
t.setShard(shard, shards);
t.setSink(() => {});
const buf = new Uint8Array(SHARD_READ_BYTES);
for (let o = 0; o < size; o += buf.length) t.push(buf.subarray(0, readSync(fd, buf, 0, buf.length, o)));
t.finish();

const MB = size / 1e6;
const cpuS = (cpu.user + cpu.system) / 1e6;
const mb = (n) => +(n / 1e6).toFixed(1);
console.log(JSON.stringify({
  capture: file, MB: +MB.toFixed(1), verbosity, shard, shards, packets: result.packets, records: result.records, parts: result.parts.length,
  writtenMB: mb(written), wallS: +wall.toFixed(2), cpuS: +cpuS.toFixed(2), cpuSperMB: +(cpuS / MB).toFixed(4),
  peakRssMB: mb(rss), peakExternalMB: mb(external), peakHeapMB: mb(heap), coreMemoryMB: mb(t.memory.buffer.byteLength),
  ...(gc ? { peakLiveMB: mb(live) } : {}),
}));
