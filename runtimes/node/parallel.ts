// Parallel translation in Node: the threads of src/parallel.ts as worker_threads, each running
// the bundled build/runtimes/node-shard.js over the packaged core.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadCore, loadSharedCore } from './core.js';
import { createParallelTranslator, MAX_THREADS, type ParallelOptions, type ParallelTranslator, type ShardThread } from '../../src/parallel.js';

/** Path of the thread's bundled entry (scripts/build-runtimes.mjs). */
export const shardWorkerPath = fileURLToPath(new URL('../../../build/runtimes/node-shard.js', import.meta.url));

/** Threads a parallel run uses by default: the machine's cores, at most MAX_THREADS (8). */
export function defaultThreads(): number { return Math.max(1, Math.min(availableParallelism(), MAX_THREADS)); }

function nodeThread(): ShardThread {
  const worker = new Worker(shardWorkerPath, { stdout: false, stderr: false });
  let stopped = false;
  return {
    post: (m, transfer) => worker.postMessage(m, transfer as never),
    listen: (handler, failed) => {
      worker.on('message', handler);
      worker.on('error', (e) => failed(e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (code) => { if (!stopped) failed(new Error(`a translation thread exited (status ${code})`)); });
    },
    terminate: () => { stopped = true; void worker.terminate(); },
  };
}

/** Creates a translator that runs on `threads` worker threads (default: defaultThreads()). */
export async function createNodeParallelTranslator(options: ParallelOptions = {}): Promise<ParallelTranslator> {
  const { threads = defaultThreads(), ...rest } = options;
  return createParallelTranslator(() => nodeThread(), await loadCore(), threads, rest, await loadSharedCore());
}
