/**
 * @module tracecap/workers/edge/jobs — jobs split by connection part over Cloudflare Queues: a
 * capture in R2 is translated by N queue consumers (shards, src/jobs.ts), each writing its
 * records to R2, and read back merged by serial: the CLI's bytes for every N.
 *
 *   POST /jobs                {"capture": NAME, "verbosity"?, "project"?, filters…, "shards"?} → 202 {"id"}
 *   GET  /jobs/ID             → {"state", "shards": {"done", "total"}, "packets", "records", "retries", "error"?}
 *   GET  /jobs/ID/records     → the merged NDJSON (?from=SERIAL: from the first record at or after it;
 *                               ?format=otlp: the records' spans instead, OTLP/JSON lines, src/otlp.ts)
 *
 * A capture larger than SEGMENT_BYTES is cut into segments: each shard reads them one after
 * another, one queue message and invocation each, resuming the previous segment's checkpoint
 * (the core's memory and globals, stored in R2), so no invocation reads more than a segment.
 *
 * Wiring (the router, edge.ts): handleJobs() for requests (after auth; null when the path is
 * not a jobs path), consumeShards() as the queue handler of SHARD_QUEUE and SHARD_DLQ, and the
 * Durable Object class Job bound as JOBS. Limits: job-limits.ts.
 */
import wasm from '../../../build/tracecap.wasm';
import { createTranslator, type TranslatorOptions } from '../../../src/index.js';
import {
  checkpointKey, jobCaptureError, looksLikeCapture, manifestKey, mergeRecords, planSegments, planShards, runShard, segmentKey, summarize,
  type RecordsPart, type SegmentSummary, type ShardResult,
} from '../../../src/jobs.js';
import { BadParam, errorLine, optionsFromQuery } from '../index.js';
import { OtlpRecordReader } from '../../../src/otlp.js';
import {
  JOB_REQUEST_BYTES, JOB_STALE_MS, MAX_CONCURRENT_JOBS, MAX_JOB_SEGMENTS, MAX_SEGMENT_BYTES, MERGE_OUT_BYTES, MERGE_WINDOW_BYTES, MESSAGE_BYTES, MIN_SEGMENT_BYTES, SEGMENT_BYTES,
  RECORDS_PART_BYTES, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, SEND_BATCH_BYTES, SHARD_DLQ, SHARD_MAX_RETRIES, SHARD_READ_BYTES,
} from './job-limits.js';

// ---- the platform's types, as far as this module uses them (no @cloudflare/workers-types here) ----

/** An R2 object's metadata. */
export interface R2ObjectLike { key: string; size: number; etag: string }
/** An R2 object with its body. */
export interface R2ObjectBodyLike extends R2ObjectLike { arrayBuffer(): Promise<ArrayBuffer>; body: ReadableStream<Uint8Array> }
/** The R2 bucket calls used here. */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(key: string, options?: { range?: { offset: number; length: number }; onlyIf?: { etagMatches: string } }): Promise<R2ObjectBodyLike | R2ObjectLike | null>;
  put(key: string, value: Uint8Array | string): Promise<unknown>;
  delete(keys: string | string[]): Promise<void>;
}
/** A queue producer. */
export interface QueueLike<T> { sendBatch(messages: Iterable<{ body: T; contentType?: 'json' }>): Promise<void> }
/** One delivered queue message. */
export interface Message<T> { readonly id: string; readonly body: T; readonly attempts: number; ack(): void; retry(options?: { delaySeconds?: number }): void }
/** A batch handed to a queue consumer. */
export interface MessageBatch<T> { readonly queue: string; readonly messages: readonly Message<T>[] }
/** A Durable Object id. */
export interface DurableObjectIdLike { toString(): string }
/** A Durable Object namespace (fetch-based stubs). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): DurableObjectIdLike;
  get(id: DurableObjectIdLike): { fetch(input: string, init?: RequestInit): Promise<Response> };
}
/** A Durable Object's storage calls used here. */
export interface DurableObjectStorageLike {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
}
/** A Durable Object's state. */
export interface DurableObjectStateLike { storage: DurableObjectStorageLike }

