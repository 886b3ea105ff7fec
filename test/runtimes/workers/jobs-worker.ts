// Test-only Worker for test/runtimes/workers/edge-jobs.test.ts: wires runtimes/workers/edge/jobs.ts
// with a minimal router (the jobs routes; the test stores captures in R2 itself) and the queue
// handler. Faults are injected into the R2 reads of shard 1 of captures uploaded under
// faults/once/ (its first attempt fails) and faults/always/ (every attempt fails), and under
// faults/once-late/ (the first attempt of its last segment fails), and under
// faults/stopped/ its invocation ends before the consumer runs (as when the runtime stops an
// isolate over its memory or CPU), so the retry and dead-letter paths run through the real queue.
import { Job, consumeShards, handleJobs, type JobsEnv, type MessageBatch, type R2BucketLike, type ShardMessage } from '../../../runtimes/workers/edge/jobs.js';

export { Job };

function faulty(bucket: R2BucketLike, reason: string): R2BucketLike {
  return {
    head: (key) => bucket.head(key),
    put: (key, value) => bucket.put(key, value),
    delete: (keys) => bucket.delete(keys),
    get: async (key, options) => {
      if (key.startsWith('captures/')) throw new Error(`injected fault: ${reason}`);
      return bucket.get(key, options);
    },
  };
}

export default {
  async fetch(request: Request, env: JobsEnv): Promise<Response> {
    return (await handleJobs(request, env)) ?? new Response('not found\n', { status: 404 });
  },

  async queue(batch: MessageBatch<ShardMessage>, env: JobsEnv): Promise<void> {
    // Batches of one (max_batch_size 1): the fault applies to that message's shard.
    const m = batch.messages[0]?.body;
    let bucket = env.CAPTURES;
    if (m && m.shard === 1 && batch.queue === 'tracecap-shards') {
      if (m.capture.startsWith('captures/faults/stopped/')) throw new Error('injected fault: the invocation was stopped');
      if (m.capture.startsWith('captures/faults/always/')) bucket = faulty(bucket, 'R2 read refused (always)');
      if (m.capture.startsWith('captures/faults/once-late/') && m.segment === m.segments - 1) {
        const marker = `faults/${m.job}/${m.shard}/late`;
        if ((await env.CAPTURES.head(marker)) === null) {
          await env.CAPTURES.put(marker, 'failed once');
          bucket = faulty(bucket, 'R2 read refused (once, last segment)');
        }
      }
      if (m.capture.startsWith('captures/faults/once/')) {
        const marker = `faults/${m.job}/${m.shard}`;
        if ((await env.CAPTURES.head(marker)) === null) {
          await env.CAPTURES.put(marker, 'failed once');
          bucket = faulty(bucket, 'R2 read refused (once)');
        }
      }
    }
    await consumeShards(batch, { ...env, CAPTURES: bucket });
  },
};
