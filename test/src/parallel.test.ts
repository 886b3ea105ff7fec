// The coordinator of a parallel translation (src/parallel.ts) over in-process threads: each
// "thread" is src/shard.ts's serveShard() on a port whose messages are structured-cloned (with
// transfers, as postMessage does) and delivered on later event-loop turns, so the merge, the
// record limit, back-pressure and the capture error run as with worker threads, only faster.
// The merged bytes must equal one plain translator's for any number of threads and chunking.
// (The real worker threads: test/runtimes/node/parallel.test.ts.)
//
// Chunkings come from a seeded PRNG; a failure names its seed (TRACECAP_SHARD_SEED=<base>).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParallelTranslator, ParallelTranslator, type ShardThread } from '../../src/parallel.js';
import { serveShard, type FromShard, type ToShard } from '../../src/shard.js';
import type { TranslatorOptions } from '../../src/translator.js';
import { coreModule, REPO, SHARED } from '../diff/support.js';
import { chunks, firstDifference, prng, single, type Run } from '../helpers/shards.js';
import * as B from '../helpers/build.js';
import { giantCapture } from '../helpers/giant-pcap.js';

const BASE_SEED = Number(process.env.TRACECAP_SHARD_SEED ?? 20261202);
const HTTP = join(SHARED, 'corpus/http');
const load = (p: string) => new Uint8Array(readFileSync(p));

/**
 * A thread of src/parallel.ts run in this process: serveShard() behind cloned, deferred messages.
 * `slowness` > 0 makes it a slow thread: each message either way waits that many extra event-loop
 * turns (in order), so the coordinator's merge and back-pressure see one thread lagging.
 */
function inProcessThread(slowness = 0): ShardThread {
  let toShard: ((m: ToShard) => void) | null = null;
  let toCoordinator: ((m: FromShard) => void) | null = null;
  let stopped = false;
  const queue: (() => void)[] = [];
  let pumping = false;
  const pump = () => {
    if (stopped) return;
    const f = queue.shift();
    if (!f) { pumping = false; return; }
    f();
    wait(pump);
  };
  const wait = (f: () => void) => { let n = slowness; const hop = () => (n-- > 0 ? setImmediate(hop) : setImmediate(f)); hop(); };
  const later = (f: () => void) => { queue.push(f); if (!pumping) { pumping = true; wait(pump); } };
  serveShard({
    post: (m, transfer) => { const c = structuredClone(m, { transfer: transfer as Transferable[] }); later(() => toCoordinator!(c)); },
    onMessage: (h) => { toShard = h; },
  });
  return {
    post: (m, transfer) => {
      // The compiled module is shared, not cloned (structuredClone cannot copy it; postMessage can).
      const c = m.t === 'init' ? { ...structuredClone({ ...m, module: null }), module: m.module } : structuredClone(m, { transfer: transfer as Transferable[] });
      later(() => toShard!(c as ToShard));
    },
    listen: (handler) => { toCoordinator = handler; },
    terminate: () => { stopped = true; },
  };
}

const start = async (threads: number, options: TranslatorOptions, slow: (index: number) => number = () => 0) =>
  createParallelTranslator((i) => inProcessThread(slow(i)), await coreModule(), threads, options);

/** Runs a parallel translator over `data` pushed in random chunks; returns the bytes and error. */
async function parallel(data: Uint8Array, threads: number, options: TranslatorOptions, rand: () => number, useSink = false, slow?: (index: number) => number): Promise<Run> {
  const t = await start(threads, options, slow);
  const parts: Uint8Array[] = [];
  if (useSink) t.setSink((v) => parts.push(v.slice()));
  for (const c of chunks(data, rand)) { parts.push(await t.push(c)); if (t.done) break; }
  parts.push(await t.finish());
  const e = t.error;
  return { bytes: Buffer.concat(parts), error: e ? e.message : null, suffix: '', records: t.records };
}

