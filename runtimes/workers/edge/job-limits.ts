// The limits of jobs split by connection part (runtimes/workers/edge/jobs.ts), in one place,
// each with the platform figure it derives from (Cloudflare's published limits, checked
// against developers.cloudflare.com/queues/platform/limits and /workers/platform/limits):
//   Queues: message 128 KB (1 KB = 1000 bytes, ~100 bytes of it metadata); sendBatch 100
//   messages or 256 KB; 250 concurrent consumer invocations; consumer wall time 15 min; CPU
//   configurable to 5 min (limits.cpu_ms = 300000); max_retries up to 100 (default 3).
//   Workers: 128 MB of memory per isolate (JS heap and wasm memory together).
// The wrangler config must match: the shard queue's consumer max_batch_size 1 (a batch shares
// one invocation's CPU), max_retries SHARD_MAX_RETRIES, dead_letter_queue SHARD_DLQ (with a
// consumer of its own), and limits.cpu_ms 300000.

import { MAX_JOB_SHARDS } from '../../../src/jobs.js';

/** Most shards of one job: the core's connection parts (src/jobs.ts). */
export const MAX_SHARDS = MAX_JOB_SHARDS;

/** The queue of shard messages, and its dead-letter queue (names in the wrangler config). */
export const SHARD_QUEUE = 'tracecap-shards';
export const SHARD_DLQ = 'tracecap-shards-dlq';

/** Retries of a failed shard (the consumer's max_retries): attempts are this plus one; Cloudflare's default. */
export const SHARD_MAX_RETRIES = 3;
/** Delay before retry r (1, 2, 3 …): RETRY_BASE_SECONDS · 2^(r−1), at most RETRY_MAX_SECONDS (delaySeconds may go to 24 h). */
export const RETRY_BASE_SECONDS = 1;
export const RETRY_MAX_SECONDS = 60;

/**
 * Capture bytes one shard reads in one queue consumer invocation: a capture is cut into
 * segments of this size, read one after another by each shard, each in its own invocation
 * resuming the previous one's checkpoint (src/jobs.ts). CPU is not what binds: one shard's
 * translation measured 0.015 s a MB alone and 0.003 s a MB as one of eight (Node, the same
 * code). What binds is the records a shard writes to R2 within its 15 min of wall time: DEBUG
 * records run from 0.4 to 13 times the capture's bytes (the corpus; bench/gen.js traffic
 * 12.7), so a 256 MiB segment as one shard writes about 3.4 GB; in workerd (miniflare's local
 * R2) one of two shards of a 200 MiB capture took 35 s. A job's `segment_bytes` sets another
 * size, from MIN_SEGMENT_BYTES to MAX_SEGMENT_BYTES (smaller for a plan with less CPU).
 */
export const SEGMENT_BYTES = 256 << 20;
/** Smallest segment_bytes: a checkpoint is the core's memory (32 MiB or more), so far smaller segments would be mostly checkpoint. */
export const MIN_SEGMENT_BYTES = 64 << 10;
/** Largest segment_bytes (what one shard of one invocation may be asked to read). */
export const MAX_SEGMENT_BYTES = 1 << 30;
/**
 * Most segments of a job (1 TiB at SEGMENT_BYTES, 256 GiB at segment_bytes 64 MiB): the merge holds each shard's list of
 * segments (about 80 bytes a segment, MAX_SHARDS lists), so this bounds its memory.
 */
export const MAX_JOB_SEGMENTS = 4096;

/**
 * Memory one consumer invocation may hold live (JS heap and external memory after a full
 * collection), of the isolate's 128 MB: the core (67 MB at DEBUG on HTTP traffic, 34 MB at INFO;
 * at most 80 MiB with every pool full, README "Limits"), two reads of SHARD_READ_BYTES, a
 * records part of RECORDS_PART_BYTES and one slice's records. Measured by
 * `node --expose-gc --max-old-space-size=64 bench/jobs-shard.js` (83 MB at DEBUG, alone or one
 * of eight; 54 MB at INFO) and held by test/runtimes/workers/consumer-memory.test.ts. The
 * garbage a run leaves between collections (spent reads) comes on top until the runtime
 * collects it.
 */
export const CONSUMER_MEMORY_BUDGET = 96_000_000;

/** Jobs running at once: 250 concurrent consumer invocations over MAX_SHARDS shards a job (31), rounded down. */
export const MAX_CONCURRENT_JOBS = 30;
/** A job admitted this long ago no longer counts against MAX_CONCURRENT_JOBS even if it never finished (lost messages): attempts × 15 min wall plus delays, doubled. */
export const JOB_STALE_MS = 2 * 60 * 60 * 1000;

/** Bytes of one shard message (JSON): 128 KB less the ~100 bytes of metadata and a margin. */
export const MESSAGE_BYTES = 127_000;
/** Bytes of the messages of one sendBatch call (256 KB less a margin); more go in further calls. */
export const SEND_BATCH_BYTES = 250_000;

/** Bytes of a POST /jobs body. */
export const JOB_REQUEST_BYTES = 128 << 10;

/** Capture bytes a shard reads at once (two are in memory: one translated, the next arriving). */
export const SHARD_READ_BYTES = 1 << 20;
/** Largest records object a shard writes (a record longer than this gets an object of its own). */
export const RECORDS_PART_BYTES = 4 << 20;
/** Bytes of one records object read at once per shard by GET /jobs/ID/records (MAX_SHARDS of them in memory). */
export const MERGE_WINDOW_BYTES = 256 << 10;
/** Pieces of the merged NDJSON response. */
export const MERGE_OUT_BYTES = 64 << 10;
