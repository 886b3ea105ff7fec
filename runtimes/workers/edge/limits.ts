/**
 * @module tracecap/workers/edge/limits — every limit of the deployable Worker in one place,
 * each with the platform figure it derives from (Cloudflare's published limits, read for
 * wrangler 4.86 / workerd 2026-04: Workers "Limits", R2 "Limits", Queues "Limits", Durable
 * Objects "Limits"). Sizes in MB are decimal (10^6 bytes), as Cloudflare states them; MiB/GiB
 * are binary.
 */

const MB = 1_000_000;
const MiB = 1 << 20;
const GiB = 1024 * MiB;

/** Cloudflare plans, as far as they change a limit here. */
export type Plan = 'free' | 'pro' | 'business' | 'enterprise';

/** Largest request body Cloudflare passes to a Worker, by the zone's plan: 100 MB Free and Pro, 200 MB Business, 500 MB Enterprise by default (413 at the edge beyond it). */
export const BODY_LIMIT_BYTES: Readonly<Record<Plan, number>> = { free: 100 * MB, pro: 100 * MB, business: 200 * MB, enterprise: 500 * MB };

/** The plan assumed when TRACECAP_PLAN is unset: the smallest body limit, so an upload never meets a 413 from the edge. */
export const DEFAULT_PLAN: Plan = 'free';

/** Memory of one Worker isolate: 128 MB. Why uploads stream into R2 and are never buffered. */
export const WORKER_MEMORY_BYTES = 128 * MB;

/** CPU time per request by default on Workers Paid: 30 s (Workers Free: 10 ms, not configurable). */
export const DEFAULT_CPU_MS = 30_000;

/** The highest `limits.cpu_ms` (Workers Paid only; a Free account's deploy fails with error 100328): 300,000 ms, 5 minutes; wrangler.jsonc asks for it. */
export const MAX_CPU_MS = 300_000;

/** R2's largest single PUT: 5 GiB; above it only multipart. */
export const R2_SINGLE_PUT_MAX_BYTES = 5 * GiB;

/** R2's smallest multipart part, except the last: 5 MiB (miniflare enforces it too, at complete). */
export const R2_PART_MIN_BYTES = 5 * MiB;

/** R2's largest multipart part: 5 GiB; a part through this Worker is also bounded by the body limit. */
export const R2_PART_MAX_BYTES = 5 * GiB;

/** R2's most parts in one multipart upload: 10,000. */
export const R2_MAX_PARTS = 10_000;

/** Capture names: 1..128 characters (R2 keys may have 1024 bytes; the rest of the key is our prefix). */
export const NAME_MAX_CHARS = 128;

/** Largest `complete` request body: 10,000 parts of `{"part":10000,"etag":"…"}` (an R2 etag is 32 hex digits plus a suffix) fit well in 1 MiB. */
export const COMPLETE_BODY_MAX_BYTES = 1 * MiB;

/** Captures listed per `GET /captures` page: R2 list() returns at most 1000 keys a call. */
export const LIST_PAGE_MAX = 1000;

/** Largest Queue message: 128 KB. Part B's shard messages carry byte ranges, never capture bytes. */
export const QUEUE_MESSAGE_MAX_BYTES = 128 * 1000;

/** Largest Queue sendBatch(): 100 messages and 256 KB in all. */
export const QUEUE_BATCH_MAX_MESSAGES = 100;

/** Largest Queue sendBatch() in bytes: 256 KB. */
export const QUEUE_BATCH_MAX_BYTES = 256 * 1000;

/** Messages a Queue consumer gets at once: at most 100 (wrangler.jsonc's max_batch_size). */
export const QUEUE_CONSUMER_BATCH_MAX = 100;

/** Wall time of one Queue consumer invocation: 15 minutes; a shard must be sized to finish in it. */
export const QUEUE_CONSUMER_WALL_MS = 15 * 60_000;

/** Largest value one Durable Object storage key holds: 2 MB (SQLite-backed and KV-backed alike); part B's job state stays under it. */
export const DO_VALUE_MAX_BYTES = 2 * MB;

// The limits of jobs (shards per job, capture size per job, jobs at once, part sizes) are in
// job-limits.ts, beside the platform figures they derive from.

/** The limits in force for one Worker: the plan's body limit, or a smaller TRACECAP_BODY_LIMIT. */
export interface Limits {
  plan: Plan;
  /** Largest request body this Worker accepts: PUT /captures/NAME, one part, POST /. */
  bodyLimit: number;
  partMin: number;
  partMax: number;
  maxParts: number;
  singlePutMax: number;
  captureMax: number;
}

/** The settings that choose the limits: TRACECAP_PLAN and TRACECAP_BODY_LIMIT (vars in wrangler.jsonc, or `--var` in dev). */
export interface LimitSettings { TRACECAP_PLAN?: string; TRACECAP_BODY_LIMIT?: string }

/**
 * Reads the limits from the Worker's vars; a bad value is an error value with a one-line
 * reason, never a silent default. TRACECAP_BODY_LIMIT (bytes) may only lower the plan's body
 * limit: tests use it to reach multipart with small files, and a deployment to keep uploads small.
 */
export function limitsFrom(env: LimitSettings): { ok: true; limits: Limits } | { ok: false; message: string } {
  const planName = (env.TRACECAP_PLAN ?? '').trim().toLowerCase() || DEFAULT_PLAN;
  if (!Object.hasOwn(BODY_LIMIT_BYTES, planName)) return { ok: false, message: `TRACECAP_PLAN must be free, pro, business or enterprise, not ${JSON.stringify(env.TRACECAP_PLAN)}` };
  const plan = planName as Plan;
  let bodyLimit = BODY_LIMIT_BYTES[plan];
  const set = (env.TRACECAP_BODY_LIMIT ?? '').trim();
  if (set !== '') {
    if (!/^\d{1,12}$/.test(set) || Number(set) < 1) return { ok: false, message: `TRACECAP_BODY_LIMIT must be a byte count from 1 to the plan's ${bodyLimit}, not ${JSON.stringify(env.TRACECAP_BODY_LIMIT)}` };
    if (Number(set) > bodyLimit) return { ok: false, message: `TRACECAP_BODY_LIMIT ${set} is above the ${plan} plan's ${bodyLimit}-byte body limit: Cloudflare would refuse such bodies with 413` };
    bodyLimit = Number(set);
  }
  return {
    ok: true,
    limits: {
      plan,
      bodyLimit,
      partMin: R2_PART_MIN_BYTES,
      partMax: Math.min(R2_PART_MAX_BYTES, bodyLimit),
      maxParts: R2_MAX_PARTS,
      singlePutMax: Math.min(R2_SINGLE_PUT_MAX_BYTES, bodyLimit),
      captureMax: R2_MAX_PARTS * Math.min(R2_PART_MAX_BYTES, bodyLimit),
    },
  };
}
