// The Worker path of the bench (issue 21, "Bench and the plan past this machine"): jobs of the
// deployable Worker (build/edge/edge.js, runtimes/workers/edge) in workerd through miniflare, with
// its simulated R2, Queues and Durable Objects, as test/runtimes/workers/edge-jobs.test.ts runs
// them. For 1, 2, 4 and 8 shards, one DEBUG job each on a generated HTTP capture (bench/gen.js):
//   - wall time from POST /jobs to state done, and GET /jobs/ID/records (the merge) apart;
//   - CPU time of the workerd processes (children of this Node process: /proc/PID/stat utime +
//     stime) during the job and during the merge, per GB of capture. workerd runs everything
//     here: the consumers, and miniflare's R2, queue broker and Durable Objects, so this is an
//     upper bound of what the consumers alone are billed;
//   - the merged records checked byte for byte (SHA-256) against `tracecap --verbosity V FILE`:
//     a job whose bytes differ fails the run, and no figure of it is reported;
//   - memory: workerd's RSS is shared by every consumer, the simulators and the bench's upload, so
//     a consumer's own memory is measured the way bench/jobs-shard.js does (one shard in Node,
//     --max-old-space-size=64), for shard 1 of 1 and shard 1 of 8.
// Then the cost of a 100 GB capture at Cloudflare's published prices (PRICES below), counting
// the operations from what the code does (job-limits.ts: SHARD_READ_BYTES, RECORDS_PART_BYTES,
// MERGE_WINDOW_BYTES; the parts each shard wrote, read from its parts.json), and the time of a
// 1 TB capture at the platform's limits.
//   node bench/worker.js [--bytes N] [--shards 1,2,4,8] [--verbosity debug|info] [--quick] [--report]
// (--report: the section again from the saved figures, nothing measured.)
// Default 200 MiB (--quick: 16 MiB, shards 1 and 8). Writes bench/data/worker.json
// (worker-quick.json) and its section of bench/results.md (results-quick.md); bench/run.js
// calls measureWorker() and writes the same section. Needs `npm run build`.
// Before miniflare makes its loopback server (scripts/loopback-keepalive.mjs says why).
import '../scripts/loopback-keepalive.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate, GEN_VERSION, readTruth, truthPath } from './gen.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', 'data');
const cli = join(root, 'bin', 'tracecap.js');
const edgeDir = join(root, 'build', 'edge');
const MiB = 1 << 20;

export const HEADING = '## On the edge: jobs in workerd';

// ---- Cloudflare's published prices (USD), checked 2026 against the pages named ----------------
// Workers Paid, Standard usage model (developers.cloudflare.com/workers/platform/pricing/):
// requests $0.30 per million after 10 million a month, CPU time $0.02 per million CPU ms after
// 30 million; no charge for duration. A queue consumer invocation is counted here as one request
// (the page bills inbound requests; a consumer is a Worker invocation) — at N + 3 a job, not material.
// Queues (developers.cloudflare.com/queues/platform/pricing/): $0.40 per million operations after
// 1 million a month; an operation per 64 KB (1 KB = 1000 bytes, ~100 bytes of metadata a
// message) written, read or deleted: 3 for a message delivered once, a retry one more read.
// Durable Objects (developers.cloudflare.com/durable-objects/platform/pricing/): requests $0.15
// per million after 1 million; duration $12.50 per million GB-s after 400,000, wall-clock while
// active, billed at 128 MB; SQLite storage rows written $1.00 per million after 50 million (the
// Job object writes a few rows a shard: not material).
// R2 Standard (developers.cloudflare.com/r2/pricing/): storage $0.015 per GB-month after 10
// GB-month; Class A (PUT, multipart create/part/complete) $4.50 per million after 1 million;
// Class B (GET, HEAD, range reads) $0.36 per million after 10 million; egress free.
// The Workers Paid plan itself is $5 a month minimum. The costs below are marginal: no free
// allowance subtracted (a 100 GB capture uses them up quickly or not at all, depending on the month).
export const PRICES = {
  workerRequestPerMillion: 0.30,
  cpuPerMillionMs: 0.02,
  queueOpPerMillion: 0.40,
  queueOpBytes: 64_000,
  doRequestPerMillion: 0.15,
  doGbSecondPerMillion: 12.50,
  doMemoryGB: 0.128,
  r2ClassAPerMillion: 4.50,
  r2ClassBPerMillion: 0.36,
  r2GbMonth: 0.015,
  sources: {
    workers: 'https://developers.cloudflare.com/workers/platform/pricing/',
    queues: 'https://developers.cloudflare.com/queues/platform/pricing/',
    durableObjects: 'https://developers.cloudflare.com/durable-objects/platform/pricing/',
    r2: 'https://developers.cloudflare.com/r2/pricing/',
  },
};
/** The platform's limits (job-limits.ts says where each comes from). */
export const PLATFORM = { consumers: 250, wallSeconds: 15 * 60, cpuSeconds: 5 * 60, memoryMB: 128 };
/** Days results are kept (the README's lifecycle rule: `--expire-days 7`). */
export const RETENTION_DAYS = 7;
/** scripts/upload.mjs's default part size (a capture above the body limit goes in parts). */
const UPLOAD_PART_BYTES = 64 * MiB;

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const money = (x) => (x >= 100 ? `$${fmt(x, 0)}` : x >= 0.1 ? `$${fmt(x, 2)}` : `$${fmt(x, 3)}`);
const secs = (s) => (s >= 3600 ? `${fmt(s / 3600, 1)} h` : s >= 120 ? `${fmt(s / 60, 1)} min` : `${fmt(s, s < 10 ? 2 : 1)} s`);

