// The runtime-agnostic API: chunking invariance, limits, errors as values, the stream wrapper,
// option validation, and bounded memory.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createTranslator, createTranslatorSync, CaptureError, type TranslatorOptions } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { SHARED } from '../diff/support.js';
import { readPcap, writePcap } from '../helpers/pcap-records.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const HTTP = new URL('../../../shared/corpus/http/', import.meta.url).pathname;
const corpus = readdirSync(HTTP).filter((f) => /\.pcapn?g?$/.test(f));

async function whole(data: Uint8Array, o: TranslatorOptions = {}): Promise<{ out: Uint8Array; error: CaptureError | null }> {
  const t = await createTranslator(wasm, o);
  const out = B.bytes(t.push(data), t.finish());
  return { out, error: t.error };
}

async function chunked(data: Uint8Array, sizes: () => number, o: TranslatorOptions = {}): Promise<{ out: Uint8Array; error: CaptureError | null }> {
  const t = await createTranslator(wasm, o);
  const parts: Uint8Array[] = [];
  for (let off = 0; off < data.length;) {
    const n = Math.max(1, Math.min(sizes(), data.length - off));
    parts.push(t.push(data.subarray(off, off + n)));
    off += n;
  }
  parts.push(t.finish());
  return { out: cat(parts), error: t.error };
}

function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function rng(seed: number): () => number {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
}

describe('src/translator chunking', () => {
  for (const f of corpus) {
    it(`${f}: random chunk sizes give the same bytes as the whole file`, async () => {
      const data = readFileSync(HTTP + f);
      const ref = await whole(data);
      expect(ref.error).toBeNull();
      const r = rng(f.length);
      for (const max of [3, 700, 70000]) {
        const got = await chunked(data, () => 1 + (r() % max));
        expect(sha(got.out)).toBe(sha(ref.out));
      }
    });
  }
  for (const f of ['dns-udp.pcap', 'tls-sni.pcap', 'h1-resets-mtu1500.pcap']) {
    it(`${f}: one byte at a time gives the same bytes`, async () => {
      const data = readFileSync(HTTP + f);
      const ref = await whole(data);
      const got = await chunked(data, () => 1);
      expect(got.out.length).toBe(ref.out.length);
      expect(sha(got.out)).toBe(sha(ref.out));
    });
  }
  it('the same input gives the same bytes on every run', async () => {
    const data = readFileSync(HTTP + 'h2c-any-sll2.pcap');
    expect(sha((await whole(data)).out)).toBe(sha((await whole(data)).out));
  });
});

// pushFrom(): the host fills the core's input space itself (the CLI reads the file into it).
async function filled(data: Uint8Array, sizes: () => number, o: TranslatorOptions = {}, sink = false): Promise<{ out: Uint8Array; error: CaptureError | null }> {
  const t = await createTranslator(wasm, o);
  const parts: Uint8Array[] = [];
  if (sink) t.setSink((v) => parts.push(v.slice()));
  let off = 0;
  for (;;) {
    const n = t.pushFrom((space) => {
      const k = Math.min(space.length, sizes(), data.length - off);
      space.set(data.subarray(off, off + k));
      off += k;
      return k;
    });
    if (n === 0 || t.error) break;
  }
  parts.push(t.finish());
  return { out: cat(parts), error: t.error };
}

describe('src/translator pushFrom', () => {
  for (const f of ['h1-keepalive-mtu1500.pcapng', 'h2c-any-sll2.pcap', 'dns-udp.pcap']) {
    it(`${f}: filling the input space gives the same bytes as push(), with or without a sink`, async () => {
      const data = readFileSync(HTTP + f);
      const ref = await whole(data);
      const r = rng(7);
      for (const sink of [false, true]) {
        for (const max of [1, 1500, 1 << 24]) {
          const got = await filled(data, () => 1 + (r() % max), {}, sink);
          expect(got.error).toBeNull();
          expect(sha(got.out)).toBe(sha(ref.out));
        }
      }
    });
  }
  it('keeps the records before a truncation and then reads nothing more', async () => {
    const good = B.pcap([B.hex('00'.repeat(60)), B.hex('11'.repeat(60)), B.hex('22'.repeat(60))]);
    const { out, error } = await filled(good.subarray(0, good.length - 10), () => 50);
    expect(new TextDecoder().decode(out).split('\n').length - 1).toBe(2);
    expect(error!.codeName).toBe('TRUNCATED');
    const t = await createTranslator(wasm);
    t.push(new TextEncoder().encode('garbage!'));
    expect(t.pushFrom(() => { throw new Error('must not be called after an error'); })).toBe(0);
  });
});