function compare(failures: string[], where: string, want: Run, got: Run): void {
  if (Buffer.compare(want.bytes, got.bytes) !== 0) failures.push(`${where}: ${got.records} records vs ${want.records}: ${firstDifference(want.bytes, got.bytes)}`);
  else if (want.error !== got.error) failures.push(`${where}: error ${JSON.stringify(got.error)}, one translator: ${JSON.stringify(want.error)}`);
  else if (want.records !== got.records) failures.push(`${where}: records ${got.records}, one translator ${want.records}`);
}
const report = (failures: string[]) => `${failures.length} failures (base seed ${BASE_SEED}):\n${failures.slice(0, 20).join('\n')}`;

describe('ParallelTranslator over in-process threads = one translator', () => {
  const files = [
    ...['h1-keepalive-mtu1500.pcap', 'h1-keepalive-mtu1500.pcapng', 'h2c-any-sll2.pcap', 'h1-resets-mtu1500.pcap', 'dns-udp.pcap', 'tls-sni.pcap'].map((f) => join(HTTP, f)),
    ...['h1-mixed.pcap', 'h2-many.pcap', 'grpc.pcap'].map((f) => join(REPO, 'test/captures', f)),
  ];
  for (const verbosity of ['info', 'debug'] as const) {
    it(`${verbosity}: ${files.length} captures, threads 1 to 8, random chunking, returned or sunk`, async () => {
      const module = await coreModule();
      const failures: string[] = [];
      for (const [fi, file] of files.entries()) {
        const data = load(file);
        const want = single(module, data, { verbosity });
        for (let threads = 1; threads <= 8; threads++) {
          const seed = BASE_SEED + fi * 100 + threads;
          compare(failures, `${basename(file)} ${verbosity} threads=${threads} seed=${seed}`, want, await parallel(data, threads, { verbosity }, prng(seed), threads % 2 === 0));
        }
      }
      expect(failures, report(failures)).toEqual([]);
    });
  }

  it('under pressure (maxFlows 16, maxHeadBytes 256) and with software filters', async () => {
    const module = await coreModule();
    const failures: string[] = [];
    const opts: TranslatorOptions[] = [
      { verbosity: 'debug', maxFlows: 16, maxHeadBytes: 256 },
      { verbosity: 'info', maxFlows: 16 },
      { verbosity: 'debug', filters: { ports: [28091, 28092, 18104] } },
    ];
    for (const file of [join(HTTP, 'h1-keepalive-mtu1500.pcap'), join(HTTP, 'h2c-mtu1500.pcap'), join(HTTP, 'h1-resets-mtu1500.pcap'), join(REPO, 'test/captures/h2-many.pcap')]) {
      const data = load(file);
      for (const [oi, o] of opts.entries()) {
        const want = single(module, data, o);
        for (const threads of [2, 3, 5]) {
          const seed = BASE_SEED + oi * 10 + threads;
          compare(failures, `${basename(file)} ${JSON.stringify(o)} threads=${threads} seed=${seed}`, want, await parallel(data, threads, o, prng(seed)));
        }
      }
    }
    expect(failures, report(failures)).toEqual([]);
  });
});

describe('ParallelTranslator with one slow thread', () => {
  it('giant connection and keep-alive captures, DEBUG and INFO, threads 2 to 4, the first or the last thread slow', async () => {
    const module = await coreModule();
    const failures: string[] = [];
    const giant = giantCapture({ exchanges: 1500, shorts: 200 });
    for (const [name, data] of [['giant', giant], ['h1-keepalive-mtu1500.pcap', load(join(HTTP, 'h1-keepalive-mtu1500.pcap'))]] as const) {
      for (const verbosity of ['debug', 'info'] as const) {
        const want = single(module, data, { verbosity });
        for (const threads of [2, 3, 4]) {
          for (let slowOne = 0; slowOne < threads; slowOne += threads - 1 || 1) {
            const seed = BASE_SEED + threads * 10 + slowOne;
            compare(failures, `${name} ${verbosity} threads=${threads} slow thread ${slowOne} seed=${seed}`, want,
              await parallel(data, threads, { verbosity }, prng(seed), false, (i) => (i === slowOne ? 3 : 0)));
          }
        }
      }
    }
    expect(failures, report(failures)).toEqual([]);
  });
});

