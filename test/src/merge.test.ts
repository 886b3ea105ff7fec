// src/merge.ts: several capture files merged into one pcapng stream for the core. Each file is
// checked as the core's reader checks it (the same error, offset and packet as reading that file
// alone), packets go out in time order with ties in file order, interfaces merge as mergecap's
// "all" mode merges them, each record names its file, and memory stays bounded.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { createTranslator, CaptureError, ErrCode, type TranslatorOptions } from '../../src/index.js';
import { CaptureMerger, MAX_MERGE_FILES, MERGE_MAX_BLOCK, MERGE_MAX_INTERFACES, MERGE_MAX_PACKET, SOURCE_BLOCK, SOURCE_MAGIC, type MergeFile } from '../../src/merge.js';
import * as B from '../helpers/build.js';
import { giantCapture } from '../helpers/giant-pcap.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const CORPUS = new URL('../../../shared/corpus/', import.meta.url).pathname;
const HTTP = CORPUS + 'http/';

/** A file held in memory, read `chunk()` bytes at a time (at most what the merger asks). */
function memFile(name: string, data: Uint8Array, chunk: () => number = () => 1 << 30): MergeFile & { reads: number } {
  let at = 0;
  const f = {
    name, reads: 0,
    read(into: Uint8Array) {
      f.reads++;
      const n = Math.min(into.length, data.length - at, Math.max(1, chunk()));
      into.set(data.subarray(at, at + n));
      at += n;
      return n;
    },
  };
  return f;
}

/** The whole merged stream, asked for `ask()` bytes at a time. */
function mergeAll(files: MergeFile[], ask: () => number = () => 1 << 20): { stream: Uint8Array; merger: CaptureMerger } {
  const merger = new CaptureMerger(files);
  const parts: Uint8Array[] = [];
  for (;;) {
    const space = new Uint8Array(Math.max(1, ask()));
    const n = merger.readSync(space);
    if (n === 0) break;
    parts.push(space.slice(0, n));
  }
  return { stream: new Uint8Array(Buffer.concat(parts)), merger };
}

async function translate(data: Uint8Array, o: TranslatorOptions = {}): Promise<{ records: any[]; error: CaptureError | null }> {
  const t = await createTranslator(wasm, o);
  const text = new TextDecoder().decode(B.bytes(t.push(data), t.finish()));
  return { records: text.split('\n').filter((l) => l).map((l) => JSON.parse(l)), error: t.error };
}

const withoutFile = (r: any) => { const { file, ...rest } = r; void file; return rest; };

function rng(seed: number): () => number {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
}

const eth = (i: number) => B.ethernet({ payload: B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: B.udp({ srcPort: 1000 + i, dstPort: 53, payload: B.ascii(`p${i}`) }) }) });

describe('src/merge: the core\'s limits and block format', () => {
  const config = readFileSync('assembly/config.ts', 'utf8');
  const reader = readFileSync('assembly/capture/reader.ts', 'utf8');
  const value = (src: string, name: string) => {
    const m = new RegExp(`export const ${name}: [iu]\\d+ = ([^;]+);`).exec(src);
    if (!m) throw new Error(`no ${name}`);
    return Function(`return ${m[1]!.replace(/_/g, '')}`)() as number;
  };
  it('checks the limits the core checks', () => {
    expect(MERGE_MAX_BLOCK).toBe(value(config, 'MAX_BLOCK'));
    expect(MERGE_MAX_PACKET).toBe(value(config, 'MAX_PACKET'));
    expect(MERGE_MAX_INTERFACES).toBe(value(config, 'MAX_INTERFACES'));
  });
  it('writes the source block the core reads', () => {
    expect(SOURCE_BLOCK).toBe(value(reader, 'SOURCE_BLOCK'));
    expect(SOURCE_MAGIC).toBe(value(reader, 'SOURCE_MAGIC'));
  });
  it('takes 1 to MAX_MERGE_FILES files', () => {
    expect(() => new CaptureMerger([])).toThrow(RangeError);
    const many = Array.from({ length: MAX_MERGE_FILES + 1 }, (_, i) => memFile(`f${i}`, B.pcap([])));
    expect(() => new CaptureMerger(many)).toThrow(/1 to 256 files/);
    expect(() => new CaptureMerger(many.slice(0, MAX_MERGE_FILES))).not.toThrow();
  });
});