/** The bindings jobs use (a subset of the edge Worker's env). */
export interface JobsEnv {
  CAPTURES: R2BucketLike;
  SHARDS: QueueLike<ShardMessage>;
  JOBS: DurableObjectNamespaceLike;
}

/** One shard's queue message: references only, never capture bytes. */
export interface ShardMessage {
  job: string;
  shard: number;
  shards: number;
  /** The capture's R2 key, its size and the etag it had when the job was created. */
  capture: string;
  size: number;
  etag: string;
  options: TranslatorOptions;
  /** This message's segment of the capture (from 0), how many there are and their size. */
  segment: number;
  segments: number;
  segmentBytes: number;
  /** The number of the shard's first records part in this segment (its parts before it). */
  firstPart: number;
}

// ---- HTTP ----------------------------------------------------------------------------------

const JSON_TYPE = 'application/json; charset=utf-8';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Registry instance of the Job class: which jobs run (MAX_CONCURRENT_JOBS). */
const REGISTRY = 'registry';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers } });
}
const problem = (status: number, message: string, headers: Record<string, string> = {}) => json(status, { error: message }, headers);

/** Keys of POST /jobs besides the Worker's query parameters (runtimes/workers/index.ts USAGE). */
const JOB_KEYS = new Set(['capture', 'shards', 'segment_bytes']);

/**
 * Answers the jobs routes; null when the path is not one (the router tries its own routes).
 * Auth is the router's. Errors are JSON `{"error": …}` with 400, 404, 405, 409, 413, 422,
 * 429 or 503 (storage, queue or Job object failing), one line, never a stack.
 */
export async function handleJobs(request: Request, env: JobsEnv): Promise<Response | null> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path !== '/jobs' && !path.startsWith('/jobs/')) return null;
  try {
    return await route(request, env, url, path);
  } catch (e) {
    // R2, the queue or a Job object failed: one line for the client, the detail in the log.
    const reason = oneLine(e instanceof Error ? e.message : String(e));
    console.error(`tracecap jobs: ${request.method} ${path}: ${e instanceof Error && e.stack ? e.stack : reason}`);
    return problem(503, `jobs are unavailable for now (${reason}); try again`, { 'retry-after': '10' });
  }
}

async function route(request: Request, env: JobsEnv, url: URL, path: string): Promise<Response> {
  const method = request.method.toUpperCase();
  if (path === '/jobs' || path === '/jobs/') {
    if (method !== 'POST') return problem(405, `method ${method} not allowed on /jobs; POST a job`, { allow: 'POST' });
    return createJob(request, env);
  }
  const m = /^\/jobs\/([^/]+)(\/records)?\/?$/.exec(path);
  if (!m) return problem(404, `no such route: ${path}`);
  if (method !== 'GET' && method !== 'HEAD') return problem(405, `method ${method} not allowed on ${path}; GET it`, { allow: 'GET, HEAD' });
  const id = m[1]!;
  if (!ID.test(id)) return problem(404, `no job ${JSON.stringify(id)}: job ids are the ids POST /jobs answers`);
  const job = await jobCall<JobStatus | null>(env, id, 'status');
  if (job === null) return problem(404, `no job ${id}`);
  if (!m[2]) return json(200, publicStatus(job));
  return records(env, id, job, url.searchParams);
}

