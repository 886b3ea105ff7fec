/**
 * @module tracecap/workers/edge — the deployable Worker (runtimes/workers/wrangler.jsonc's entry,
 * bundled to build/runtimes/edge.js): the router around the translate handler, the core arriving
 * as a module import (Workers refuse to compile wasm from bytes).
 */
import wasm from '../../../build/tracecap.wasm';
import { createHandler } from '../index.js';
import type { Env } from './env.js';
import { createEdgeHandler } from './router.js';

const edge = createEdgeHandler(createHandler(wasm));

export default {
  fetch: (request: Request, env: Env): Promise<Response> => edge.fetch(request, env),
  /**
   * The SHARDS consumer is part B's (jobs.ts). Until it is wired here, nothing in this build
   * sends to SHARDS; a message that arrives anyway is refused, so the queue retries it
   * (max_retries) and then keeps it in the dead-letter queue instead of it being lost.
   */
  async queue(batch: { queue: string; messages: readonly unknown[] }): Promise<void> {
    throw new Error(`${batch.messages.length} message(s) on ${batch.queue}: this build has no shard consumer yet (issue 21 part B, runtimes/workers/edge/jobs.ts)`);
  },
};

/**
 * The JOBS Durable Object class that wrangler.jsonc binds and migrates. wrangler refuses a
 * binding to a class the entry does not export, so this build exports one that answers every
 * request 501; part B replaces it with `export { Job } from './jobs.js'`.
 */
export class Job {
  /** Nothing is stored: this class holds no job until part B's replaces it. */
  constructor(_state: unknown, _env: Env) {}

  /** Every request: 501, jobs are not in this build. */
  async fetch(): Promise<Response> {
    return new Response('jobs are not in this build (issue 21 part B)\n', { status: 501, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}
