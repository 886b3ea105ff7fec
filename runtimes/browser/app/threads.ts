/**
 * When and how widely the app's worker translates a capture in parallel (worker.ts, on
 * shard-worker.js threads: runtimes/browser/parallel.ts). The output is the same bytes either way.
 */
import { MAX_THREADS } from '../../../src/parallel.js';

/**
 * Captures of at least this many bytes (32 MiB) are translated on several threads when the
 * machine has the cores for it. Smaller ones load in a second or two on one thread, where
 * starting the threads (each compiles nothing but instantiates the core) and merging their
 * records would be a visible share of the time.
 */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** Cores below which a large capture stays on one thread by default. */
export const PARALLEL_MIN_CORES = 4;

/**
 * Shard threads for a large capture on a machine of `cores` (navigator.hardwareConcurrency).
 * Besides them the app runs the page, this worker (which merges, stores and indexes every
 * record: about as much work as one shard thread, most of it the OPFS writes) and the HTTP
 * worker. Measured on 2 cores (a 33 MiB capture): threads made DEBUG no faster (4.1–4.9 s
 * against 4.1–5.2 s) and INFO slower (2.0–3.6 s against 1.3–1.5 s), the threads taking the
 * cores the store needs; so threads start at PARALLEL_MIN_CORES: cores − 1 of them, at most
 * MAX_THREADS (8, the core's connection parts). The `threads` query parameter overrides it.
 */
export function shardThreads(cores: number): number {
  if (!Number.isFinite(cores) || cores < PARALLEL_MIN_CORES) return 1;
  return Math.min(MAX_THREADS, Math.floor(cores) - 1);
}

/** Whether a capture of `bytes` on a machine of `cores` is translated in parallel, and on how many threads (1: not). */
export function threadsFor(bytes: number, cores: number): number {
  return bytes >= PARALLEL_MIN_BYTES ? shardThreads(cores) : 1;
}