async function createJob(request: Request, env: JobsEnv): Promise<Response> {
  let spec: Record<string, unknown>;
  try {
    const text = await readLimited(request, JOB_REQUEST_BYTES);
    if (text === null) return problem(413, `the job is larger than ${JOB_REQUEST_BYTES} bytes`);
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return problem(400, 'the body must be a JSON object: {"capture": NAME, "shards": N, …}');
    spec = parsed as Record<string, unknown>;
  } catch (e) {
    return problem(400, `the body is not JSON: ${oneLine((e as Error).message)}`);
  }
  const name = spec.capture;
  if (typeof name !== 'string' || !validName(name)) {
    return problem(400, 'capture must be the NAME of a capture uploaded to PUT /captures/NAME (1 to 1000 bytes, no control characters, no empty, . or .. segment)');
  }
  let options: TranslatorOptions;
  try {
    options = optionsFromQuery(specParams(spec));
    // The core checks what the adapter cannot (addresses, networks, BPF programs): at POST, not in every shard.
    await createTranslator(wasm, options);
  } catch (e) {
    if (e instanceof BadParam || e instanceof RangeError) return problem(400, oneLine(e.message));
    throw e;
  }
  const key = `captures/${name}`;
  const head = await env.CAPTURES.head(key);
  if (head === null) return problem(404, `no capture ${JSON.stringify(name)}: upload it with PUT /captures/${name}`);
  let segmentBytes: number;
  try {
    segmentBytes = segmentSize(spec.segment_bytes);
  } catch (e) { return problem(400, (e as Error).message); }
  const segments = planSegments(head.size, segmentBytes);
  if (segments > MAX_JOB_SEGMENTS) return problem(413, `capture ${name} has ${head.size} bytes; a job takes at most ${MAX_JOB_SEGMENTS * segmentBytes} (${MAX_JOB_SEGMENTS} segments of ${segmentBytes} bytes)`);
  let shards: number;
  try {
    shards = planShards(spec.shards, head.size);
  } catch (e) { return problem(400, (e as Error).message); }
  const first = await env.CAPTURES.get(key, { range: { offset: 0, length: Math.min(4, head.size) }, onlyIf: { etagMatches: head.etag } });
  if (first === null || !('arrayBuffer' in first)) return problem(409, `capture ${name} changed while the job was being created; try again`);
  if (!looksLikeCapture(new Uint8Array(await first.arrayBuffer()))) return problem(422, `capture ${name} is not a pcap or pcapng capture (no pcap magic or pcapng section header at its start)`);

  const id = crypto.randomUUID();
  const messages: ShardMessage[] = Array.from({ length: shards }, (_, shard) => ({
    job: id, shard, shards, capture: key, size: head.size, etag: head.etag, options, segment: 0, segments, segmentBytes, firstPart: 0,
  }));
  const size = JSON.stringify(messages[0]).length;
  if (size > MESSAGE_BYTES) return problem(413, `the job's options take ${size} bytes in a shard message; at most ${MESSAGE_BYTES} (shorter BPF programs?)`);

  const admitted = await registryCall<{ ok: boolean; running: number }>(env, 'admit', { id, now: Date.now() });
  if (!admitted.ok) return problem(429, `${admitted.running} jobs are running, the most at once is ${MAX_CONCURRENT_JOBS}; try again when one ends`, { 'retry-after': '60' });
  await jobCall(env, id, 'create', { id, capture: key, size: head.size, shards, segments, limit: options.limit ?? 0 });
  try {
    for (let i = 0; i < messages.length;) {
      const batch: { body: ShardMessage; contentType: 'json' }[] = [];
      let bytes = 0;
      while (i < messages.length && batch.length < 100 && (batch.length === 0 || bytes + size <= SEND_BATCH_BYTES)) { batch.push({ body: messages[i]!, contentType: 'json' }); bytes += size; i++; }
      await env.SHARDS.sendBatch(batch);
    }
  } catch (e) {
    const reason = `the shards could not be queued: ${oneLine((e as Error).message)}`;
    await jobCall(env, id, 'fail', { shard: -1, reason });
    return problem(503, reason);
  }
  return json(202, { id }, { location: `/jobs/${id}` });
}

