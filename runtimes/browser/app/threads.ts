/**
 * When and how widely the app's worker translates a capture in parallel (worker.ts, on
 * shard-worker.js threads: runtimes/browser/parallel.ts). The output is the same bytes either way.
 */
import { MAX_THREADS } from '../../../src/parallel.js';

/**
 * Captures of at least this many bytes (32 MiB) are translated on several threads when the
 * machine has more than one core. Smaller ones load in a second or two on one thread, where
 * starting the threads (each compiles nothing but instantiates the core) and merging their
 * records would be a visible share of the time.
 */
export const PARALLEL_MIN_BYTES = 32 << 20;

/**
 * Shard threads for a large capture on a machine of `cores` (navigator.hardwareConcurrency):
 * besides them the app runs the page, this worker (which merges, stores and indexes every
 * record, about as much work as one shard thread) and the HTTP worker, so one core is left to
 * this worker: cores − 1, at least 2 (two threads still overlap with the merging on a two-core
 * machine), at most MAX_THREADS (8, the core's connection parts). 1 — no parallel run — on one core.
 */
export function shardThreads(cores: number): number {
  if (!Number.isFinite(cores) || cores <= 1) return 1;
  return Math.min(MAX_THREADS, Math.max(2, Math.floor(cores) - 1));
}

/** Whether a capture of `bytes` on a machine of `cores` is translated in parallel, and on how many threads (1: not). */
export function threadsFor(bytes: number, cores: number): number {
  return bytes >= PARALLEL_MIN_BYTES ? shardThreads(cores) : 1;
}
