// Jobs split by connection part (runtimes/workers/edge/jobs.ts) in workerd through miniflare,
// with its simulated R2, Queues (retries, dead-letter queue) and Durable Objects: every corpus
// HTTP capture as 1, 2, 3 and 8 shards gives `node bin/tracecap.js --verbosity V FILE`'s bytes;
// a generated capture of 200 MiB too, whole and in segments resumed from checkpoints; a shard
// that fails once is retried, one that always fails fails the job with its reason; ?from=SERIAL
// resumes exactly; bad requests get clear errors. Needs `npm run build`.
// Before miniflare makes its loopback server (scripts/loopback-keepalive.mjs says why).
import '../../../scripts/loopback-keepalive.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without type declarations
import { root } from '../../../scripts/build-runtimes.mjs';
import { SHARD_DLQ, SHARD_MAX_RETRIES, SHARD_QUEUE } from '../../../runtimes/workers/edge/job-limits.js';

const ROOT = root as string;
const WASM_PATH = join(ROOT, 'build', 'tracecap.wasm');
const CLI = join(ROOT, 'bin', 'tracecap.js');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
if (!existsSync(WASM_PATH) || !existsSync(join(ROOT, 'dist', 'runtimes', 'node', 'cli.bundle.js'))) throw new Error('run `npm run build` first');
const corpus = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
/** The generated capture: 200 MiB (the size; TRACECAP_JOBS_GEN_BYTES sets another for a quicker run). */
const GEN_BYTES = Number(process.env.TRACECAP_JOBS_GEN_BYTES ?? 200 << 20);

/** The CLI's stdout for a capture (bytes), as the reference. */
function cli(file: string, verbosity: 'debug' | 'info'): Buffer {
  const r = spawnSync(process.execPath, [CLI, '--verbosity', verbosity, file], { maxBuffer: 1 << 30 });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

/** The CLI's stdout for a large capture: its SHA-256 and length, streamed. */
function cliDigest(file: string, verbosity: 'debug' | 'info'): Promise<{ sha: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, '--verbosity', verbosity, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const h = createHash('sha256');
    let bytes = 0;
    p.stdout.on('data', (d: Buffer) => { h.update(d); bytes += d.length; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve({ sha: h.digest('hex'), bytes }) : reject(new Error(`tracecap exited ${code}`))));
  });
}

let mf: Miniflare;
let log = '';
/** miniflare's own messages (the queue broker's dead letters), warnings and up. */
let brokerLog = '';
class CaptureLog extends Log {
  override logWithLevel(level: LogLevel, message: string): void { if (level <= LogLevel.WARN) brokerLog += `${message}\n`; }
}

/** Starts the test Worker in workerd with its R2, queues and Job objects (a fresh instance: nothing of earlier jobs in it). */
async function start(): Promise<void> {
  const outfile = join(ROOT, 'build', 'runtimes', 'edge-jobs-test.js');
  await build({
    entryPoints: [join(ROOT, 'test', 'runtimes', 'workers', 'jobs-worker.ts')], outfile, bundle: true, format: 'esm', target: 'es2022',
    platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], logLevel: 'warning',
    plugins: [{ name: 'wasm-external', setup(b) { b.onResolve({ filter: /\.wasm$/ }, () => ({ path: '../tracecap.wasm', external: true })); } }],
  });
  mf = new Miniflare({
    modulesRoot: join(ROOT, 'build'),
    modules: [
      { type: 'ESModule', path: outfile, contents: readFileSync(outfile, 'utf8') },
      // The core with its state exported, as the deployable Worker has it (scripts/build-runtimes.mjs).
      { type: 'CompiledWasm', path: WASM_PATH, contents: readFileSync(join(ROOT, 'build', 'tracecap-snap.wasm')) },
    ],
    compatibilityDate: '2025-09-01',
    log: new CaptureLog(LogLevel.WARN),
    r2Buckets: ['CAPTURES'],
    durableObjects: { JOBS: 'Job' },
    queueProducers: { SHARDS: SHARD_QUEUE },
    queueConsumers: {
      [SHARD_QUEUE]: { maxBatchSize: 1, maxBatchTimeout: 1, maxRetries: SHARD_MAX_RETRIES, deadLetterQueue: SHARD_DLQ },
      [SHARD_DLQ]: { maxBatchSize: 1, maxBatchTimeout: 1, maxRetries: 0 },
    },
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (d: Buffer) => { log += d.toString(); });
      stderr.on('data', (d: Buffer) => { log += d.toString(); });
    },
  });
  await mf.ready;
}