describe('src/translator errors', () => {
  const good = B.pcap([B.hex('00'.repeat(60)), B.hex('11'.repeat(60)), B.hex('22'.repeat(60))]);
  it('keeps every record before a truncation and names the byte offset', async () => {
    const cut = good.subarray(0, good.length - 10);
    for (const step of [1, 7, 1 << 20]) {
      const { out, error } = await chunked(cut, () => step);
      expect(new TextDecoder().decode(out).split('\n').length - 1).toBe(2);
      expect(error).toBeInstanceOf(CaptureError);
      expect(error!.codeName).toBe('TRUNCATED');
      expect(error!.offset).toBe(24 + 2 * 76);
      expect(error!.packets).toBe(2);
      expect(error!.message).toBe('capture is truncated: it ends inside a record at byte offset 176 (packet 3)');
    }
  });
  it('rejects input that is not a capture without output', async () => {
    const { out, error } = await whole(new TextEncoder().encode('<html>not a capture</html>'));
    expect(out.length).toBe(0);
    expect(error!.codeName).toBe('NOT_A_CAPTURE');
    expect(error!.offset).toBe(0);
  });
  it('reports empty input', async () => {
    const { error } = await whole(new Uint8Array(0));
    expect(error!.codeName).toBe('EMPTY');
  });
  it('ignores input after an error', async () => {
    const t = await createTranslator(wasm);
    t.push(new TextEncoder().encode('garbage!'));
    expect(t.error).not.toBeNull();
    expect(t.push(good).length).toBe(0);
  });
});

describe('src/translator options', () => {
  const cap = B.pcap(Array.from({ length: 10 }, (_, i) => B.hex((i + 10).toString(16).repeat(60))));
  it('limit stops after N packets', async () => {
    const { out } = await whole(cap, { limit: 4 });
    expect(new TextDecoder().decode(out).split('\n').length - 1).toBe(4);
  });
  it('firstSerial numbers a capture cut from the middle as the whole one numbers it (INFO is stateless)', async () => {
    const { linktype, packets } = readPcap(readFileSync(HTTP + 'dns-udp.pcap'));
    const all = new TextDecoder().decode((await whole(writePcap(linktype, packets), { verbosity: 'info' })).out).split('\n');
    for (const k of [1, 3]) {
      const cut = await whole(writePcap(linktype, packets.slice(k)), { verbosity: 'info', firstSerial: k });
      expect(new TextDecoder().decode(cut.out).split('\n')).toEqual(all.slice(k));
    }
    const from1 = JSON.parse(all[1]!);
    expect(from1.pcap.num).toBe('1');
    expect(from1['logging.googleapis.com/operation'].first).toBe(true);
    expect(sha((await whole(cap, { firstSerial: 0 })).out)).toBe(sha((await whole(cap)).out));
  });
  it('setNextSerial between pushes renumbers the packets that follow, not those already returned', async () => {
    const { linktype, packets } = readPcap(readFileSync(HTTP + 'dns-udp.pcap'));
    const file = writePcap(linktype, packets);
    const t = await createTranslator(wasm, { verbosity: 'info' });
    const split = writePcap(linktype, packets.slice(0, 5)).length; // header and five records
    const nums = (b: Uint8Array) => new TextDecoder().decode(b).split('\n').filter(Boolean).map((l) => JSON.parse(l).pcap.num);
    expect(nums(t.push(file.subarray(0, split)))).toEqual(['0', '1', '2', '3', '4']);
    t.setNextSerial(1000);
    expect(nums(B.bytes(t.push(file.subarray(split)), t.finish())).slice(0, 2)).toEqual(['1000', '1001']);
    expect(() => t.setNextSerial(-1)).toThrow(RangeError);
  });
  it('rejects bad options with a RangeError', async () => {
    await expect(createTranslator(wasm, { firstSerial: -1 })).rejects.toThrow(RangeError);
    await expect(createTranslator(wasm, { firstSerial: 1.5 })).rejects.toThrow(RangeError);
    await expect(createTranslator(wasm, { verbosity: 'loud' as any })).rejects.toThrow(RangeError);
    await expect(createTranslator(wasm, { ifaceAddrs: ['10.0.0.300'] })).rejects.toThrow(RangeError);
    await expect(createTranslator(wasm, { ifaceIndex: -1 })).rejects.toThrow(RangeError);
    await expect(createTranslator(wasm, { id: 'x'.repeat(2000) })).rejects.toThrow(RangeError);
  });
  it('accepts wasm bytes as well as a compiled module', async () => {
    const t = await createTranslator(readFileSync('build/tracecap.wasm'));
    expect(B.bytes(t.push(cap), t.finish()).length).toBeGreaterThan(0);
  });
});