// Every file of the corpus, whole, cut short and damaged: through the merger alone it gives the
// records the core gives reading it (each naming the file), and the core's error as a failure.
const conformance = ['output_le', 'output_be'].flatMap((o) => ['basic', 'advanced', 'difficult'].flatMap((d) =>
  readdirSync(`${CORPUS}pcapng-conformance/${o}/${d}`).filter((f) => f.endsWith('.pcapng')).map((f) => `pcapng-conformance/${o}/${d}/${f}`)));
const captures = [...readdirSync(HTTP).filter((f) => /\.pcapn?g?$/.test(f)).map((f) => `http/${f}`), ...conformance];

/** Section Header Blocks of a pcapng file (0 for classic pcap); a walk that stops at damage. */
function sections(data: Uint8Array): number {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 12 || dv.getUint32(0, true) !== 0x0a0d0d0a) return 0;
  let n = 0, le = true;
  for (let at = 0; at + 12 <= data.length;) {
    if (dv.getUint32(at, true) === 0x0a0d0d0a) { n++; le = dv.getUint32(at + 8, true) === 0x1a2b3c4d; }
    const len = dv.getUint32(at + 4, le);
    if (len < 12) break;
    at += len;
  }
  return n;
}

// A later section's interfaces are merged ones of their own (as mergecap numbers them): the
// records of a file of several sections keep their packets, times and layers, not their
// interface numbers.
const samePackets = (r: any) => ({ num: r.pcap.num, timestamp: r.timestamp, meta: { len: r.meta?.len, cap_len: r.meta?.cap_len }, L2: r.L2, err: r.err });

async function sameAsCore(data: Uint8Array, seed: number): Promise<void> {
  const direct = await translate(data);
  const r = rng(seed);
  const { stream, merger } = mergeAll([memFile('one.cap', data, () => 1 + (r() % 5000))], () => 1 + (r() % 9000));
  const merged = await translate(stream);
  expect(merged.error).toBeNull();
  for (const rec of merged.records) expect(rec.file).toBe('one.cap');
  if (sections(data) <= 1) expect(merged.records.map(withoutFile)).toEqual(direct.records);
  else expect(merged.records.map(samePackets)).toEqual(direct.records.map(samePackets));
  const e = direct.error;
  expect(merger.failures.map((f) => [f.code, f.offset, f.packets])).toEqual(e ? [[e.code, e.offset, e.packets]] : []);
}

describe('src/merge: one file reads as the core reads it', () => {
  for (const f of captures) {
    it(`${f}: whole`, async () => { await sameAsCore(readFileSync(CORPUS + f), f.length); });
  }
  it('each file of the corpus cut short at 3 places, and with a byte damaged at 3: the same records and error', async () => {
    const r = rng(7);
    let failed = 0;
    for (const f of captures) {
      const data = readFileSync(CORPUS + f);
      for (let k = 0; k < 3; k++) {
        const cut = data.subarray(0, r() % data.length);
        await sameAsCore(cut, k);
        const bad = new Uint8Array(data);
        bad[r() % bad.length] = r() & 0xff;
        await sameAsCore(bad, k);
        failed += (await translate(cut)).error ? 1 : 0;
      }
    }
    // Most cuts land inside a record: the failures were compared, not only clean ends.
    expect(failed).toBeGreaterThan(captures.length * 2);
  });
  it('an empty file and a foreign one fail as the core fails on them', async () => {
    await sameAsCore(new Uint8Array(0), 1);
    await sameAsCore(B.ascii('GET / HTTP/1.1\r\n'), 1);
    await sameAsCore(B.bytes(0xd4, 0xc3), 1);
  });
});

/** The file and time of each merged record, and of each file's own records, for order checks. */
const when = (r: any) => [r.file, BigInt(r.timestamp.seconds) * 1_000_000_000n + BigInt(r.timestamp.nanos)] as const;