// ---- processes --------------------------------------------------------------------------------
const TICK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
const PAGE = Number(spawnSync('getconf', ['PAGESIZE']).stdout?.toString().trim()) || 4096;

/** /proc/PID/stat of every process: pid → {ppid, comm, cpu seconds (utime + stime), rss bytes}. */
function processes() {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let s;
    try { s = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    out.set(Number(d), { ppid: Number(f[1]), comm, cpu: (Number(f[11]) + Number(f[12])) / TICK, rss: Number(f[21]) * PAGE });
  }
  return out;
}

/** The workerd processes among this process's descendants (miniflare's runtime), with their CPU seconds and RSS. */
function workerd() {
  const all = processes();
  const kids = new Map();
  for (const [pid, p] of all) { if (!kids.has(p.ppid)) kids.set(p.ppid, []); kids.get(p.ppid).push(pid); }
  const found = [];
  const stack = [process.pid];
  while (stack.length) {
    const pid = stack.pop();
    for (const k of kids.get(pid) ?? []) { stack.push(k); if (all.get(k).comm.includes('workerd')) found.push({ pid: k, ...all.get(k) }); }
  }
  return { pids: found.map((p) => p.pid), cpu: found.reduce((a, p) => a + p.cpu, 0), rss: found.reduce((a, p) => a + p.rss, 0) };
}

/** Runs `node bin/tracecap.js --verbosity V FILE`, streaming its stdout through SHA-256. */
function cliDigest(file, verbosity) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [cli, '--verbosity', verbosity, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const h = createHash('sha256');
    let bytes = 0;
    p.stdout.on('data', (d) => { h.update(d); bytes += d.length; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve({ sha: h.digest('hex'), bytes, wall: (performance.now() - t0) / 1000 }) : reject(new Error(`tracecap exited ${code}`))));
  });
}

/** One shard in Node (bench/jobs-shard.js) under a 64 MB JS heap: its JSON line. */
function shardInNode(file, shard, shards, verbosity) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', join(root, 'bench', 'jobs-shard.js'), file, String(shard), String(shards), verbosity], { maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench/jobs-shard.js ${shard} ${shards} exited ${r.status}: ${r.stderr.toString().slice(-500)}`);
  return JSON.parse(r.stdout.toString().trim().split('\n').pop());
}

/** The capture: bench/data/http-worker-<MiB>m.pcap from bench/gen.js, made again when its truth file is from another generator. */
function capture(bytes, log) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `http-worker-${Math.round(bytes / MiB)}m.pcap`);
  if (!existsSync(file) || readTruth(truthPath(file))?.version !== GEN_VERSION || statSync(file).size < bytes) {
    log(`generating ${file}`);
    generate('http', file, bytes, { truth: truthPath(file) });
  }
  return file;
}

// ---- the measurement --------------------------------------------------------------------------

/**
 * Runs the jobs and returns the figures (also what bench/run.js saves). Throws when a job fails
 * or its merged records differ from the CLI's.
 */