/** The job's segment size: its segment_bytes when given (MIN_SEGMENT_BYTES to MAX_SEGMENT_BYTES, else a RangeError), else SEGMENT_BYTES. */
function segmentSize(requested: unknown): number {
  if (requested === undefined) return SEGMENT_BYTES;
  if (typeof requested !== 'number' || !Number.isSafeInteger(requested) || requested < MIN_SEGMENT_BYTES || requested > MAX_SEGMENT_BYTES) {
    throw new RangeError(`segment_bytes must be a whole number of bytes from ${MIN_SEGMENT_BYTES} to ${MAX_SEGMENT_BYTES}, not ${JSON.stringify(requested)}`);
  }
  return requested;
}

/** Whether NAME can follow captures/ as an R2 key (R2 keys are at most 1024 bytes). */
function validName(name: string): boolean {
  if (name.length === 0 || new TextEncoder().encode(name).length > 1000) return false;
  if (/[\u0000-\u001f\u007f]/.test(name)) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The job's filter and record options as the Worker's query parameters, for optionsFromQuery(). */
function specParams(spec: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(spec)) {
    if (JOB_KEYS.has(k)) continue;
    const values = Array.isArray(v) ? v : [v];
    if (values.length === 0) throw new BadParam(`${k} is an empty list`);
    for (const one of values) {
      if (typeof one !== 'string' && typeof one !== 'number') throw new BadParam(`${k} must be a string or a number (or a list of them for iface_addr, bpf, net, deny_socket), not ${JSON.stringify(one)}`);
      params.append(k, String(one));
    }
  }
  return params;
}

/** Reads a request body up to `max` bytes; null beyond. */
async function readLimited(request: Request, max: number): Promise<string | null> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) { await reader.cancel('too large'); return null; }
    parts.push(value);
  }
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  return new TextDecoder('utf-8', { fatal: true }).decode(all);
}

function publicStatus(job: JobStatus): Record<string, unknown> {
  return {
    state: job.state, shards: { done: job.done.length, total: job.shards }, segments: { done: job.segmentsDone, total: job.shards * job.segments },
    packets: job.packets, records: job.records, retries: job.retries,
    ...(job.error ? { error: job.error } : {}),
  };
}

async function records(env: JobsEnv, id: string, job: JobStatus, params: URLSearchParams): Promise<Response> {
  let from = 0;
  let otlp = false;
  for (const [k, v] of params) {
    if (k === 'format') {
      if (v !== 'otlp' && v !== 'ndjson') return problem(400, `format must be ndjson or otlp, not ${JSON.stringify(v)}`);
      otlp = v === 'otlp';
      continue;
    }
    if (k !== 'from') return problem(400, `unknown parameter ${JSON.stringify(k)}; the records take from=SERIAL and format=ndjson|otlp`);
    if (!/^\d{1,15}$/.test(v)) return problem(400, `from must be a record's serial (pcap.num), a non-negative integer, not ${JSON.stringify(v)}`);
    from = Number(v);
  }
  // A span needs its request's record and its response's: spans of part of the records would be wrong.
  if (otlp && from > 0) return problem(400, 'format=otlp makes spans from every record: not with from');
  if (job.state === 'failed') return problem(409, `job ${id} failed: ${job.error ?? 'no reason recorded'}`);
  if (job.state !== 'done') return problem(409, `job ${id} is ${job.state}: ${job.done.length} of ${job.shards} shards done`, { 'retry-after': '5' });
  const bucket = env.CAPTURES;
  const results = await Promise.all((await jobCall<ShardResult[]>(env, id, 'results')).map(async (r) => {
    const o = await bucket.get(manifestKey(id, r.shard));
    if (o === null || !('arrayBuffer' in o)) throw new Error(`the parts list of shard ${r.shard} of job ${id} is missing`);
    return JSON.parse(new TextDecoder().decode(await o.arrayBuffer())) as ShardResult;
  }));
  const merged = mergeRecords(id, results, {
    async read(key, offset, length) {
      if (length === 0) return new Uint8Array(0);
      const o = await bucket.get(key, length < 0 ? undefined : { range: { offset, length } });
      if (o === null || !('arrayBuffer' in o)) throw new Error(`records object ${key} is missing`);
      return new Uint8Array(await o.arrayBuffer());
    },
  }, { from, limit: job.limit, windowBytes: MERGE_WINDOW_BYTES, outBytes: MERGE_OUT_BYTES });
  // After the damage (when the limit did not stop the output first), the Worker's error line,
  // as POST / ends its body (runtimes/workers/index.ts errorLine()).
  const error = jobCaptureError(results);
  const limited = job.limit > 0 && job.records >= job.limit;
  const reader = merged.getReader();
  let tail = error !== null && !limited;
  // format=otlp: the merged records go through src/otlp.ts; a read may give no span line yet.
  const enc = new TextEncoder();
  let lines: Uint8Array[] = [];
  const spans = otlp ? new OtlpRecordReader((line) => { lines.push(enc.encode(line + '\n')); }) : null;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const next = await reader.read();
        if (!next.done) {
          if (spans === null) { controller.enqueue(next.value); return; }
          spans.push(next.value);
          if (lines.length === 0) continue;
          for (const l of lines) controller.enqueue(l);
          lines = [];
          return;
        }
        if (spans !== null) { spans.end(); for (const l of lines) controller.enqueue(l); lines = []; }
        if (tail) { tail = false; controller.enqueue(errorLine(error!)); }
        controller.close();
        return;
      }
    },
    cancel(reason) { return reader.cancel(reason); },
  }, { highWaterMark: 0 });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });
}