describe('src/translator stream()', () => {
  it('transforms a ReadableStream of capture bytes into NDJSON', async () => {
    const data = readFileSync(HTTP + 'dns-udp.pcap');
    const t = await createTranslator(wasm);
    const src = new ReadableStream<Uint8Array>({ start(c) { for (let i = 0; i < data.length; i += 1000) c.enqueue(data.subarray(i, i + 1000)); c.close(); } });
    const chunks: Uint8Array[] = [];
    for await (const c of src.pipeThrough(t.stream())) chunks.push(c);
    expect(sha(cat(chunks))).toBe(sha((await whole(data)).out));
  });
  it('delivers the records before the damage, then errors with the CaptureError', async () => {
    const data = readFileSync(HTTP + 'dns-udp.pcap').subarray(0, 1000);
    const t = await createTranslator(wasm);
    const src = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(data); c.close(); } });
    const chunks: Uint8Array[] = [];
    await expect((async () => { for await (const c of src.pipeThrough(t.stream())) chunks.push(c); })()).rejects.toBeInstanceOf(CaptureError);
    expect(new TextDecoder().decode(cat(chunks)).split('\n').length - 1).toBeGreaterThan(0);
  });
});

describe('src/translator memory', () => {
  it('does not grow with the input: the whole corpus fed through one instance three times', async () => {
    const inst = new WebAssembly.Instance(wasm, { env: { abort() { throw new Error('abort'); } } });
    const ex = inst.exports as any;
    const before = ex.memory.buffer.byteLength;
    const files = corpus.map((f) => readFileSync(HTTP + f));
    for (let round = 0; round < 3; round++) {
      for (const data of files) {
        ex.reset();
        for (let off = 0; off < data.length;) {
          const n = Math.min(ex.inCap(), data.length - off);
          new Uint8Array(ex.memory.buffer, ex.inPtr(), n).set(data.subarray(off, off + n));
          off += n;
          let st = ex.push(n);
          while (st === 1) { ex.outReset(); st = ex.resume(); }
          ex.outReset();
        }
        expect(ex.finish()).toBe(0);
        ex.outReset();
      }
    }
    expect(ex.memory.buffer.byteLength).toBe(before);
    expect(before).toBeLessThanOrEqual(32 << 20);
  });
});