describe('src/merge: order', () => {
  it('merges by time across resolutions (µs, ns, 2^-20, ps, 10^-19 s) and an if_tsoffset, each file in its order', async () => {
    const r = rng(3);
    const times = (n: number) => Array.from({ length: n }, () => 1_700_000_000 * 1e6 + (r() % 5_000_000)).sort((a, b) => a - b);
    const ns = (us: number) => BigInt(us) * 1000n + BigInt(r() % 1000);
    const ng = (tsresol: number, ticks: (us: number) => bigint, tsoffset?: number) => B.pcapng({
      blocks: [{ type: 'idb', tsresol, ...(tsoffset !== undefined ? { tsoffset } : {}) },
        ...times(40).map((us, i) => ({ type: 'epb' as const, ts: ticks(us), data: eth(i) }))],
    });
    const files = {
      'us.pcap': B.pcap(times(40).map((us, i) => ({ data: eth(i), ts: { sec: Math.floor(us / 1e6), usec: us % 1e6 } }))),
      'ns.pcap': B.pcap(times(40).map((us, i) => ({ data: eth(i), ts: { sec: Math.floor(us / 1e6), nsec: Number(ns(us) % 1_000_000_000n) } })), { nano: true }),
      'ns.pcapng': ng(9, (us) => ns(us)),
      'pow2.pcapng': ng(0x80 | 20, (us) => (BigInt(us) << 20n) / 1_000_000n),
      'ps.pcapng': ng(12, (us) => BigInt(us) * 1_000_000n + BigInt(r() % 1_000_000)),
      // 10^-19 s: 2^64 ticks are 1.8 s, so these are early in 1970.
      'e19.pcapng': ng(19, (us) => (BigInt(us - 1_700_000_000e6) * 10n ** 13n) / 4n + BigInt(r())),
      'offset.pcapng': ng(6, (us) => BigInt(us - 3_600_000_000), 3600),
    };
    const names = Object.keys(files);
    const each = await Promise.all(Object.values(files).map((d) => translate(d)));
    const expected = each.flatMap((x, k) => x.records.map((rec) => [names[k], ...when(rec).slice(1)] as const))
      .map((e, i) => ({ e, i })).sort((a, b) => (a.e[1] < b.e[1] ? -1 : a.e[1] > b.e[1] ? 1 : a.i - b.i)).map(({ e }) => e);
    const { stream } = mergeAll(names.map((n) => memFile(n, files[n as keyof typeof files])));
    const merged = await translate(stream);
    expect(merged.records.map(when)).toEqual(expected);
    expect(merged.records.map((x) => x.pcap.num)).toEqual(expected.map((_, i) => String(i)));
  });
  it('equal time stamps go in file order (mergecap 4.0 puts the later file first); a file keeps its own order', async () => {
    const a = B.pcap([{ data: eth(1), ts: 5 }, { data: eth(2), ts: 5 }, { data: eth(3), ts: 7 }]);
    const b = B.pcap([{ data: eth(4), ts: 5 }, { data: eth(5), ts: 6 }, { data: eth(6), ts: 7 }]);
    const c = B.pcap([{ data: eth(7), ts: 4 }, { data: eth(8), ts: 7 }]);
    const { stream } = mergeAll([memFile('a', a), memFile('b', b), memFile('c', c)]);
    const got = (await translate(stream)).records.map((x) => [x.file, x.L4.src - 1000]);
    expect(got).toEqual([['c', 7], ['a', 1], ['a', 2], ['b', 4], ['b', 5], ['a', 3], ['b', 6], ['c', 8]]);
  });
  it('a file out of order stays in its order (a k-way merge, as mergecap)', async () => {
    const a = B.pcap([{ data: eth(1), ts: 9 }, { data: eth(2), ts: 1 }]);
    const b = B.pcap([{ data: eth(3), ts: 5 }]);
    const { stream } = mergeAll([memFile('a', a), memFile('b', b)]);
    expect((await translate(stream)).records.map((x) => x.L4.src - 1000)).toEqual([3, 1, 2]);
  });
  it('gives the same stream for any read and output sizes', async () => {
    const files = ['h1-keepalive-mtu1500.pcap', 'h1-keepalive-mtu1500.pcapng', 'dns-udp.pcap', 'h2c-any-sll2.pcap'].map((f) => readFileSync(HTTP + f));
    const ref = mergeAll(files.map((d, i) => memFile(`f${i}`, d))).stream;
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const max = [7, 300, 70000][seed - 1]!;
      const got = mergeAll(files.map((d, i) => memFile(`f${i}`, d, () => 1 + (r() % max))), () => 1 + (r() % max)).stream;
      expect(Buffer.compare(got, ref)).toBe(0);
    }
  });
  it('read() takes files that read asynchronously, and gives the bytes readSync() gives', async () => {
    const files = ['dns-udp.pcap', 'tls-sni.pcap'].map((f) => readFileSync(HTTP + f));
    const ref = mergeAll(files.map((d, i) => memFile(`f${i}`, d))).stream;
    const reader = new CaptureMerger(files.map((d, i) => { const m = memFile(`f${i}`, d, () => 777); return { name: m.name, read: (into: Uint8Array) => Promise.resolve(m.read(into)) }; })).stream(4096).getReader();
    const got: Uint8Array[] = [];
    for (;;) { const { done, value } = await reader.read(); if (done) break; got.push(value); }
    expect(Buffer.compare(B.bytes(...got), ref)).toBe(0);
    expect(() => new CaptureMerger([{ name: 'x', read: async () => 0 }]).readSync(new Uint8Array(100))).toThrow(/reads asynchronously/);
  });
});

