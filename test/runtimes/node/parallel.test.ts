// createNodeParallelTranslator() on real worker threads (dist/ and build/runtimes/node-shard.js,
// built by `npm run build`): the merged NDJSON must be byte-for-byte one plain translator's — on a capture
// with one giant connection among hundreds of short ones, on damaged captures (same records up
// to the damage, same error), with a record limit — and the surface (push of Buffers and
// subarrays, stream(), setSink, finish twice, bad options) must behave as documented.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// From dist/, as installed: beside it the thread's bundle (build/runtimes/node-shard.js) and the core.
import { createNodeParallelTranslator, shardWorkerPath } from '../../../dist/runtimes/node/parallel.js';
import type { ParallelOptions } from '../../../dist/src/parallel.js';
import { CaptureError } from '../../../dist/src/errors.js';
import type { TranslatorOptions } from '../../../src/translator.js';
import { coreModule, SHARED } from '../../diff/support.js';
import { giantCapture } from '../../helpers/giant-pcap.js';
import { chunks, firstDifference, prng, single, type Run } from '../../helpers/shards.js';
import * as B from '../../helpers/build.js';

const BASE_SEED = Number(process.env.TRACECAP_SHARD_SEED ?? 20261202);
const HTTP = join(SHARED, 'corpus/http');
const load = (p: string) => new Uint8Array(readFileSync(p));
const giant = giantCapture({ exchanges: 3000, shorts: 400 });

async function parallel(data: Uint8Array, options: ParallelOptions, rand: () => number, useSink = false): Promise<Run & { packets: number }> {
  const t = await createNodeParallelTranslator(options);
  try {
    const parts: Uint8Array[] = [];
    if (useSink) t.setSink((v) => parts.push(v.slice()));
    for (const c of chunks(data, rand)) { parts.push(await t.push(c)); if (t.done) break; }
    parts.push(await t.finish());
    const e = t.error;
    return { bytes: Buffer.concat(parts), error: e ? e.message : null, suffix: '', records: t.records, packets: t.packets };
  } finally { t.close(); }
}

function same(where: string, want: Run, got: Run): void {
  expect(Buffer.compare(want.bytes, got.bytes) === 0, `${where}: ${got.records} records vs ${want.records}: ${firstDifference(want.bytes, got.bytes)}`).toBe(true);
  expect(got.error, where).toBe(want.error);
  expect(got.records, where).toBe(want.records);
}