describe('ParallelTranslator: the record limit is exact', () => {
  it('limit 1, 2, 255, 256, 257, records−1, records, records+10 at INFO and DEBUG, threads 2, 3, 4', async () => {
    const module = await coreModule();
    const failures: string[] = [];
    for (const file of [join(HTTP, 'h1-keepalive-mtu1500.pcap'), join(HTTP, 'h1-resets-mtu1500.pcap')]) {
      const data = load(file);
      for (const verbosity of ['info', 'debug'] as const) {
        const all = single(module, data, { verbosity }).records;
        for (const limit of [...new Set([1, 2, 255, 256, 257, all - 1, all, all + 10])].filter((n) => n > 0)) {
          const want = single(module, data, { verbosity, limit });
          for (const threads of [2, 3, 4]) {
            const seed = BASE_SEED + limit * 10 + threads;
            compare(failures, `${basename(file)} ${verbosity} limit=${limit} threads=${threads} seed=${seed}`, want, await parallel(data, threads, { verbosity, limit }, prng(seed)));
          }
        }
      }
    }
    expect(failures, report(failures)).toEqual([]);
  });
  it('limit with a filter: counts the records that passed, not the packets', async () => {
    const module = await coreModule();
    const data = load(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
    const failures: string[] = [];
    const passed = single(module, data, { verbosity: 'debug', filters: { tcpFlags: ['PSH'] } }).records;
    expect(passed).toBeGreaterThan(10);
    for (const limit of [1, Math.floor(passed / 2), passed - 1]) {
      const o: TranslatorOptions = { verbosity: 'debug', limit, filters: { tcpFlags: ['PSH'] } };
      const want = single(module, data, o);
      expect(want.records).toBe(limit);
      compare(failures, `limit=${limit} tcpFlags PSH threads=3`, want, await parallel(data, 3, o, prng(BASE_SEED + limit)));
    }
    expect(failures, report(failures)).toEqual([]);
  });
});

describe('ParallelTranslator: damaged captures', () => {
  const data = load(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
  const ng = load(join(HTTP, 'h1-keepalive-mtu1500.pcapng'));
  // The last block of an EPB-only tail: breaking its trailing length (pcapng) is a capture error.
  const corruptTrailer = (() => {
    const good = B.pcapng({ blocks: [{ type: 'idb', linkType: 1 }, ...Array.from({ length: 600 }, (_, i) => ({ type: 'epb' as const, iface: 0, data: B.hex(i.toString(16).padStart(4, '0').repeat(30)) }))] });
    const bad = new Uint8Array(good);
    bad[bad.length - 1 - 92 * 100] = bad[bad.length - 1 - 92 * 100]! ^ 0xff; // the trailing length of the 100th block from the end
    return bad;
  })();
  const cases: [string, Uint8Array][] = [
    ['pcap cut mid-record', data.subarray(0, Math.floor(data.length * 0.6))],
    ['pcap cut inside a record header', data.subarray(0, 24 + 16 + 8)],
    ['pcapng cut mid-block', ng.subarray(0, Math.floor(ng.length * 0.7))],
    ['pcapng block length corrupted', (() => { const b = new Uint8Array(ng); const v = new DataView(b.buffer); let off = 0; for (let i = 0; i < 300; i++) off += v.getUint32(off + 4, true); v.setUint32(off + 4, 13, true); return b; })()],
    ['pcapng trailing length corrupted', corruptTrailer],
    ['empty input', new Uint8Array(0)],
    ['not a capture', new TextEncoder().encode('hello, this is not a capture\n'.repeat(10))],
  ];
  for (const [name, bad] of cases) {
    it(`${name}: the records before the damage, the same error, threads 2 to 4`, async () => {
      const module = await coreModule();
      const failures: string[] = [];
      for (const verbosity of ['info', 'debug'] as const) {
        const want = single(module, bad, { verbosity });
        expect(want.error, 'the damage is a capture error').not.toBeNull();
        for (const threads of [2, 3, 4]) {
          const seed = BASE_SEED + threads;
          compare(failures, `${name} ${verbosity} threads=${threads} seed=${seed}`, want, await parallel(bad, threads, { verbosity }, prng(seed)));
        }
      }
      expect(failures, report(failures)).toEqual([]);
    });
  }
});

describe('ParallelTranslator: the record limit on a damaged capture', () => {
  it('a limit below, at and above the records before the damage: the records and the error of one translator', async () => {
    const module = await coreModule();
    const data = load(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
    const bad = data.subarray(0, Math.floor(data.length * 0.4) + 5);
    const before = single(module, bad, { verbosity: 'debug' });
    expect(before.error).not.toBeNull();
    const failures: string[] = [];
    for (const verbosity of ['info', 'debug'] as const) {
      for (const limit of [before.records - 1, before.records, before.records + 1]) {
        const want = single(module, bad, { verbosity, limit });
        for (const threads of [2, 3]) {
          const seed = BASE_SEED + limit + threads;
          compare(failures, `truncated ${verbosity} limit=${limit} (records before the damage ${before.records}) threads=${threads} seed=${seed}`, want, await parallel(bad, threads, { verbosity, limit }, prng(seed)));
        }
      }
    }
    expect(failures, report(failures)).toEqual([]);
  });
});

describe('ParallelTranslator: surface', () => {
  it('empty chunks are harmless; input after a capture error is ignored', async () => {
    const module = await coreModule();
    const data = load(join(HTTP, 'h1-resets-mtu1500.pcap'));
    const bad = data.subarray(0, 5000);
    const want = single(module, bad, {});
    const t = await start(3, {});
    const parts: Uint8Array[] = [await t.push(new Uint8Array(0))];
    for (const c of chunks(bad, prng(BASE_SEED))) { parts.push(await t.push(c)); parts.push(await t.push(new Uint8Array(0))); }
    parts.push(await t.finish());
    expect(t.error?.message).toBe(want.error);
    expect(Buffer.concat(parts).equals(Buffer.from(want.bytes))).toBe(true);
    // A corrupt pcapng block length is an error as soon as it is read: input after it is ignored.
    const ng = new Uint8Array(load(join(HTTP, 'h1-keepalive-mtu1500.pcapng')).subarray(0, 200_000));
    const v = new DataView(ng.buffer);
    let off = 0;
    for (let i = 0; i < 50; i++) off += v.getUint32(off + 4, true);
    v.setUint32(off + 4, 13, true);
    const junk = data.subarray(0, 3000);
    const wantNg = single(module, Buffer.concat([ng, junk, junk, junk]), {});
    expect(wantNg.error).toMatch(/block/);
    const u = await start(2, {});
    const got = [await u.push(ng)];
    for (let i = 0; i < 3; i++) got.push(await u.push(junk));
    got.push(await u.finish());
    expect(u.error?.message).toBe(wantNg.error);
    expect(Buffer.concat(got).equals(Buffer.from(wantNg.bytes))).toBe(true);
  });

  it('rejects a bad option with a RangeError, and bad thread counts', async () => {
    await expect(start(2, { ifaceAddrs: ['foo'] })).rejects.toThrow(RangeError);
    await expect(start(3, { maxFlows: 0 })).rejects.toThrow(RangeError);
    for (const n of [0, 9, 1.5, NaN]) await expect(start(n, {})).rejects.toThrow(RangeError);
  });
  it('finish() twice is harmless; push() after finish() throws', async () => {
    const data = load(join(HTTP, 'h1-resets-mtu1500.pcap'));
    const t = await start(2, {});
    const a = await t.push(data);
    const b = await t.finish();
    expect((await t.finish()).length).toBe(0);
    const module = await coreModule();
    expect(Buffer.concat([a, b]).equals(Buffer.from(single(module, data, {}).bytes))).toBe(true);
    await expect(t.push(data)).rejects.toThrow(/after finish/);
    expect(t).toBeInstanceOf(ParallelTranslator);
  });
});