describe('src/merge: interfaces (mergecap\'s "all" mode)', () => {
  const idx = async (files: Record<string, Uint8Array>) => {
    const { stream, merger } = mergeAll(Object.entries(files).map(([n, d]) => memFile(n, d)));
    const recs = (await translate(stream)).records;
    return { got: recs.map((x) => [x.file, x.iface.index, x.iface.name]), merger };
  };
  const idb = (name?: string, extra: Partial<B.IdbBlock> = {}): B.IdbBlock => ({ type: 'idb', ...(name ? { name } : {}), ...extra });
  const epb = (i: number, ts: number, iface = 0): B.EpbBlock => ({ type: 'epb', iface, ts, data: eth(i) });

  it('files of one interface stay one interface (rotated files), pcap and pcapng alike', async () => {
    const a = B.pcap([{ data: eth(1), ts: 1 }, { data: eth(2), ts: 3 }]);
    const b = B.pcap([{ data: eth(3), ts: 2 }]);
    const c = B.pcapng({ blocks: [idb(), epb(4, 4)] });
    const { got, merger } = await idx({ a, b, c });
    expect(got).toEqual([['a', 0, 'any'], ['b', 0, 'any'], ['a', 0, 'any'], ['c', 0, 'any']]);
    expect(merger.sharedInterfaces).toBe(true);
  });
  it('a name only one file gives does not part them (mergecap compares what both give): the first file\'s interface', async () => {
    const { got } = await idx({ a: B.pcap([{ data: eth(1), ts: 1 }]), b: B.pcapng({ blocks: [idb('eth0'), epb(2, 2)] }) });
    expect(got).toEqual([['a', 0, 'any'], ['b', 0, 'any']]);
  });
  it('different link types, resolutions, snap lengths, names or offsets: the files\' interfaces one after another', async () => {
    const sll2 = B.pcap([{ data: B.sll2({ payload: B.ipv4({ proto: 17, payload: B.udp({ srcPort: 1002 }) }) }), ts: 2 }], { linkType: B.LINKTYPE.LINUX_SLL2 });
    for (const [b, name] of [
      [sll2, 'any'],
      [B.pcap([{ data: eth(2), ts: 2 }], { nano: true }), 'any'],
      [B.pcap([{ data: eth(2), ts: 2 }], { snaplen: 65535 }), 'any'],
    ] as const) {
      expect((await idx({ a: B.pcap([{ data: eth(1), ts: 1 }]), b })).got).toEqual([['a', 0, 'any'], ['b', 1, name]]);
    }
    expect((await idx({ a: B.pcapng({ blocks: [idb('eth0'), epb(1, 1)] }), b: B.pcapng({ blocks: [idb('eth1'), epb(2, 2)] }) })).got)
      .toEqual([['a', 0, 'eth0'], ['b', 1, 'eth1']]);
    expect((await idx({ a: B.pcapng({ blocks: [idb('eth0', { tsoffset: 10 }), epb(1, 1)] }), b: B.pcapng({ blocks: [idb('eth0', { tsoffset: 20 }), epb(2, 2)] }) })).got)
      .toEqual([['a', 0, 'eth0'], ['b', 1, 'eth0']]);
  });
  it('lists of different length: every interface of every file, numbered file after file', async () => {
    const a = B.pcapng({ blocks: [idb('eth0'), epb(1, 1)] });
    const b = B.pcapng({ blocks: [idb('eth0'), idb('eth1'), epb(2, 2, 1), epb(3, 3, 0)] });
    expect((await idx({ a, b })).got).toEqual([['a', 0, 'eth0'], ['b', 2, 'eth1'], ['b', 1, 'eth0']]);
  });
  it('an interface described after the first packet: an equal merged one when all files matched, else a new one', async () => {
    const a = B.pcapng({ blocks: [idb('eth0'), epb(1, 1), idb('eth0'), idb('eth9'), epb(2, 3, 1), epb(3, 4, 2)] });
    const b = B.pcapng({ blocks: [idb('eth0'), epb(4, 2)] });
    expect((await idx({ a, b })).got).toEqual([['a', 0, 'eth0'], ['b', 0, 'eth0'], ['a', 0, 'eth0'], ['a', 1, 'eth9']]);
    const c = B.pcapng({ blocks: [idb('ethX'), epb(5, 0)] });
    // c's interface is unlike the others: every early one is its own (c 0, a 1, b 2), every later one new.
    expect((await idx({ c, a, b })).got).toEqual([['c', 0, 'ethX'], ['a', 1, 'eth0'], ['b', 2, 'eth0'], ['a', 3, 'eth0'], ['a', 4, 'eth9']]);
  });
  it('more interfaces than the core takes: the file whose interface does not fit fails there, the others go on', async () => {
    const many = (tag: string, n: number) => B.pcapng({ blocks: [...Array.from({ length: n }, (_, i) => idb(`${tag}${i}`)), epb(1, 1)] });
    const a = many('a', 600), b = many('b', 600);
    const { got, merger } = await idx({ a, b });
    expect(got).toEqual([['a', 0, 'a0']]);
    // b's IDB 424 (the 1025th interface) is past its SHB (28 bytes) and 424 IDBs of 32 (a name of 2 to 4 bytes).
    const at = 28 + 424 * 32;
    expect(merger.failures).toEqual([{ file: 1, name: 'b', code: ErrCode.TOO_MANY_INTERFACES, offset: at, packets: 0 }]);
  });
});

