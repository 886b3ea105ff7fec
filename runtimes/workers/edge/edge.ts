/**
 * @module tracecap/workers/edge — the deployable Worker (runtimes/workers/wrangler.jsonc's entry,
 * bundled to build/runtimes/edge.js): the router around the translate handler, the core arriving
 * as a module import (Workers refuse to compile wasm from bytes).
 */
import wasm from '../../../build/tracecap.wasm';
import { createHandler } from '../index.js';
import type { Env } from './env.js';
import { createEdgeHandler } from './router.js';
import { consumeShards, type JobsEnv, type MessageBatch, type ShardMessage } from './jobs.js';

const edge = createEdgeHandler(createHandler(wasm));

export default {
  fetch: (request: Request, env: Env): Promise<Response> => edge.fetch(request, env),
  /** The shard queue and its dead-letter queue (jobs.ts consumeShards tells them apart by name). */
  queue: (batch: MessageBatch<ShardMessage>, env: Env): Promise<void> => consumeShards(batch, env as unknown as JobsEnv),
};

/** The JOBS Durable Object class that wrangler.jsonc binds and migrates: a job's state. */
export { Job } from './jobs.js';
