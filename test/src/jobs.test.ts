// Jobs by connection part (src/jobs.ts) in Node over an in-memory store: every corpus HTTP
// capture run as 1, 2, 3 and 8 shards with small chunks and parts, merged by serial, is one
// translator's bytes; resuming from a serial gives exactly the rest; the limit counts from the
// start; damage is reported by every shard alike; the planning and naming rules.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import {
  checkpointKey, jobCaptureError, looksLikeCapture, mergeRecords, partKey, planSegments, planShards, runShard, segmentKey, shardResult,
  MAX_JOB_SHARDS, AUTO_SHARD_MIN_BYTES, type MergeOptions, type RecordsPart, type SegmentResult, type ShardResult,
} from '../../src/jobs.js';
import { coreModule, SHARED } from '../diff/support.js';

const CORPUS = join(SHARED, 'corpus/http');
const files = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

/** An object store in memory, counting the largest read and refusing reads past an object's end. */
class Store {
  readonly objects = new Map<string, Uint8Array>();
  largestRead = 0;
  async put(key: string, bytes: Uint8Array): Promise<void> { this.objects.set(key, bytes.slice()); }
  async read(key: string, offset: number, length: number): Promise<Uint8Array> {
    const o = this.objects.get(key);
    if (!o) throw new Error(`no object ${key}`);
    if (length === -1) length = o.length - offset;
    if (offset + length > o.length) throw new Error(`read past the end of ${key}`);
    this.largestRead = Math.max(this.largestRead, length);
    return o.subarray(offset, offset + length);
  }
}

async function whole(data: Uint8Array, options: TranslatorOptions): Promise<Buffer> {
  const t = await createTranslator(await coreModule(), options);
  return Buffer.concat([t.push(data), t.finish()]);
}

/** A shard's result for the merge, with every part of its segments listed (for the tests' checks). */
type Run = ShardResult & { parts: RecordsPart[] };

const snapModule = new WebAssembly.Module(readFileSync(new URL('../../build/tracecap-snap.wasm', import.meta.url)));

/**
 * Runs every shard of a job, in reverse order (the merge must not depend on the order they
 * finish); with `segmentBytes`, each shard reads the capture in segments, each from a new
 * translator resuming the previous one's checkpoint through the store, as queue consumers do.
 */
async function runJob(store: Store, data: Uint8Array, options: TranslatorOptions, shards: number, sizes = { chunkBytes: 50_000, partBytes: 40_000 }, segmentBytes = 0): Promise<Run[]> {
  const core = segmentBytes > 0 ? snapModule : await coreModule();
  const count = segmentBytes > 0 ? planSegments(data.length, segmentBytes) : 1;
  const results: Run[] = [];
  for (let k = shards - 1; k >= 0; k--) {
    const segments: SegmentResult[] = [];
    let firstPart = 0;
    for (let index = 0; index < count; index++) {
      const start = index * (segmentBytes || data.length);
      const end = Math.min(data.length, start + (segmentBytes || data.length));
      const r = await runShard(core, { job: 'j1', shard: k, shards, size: data.length, options, ...sizes, segment: { index, count, start, end, firstPart } }, {
        read: async (offset, length) => data.subarray(offset, offset + length),
        put: (key, bytes) => store.put(key, bytes),
        resume: async (restore) => {
          const state = await store.read(checkpointKey('j1', k, index - 1, 'state'), 0, -1);
          restore(state).set(await store.read(checkpointKey('j1', k, index - 1, 'memory'), 0, -1));
        },
        save: async ({ state, memory }) => {
          await store.put(checkpointKey('j1', k, index, 'state'), state);
          await store.put(checkpointKey('j1', k, index, 'memory'), memory);
        },
      });
      segments.push(r);
      firstPart += r.parts.length;
      if (r.ended) break;
    }
    results.push({ ...shardResult(segments), parts: segments.flatMap((r) => r.parts) });
  }
  return results;
}

async function merged(store: Store, results: ShardResult[], options: Partial<MergeOptions> = {}): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = mergeRecords('j1', results, store, { windowBytes: 16_384, outBytes: 8192, ...options }).getReader();
  for (;;) { const { done, value } = await reader.read(); if (done) break; parts.push(value); }
  return Buffer.concat(parts);
}