describe('src/merge: damaged files', () => {
  const a = B.pcap(Array.from({ length: 10 }, (_, i) => ({ data: eth(i), ts: 10 + 2 * i })));
  const b = B.pcap(Array.from({ length: 10 }, (_, i) => ({ data: eth(100 + i), ts: 11 + 2 * i })));
  const rec = (i: number) => 24 + i * (16 + eth(100).length);
  it('a file cut short: its packets before the cut are merged, the others go on, the failure names it as the core would', async () => {
    const cut = b.subarray(0, rec(5) + 20);
    const alone = await translate(cut);
    const { stream, merger } = mergeAll([memFile('a.pcap', a), memFile('b.pcap', cut)]);
    const got = (await translate(stream)).records.map((x) => [x.file, x.L4.src - 1000]);
    expect(got).toEqual([
      ...Array.from({ length: 5 }, (_, i) => [['a.pcap', i], ['b.pcap', 100 + i]]).flat(),
      ...Array.from({ length: 5 }, (_, i) => ['a.pcap', 5 + i]),
    ]);
    expect(merger.failures).toEqual([{ file: 1, name: 'b.pcap', code: ErrCode.TRUNCATED, offset: rec(5), packets: 5 }]);
    expect([alone.error?.code, alone.error?.offset, alone.error?.packets]).toEqual([ErrCode.TRUNCATED, rec(5), 5]);
  });
  it('a file that is no capture fails at offset 0; the others merge as without it', async () => {
    const { stream, merger } = mergeAll([memFile('notes.txt', B.ascii('hello, world\n')), memFile('a.pcap', a), memFile('empty', new Uint8Array(0))]);
    expect((await translate(stream)).records.map((x) => x.L4.src - 1000)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(merger.failures).toEqual([
      { file: 0, name: 'notes.txt', code: ErrCode.NOT_A_CAPTURE, offset: 0, packets: 0 },
      { file: 2, name: 'empty', code: ErrCode.EMPTY, offset: 0, packets: 0 },
    ]);
  });
});

describe('src/merge: memory', () => {
  const frames = Array.from({ length: 5000 }, (_, i) => eth(i));
  // A classic pcap (µs) of `n` packets, one every `step` µs from `t0`, made as it is read: the
  // file never exists whole.
  function generated(name: string, n: number, t0: number, step: number): MergeFile {
    let at = 0, i = -1, pending: Uint8Array = B.pcap([]);
    return {
      name,
      read(into) {
        let w = 0;
        while (w < into.length) {
          if (at === pending.length) {
            if (++i >= n) break;
            const us = t0 + i * step, frame = frames[i % frames.length]!;
            pending = new Uint8Array(16 + frame.length);
            const dv = new DataView(pending.buffer);
            dv.setUint32(0, Math.floor(us / 1e6), true); dv.setUint32(4, us % 1e6, true);
            dv.setUint32(8, frame.length, true); dv.setUint32(12, frame.length, true);
            pending.set(frame, 16);
            at = 0;
          }
          const k = Math.min(into.length - w, pending.length - at);
          into.set(pending.subarray(at, at + k), w);
          w += k; at += k;
        }
        return w;
      },
    };
  }
  it('3 files of 100000 packets each: all merged in time order, file by file, in 64 KiB of buffer a file', () => {
    // Interleaved: a, b, c, a, b, c, … 10 µs apart.
    const files = [0, 1, 2].map((k) => generated('abc'[k]!, 100000, 1.7e15 + 10 * k, 30));
    const asked: number[] = [];
    const merger = new CaptureMerger(files.map((f) => ({ name: f.name, read: (into: Uint8Array) => { asked.push(into.length); return f.read(into); } })));
    const out = new Uint8Array(1 << 20);
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0, epbs = 0, sources = 0, lastTs = -1, ordered = true, carry = new Uint8Array(0);
    for (let n; (n = merger.readSync(out)) > 0;) {
      // Walk the blocks (one may straddle two calls: its start is carried).
      const buf = B.bytes(carry, out.subarray(0, n));
      const dv = new DataView(buf.buffer);
      let at = 0;
      while (at + 8 <= buf.length && at + dv.getUint32(at + 4, true) <= buf.length) {
        const type = dv.getUint32(at, true);
        if (type === 6) { epbs++; const ts = dv.getUint32(at + 12, true) * 2 ** 32 + dv.getUint32(at + 16, true); ordered &&= ts > lastTs; lastTs = ts; }
        if (type === SOURCE_BLOCK) sources++;
        at += dv.getUint32(at + 4, true);
      }
      carry = buf.slice(at);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }
    expect(carry.length).toBe(0);
    expect(merger.packets).toBe(300000);
    expect(epbs).toBe(300000);
    expect(ordered).toBe(true);
    // Every packet comes from another file than the one before it.
    expect(sources).toBe(300000);
    expect(merger.failures).toEqual([]);
    expect(Math.max(...asked)).toBeLessThanOrEqual(64 << 10);
    expect(peak).toBeLessThan(8 << 20);
  });
});