beforeAll(start);

afterAll(async () => { await mf?.dispose(); });

/**
 * Stores a capture in the simulated R2 from Node (uploads are part A's route). Not through the
 * test Worker reading the body whole: with that, three runs at 100 MiB hung with workerd at full
 * CPU before the first records part was written; from Node, the same run went on.
 */
async function upload(name: string, bytes: Uint8Array): Promise<void> {
  // A plain Uint8Array: miniflare's proxy refuses a Node Buffer.
  await (await mf.getR2Bucket('CAPTURES')).put(`captures/${name}`, new Uint8Array(bytes));
}

interface Reply { status: number; body: string; json: Record<string, unknown> | null }

async function request(method: string, path: string, body?: unknown): Promise<Reply> {
  const init: Record<string, unknown> = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await mf.dispatchFetch(`http://localhost${path}`, init);
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
  return { status: res.status, body: text, json };
}

async function submit(job: Record<string, unknown>): Promise<string> {
  const r = await request('POST', '/jobs', job);
  expect(r.status, r.body).toBe(202);
  return r.json!.id as string;
}

/** Polls GET /jobs/ID until the job is done or failed (an error when its status stands still for `stallMs`). */
async function settle(id: string, stallMs = 120_000): Promise<Record<string, unknown>> {
  let last = '', since = Date.now();
  for (;;) {
    const r = await request('GET', `/jobs/${id}`);
    expect(r.status).toBe(200);
    const state = r.json!.state;
    if (state === 'done' || state === 'failed') return r.json!;
    if (r.body !== last) { last = r.body; since = Date.now(); }
    if (Date.now() - since > stallMs) throw new Error(`job ${id} stood still for ${stallMs} ms: ${r.body}\n${log.slice(-3000)}\n${brokerLog.slice(-2000)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function recordsOf(id: string, query = ''): Promise<Buffer> {
  const res = await mf.dispatchFetch(`http://localhost/jobs/${id}/records${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson');
  return Buffer.from(await res.arrayBuffer());
}

describe('jobs on the corpus: the CLI’s bytes for every number of shards', () => {
  beforeAll(async () => { for (const f of corpus) await upload(`corpus/${f}`, readFileSync(join(CORPUS, f))); });

  for (const file of corpus) {
    it(`${file}: debug with 1, 2, 3 and 8 shards, info with 3`, async () => {
      const want = { debug: cli(join(CORPUS, file), 'debug'), info: cli(join(CORPUS, file), 'info') };
      for (const [verbosity, shards] of [['debug', 1], ['debug', 2], ['debug', 3], ['debug', 8], ['info', 3]] as const) {
        const id = await submit({ capture: `corpus/${file}`, verbosity, shards });
        const status = await settle(id);
        expect(status, JSON.stringify(status)).toMatchObject({ state: 'done', shards: { done: shards, total: shards } });
        expect(status.error).toBeUndefined();
        expect(status.retries).toBe(0);
        expect(status.packets).toBeGreaterThan(0);
        expect(status.records).toBe(want[verbosity].toString('utf8').split('\n').length - 1);
        const got = await recordsOf(id);
        expect(got.equals(want[verbosity]), `${file} ${verbosity} ${shards} shards: ${got.length} bytes, CLI ${want[verbosity].length}`).toBe(true);
      }
      // Cut into segments of 100,003 bytes (inside records), each resumed from the previous one's checkpoint in R2.
      const size = statSync(join(CORPUS, file)).size;
      const segments = Math.ceil(size / 100_003);
      const id = await submit({ capture: `corpus/${file}`, verbosity: 'debug', shards: 3, segment_bytes: 100_003 });
      const status = await settle(id);
      expect(status, JSON.stringify(status)).toMatchObject({ state: 'done', shards: { done: 3, total: 3 }, segments: { done: 3 * segments, total: 3 * segments }, retries: 0 });
      expect((await recordsOf(id)).equals(want.debug), `${file} in ${segments} segments`).toBe(true);
      // Each checkpoint is deleted once the segment after it is done.
      const left = await (await mf.getR2Bucket('CAPTURES')).list({ prefix: `jobs/${id}/` });
      expect(left.objects.filter((o) => o.key.includes('/checkpoint-')).map((o) => o.key)).toEqual([]);
    });
  }

  it('?format=otlp gives the CLI\'s --format otlp lines (the capture on standard input: no file name), for any number of shards', async () => {
    for (const [file, shards] of [['h1-keepalive-mtu1500.pcap', 3], ['h2c-mtu1500.pcap', 2]] as const) {
      const want = spawnSync(process.execPath, [CLI, '--format', 'otlp', '-'], { input: readFileSync(join(CORPUS, file)), maxBuffer: 1 << 30 });
      expect(want.status, want.stderr.toString()).toBe(0);
      const id = await submit({ capture: `corpus/${file}`, verbosity: 'debug', shards });
      expect((await settle(id)).state).toBe('done');
      const got = await recordsOf(id, '?format=otlp');
      expect(got.length).toBeGreaterThan(0);
      expect(got.equals(want.stdout), `${file}: ${got.length} bytes, CLI ${want.stdout.length}`).toBe(true);
      const r = await request('GET', `/jobs/${id}/records?format=otlp&from=3`);
      expect([r.status, r.body]).toEqual([400, expect.stringContaining('format=otlp makes spans from every record: not with from')]);
    }
  });

  it('?from=SERIAL resumes at the first record at or after it', async () => {
    const file = 'h2c-mtu1500.pcap';
    const want = cli(join(CORPUS, file), 'debug');
    const lines = want.toString('utf8').split('\n').slice(0, -1);
    const nums = lines.map((l) => Number((JSON.parse(l) as { pcap: { num: string } }).pcap.num));
    const id = await submit({ capture: `corpus/${file}`, verbosity: 'debug', shards: 3 });
    expect((await settle(id)).state).toBe('done');
    for (const i of [0, 1, 137, Math.floor(lines.length / 2), lines.length - 1]) {
      const rest = Buffer.from(lines.slice(i).map((l) => `${l}\n`).join(''));
      expect((await recordsOf(id, `?from=${nums[i]}`)).equals(rest), `from ${nums[i]}`).toBe(true);
    }
    expect((await recordsOf(id, `?from=${nums[nums.length - 1]! + 1}`)).length).toBe(0);
    for (const bad of ['-1', 'x', '1.5', '']) {
      const r = await request('GET', `/jobs/${id}/records?from=${bad}`);
      expect(r.status).toBe(400);
      expect(r.json!.error).toMatch(/from must be a record's serial/);
    }
  });

  it('a damaged capture: the records before the damage, then the Worker’s error line; the job says why', async () => {
    const bytes = readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcapng')).subarray(0, 100_000);
    const file = join(tmpdir(), `tracecap-jobs-cut-${process.pid}.pcapng`);
    writeFileSync(file, bytes);
    const r = spawnSync(process.execPath, [CLI, '--verbosity', 'debug', file], { maxBuffer: 1 << 28 });
    rmSync(file);
    expect(r.status).toBe(2);
    await upload('cut.pcapng', bytes);
    const id = await submit({ capture: 'cut.pcapng', shards: 2 });
    const status = await settle(id);
    expect(status.state).toBe('done');
    expect(status.error).toMatch(/^the capture is damaged: .*capture is truncated/);
    const got = await recordsOf(id);
    expect(got.subarray(0, r.stdout.length).equals(r.stdout)).toBe(true);
    const last = JSON.parse(got.subarray(r.stdout.length).toString('utf8')) as { severity: string; tracecap_error: { code: string; message: string } };
    expect(last.severity).toBe('ERROR');
    expect(r.stderr.toString()).toContain(last.tracecap_error.message);
  });

  it('limit and filters travel with the job', async () => {
    const file = 'h1-keepalive-mtu1500.pcap';
    const r = spawnSync(process.execPath, [CLI, '--verbosity', 'info', '-c', '40', '--l4', 'tcp', '--ports', '80,8080', join(CORPUS, file)], { maxBuffer: 1 << 28 });
    expect(r.status).toBe(0);
    const id = await submit({ capture: `corpus/${file}`, verbosity: 'info', limit: 40, l4: 'tcp', ports: '80,8080', shards: 3 });
    expect((await settle(id)).state).toBe('done');
    expect((await recordsOf(id)).equals(r.stdout)).toBe(true);
  });
});

describe('jobs: failures', () => {
  /** A 2-shard job on a capture whose shard 1 the test Worker makes fail (`always` or `stopped`); it must end failed. */
  async function failingJob(kind: string): Promise<{ id: string; status: Record<string, unknown> }> {
    const file = 'dns-udp.pcap';
    await upload(`faults/${kind}/${file}`, readFileSync(join(CORPUS, file)));
    const id = await submit({ capture: `faults/${kind}/${file}`, verbosity: 'debug', shards: 2 });
    const status = await settle(id, 60_000);
    expect(status.state).toBe('failed');
    return { id, status };
  }

  it('a shard that fails once is retried and the job completes with the same bytes', async () => {
    const file = 'h2c-any-sll2.pcap';
    await upload(`faults/once/${file}`, readFileSync(join(CORPUS, file)));
    const id = await submit({ capture: `faults/once/${file}`, verbosity: 'debug', shards: 3 });
    const status = await settle(id);
    expect(status.state).toBe('done');
    expect((await recordsOf(id)).equals(cli(join(CORPUS, file), 'debug'))).toBe(true);
    // The fault was injected (its marker) and the one failed attempt retried.
    expect(await (await mf.getR2Bucket('CAPTURES')).head(`faults/${id}/1`)).not.toBeNull();
    expect(status.retries).toBe(1);
  });

  it('a later segment that fails once is retried from its checkpoint and the job completes with the same bytes', async () => {
    const file = 'h1-keepalive-mtu1500.pcap';
    await upload(`faults/once-late/${file}`, readFileSync(join(CORPUS, file)));
    const id = await submit({ capture: `faults/once-late/${file}`, verbosity: 'debug', shards: 2, segment_bytes: 300_007 });
    const status = await settle(id);
    expect(status.state).toBe('done');
    expect((await recordsOf(id)).equals(cli(join(CORPUS, file), 'debug'))).toBe(true);
    expect(await (await mf.getR2Bucket('CAPTURES')).head(`faults/${id}/1/late`)).not.toBeNull();
    expect(status.retries).toBe(1);
  });

  it('a shard that always fails puts the job in failed with the reason, and its message on the dead-letter queue', async () => {
    const { id, status } = await failingJob('always');
    expect(status.error).toBe(`shard 1: gave up after ${SHARD_MAX_RETRIES + 1} attempts; the last: injected fault: R2 read refused (always)`);
    const r = await request('GET', `/jobs/${id}/records`);
    expect(r.status).toBe(409);
    expect(r.json!.error).toMatch(/failed: shard 1: gave up/);
    const end = Date.now() + 20_000;
    const moved = `to dead letter queue "${SHARD_DLQ}" after ${SHARD_MAX_RETRIES + 1} failed attempts`;
    while (!brokerLog.includes(moved) && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
    expect(brokerLog).toContain(moved);
  });

  it('a shard whose invocations never reach the consumer’s own catch fails the job from the dead-letter queue', async () => {
    const { status } = await failingJob('stopped');
    expect(status.error).toBe(`shard 1: gave up after ${SHARD_MAX_RETRIES + 1} attempts; no attempt recorded an error (its invocation was stopped: CPU, memory or wall-time limit?)`);
  });
});

describe('jobs: bad requests get clear errors', () => {
  beforeAll(async () => {
    await upload('dns.pcap', readFileSync(join(CORPUS, 'dns-udp.pcap')));
    await upload('text.pcap', new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
  });
  const cases: [string, unknown, number, RegExp][] = [
    ['not JSON', '{"capture":', 400, /the body is not JSON/],
    ['not an object', '[1]', 400, /must be a JSON object/],
    ['no capture', {}, 400, /capture must be the NAME/],
    ['a .. segment', { capture: '../x' }, 400, /capture must be the NAME/],
    ['missing capture', { capture: 'nope.pcap' }, 404, /no capture "nope.pcap"/],
    ['not a capture', { capture: 'text.pcap' }, 422, /not a pcap or pcapng capture/],
    ['bad shards', { capture: 'dns.pcap', shards: 9 }, 400, /shards must be an integer from 1 to 8/],
    ['small segments', { capture: 'dns.pcap', segment_bytes: 1000 }, 400, /segment_bytes must be a whole number of bytes from 65536 to 1073741824/],
    ['bad verbosity', { capture: 'dns.pcap', verbosity: 'loud' }, 400, /verbosity must be info or debug/],
    ['unknown key', { capture: 'dns.pcap', colour: 'red' }, 400, /unknown parameter "colour"/],
    ['bad address', { capture: 'dns.pcap', iface_addr: '300.1.1.1' }, 400, /not an IP address/],
    ['bad port', { capture: 'dns.pcap', ports: 'http' }, 400, /ports: not a port/],
    ['an object value', { capture: 'dns.pcap', project: { a: 1 } }, 400, /project must be a string or a number/],
  ];
  it.each(cases)('%s', async (_name, body, status, message) => {
    const r = await request('POST', '/jobs', body);
    expect(r.status, r.body).toBe(status);
    expect(r.json!.error).toMatch(message);
    expect(r.body).not.toMatch(/\n\s+at /);
  });
  it('unknown jobs and routes', async () => {
    expect((await request('GET', '/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await request('GET', '/jobs/nope')).status).toBe(404);
    expect((await request('GET', '/jobs/00000000-0000-4000-8000-000000000000/records')).status).toBe(404);
    expect((await request('GET', '/jobs')).status).toBe(405);
    expect((await request('DELETE', '/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(405);
    expect((await request('GET', '/other')).status).toBe(404);
  });
});

/** Deletes a job's objects (2.7 GB of records a job here: the simulated R2 keeps them on disk). */
async function removeJob(id: string): Promise<void> {
  const bucket = await mf.getR2Bucket('CAPTURES');
  for (;;) {
    const page = await bucket.list({ prefix: `jobs/${id}/`, limit: 1000 });
    if (page.objects.length === 0) break;
    await bucket.delete(page.objects.map((o) => o.key));
  }
}

describe(`jobs on a generated capture (${GEN_BYTES} bytes)`, () => {
  const file = join(tmpdir(), `tracecap-jobs-gen-${GEN_BYTES}.pcap`);
  let want: { sha: string; bytes: number };
  beforeAll(async () => {
    if (!existsSync(file) || statSync(file).size < GEN_BYTES) {
      mkdirSync(tmpdir(), { recursive: true });
      const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen.js'), 'http', file, String(GEN_BYTES)]);
      expect(g.status, g.stderr.toString()).toBe(0);
    }
    want = await cliDigest(file, 'debug');
    await upload('gen.pcap', readFileSync(file));
  }, 600_000);

  it('2 shards, the whole capture in one segment (the default size): the CLI\'s bytes', async () => {
    const id = await submit({ capture: 'gen.pcap', verbosity: 'debug', shards: 2 });
    const status = await settle(id, 180_000);
    expect(status, JSON.stringify(status)).toMatchObject({ state: 'done', shards: { done: 2, total: 2 }, segments: { done: 2, total: 2 } });
    const res = await mf.dispatchFetch(`http://localhost/jobs/${id}/records`);
    const h = createHash('sha256');
    let bytes = 0;
    const reader = res.body!.getReader();
    for (;;) { const { done, value } = await reader.read(); if (done) break; h.update(value); bytes += value.length; }
    expect(bytes).toBe(want.bytes);
    expect(h.digest('hex')).toBe(want.sha);
    await removeJob(id);
  }, 1_800_000);

  // In segments of 32 MiB: the checkpoints of the shards of a large capture, 7 segments each.
  for (const shards of [1, 2, 3, 8]) {
    it(`${shards} shard(s) in segments of 32 MiB: the CLI's bytes`, async () => {
      const segments = Math.ceil(statSync(file).size / (32 << 20));
      const t0 = Date.now();
      const id = await submit({ capture: 'gen.pcap', verbosity: 'debug', shards, segment_bytes: 32 << 20 });
      const status = await settle(id, 120_000);
      const t1 = Date.now();
      expect(status, JSON.stringify(status)).toMatchObject({ state: 'done', shards: { done: shards, total: shards }, segments: { done: shards * segments, total: shards * segments } });
      const res = await mf.dispatchFetch(`http://localhost/jobs/${id}/records`);
      const h = createHash('sha256');
      let bytes = 0;
      const reader = res.body!.getReader();
      for (;;) { const { done, value } = await reader.read(); if (done) break; h.update(value); bytes += value.length; }
      const t2 = Date.now();
      console.log(`[jobs] ${statSync(file).size} bytes, ${shards} shard(s) x ${segments} segments: shards done in ${t1 - t0} ms, records merged and read in ${t2 - t1} ms (${bytes} bytes)`);
      console.log(log.split('\n').filter((l) => l.includes(`tracecap job ${id}`)).join('\n'));
      expect(bytes).toBe(want.bytes);
      expect(h.digest('hex')).toBe(want.sha);
      await removeJob(id);
    }, 1_800_000);
  }
});