// ---- the queue consumer ----------------------------------------------------------------------

/**
 * The queue handler: each message of SHARD_QUEUE is one shard, run and reported to its Job; a
 * failed shard is retried with backoff, and its last attempt marks the job failed before the
 * message goes on to the dead-letter queue. Messages of SHARD_DLQ mark their job failed too
 * (a shard whose isolate was stopped, over memory or CPU, never reached its own catch).
 */
export async function consumeShards(batch: MessageBatch<ShardMessage>, env: JobsEnv): Promise<void> {
  for (const msg of batch.messages) {
    const m = msg.body;
    if (batch.queue === SHARD_DLQ) {
      await jobCall(env, m.job, 'dead', { shard: m.shard });
      msg.ack();
      continue;
    }
    const what = `tracecap job ${m.job} shard ${m.shard + 1}/${m.shards}${m.segments > 1 ? ` segment ${m.segment + 1}/${m.segments}` : ''}`;
    try {
      console.log(`${what}: attempt ${msg.attempts}`);
      const go = await jobCall<{ run: boolean; resend?: number }>(env, m.job, 'start', { shard: m.shard, segment: m.segment, attempt: msg.attempts });
      // This segment was done but its successor never queued (the send failed after the Job
      // recorded it): queue it now.
      if (go.resend !== undefined) await env.SHARDS.sendBatch([{ body: { ...m, segment: m.segment + 1, firstPart: go.resend }, contentType: 'json' }]);
      if (go.run) {
        const started = Date.now();
        const start = m.segment * m.segmentBytes;
        const bucket = env.CAPTURES;
        const result = await runShard(wasm, {
          job: m.job, shard: m.shard, shards: m.shards, size: m.size, options: m.options, chunkBytes: SHARD_READ_BYTES, partBytes: RECORDS_PART_BYTES,
          segment: { index: m.segment, count: m.segments, start, end: Math.min(m.size, start + m.segmentBytes), firstPart: m.firstPart },
        }, {
          read: (offset, length) => readCapture(bucket, m, offset, length),
          put: async (key, bytes) => { await bucket.put(key, bytes); },
          resume: async (restore) => {
            const state = await getObject(bucket, checkpointKey(m.job, m.shard, m.segment - 1, 'state'));
            await fill(bucket, checkpointKey(m.job, m.shard, m.segment - 1, 'memory'), restore(new Uint8Array(await state.arrayBuffer())));
          },
          save: async ({ state, memory }) => {
            await bucket.put(checkpointKey(m.job, m.shard, m.segment, 'state'), state);
            await bucket.put(checkpointKey(m.job, m.shard, m.segment, 'memory'), memory);
          },
        });
        if (!result.ended) {
          const next = m.firstPart + result.parts.length;
          await jobCall(env, m.job, 'segment', { shard: m.shard, segment: m.segment, firstPart: next, packets: result.packets, records: result.records });
          await env.SHARDS.sendBatch([{ body: { ...m, segment: m.segment + 1, firstPart: next }, contentType: 'json' }]);
        } else {
          // The shard's list of segments goes to R2 (it grows with the capture; a Durable Object
          // value is at most 128 KiB), the counts to the Job.
          const segments: SegmentSummary[] = [];
          for (let i = 0, firstPart = 0; i < m.segment; i++) {
            const parts = JSON.parse(new TextDecoder().decode(await (await getObject(bucket, segmentKey(m.job, m.shard, i))).arrayBuffer())) as RecordsPart[];
            segments.push(summaryOf(parts, firstPart));
            firstPart += parts.length;
          }
          segments.push(summarize(result));
          const records = segments.reduce((n, x) => n + x.records, 0);
          const shard: ShardResult = { shard: m.shard, packets: result.packets, records, segments, error: result.error };
          await bucket.put(manifestKey(m.job, m.shard), JSON.stringify(shard));
          await jobCall(env, m.job, 'done', { ...shard, segments: [] });
        }
        // The checkpoint this segment resumed is needed no more (a retry of this segment that
        // still runs would fail and be retried once more, from the message: not expected).
        if (m.segment > 0) await bucket.delete([checkpointKey(m.job, m.shard, m.segment - 1, 'state'), checkpointKey(m.job, m.shard, m.segment - 1, 'memory')]);
        // One line a segment in the Worker's log: what a consumer does per MB of capture (its wall time; workerd shows no memory).
        console.log(`${what}: ${Math.min(m.size, start + m.segmentBytes) - start} capture bytes, ${result.packets} packets, ${result.records} records in ${result.parts.length} parts, ${Date.now() - started} ms`);
      }
      msg.ack();
    } catch (e) {
      const reason = oneLine(e instanceof Error ? e.message : String(e));
      const last = msg.attempts > SHARD_MAX_RETRIES;
      try {
        await jobCall(env, m.job, last ? 'fail' : 'attempt', { shard: m.shard, attempt: msg.attempts, reason });
      } catch (e2) {
        console.error(`job ${m.job} shard ${m.shard}: cannot record the failure (${(e2 as Error).message}): ${reason}`);
      }
      // On the last attempt too: the queue then moves the message to the dead-letter queue.
      msg.retry({ delaySeconds: Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (msg.attempts - 1)) });
    }
  }
}