/** Serial of each record of an NDJSON output, with its byte offset. */
function serials(ndjson: Buffer): { num: number; at: number }[] {
  const out: { num: number; at: number }[] = [];
  let at = 0;
  for (const line of ndjson.toString('utf8').split('\n')) {
    if (line === '') continue;
    out.push({ num: Number((JSON.parse(line) as { pcap: { num: string } }).pcap.num), at });
    at += Buffer.byteLength(line) + 1;
  }
  return out;
}

describe('jobs: shards merged by serial are one translator’s bytes', () => {
  for (const file of files) {
    for (const verbosity of ['debug', 'info'] as const) {
      it(`${file} ${verbosity}: 1, 2, 3 and 8 shards`, async () => {
        const data = new Uint8Array(readFileSync(join(CORPUS, file)));
        const expected = await whole(data, { verbosity });
        expect(expected.length).toBeGreaterThan(0);
        for (const n of [1, 2, 3, 8]) {
          const store = new Store();
          const results = await runJob(store, data, { verbosity }, n);
          expect(results.map((r) => r.error)).toEqual(results.map(() => null));
          expect(results.reduce((a, r) => a + r.records, 0)).toBe(serials(expected).length);
          // Every part within its bound unless one record is longer; the merge never reads a part whole when it is larger than a window.
          for (const r of results) for (const p of r.parts) expect(p.bytes <= 40_000 || p.count === 1).toBe(true);
          const got = await merged(store, results);
          expect(got.equals(expected), `${file} ${verbosity} ${n} shards`).toBe(true);
        }
      });
    }
  }

  it('resumes from a serial exactly, and counts the limit from the start', async () => {
    const data = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcapng')));
    const expected = await whole(data, { verbosity: 'debug' });
    const recs = serials(expected);
    const store = new Store();
    const results = await runJob(store, data, { verbosity: 'debug' }, 3);
    // A serial that has a record, one past the last, and 0.
    for (const from of [0, recs[1].num, recs[Math.floor(recs.length / 2)]!.num, recs[recs.length - 1]!.num, recs[recs.length - 1]!.num + 1]) {
      const first = recs.find((r) => r.num >= from);
      const want = first ? expected.subarray(first.at) : Buffer.alloc(0);
      expect((await merged(store, results, { from })).equals(want), `from ${from}`).toBe(true);
    }
    const limit = 25;
    const upTo = recs[limit]!.at;
    expect((await merged(store, results, { limit })).equals(expected.subarray(0, upTo))).toBe(true);
    expect((await merged(store, results, { limit, from: recs[10]!.num })).equals(expected.subarray(recs[10]!.at, upTo))).toBe(true);
    expect((await merged(store, results, { limit: 5, from: recs[10]!.num })).length).toBe(0);
  });

  it('reads parts in windows, not whole', async () => {
    const data = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcap')));
    const store = new Store();
    const results = await runJob(store, data, { verbosity: 'debug' }, 2, { chunkBytes: 1 << 20, partBytes: 1 << 20 });
    expect(Math.max(...results.flatMap((r) => r.parts.map((p) => p.bytes)))).toBeGreaterThan(100_000);
    store.largestRead = 0;
    const got = await merged(store, results, { windowBytes: 20_000 });
    expect(got.equals(await whole(data, { verbosity: 'debug' }))).toBe(true);
    // Marks objects are read whole (16 bytes a record); records at most a window or one record.
    const largestMarks = Math.max(...results.flatMap((r) => r.parts.map((p) => p.count * 16)));
    expect(store.largestRead).toBeLessThanOrEqual(Math.max(largestMarks, 20_000 + 20_000));
  });

  it('a damaged capture: every shard keeps the records before the damage and reports the same error', async () => {
    const data = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcapng'))).slice(0, 100_000);
    const t = await createTranslator(await coreModule(), { verbosity: 'debug' });
    const expected = Buffer.concat([t.push(data), t.finish()]);
    expect(t.error).not.toBeNull();
    const store = new Store();
    const results = await runJob(store, data, { verbosity: 'debug' }, 3);
    for (const r of results) expect(r.error).toEqual({ code: t.error!.code, reason: t.error!.reason, offset: t.error!.offset, packets: t.error!.packets });
    expect(jobCaptureError(results)!.message).toBe(t.error!.message);
    expect((await merged(store, results)).equals(expected)).toBe(true);
  });

  it('the limit option is the merge’s: shards write every record', async () => {
    const data = new Uint8Array(readFileSync(join(CORPUS, 'dns-udp.pcap')));
    const store = new Store();
    const results = await runJob(store, data, { verbosity: 'info', limit: 2 }, 2);
    expect(results.reduce((a, r) => a + r.records, 0)).toBe(serials(await whole(data, { verbosity: 'info' })).length);
  });
});