export async function measureWorker({ bytes = 200 * MiB, shards = [1, 2, 4, 8], verbosity = 'debug', quick = false, stallSeconds = 300, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  for (const f of [join(edgeDir, 'edge.js'), join(edgeDir, 'tracecap.wasm'), join(root, 'dist', 'runtimes', 'workers', 'edge', 'job-limits.js'), join(root, 'dist', 'runtimes', 'node', 'cli.bundle.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  process.env.WRANGLER_SEND_METRICS = 'false';
  const limits = await import(pathToFileURL(join(root, 'dist', 'runtimes', 'workers', 'edge', 'job-limits.js')).href);
  const { Miniflare, Log, LogLevel } = await import('miniflare');
  const file = capture(bytes, log);
  const size = statSync(file).size;
  const fig = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', node: process.version, cores: availableParallelism(), quick,
    capture: basename(file), size, verbosity, limits: {
      SHARD_READ_BYTES: limits.SHARD_READ_BYTES, RECORDS_PART_BYTES: limits.RECORDS_PART_BYTES, MERGE_WINDOW_BYTES: limits.MERGE_WINDOW_BYTES,
      MAX_SHARDS: limits.MAX_SHARDS, SEGMENT_BYTES: limits.SEGMENT_BYTES, MAX_JOB_SEGMENTS: limits.MAX_JOB_SEGMENTS, MAX_CONCURRENT_JOBS: limits.MAX_CONCURRENT_JOBS,
    },
    load: [loadavg()[0]], jobs: [], node1: null, node8: null,
  };
  log(`the CLI's ${verbosity.toUpperCase()} output of ${basename(file)} (${fmt(size / MiB, 1)} MiB), for the check`);
  fig.cli = await cliDigest(file, verbosity);
  log(`  ${fmt(fig.cli.bytes)} bytes, SHA-256 ${fig.cli.sha.slice(0, 16)}… in ${secs(fig.cli.wall)}`);

  // The deployable Worker with the bindings of runtimes/workers/wrangler.jsonc (no static assets).
  const TOKEN = `bench-${process.pid}`;
  let stdout = '';
  const events = [];
  /** workerd's last lines, for the error when a job stands still. */
  const tail = [];
  class Quiet extends Log { logWithLevel(level, message) { if (level <= LogLevel.WARN) log(`miniflare: ${message}`); } }
  const mf = new Miniflare({
    modulesRoot: edgeDir,
    modules: [
      { type: 'ESModule', path: join(edgeDir, 'edge.js'), contents: readFileSync(join(edgeDir, 'edge.js'), 'utf8') },
      { type: 'CompiledWasm', path: join(edgeDir, 'tracecap.wasm'), contents: readFileSync(join(edgeDir, 'tracecap.wasm')) },
    ],
    compatibilityDate: '2025-09-01',
    log: new Quiet(LogLevel.WARN),
    cf: false, // the placeholder Request.cf: no fetch of Cloudflare's (no network needed)
    bindings: { TRACECAP_TOKEN: TOKEN, TRACECAP_PLAN: 'free' },
    r2Buckets: ['CAPTURES'],
    durableObjects: { JOBS: 'Job' },
    queueProducers: { SHARDS: limits.SHARD_QUEUE },
    queueConsumers: {
      [limits.SHARD_QUEUE]: { maxBatchSize: 1, maxBatchTimeout: 1, maxRetries: limits.SHARD_MAX_RETRIES, deadLetterQueue: limits.SHARD_DLQ },
      [limits.SHARD_DLQ]: { maxBatchSize: 10, maxBatchTimeout: 5, maxRetries: 0 },
    },
    handleRuntimeStdio(out, err) {
      // The consumer's log lines: when each shard starts and ends (how many ran at once here).
      const take = (d) => {
        stdout += d.toString();
        let nl;
        while ((nl = stdout.indexOf('\n')) >= 0) {
          const line = stdout.slice(0, nl); stdout = stdout.slice(nl + 1);
          const m = /tracecap job (\S+) shard (\d+)\/(\d+)(?: segment \d+\/\d+)?: (attempt \d+|.* (\d+) ms)$/.exec(line);
          tail.push(line); if (tail.length > 100) tail.shift();
          if (m) events.push({ at: performance.now(), job: m[1], shard: Number(m[2]), start: m[4].startsWith('attempt'), ms: m[5] ? Number(m[5]) : null });
          else if (/error|Error/.test(line)) log(`workerd: ${line}`);
        }
      };
      out.on('data', take); err.on('data', take);
    },
  });
  try {
    await mf.ready;
    const procs = workerd();
    log(`workerd: ${procs.pids.length} process(es), pid ${procs.pids.join(', ')}`);
    if (procs.pids.length === 0) throw new Error('no workerd process found among this process\'s children: CPU time cannot be measured');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const bucket = await mf.getR2Bucket('CAPTURES');
    const key = basename(file);
    log(`uploading ${key} into the simulated R2`);
    await upload(bucket, `captures/${key}`, readFileSync(file));

    for (const n of shards) {
      const load0 = loadavg()[0];
      const node0 = process.cpuUsage();
      const c0 = workerd().cpu;
      let peakRss = 0;
      const sampler = setInterval(() => { peakRss = Math.max(peakRss, workerd().rss); }, 250);
      const t0 = performance.now();
      const post = await mf.dispatchFetch('http://localhost/jobs', { method: 'POST', headers: auth, body: JSON.stringify({ capture: key, verbosity, shards: n }) });
      const posted = await post.text();
      if (post.status !== 202) { clearInterval(sampler); throw new Error(`POST /jobs (${n} shards): ${post.status} ${posted}`); }
      const id = JSON.parse(posted).id;
      let status, last = '', since = performance.now();
      for (;;) {
        const r = await mf.dispatchFetch(`http://localhost/jobs/${id}`, { headers: auth });
        const text = await r.text();
        status = JSON.parse(text);
        if (status.state === 'done' || status.state === 'failed') break;
        // A job whose status stands still this long is stuck (a shard alone took at most ~70 s here).
        if (text !== last) { last = text; since = performance.now(); }
        if (performance.now() - since > stallSeconds * 1000) {
          clearInterval(sampler);
          throw new Error(`job ${id} (${n} shards) stood still for ${stallSeconds} s: ${text.trim()}; workerd CPU ${secs(workerd().cpu - c0)} since POST; workerd's last lines:\n${tail.slice(-30).join('\n')}`);
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      const t1 = performance.now();
      const c1 = workerd().cpu;
      clearInterval(sampler);
      if (status.state !== 'done' || status.error || status.retries) throw new Error(`job of ${n} shards: ${JSON.stringify(status)}`);
      // The merge: GET /jobs/ID/records streamed through SHA-256.
      const nodeM = process.cpuUsage();
      const res = await mf.dispatchFetch(`http://localhost/jobs/${id}/records`, { headers: auth });
      if (res.status !== 200) throw new Error(`GET /jobs/${id}/records: ${res.status} ${await res.text()}`);
      const h = createHash('sha256');
      let got = 0;
      for await (const chunk of res.body) { h.update(chunk); got += chunk.length; }
      const sha = h.digest('hex');
      const t2 = performance.now();
      const c2 = workerd().cpu;
      const nodeJob = process.cpuUsage(node0), nodeMerge = process.cpuUsage(nodeM);
      if (sha !== fig.cli.sha || got !== fig.cli.bytes) {
        throw new Error(`${n} shards: the merged records are NOT the CLI's bytes (${got} bytes, SHA-256 ${sha}; the CLI ${fig.cli.bytes}, ${fig.cli.sha}): no figure is reported for wrong output`);
      }
      // What each shard wrote (its parts.json), for the operation counts; then the job's objects go.
      // (each shard's parts.json lists its segments; each segment's parts are in an object of their own).
      const manifests = [];
      for (let k = 0; k < n; k++) {
        const m = JSON.parse(await (await bucket.get(`jobs/${id}/shard-${k}/parts.json`)).text());
        m.parts = [];
        for (let i = 0; i < m.segments.length; i++) {
          if (m.segments[i].parts === 0) continue;
          m.parts.push(...JSON.parse(await (await bucket.get(`jobs/${id}/shard-${k}/segment-${String(i + 1).padStart(5, '0')}.json`)).text()));
        }
        manifests.push(m);
      }
      const parts = manifests.reduce((a, m) => a + m.parts.length, 0);
      const recordBytes = manifests.reduce((a, m) => a + m.parts.reduce((b, p) => b + p.bytes, 0), 0);
      const records = manifests.reduce((a, m) => a + m.records, 0);
      const mergeWindows = manifests.reduce((a, m) => a + m.parts.reduce((b, p) => b + Math.ceil(p.bytes / limits.MERGE_WINDOW_BYTES), 0), 0);
      await removePrefix(bucket, `jobs/${id}/`);
      // The consumers' own lines: each shard's wall time, and how many ran at once.
      const mine = events.filter((e) => e.job === id);
      const shardMs = mine.filter((e) => !e.start).map((e) => e.ms);
      let running = 0, most = 0;
      for (const e of [...mine].sort((a, b) => a.at - b.at)) { running += e.start ? 1 : -1; most = Math.max(most, running); }
      const job = {
        shards: n, id, wall: (t1 - t0) / 1000, merge: (t2 - t1) / 1000, cpu: c1 - c0, mergeCpu: c2 - c1,
        nodeCpu: (nodeJob.user + nodeJob.system) / 1e6 - (nodeMerge.user + nodeMerge.system) / 1e6, nodeMergeCpu: (nodeMerge.user + nodeMerge.system) / 1e6,
        peakRss, packets: status.packets, records, recordBytes, parts, mergeWindows, marksBytes: records * 16,
        shardWall: shardMs.length ? { min: Math.min(...shardMs) / 1000, max: Math.max(...shardMs) / 1000 } : null, concurrent: most,
        sha, load: [load0, loadavg()[0]],
      };
      fig.jobs.push(job);
      log(`  ${n} shard(s): done in ${secs(job.wall)} (shards ${job.shardWall ? `${secs(job.shardWall.min)}–${secs(job.shardWall.max)}` : '?'}, ${most} at once), workerd CPU ${secs(job.cpu)}; ` +
        `merge ${secs(job.merge)}, workerd CPU ${secs(job.mergeCpu)}; ${fmt(got)} bytes = the CLI's; ${parts} parts; load ${fmt(load0, 1)}→${fmt(job.load[1], 1)}`);
    }
  } finally {
    await mf.dispose();
  }
  // One consumer's CPU and memory, in Node (workerd shows neither per consumer).
  log('one shard in Node (bench/jobs-shard.js, --max-old-space-size=64): shard 1 of 1, then shard 1 of 8');
  fig.node1 = shardInNode(file, 0, 1, verbosity);
  fig.node8 = shardInNode(file, 0, 8, verbosity);
  log(`  1 of 1: ${JSON.stringify(fig.node1)}\n  1 of 8: ${JSON.stringify(fig.node8)}`);
  fig.load.push(loadavg()[0]);
  return fig;
}

/**
 * Stores a capture in the simulated R2 from Node (as the jobs test does), in 32 MiB parts above
 * that: one put of 200 MiB through miniflare's proxy broke its connection (EPIPE) here.
 */
async function upload(bucket, key, bytes) {
  const PART = 32 * MiB;
  // A plain Uint8Array: miniflare's proxy refuses a Node Buffer.
  if (bytes.length <= PART) { await bucket.put(key, new Uint8Array(bytes)); return; }
  const mp = await bucket.createMultipartUpload(key);
  const parts = [];
  for (let at = 0, n = 1; at < bytes.length; at += PART, n++) parts.push(await mp.uploadPart(n, new Uint8Array(bytes.subarray(at, at + PART))));
  await mp.complete(parts);
  const head = await bucket.head(key);
  if (head?.size !== bytes.length) throw new Error(`the upload of ${key} stored ${head?.size} bytes, not ${bytes.length}`);
}

/** Deletes every object under a prefix of the simulated bucket. */
async function removePrefix(bucket, prefix) {
  let cursor;
  do {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

// ---- cost and scale, from the figures ---------------------------------------------------------

/**
 * The cost of `captureBytes` of capture translated as one job of `job.shards` shards, cut into
 * segments of SEGMENT_BYTES (each shard reads them in order, one invocation each), at PRICES,
 * from a measured job (its CPU per byte, its records and parts per byte; the measured jobs were
 * one segment each, so a checkpoint's CPU is not in them). Operation counts follow the code:
 *   per job: POST /jobs (a Worker request, an R2 HEAD and a 4-byte range read, 2 Job object
 *   requests: admit and create), one GET /jobs/ID (1 Job request), GET /jobs/ID/records (1
 *   Worker request, 2 Job requests: status and results; per shard 1 parts.json read; per
 *   segment 1 list of parts; per part 1 marks read and its records in MERGE_WINDOW_BYTES
 *   windows), the registry's release (1);
 *   per shard and segment: 1 message (3 queue operations, under 64 KB), 1 consumer invocation,
 *   2 Job requests (start, and segment or done), ceil(segment / SHARD_READ_BYTES) range reads,
 *   2 PUTs a records part (records and marks), 1 PUT for its list of parts, 2 PUTs for its
 *   checkpoint (state, memory) and 2 GETs for the previous one's (deletes are free), and at a
 *   shard's end 1 GET a segment's list and 1 PUT for parts.json; the capture's upload:
 *   ceil(capture / 64 MiB) parts plus create and complete (scripts/upload.mjs).
 */
export function costOf(fig, job, captureBytes = 100e9) {
  const L = fig.limits;
  const perByte = (x) => x / fig.size;
  const segments = Math.ceil(captureBytes / L.SEGMENT_BYTES);
  const n = job.shards;
  const reads = n * Math.ceil(captureBytes / L.SHARD_READ_BYTES);
  const parts = perByte(job.parts) * captureBytes;
  const uploadOps = Math.ceil(captureBytes / UPLOAD_PART_BYTES) + 2;
  const ops = {
    workerRequests: 3 + n * segments,
    cpuMs: perByte(job.cpu + job.mergeCpu) * captureBytes * 1000,
    queueOps: n * segments * 3,
    doRequests: 6 + 2 * n * segments,
    // Not measured: a bound, each Job request keeping its object active a whole second.
    doGbSeconds: (6 + 2 * n * segments) * 1 * PRICES.doMemoryGB,
    classA: 2 * parts + n * segments * 3 + n + uploadOps,
    classB: 2 + reads + n * (segments - 1) * 2 + 2 * n * segments + n + parts + perByte(job.mergeWindows) * captureBytes,
    storedGB: perByte(job.recordBytes + job.marksBytes) * captureBytes / 1e9,
    captureGB: captureBytes / 1e9,
  };
  const M = 1e6;
  const usd = {
    requests: ops.workerRequests / M * PRICES.workerRequestPerMillion,
    cpu: ops.cpuMs / M * PRICES.cpuPerMillionMs,
    queues: ops.queueOps / M * PRICES.queueOpPerMillion,
    doRequests: ops.doRequests / M * PRICES.doRequestPerMillion,
    doDuration: ops.doGbSeconds / M * PRICES.doGbSecondPerMillion,
    classA: ops.classA / M * PRICES.r2ClassAPerMillion,
    classB: ops.classB / M * PRICES.r2ClassBPerMillion,
    records: ops.storedGB * RETENTION_DAYS / 30 * PRICES.r2GbMonth,
    capture: ops.captureGB * RETENTION_DAYS / 30 * PRICES.r2GbMonth,
  };
  usd.total = Object.values(usd).reduce((a, b) => a + b, 0);
  return { segments, ops, usd };
}

/**
 * A 1 TB capture at the platform's limits: as one job (its shards' chains of segments, each
 * shard reading every byte), as many jobs on the files it was rotated into, and with a split
 * pass that gives each of 250 consumers only its own connections' packets (not built).
 */
export function terabyte(fig) {
  const L = fig.limits;
  const TB = 1e12;
  const job8 = fig.jobs.find((j) => j.shards === 8) ?? fig.jobs[fig.jobs.length - 1];
  const job1 = fig.jobs.find((j) => j.shards === 1) ?? fig.jobs[0];
  const n = job8.shards;
  const segments = Math.ceil(TB / L.SEGMENT_BYTES);
  const scale = L.SEGMENT_BYTES / fig.size;
  // Per invocation (one shard, one segment): CPU from workerd (upper bound) and from Node (the consumer alone).
  const cpuShard = job8.cpu / n * scale;
  const nodeCpuShard = fig.node8 ? fig.node8.cpuS * scale : null;
  const nodeCpuShard1 = fig.node1 ? fig.node1.cpuS * scale : null;
  const recordsPerCaptureByte = job8.recordBytes / fig.size;
  const shardWrites = recordsPerCaptureByte * L.SEGMENT_BYTES / n;
  // Wall of one invocation: the slowest shard of the measured 8-shard job, scaled to a segment.
  const shardWall = (job8.shardWall?.max ?? job8.wall) * scale;
  // Files: captures rotated by size (pcap-sidecar's), one job each, MAX_CONCURRENT_JOBS at once.
  const atOnce = Math.min(L.MAX_CONCURRENT_JOBS, Math.floor(PLATFORM.consumers / n));
  return {
    segments, n, cpuShard, nodeCpuShard, nodeCpuShard1, shardWrites, shardWall, recordsTB: recordsPerCaptureByte * TB,
    oneJobWall: segments * shardWall, oneJobCpuFloor: segments * cpuShard, readsTB: n * TB, concurrent: job8.concurrent,
    atOnce, consumers: atOnce * n, filesWall: segments * shardWall / atOnce,
    split: {
      consumers: PLATFORM.consumers,
      sliceBytes: TB / PLATFORM.consumers,
      cpuPerByte1: fig.node1 ? fig.node1.cpuS / fig.size : job1.cpu / fig.size,
      wallPerByteLocal1: job1.wall / fig.size,
    },
  };
}

// ---- the report -------------------------------------------------------------------------------

/** The markdown section (lines) of bench/results.md from the saved figures. */
export function workerSection(fig) {
  if (!fig) return [];
  const GB = fig.size / 1e9;
  const lines = [HEADING, ''];
  const L = fig.limits;
  lines.push(`Measured ${fig.date}${fig.quick ? ' in **quick mode** (a small capture: the harness is checked, the figures are not the plan\'s)' : ''} by \`node bench/worker.js\` (${fig.quick ? '`npm run bench:quick`' : '`npm run bench`'} runs it; \`--no-worker\` skips it), Node ${fig.node}: the deployable Worker (\`build/edge/edge.js\`) in workerd through miniflare, with its simulated R2, Queues and Durable Object, as \`test/runtimes/workers/edge-jobs.test.ts\` runs it. One ${fig.verbosity.toUpperCase()} job a row on ${fig.capture} (${fmt(fig.size / MiB, 1)} MiB, bench/gen.js http), uploaded into the simulated R2 from Node first. Load average (1 minute) ${fmt(fig.load[0], 1)} at the start, ${fmt(fig.load[fig.load.length - 1], 1)} at the end, on ${fig.cores} cores shared with other work; miniflare runs the shards with whatever concurrency it has here (the column "at once", from the consumers' own log lines), all of them in one workerd on these ${fig.cores} cores.`, '');
  lines.push(`Every job's merged records (GET /jobs/ID/records) were the CLI's bytes (\`tracecap --verbosity ${fig.verbosity} ${fig.capture}\`: ${fmt(fig.cli.bytes)} bytes, SHA-256 ${fig.cli.sha.slice(0, 16)}…); a job whose bytes differ stops the bench with no figure.`, '');
  lines.push('| shards | job: POST to done | per GB | shards\' own wall (min–max) | at once | workerd CPU, job | per GB | merge (GET records) | per GB | workerd CPU, merge | records parts | load |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const j of fig.jobs) {
    lines.push(`| ${j.shards} | ${secs(j.wall)} | ${secs(j.wall / GB)} | ${!j.shardWall ? '—' : j.shardWall.min === j.shardWall.max ? secs(j.shardWall.max) : `${secs(j.shardWall.min)}–${secs(j.shardWall.max)}`} | ${j.concurrent} | ${secs(j.cpu)} | ${secs(j.cpu / GB)} | ${secs(j.merge)} | ${secs(j.merge / GB)} | ${secs(j.mergeCpu)} | ${fmt(j.parts)} (${fmt(j.recordBytes / 1e9, 2)} GB) | ${fmt(j.load[0], 1)}→${fmt(j.load[1], 1)} |`);
  }
  lines.push('', 'workerd\'s CPU is that of every workerd process under this Node process (/proc/PID/stat, utime + stime, read before and after): the consumers, and also miniflare\'s R2, queue broker and Durable Object, which run in the same workerd; on Cloudflare a consumer is billed its own CPU only, so these figures are an upper bound of it. The polls of GET /jobs/ID (every 100 ms) count in it too.', '');
  const m = (x) => `${fmt(x, 1)} MB`;
  if (fig.node1 && fig.node8) {
    lines.push(`Memory of one consumer invocation: workerd shows none of its own (its RSS, ${fig.jobs.map((j) => `${m(j.peakRss / 1e6)} with ${j.shards}`).join(', ')} shard(s) at its peak, is every shard, the simulators and the ${fmt(fig.size / MiB)} MiB upload together). One shard run in Node as a consumer runs it (\`node --max-old-space-size=64 bench/jobs-shard.js ${fig.capture} K N ${fig.verbosity}\`: the same ranged reads and records parts, the parts dropped):`, '');
    lines.push('| the shard | CPU | CPU per GB | wall | peak RSS (Node\'s ~40 MB included) | peak external (wasm memory, buffers) | peak JS heap | the core\'s memory | records |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, r] of [['shard 1 of 1 (the whole job)', fig.node1], ['shard 1 of 8', fig.node8]]) {
      lines.push(`| ${name} | ${secs(r.cpuS)} | ${secs(r.cpuS / GB)} | ${secs(r.wallS)} | ${m(r.peakRssMB)} | ${m(r.peakExternalMB)} | ${m(r.peakHeapMB)} | ${m(r.coreMemoryMB)} | ${fmt(r.writtenMB, 1)} MB in ${fmt(r.parts)} parts |`);
    }
    lines.push('');
  }
  // Cost.
  lines.push(`### The cost of a 100 GB capture`, '');
  lines.push(`At Cloudflare's published prices (bench/worker.js PRICES: Workers Paid $${PRICES.workerRequestPerMillion}/M requests and $${PRICES.cpuPerMillionMs}/M CPU ms, ${PRICES.sources.workers}; Queues $${PRICES.queueOpPerMillion}/M operations of 64 KB, ${PRICES.sources.queues}; Durable Objects $${PRICES.doRequestPerMillion}/M requests and $${PRICES.doGbSecondPerMillion}/M GB-s, ${PRICES.sources.durableObjects}; R2 Class A $${PRICES.r2ClassAPerMillion}/M, Class B $${PRICES.r2ClassBPerMillion}/M, $${PRICES.r2GbMonth}/GB-month, egress free, ${PRICES.sources.r2}), marginal (no free allowance, and the plan's $5 a month apart). 100 GB is one job of ${fmt(Math.ceil(100e9 / L.SEGMENT_BYTES))} segments of ${fmt(L.SEGMENT_BYTES / MiB)} MiB (SEGMENT_BYTES) for each shard; each figure scales the measured job's CPU, records and parts per byte to it (the measured jobs were one segment each: a checkpoint's CPU is not in them), and counts requests, messages and R2 operations, the checkpoints' too, as the code makes them (bench/worker.js costOf()). CPU is workerd's (the upper bound above), job and merge. Storage: the records and their marks for ${RETENTION_DAYS} days (the README's lifecycle rule on \`jobs/\`), and the 100 GB capture for the same ${RETENTION_DAYS} days. Durable Object duration is not measured: the row is a bound, every Job request keeping its object active for a whole second.`, '');
  lines.push('| shards | CPU | requests | Queues | DO requests | DO duration (bound) | R2 Class A | R2 Class B | records stored | capture stored | total |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const j of fig.jobs) {
    const c = costOf(fig, j);
    const u = c.usd;
    lines.push(`| ${j.shards} | ${money(u.cpu)} (${fmt(c.ops.cpuMs / 1e6, 1)}M ms) | ${money(u.requests)} | ${money(u.queues)} | ${money(u.doRequests)} | ${money(u.doDuration)} | ${money(u.classA)} (${fmt(c.ops.classA / 1e6, 2)}M) | ${money(u.classB)} (${fmt(c.ops.classB / 1e6, 2)}M) | ${money(u.records)} (${fmt(c.ops.storedGB)} GB) | ${money(u.capture)} | **${money(u.total)}** |`);
  }
  if (fig.node1 && fig.node8) {
    const at = (cpuS) => money(cpuS / fig.size * 100e9 * 1000 / 1e6 * PRICES.cpuPerMillionMs);
    lines.push('', `CPU at Node's figure for the consumer alone instead (bench/jobs-shard.js above, the merge not counted): ${at(fig.node1.cpuS)} for 1 shard, ${at(8 * fig.node8.cpuS)} for 8 (eight times shard 1 of 8).`);
  }
  lines.push('');
  // 1 TB.
  const T = terabyte(fig);
  lines.push('### A 1 TB capture at the platform\'s limits', '');
  lines.push(`As one job with ${T.n} shards: ${fmt(T.segments)} segments of ${fmt(L.SEGMENT_BYTES / MiB)} MiB, each shard reading them in order, one invocation each (each needs the checkpoint of the one before), so a job uses ${T.n} of the ${PLATFORM.consumers} concurrent consumers and every shard reads the whole terabyte (${fmt(T.readsTB / 1e12)} TB of range reads). One invocation writes ${fmt(T.shardWrites / 1e9, 2)} GB of records (${fmt(T.recordsTB / 1e12, 1)} TB for the terabyte).`);
  lines.push(`- CPU of one invocation: ${secs(T.cpuShard)} by workerd's figure (upper bound)${T.nodeCpuShard !== null ? `, ${secs(T.nodeCpuShard)} by Node's (shard 1 of 8)` : ''}; ${T.nodeCpuShard1 !== null ? `${secs(T.nodeCpuShard1)} as the only shard (Node); ` : ''}the limit is ${secs(PLATFORM.cpuSeconds)} and the wall limit ${secs(PLATFORM.wallSeconds)}: neither binds.`);
  lines.push(`- Wall: what binds first is the chain. At this run's slowest ${T.n}-shard consumer (${secs(T.shardWall)} for a segment, in workerd with the simulated R2; ${T.concurrent === 1 ? 'miniflare ran the shards one after another' : `at most ${T.concurrent} ran at once here`}), one shard's ${fmt(T.segments)} segments take ${secs(T.oneJobWall)} (the CPU alone: ${secs(T.oneJobCpuFloor)}), whatever the number of consumers: a job's time grows with its capture at one shard's read rate. Cloudflare's R2 speed per consumer is not measured here and decides where it lands.`);
  lines.push(`- As the files a sidecar rotates it into (independent captures, one job each): ${T.atOnce} jobs at once (MAX_CONCURRENT_JOBS ${L.MAX_CONCURRENT_JOBS}; ${T.atOnce} × ${T.n} shards = ${T.consumers} of the ${PLATFORM.consumers} consumers), about ${secs(T.filesWall)} for the terabyte at the same rate.`);
  lines.push(`- The records: ${fmt(T.recordsTB / 1e12, 1)} TB of ${fig.verbosity.toUpperCase()} NDJSON come back through GET /jobs/ID/records, one stream a job. Here a job's merge ran at ${fmt(Math.min(...fig.jobs.map((j) => fig.cli.bytes / j.merge)) / 1e6)}–${fmt(Math.max(...fig.jobs.map((j) => fig.cli.bytes / j.merge)) / 1e6)} MB/s (workerd to Node on this machine); the client's link binds (arithmetic, not measured): ${secs(T.recordsTB * 8 / 1e9)} at 1 Gbit/s, ${secs(T.recordsTB * 8 / 1e10)} at 10 Gbit/s.`);
  const cpuSlice = T.split.cpuPerByte1 * T.split.sliceBytes, wallSlice = T.split.wallPerByteLocal1 * T.split.sliceBytes;
  lines.push(`- What would lift the chain (not built): a split pass writing each connection part's packets to objects of their own, so ${PLATFORM.consumers} parts' chains each read 1/${PLATFORM.consumers} of the terabyte (${fmt(T.split.sliceBytes / 1e9, 1)} GB) once: CPU ${secs(cpuSlice)} a chain at the 1-shard rate (Node), and at this run's local 1-shard wall rate (${fmt(1 / T.split.wallPerByteLocal1 / 1e6, 1)} MB/s) ${secs(wallSlice)} — range reads from ${fmt(T.n)} TB to 1 TB plus the split's own pass. It needs the core's connection parts (${L.MAX_SHARDS} today) raised to the consumers'.`);
  lines.push('');
  return lines;
}

/** Replaces (or appends) this section in a results file, leaving the rest as it is. */
export function replaceSection(text, section) {
  const start = text.indexOf(`${HEADING}\n`);
  if (start < 0) return `${text.trimEnd()}\n\n${section}`;
  const rest = text.slice(start + HEADING.length + 1);
  const next = rest.search(/^## /m);
  return text.slice(0, start) + section + (next < 0 ? '' : `\n${rest.slice(next)}`);
}

// ---- command line -------------------------------------------------------------------------------
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const quick = args.includes('--quick');
  const verbosity = opt('--verbosity') ?? 'debug';
  if (!['debug', 'info'].includes(verbosity)) { console.error('usage: node bench/worker.js [--bytes N] [--shards 1,2,4,8] [--verbosity debug|info] [--quick]'); process.exit(2); }
  const bytes = Number(opt('--bytes') ?? (quick ? 16 * MiB : 200 * MiB));
  const shards = (opt('--shards') ?? (quick ? '1,8' : '1,2,4,8')).split(',').map(Number);
  if (!(bytes > 0) || shards.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) { console.error('bench/worker.js: --bytes must be a positive number, --shards integers from 1 to 8'); process.exit(2); }
  const saved = join(dataDir, quick ? 'worker-quick.json' : 'worker.json');
  let fig;
  if (args.includes('--report')) {
    if (!existsSync(saved)) { console.error(`bench/worker.js --report: ${saved} is missing: run bench/worker.js first`); process.exit(2); }
    fig = JSON.parse(readFileSync(saved, 'utf8'));
  } else {
    fig = await measureWorker({ bytes, shards, verbosity, quick });
    writeFileSync(saved, JSON.stringify(fig, null, 1));
  }
  const section = workerSection(fig).join('\n') + '\n';
  const results = join(root, 'bench', quick ? 'results-quick.md' : 'results.md');
  if (existsSync(results)) writeFileSync(results, replaceSection(readFileSync(results, 'utf8'), section));
  process.stdout.write(section);
}