/** The segment summary of a list of parts numbered from firstPart. */
function summaryOf(parts: RecordsPart[], firstPart: number): SegmentSummary {
  return { firstPart, parts: parts.length, records: parts.reduce((n, p) => n + p.count, 0), first: parts[0]?.first ?? -1, last: parts.at(-1)?.last ?? -1 };
}

async function getObject(bucket: R2BucketLike, key: string): Promise<R2ObjectBodyLike> {
  const o = await bucket.get(key);
  if (o === null || !('arrayBuffer' in o)) throw new Error(`${key} is missing`);
  return o;
}

/** Streams an object into `into` (a checkpoint's memory into the core's), which it must fill exactly. */
async function fill(bucket: R2BucketLike, key: string, into: Uint8Array): Promise<void> {
  const o = await getObject(bucket, key);
  if (o.size !== into.length) throw new Error(`${key} has ${o.size} bytes, the checkpoint says ${into.length}`);
  const reader = o.body.getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > into.length) throw new Error(`${key} is longer than its size`);
    into.set(value, at);
    at += value.length;
  }
  if (at !== into.length) throw new Error(`${key}: ${at} of ${into.length} bytes read`);
}

async function readCapture(bucket: R2BucketLike, m: ShardMessage, offset: number, length: number): Promise<Uint8Array> {
  const o = await bucket.get(m.capture, { range: { offset, length }, onlyIf: { etagMatches: m.etag } });
  if (o === null) throw new Error(`capture ${m.capture} is gone`);
  if (!('arrayBuffer' in o)) throw new Error(`capture ${m.capture} changed since the job was created`);
  const bytes = new Uint8Array(await o.arrayBuffer());
  if (bytes.length !== length) throw new Error(`capture ${m.capture}: read ${bytes.length} bytes at ${offset}, ${length} asked`);
  return bytes;
}

