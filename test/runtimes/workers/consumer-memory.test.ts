// The memory of one job consumer invocation (runtimes/workers/edge/job-limits.ts
// CONSUMER_MEMORY_BUDGET): a shard run as the queue consumer runs it (src/jobs.ts runShard,
// its ranged reads and records parts) in a Node process with a 64 MB JS heap, its live memory —
// JS heap and external (wasm memory, buffers) after a full collection at every sample — under
// the budget, at DEBUG alone and as one of eight, and at INFO. workerd shows no memory of its
// own per invocation, so this is where the budget is measured (bench/jobs-shard.js).
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSUMER_MEMORY_BUDGET } from '../../../runtimes/workers/edge/job-limits.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BYTES = 32 << 20;
const file = join(tmpdir(), `tracecap-consumer-memory-${BYTES}.pcap`);

beforeAll(() => {
  if (!existsSync(file) || statSync(file).size < BYTES) {
    mkdirSync(tmpdir(), { recursive: true });
    const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen.js'), 'http', file, String(BYTES)]);
    expect(g.status, g.stderr.toString()).toBe(0);
  }
}, 300_000);

describe(`one consumer invocation holds at most ${CONSUMER_MEMORY_BUDGET / 1e6} MB live`, () => {
  for (const [shard, shards, verbosity] of [[0, 1, 'debug'], [3, 8, 'debug'], [0, 1, 'info']] as const) {
    it(`shard ${shard + 1} of ${shards} at ${verbosity}`, () => {
      const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=64', join(ROOT, 'bench', 'jobs-shard.js'), file, String(shard), String(shards), verbosity], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout) as { peakLiveMB: number; coreMemoryMB: number; records: number; packets: number };
      console.log(`[consumer memory] shard ${shard + 1}/${shards} ${verbosity}: live ${m.peakLiveMB} MB (the core ${m.coreMemoryMB} MB), ${m.records} records of ${m.packets} packets`);
      expect(m.records).toBeGreaterThan(0);
      // The core is most of it: a figure far below it would mean the measure missed the wasm memory.
      expect(m.peakLiveMB).toBeGreaterThan(m.coreMemoryMB);
      expect(m.peakLiveMB * 1e6).toBeLessThan(CONSUMER_MEMORY_BUDGET);
    }, 300_000);
  }
});