describe('createNodeParallelTranslator', () => {
  it('has its bundled thread (npm run build)', () => {
    expect(existsSync(shardWorkerPath), `${shardWorkerPath} is missing: run npm run build`).toBe(true);
  });

  describe('one giant keep-alive connection among hundreds of short ones', () => {
    for (const verbosity of ['info', 'debug'] as const) {
      for (const threads of [2, 4]) {
        it(`${verbosity}, ${threads} threads: the bytes of one translator`, async () => {
          const module = await coreModule();
          const want = single(module, giant, { verbosity });
          expect(want.records).toBeGreaterThan(12000);
          const seed = BASE_SEED + threads;
          same(`giant ${verbosity} threads=${threads} seed=${seed}`, want, await parallel(giant, { verbosity, threads }, prng(seed), threads === 4));
        });
      }
    }
    it('debug, 3 threads, maxFlows 16 and maxHeadBytes 256: the bytes of one translator', async () => {
      const module = await coreModule();
      const o: TranslatorOptions = { verbosity: 'debug', maxFlows: 16, maxHeadBytes: 256 };
      same(`giant ${JSON.stringify(o)} threads=3 seed=${BASE_SEED}`, single(module, giant, o), await parallel(giant, { ...o, threads: 3 }, prng(BASE_SEED)));
    });
  });

  describe('damaged captures: the records before the damage, the same error', () => {
    const pcap = load(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
    const ng = load(join(HTTP, 'h1-keepalive-mtu1500.pcapng'));
    const badLength = (() => {
      // The 300th block's total length set to 13 (not a multiple of 4, smaller than a block).
      const b = new Uint8Array(ng);
      const v = new DataView(b.buffer);
      let off = 0;
      for (let i = 0; i < 300; i++) off += v.getUint32(off + 4, true);
      v.setUint32(off + 4, 13, true);
      return b;
    })();
    const badTrailer = (() => {
      // As test/runtimes/node/cli.test.ts does: the last block's trailing length broken.
      const good = B.pcapng({ blocks: [{ type: 'idb', linkType: 1 }, ...Array.from({ length: 2000 }, (_, i) => ({ type: 'epb' as const, iface: 0, data: B.hex(i.toString(16).padStart(4, '0').repeat(30)) }))] });
      const bad = new Uint8Array(good);
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
      return bad;
    })();
    const cases: [string, Uint8Array][] = [
      ['pcap truncated mid-record', pcap.subarray(0, Math.floor(pcap.length * 0.6) + 7)],
      ['giant pcap truncated mid-record', giant.subarray(0, giant.length - 100)],
      ['pcapng block length corrupted', badLength],
      ['pcapng trailing length corrupted', badTrailer],
    ];
    for (const [name, bad] of cases) {
      for (const threads of [2, 3]) {
        it(`${name}, ${threads} threads`, async () => {
          const module = await coreModule();
          for (const verbosity of ['info', 'debug'] as const) {
            const want = single(module, bad, { verbosity });
            expect(want.error, 'the damage is a capture error').not.toBeNull();
            expect(want.records).toBeGreaterThan(0);
            const seed = BASE_SEED + threads;
            same(`${name} ${verbosity} threads=${threads} seed=${seed}`, want, await parallel(bad, { verbosity, threads }, prng(seed)));
          }
        });
      }
    }
    it('error is a CaptureError with the one translator\'s code, offset and packet', async () => {
      const module = await coreModule();
      const { createTranslatorSync } = await import('../../../src/translator.js');
      const one = createTranslatorSync(module, {});
      one.push(badLength); one.finish();
      const t = await createNodeParallelTranslator({ threads: 2 });
      await t.push(badLength);
      await t.finish();
      expect(t.error).toBeInstanceOf(CaptureError);
      expect({ code: t.error!.code, offset: t.error!.offset, packets: t.error!.packets, message: t.error!.message })
        .toEqual({ code: one.error!.code, offset: one.error!.offset, packets: one.error!.packets, message: one.error!.message });
      expect(t.done).toBe(true);
    });
  });

  describe('the record limit is exact', () => {
    for (const verbosity of ['info', 'debug'] as const) {
      for (const threads of [2, 4]) {
        it(`${verbosity}, ${threads} threads: limit 1, 2, 255, 256, 257, records−1, records, records+10`, async () => {
          const module = await coreModule();
          const all = single(module, giant, { verbosity }).records;
          for (const limit of [1, 2, 255, 256, 257, all - 1, all, all + 10]) {
            const want = single(module, giant, { verbosity, limit });
            expect(want.records).toBe(Math.min(limit, all));
            const seed = BASE_SEED + limit + threads;
            same(`giant ${verbosity} limit=${limit} threads=${threads} seed=${seed}`, want, await parallel(giant, { verbosity, threads, limit }, prng(seed)));
          }
        });
      }
    }
  });

  describe('surface', () => {
    const data = load(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
    let wantPromise: Promise<Run> | null = null;
    const want = () => (wantPromise ??= coreModule().then((m) => single(m, data, {})));

    it('push() takes Node Buffers and Uint8Array subarrays and leaves the caller\'s bytes alone', async () => {
      const t = await createNodeParallelTranslator({ threads: 3 });
      const buf = Buffer.from(data); // a Buffer (a view of Node's pool or its own ArrayBuffer)
      const copy = Buffer.from(buf);
      const backing = new Uint8Array(data.length + 200);
      backing.set(data, 100);
      // A small Buffer lives in Node's shared pool (a view at an offset of an 8 KiB ArrayBuffer):
      // moving its buffer to a thread would detach the pool.
      const pooled = Buffer.from(data.subarray(0, 1000));
      const pool = pooled.buffer, poolSize = pool.byteLength;
      expect(pooled.byteOffset > 0 || poolSize > pooled.length, 'a pooled Buffer').toBe(true);
      const parts: Uint8Array[] = [];
      const cut = 100_003;
      parts.push(await t.push(pooled));
      parts.push(await t.push(buf.subarray(1000, cut)));
      parts.push(await t.push(backing.subarray(100 + cut, 100 + data.length)));
      parts.push(await t.finish());
      expect(pool.byteLength).toBe(poolSize);
      expect(pooled.equals(Buffer.from(data.subarray(0, 1000)))).toBe(true);
      expect(buf.byteLength).toBe(data.length);
      expect(buf.buffer.byteLength).toBeGreaterThan(0);
      expect(buf.equals(copy)).toBe(true);
      expect(backing.buffer.byteLength).toBe(data.length + 200);
      expect(Buffer.from(backing.subarray(100, 100 + data.length)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.concat(parts).equals(Buffer.from((await want()).bytes))).toBe(true);
      expect(t.records).toBe((await want()).records);
      expect(t.packets).toBe((await want()).records);
    });

    it('stream() through pipeThrough gives the same bytes', async () => {
      const t = await createNodeParallelTranslator({ threads: 2 });
      const pieces = chunks(data, prng(BASE_SEED));
      const source = new ReadableStream<Uint8Array>({ start(c) { for (const p of pieces) c.enqueue(p); c.close(); } });
      const out: Uint8Array[] = [];
      const reader = source.pipeThrough(t.stream()).getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
      expect(Buffer.concat(out).equals(Buffer.from((await want()).bytes))).toBe(true);
    });

    it('stream(): a capture error errors the readable side after every record before the damage', async () => {
      const module = await coreModule();
      const bad = data.subarray(0, Math.floor(data.length / 2) + 3);
      const one = single(module, bad, {});
      const t = await createNodeParallelTranslator({ threads: 2 });
      const pieces = chunks(bad, prng(BASE_SEED + 1));
      const source = new ReadableStream<Uint8Array>({ start(c) { for (const p of pieces) c.enqueue(p); c.close(); } });
      const reader = source.pipeThrough(t.stream()).getReader();
      const out: Uint8Array[] = [];
      let failure: unknown = null;
      for (;;) {
        try {
          const r = await reader.read();
          if (r.done) break;
          out.push(r.value);
        } catch (e) { failure = e; break; }
      }
      expect(failure).toBeInstanceOf(CaptureError);
      expect((failure as CaptureError).message).toBe(one.error);
      expect(Buffer.concat(out).equals(Buffer.from(one.bytes))).toBe(true);
    });

    it('setSink() receives the merged bytes; push() and finish() then return nothing', async () => {
      const t = await createNodeParallelTranslator({ threads: 4 });
      const sunk: Uint8Array[] = [];
      t.setSink((v) => sunk.push(v.slice()));
      let returned = 0;
      for (const c of chunks(data, prng(BASE_SEED + 2))) returned += (await t.push(c)).length;
      returned += (await t.finish()).length;
      expect(returned).toBe(0);
      expect(Buffer.concat(sunk).equals(Buffer.from((await want()).bytes))).toBe(true);
    });

    it('finish() twice is harmless; push() after it rejects', async () => {
      const t = await createNodeParallelTranslator({ threads: 2 });
      const a = await t.push(data);
      const b = await t.finish();
      const c = await t.finish();
      expect(c.length).toBe(0);
      expect(Buffer.concat([a, b]).equals(Buffer.from((await want()).bytes))).toBe(true);
      await expect(t.push(data)).rejects.toThrow(/after finish/);
      t.close();
    });

    it('a bad option rejects with a RangeError; so do bad thread counts', async () => {
      await expect(createNodeParallelTranslator({ threads: 2, ifaceAddrs: ['foo'] })).rejects.toThrow(RangeError);
      await expect(createNodeParallelTranslator({ threads: 3, maxHeadBytes: 100 })).rejects.toThrow(RangeError);
      for (const threads of [0, 9, 2.5]) await expect(createNodeParallelTranslator({ threads })).rejects.toThrow(RangeError);
    });
  });
});