// ---- the Durable Object -------------------------------------------------------------------

/** Where a shard's chain of segments stands: the next segment to run, its first part's number, the last segment started. */
interface Progress { next: number; firstPart: number; started: number; records: number }

/** A job's state as the Job object keeps it. */
interface JobStatus {
  id: string;
  capture: string;
  size: number;
  shards: number;
  /** Segments of the capture each shard reads, and the segments done over all shards. */
  segments: number;
  segmentsDone: number;
  limit: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  created: number;
  /** Shards done, and their packets and records. */
  done: number[];
  packets: number;
  records: number;
  /** Failed attempts that were retried. */
  retries: number;
  /** Why it failed, or the capture's damage (state done). */
  error?: string;
}

async function jobCall<T = unknown>(env: JobsEnv, id: string, op: string, body?: unknown): Promise<T> {
  return call<T>(env.JOBS, `job:${id}`, op, body);
}
async function registryCall<T>(env: JobsEnv, op: string, body: unknown): Promise<T> {
  return call<T>(env.JOBS, REGISTRY, op, body);
}
async function call<T>(ns: DurableObjectNamespaceLike, name: string, op: string, body?: unknown): Promise<T> {
  const res = await ns.get(ns.idFromName(name)).fetch(`https://job/${op}`, { method: 'POST', body: JSON.stringify(body ?? null) });
  if (!res.ok) throw new Error(`job object ${op}: ${res.status} ${await res.text()}`);
  return await res.json() as T;
}

/**
 * The Durable Object of one job (named `job:ID`): its state, which shards are done with their
 * records parts, and each shard's last error. One instance named `registry` counts the jobs
 * running at once (MAX_CONCURRENT_JOBS). Called only by this module, over fetch.
 */
