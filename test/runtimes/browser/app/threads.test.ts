// When the app translates on threads (runtimes/browser/app/threads.ts).
import { describe, it, expect } from 'vitest';
import { PARALLEL_MIN_BYTES, PARALLEL_MIN_CORES, shardThreads, threadsFor } from '../../../../runtimes/browser/app/threads.js';
import { MAX_THREADS } from '../../../../src/parallel.js';

describe('app threads', () => {
  it('one thread below PARALLEL_MIN_CORES, then cores − 1, at most MAX_THREADS', () => {
    for (const c of [0, 1, 2, 3, NaN, Infinity]) expect(shardThreads(c), String(c)).toBe(1);
    expect(PARALLEL_MIN_CORES).toBe(4);
    expect(shardThreads(4)).toBe(3);
    expect(shardThreads(6)).toBe(5);
    expect(shardThreads(9)).toBe(MAX_THREADS);
    expect(shardThreads(64)).toBe(MAX_THREADS);
  });
  it('only captures of PARALLEL_MIN_BYTES or more', () => {
    expect(threadsFor(PARALLEL_MIN_BYTES - 1, 16)).toBe(1);
    expect(threadsFor(PARALLEL_MIN_BYTES, 16)).toBe(8);
    expect(threadsFor(PARALLEL_MIN_BYTES, 2)).toBe(1);
  });
});