describe('Translator.setBpf: the BPF programs change between chunks', () => {
  const ACCEPT = [{ code: 0x06, jt: 0, jf: 0, k: 262144 }];
  const REJECT = [{ code: 0x06, jt: 0, jf: 0, k: 0 }];
  it('packets pushed after the change are judged by the new programs; serials go on; none removes them', async () => {
    const data = readFileSync('examples/dns.pcap');
    // The pcap header, then each record (16-byte header and its captured bytes), little-endian.
    const header = data.subarray(0, 24);
    const records: Uint8Array[] = [];
    for (let off = 24; off < data.length; off += 16 + data.readUInt32LE(off + 8)) records.push(data.subarray(off, off + 16 + data.readUInt32LE(off + 8)));
    expect(records.length).toBeGreaterThanOrEqual(6);
    const all = new TextDecoder().decode((await whole(data)).out).split('\n').filter(Boolean);
    const t = await createTranslator(wasm, { bpf: [{ linktype: 1, program: REJECT }] });
    const nums = (u: Uint8Array) => new TextDecoder().decode(u).split('\n').filter(Boolean).map((l) => JSON.parse(l).pcap.num as string);
    expect(nums(t.push(B.bytes(header, ...records.slice(0, 2))))).toEqual([]);
    t.setBpf([{ linktype: 1, program: ACCEPT }]);
    expect(nums(t.push(B.bytes(...records.slice(2, 4))))).toEqual(['2', '3']);
    t.setBpf([{ linktype: 1, program: REJECT }]);
    expect(nums(t.push(B.bytes(records[4]!)))).toEqual([]);
    t.setBpf(undefined);
    const rest = B.bytes(t.push(B.bytes(...records.slice(5))), t.finish());
    expect(nums(rest)[0]).toBe('5');
    // The records written are those of the whole capture, byte for byte.
    expect(new TextDecoder().decode(rest).split('\n').filter(Boolean)).toEqual(all.slice(5));
    expect(() => t.setBpf([{ linktype: 1, program: [] }])).toThrow(RangeError);
  });
});

describe('checkpoint() and restore(): a core resumed in a new instance writes the same bytes', () => {
  const SNAP = new URL('../../build/tracecap-snap.wasm', import.meta.url);
  const PLAIN = new URL('../../build/tracecap.wasm', import.meta.url);
  const dir = new URL(`file://${SHARED}/corpus/http/`);
  const files = readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

  for (const verbosity of ['debug', 'info'] as const) {
    it(`every corpus/http capture at ${verbosity}, checkpointed at 8 points (inside records too), 1 and 3 threads`, async () => {
      const snap = new WebAssembly.Module(readFileSync(SNAP));
      const plain = new WebAssembly.Module(readFileSync(PLAIN));
      for (const f of files) {
        const bytes = new Uint8Array(readFileSync(new URL(f, dir)));
        for (const [shard, shards] of [[0, 1], [2, 3]] as const) {
          const a = await createTranslator(plain, { verbosity });
          a.setShard(shard, shards);
          const whole = Buffer.concat([a.push(bytes), a.finish()]);
          const outs: Uint8Array[] = [];
          let t = await createTranslator(snap, { verbosity });
          t.setShard(shard, shards);
          // An odd step: the checkpoints fall inside records and pcapng blocks.
          const step = Math.max(4093, Math.floor(bytes.length / 8) | 1);
          for (let at = 0; at < bytes.length; at += step) {
            outs.push(t.push(bytes.subarray(at, at + step)));
            // Straight from the old instance's memory into the new one's (the old is not used again).
            const { state, memory } = t.checkpoint();
            t = await createTranslator(snap, { verbosity });
            t.restore(state).set(memory);
          }
          outs.push(t.finish());
          expect(Buffer.concat(outs).equals(whole), `${f} ${verbosity} shard ${shard}/${shards}`).toBe(true);
          expect(t.packets).toBe(a.packets);
        }
      }
    });
  }

  it('refuses what it cannot resume: the plain module, another build, a translator in use, after the end', async () => {
    const plain = await createTranslator(new WebAssembly.Module(readFileSync(PLAIN)), {});
    expect(() => plain.checkpoint()).toThrow(/cannot be checkpointed: use build\/tracecap-snap.wasm/);
    const snap = new WebAssembly.Module(readFileSync(SNAP));
    const t = await createTranslator(snap, {});
    const { state } = t.checkpoint();
    const bad = state.slice(); bad[0] ^= 1;
    expect(() => (createTranslatorSync(snap, {})).restore(bad)).toThrow(/not a checkpoint of this core/);
    const other = state.slice(); new DataView(other.buffer).setUint32(8, 3, true);
    expect(() => (createTranslatorSync(snap, {})).restore(other)).toThrow(/another build of the core \(3 globals/);
    const used = createTranslatorSync(snap, {});
    used.push(new Uint8Array(readFileSync(new URL('dns-udp.pcap', dir))));
    expect(() => used.restore(state)).toThrow(/already read a capture/);
    used.finish();
    expect(() => used.checkpoint()).toThrow(/after the capture ended or failed/);
  });
});