export class Job {
  readonly #storage: DurableObjectStorageLike;
  readonly #env: JobsEnv;
  constructor(state: DurableObjectStateLike, env: JobsEnv) { this.#storage = state.storage; this.#env = env; }

  async fetch(request: Request): Promise<Response> {
    const op = new URL(request.url).pathname.slice(1);
    const body = await request.json() as Record<string, unknown> | null;
    const reply = await this.#op(op, body ?? {});
    return new Response(JSON.stringify(reply === undefined ? null : reply), { headers: { 'content-type': JSON_TYPE } });
  }

  async #op(op: string, b: Record<string, unknown>): Promise<unknown> {
    const s = this.#storage;
    if (op === 'admit' || op === 'release') {
      const running = (await s.get<Record<string, number>>('running')) ?? {};
      const now = Date.now();
      for (const [id, at] of Object.entries(running)) if (now - at > JOB_STALE_MS) delete running[id];
      if (op === 'release') { delete running[b.id as string]; await s.put('running', running); return null; }
      const n = Object.keys(running).length;
      if (n >= MAX_CONCURRENT_JOBS) return { ok: false, running: n };
      running[b.id as string] = now;
      await s.put('running', running);
      return { ok: true, running: n + 1 };
    }
    if (op === 'create') {
      const job: JobStatus = {
        id: b.id as string, capture: b.capture as string, size: b.size as number, shards: b.shards as number, segments: b.segments as number, segmentsDone: 0,
        limit: b.limit as number, state: 'queued', created: Date.now(), done: [], packets: 0, records: 0, retries: 0,
      };
      await s.put('job', job);
      return null;
    }
    const job = await s.get<JobStatus>('job');
    if (op === 'status') return job ?? null;
    if (!job) {
      // A message of a job that no longer exists: nothing to run.
      if (op === 'start') return { run: false };
      if (op === 'results') throw new Error('no such job');
      return null;
    }
    const shard = b.shard as number;
    switch (op) {
      case 'start': {
        if (job.state === 'failed' || job.done.includes(shard)) return { run: false };
        // Each shard's segments run in order, each once: a repeated message of a segment done is
        // dropped (with its successor queued again if it never started), a later one waits its turn.
        const segment = (b.segment as number | undefined) ?? 0;
        const p = (await s.get<Progress>(`progress:${shard}`)) ?? { next: 0, firstPart: 0, started: -1, records: 0 };
        if (segment < p.next) return { run: false, ...(segment === p.next - 1 && p.started < p.next ? { resend: p.firstPart } : {}) };
        if (segment > p.next) return { run: false };
        p.started = segment;
        await s.put(`progress:${shard}`, p);
        if (job.state === 'queued') { job.state = 'running'; await s.put('job', job); }
        return { run: true };
      }
      case 'segment': {
        const p = (await s.get<Progress>(`progress:${shard}`)) ?? { next: 0, firstPart: 0, started: -1, records: 0 };
        if (job.state === 'failed' || b.segment !== p.next) return null;
        p.next = (b.segment as number) + 1;
        p.firstPart = b.firstPart as number;
        p.records += b.records as number;
        await s.put(`progress:${shard}`, p);
        job.segmentsDone++;
        job.packets = Math.max(job.packets, b.packets as number);
        job.records += b.records as number;
        await s.put('job', job);
        return null;
      }
      case 'done': {
        const r = b as unknown as ShardResult;
        if (job.state === 'failed' || job.done.includes(r.shard)) return null;
        await s.put(`shard:${r.shard}`, r);
        job.done.push(r.shard);
        // Every segment of this shard is now done (the last, or the one where the capture ended).
        const p = (await s.get<Progress>(`progress:${r.shard}`)) ?? { next: 0, firstPart: 0, started: -1, records: 0 };
        job.segmentsDone += job.segments - p.next;
        job.packets = Math.max(job.packets, r.packets);
        job.records += r.records - p.records;
        if (job.done.length === job.shards) {
          job.state = 'done';
          const damage = jobCaptureError([r]);
          if (damage) job.error = `the capture is damaged: ${damage.message}; the records before it are kept`;
          await this.#release(job.id);
        } else job.state = 'running';
        await s.put('job', job);
        return null;
      }
      case 'attempt':
        await s.put(`attempt:${shard}`, { attempt: b.attempt, reason: b.reason });
        job.retries++;
        await s.put('job', job);
        return null;
      case 'fail':
      case 'dead': {
        if (job.state === 'failed' || job.state === 'done' || (shard >= 0 && job.done.includes(shard))) return null;
        let reason = b.reason as string | undefined;
        if (op === 'dead') {
          const last = await s.get<{ attempt: number; reason: string }>(`attempt:${shard}`);
          reason = `gave up after ${SHARD_MAX_RETRIES + 1} attempts; ${last ? `attempt ${last.attempt}: ${last.reason}` : 'no attempt recorded an error (its invocation was stopped: CPU, memory or wall-time limit?)'}`;
        } else if (shard >= 0) reason = `gave up after ${b.attempt as number} attempts; the last: ${reason ?? ''}`;
        job.state = 'failed';
        job.error = shard >= 0 ? `shard ${shard}: ${reason}` : reason;
        await s.put('job', job);
        await this.#release(job.id);
        return null;
      }
      case 'results': {
        const out: ShardResult[] = [];
        for (const k of [...job.done].sort((a, z) => a - z)) out.push((await s.get<ShardResult>(`shard:${k}`))!);
        return out;
      }
      default:
        throw new Error(`unknown operation ${op}`);
    }
  }

  async #release(id: string): Promise<void> {
    await call(this.#env.JOBS, REGISTRY, 'release', { id });
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