describe('jobs: a capture cut into segments, each resumed from the previous one’s checkpoint', () => {
  for (const file of files) {
    it(`${file}: segments of 100,003 bytes (cut inside records), 1 and 3 shards, debug and info`, async () => {
      const data = new Uint8Array(readFileSync(join(CORPUS, file)));
      for (const verbosity of ['debug', 'info'] as const) {
        const expected = await whole(data, { verbosity });
        for (const n of [1, 3]) {
          const store = new Store();
          const results = await runJob(store, data, { verbosity }, n, undefined, 100_003);
          expect(results.every((r) => r.segments.length === planSegments(data.length, 100_003))).toBe(true);
          expect((await merged(store, results)).equals(expected), `${file} ${verbosity} ${n} shards`).toBe(true);
          // Resuming from a serial inside a later segment.
          const recs = serials(expected);
          const mid = recs[Math.floor(recs.length * 0.7)];
          if (mid) expect((await merged(store, results, { from: mid.num })).equals(expected.subarray(mid.at))).toBe(true);
        }
      }
    });
  }

  it('a damaged capture ends every shard in the segment of the damage, with the records before it', async () => {
    const data = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcapng'))).slice(0, 300_000);
    const t = await createTranslator(await coreModule(), { verbosity: 'debug' });
    const expected = Buffer.concat([t.push(data), t.finish()]);
    expect(t.error).not.toBeNull();
    const store = new Store();
    const results = await runJob(store, data, { verbosity: 'debug' }, 2, undefined, 64_000);
    for (const r of results) {
      expect(r.segments.length).toBe(planSegments(data.length, 64_000));
      expect(r.error).toEqual({ code: t.error!.code, reason: t.error!.reason, offset: t.error!.offset, packets: t.error!.packets });
    }
    expect((await merged(store, results)).equals(expected)).toBe(true);
  });

  it('planSegments and the keys', () => {
    expect(planSegments(0, 10)).toBe(1);
    expect(planSegments(10, 10)).toBe(1);
    expect(planSegments(11, 10)).toBe(2);
    expect(segmentKey('abc', 2, 0)).toBe('jobs/abc/shard-2/segment-00001.json');
    expect(checkpointKey('abc', 2, 4, 'memory')).toBe('jobs/abc/shard-2/checkpoint-00005.memory');
  });
});

describe('jobs: planning and naming', () => {
  it('planShards', () => {
    expect(planShards(undefined, AUTO_SHARD_MIN_BYTES - 1)).toBe(1);
    expect(planShards(undefined, AUTO_SHARD_MIN_BYTES)).toBe(MAX_JOB_SHARDS);
    expect(planShards(3, 10)).toBe(3);
    for (const bad of [0, 9, 2.5, '2', null, -1]) expect(() => planShards(bad, 10)).toThrow(/shards must be an integer from 1 to 8/);
  });
  it('partKey', () => {
    expect(partKey('abc', 7, 0, 'ndjson')).toBe('jobs/abc/shard-7/00001.ndjson');
    expect(partKey('abc', 0, 41, 'marks')).toBe('jobs/abc/shard-0/00042.marks');
  });
  it('looksLikeCapture', () => {
    for (const f of files) expect(looksLikeCapture(new Uint8Array(readFileSync(join(CORPUS, f))).subarray(0, 4)), f).toBe(true);
    expect(looksLikeCapture(new TextEncoder().encode('GET / HTTP/1.1'))).toBe(false);
    expect(looksLikeCapture(new Uint8Array([0xd4, 0xc3]))).toBe(false);
  });
});
