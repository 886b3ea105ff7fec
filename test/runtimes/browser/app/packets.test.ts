// The app's per-packet index (runtimes/browser/app/packets.ts, segments.ts) built from the
// core's entries, against the records themselves, on the corpus and on a generated capture of
// several segments; a segment sealed and read back is the same; the memory budget stops the
// index at a segment boundary and says what it kept (Node has no OPFS: the store is memory).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTranslator } from '../../../../src/index.js';
import { PacketIndex, CLASSES, tcpFlagText, flowText } from '../../../../runtimes/browser/app/packets.js';
import { SegmentStore, SegmentBuilder, openSegment, messageBytes, SEGMENT_PACKETS, MEMORY_SEGMENT_BYTES } from '../../../../runtimes/browser/app/segments.js';
import { TraceTable } from '../../../../runtimes/browser/app/tracetable.js';
import * as B from '../../../helpers/build.js';
// @ts-expect-error: the bench's generator is plain JavaScript
import { generate } from '../../../../bench/gen.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const wasm = readFileSync(join(ROOT, 'build', 'tracecap.wasm'));

async function index(file: string, memoryLimit?: number) {
  const store = await SegmentStore.open(memoryLimit);
  const idx = new PacketIndex(store);
  const t = await createTranslator(wasm);
  let pending: Uint8Array | null = null, count = 0;
  const http: number[] = [];
  // The `timing` values handed over with them (README "Exchange timing"), by position.
  const timings = new Map<number, unknown>();
  const out: Uint8Array[] = [];
  t.setIndexSink((e, c) => { pending = e.slice(); count = c; });
  t.setSink((view) => {
    out.push(view.slice());
    idx.add(pending!, count, view, (pos, _seg, _k, _at, len, tAt, tLen) => {
      if (len) http.push(pos);
      if (tLen) timings.set(pos, JSON.parse(new TextDecoder().decode(view.subarray(tAt, tAt + tLen))));
    });
  });
  const data = new Uint8Array(readFileSync(file));
  for (let o = 0; o < data.length && idx.stopped === null; o += 1 << 20) {
    t.push(data.subarray(o, o + (1 << 20)));
    idx.awaitBatches(0);
    await idx.seal(0);
  }
  if (idx.stopped === null) t.finish();
  await idx.seal(0, true);
  return { idx, store, ndjson: Buffer.concat(out), http, timings };
}

const msg = (b: Uint8Array) => JSON.parse(`"${Buffer.from(b).toString('utf8')}"`) as string;

function expectColumns(idx: PacketIndex, lines: string[], step = 1): void {
  for (let pos = 0; pos < idx.count; pos += pos % SEGMENT_PACKETS === SEGMENT_PACKETS - 1 ? 1 : step) {
    const [seg, k] = idx.at(pos);
    const r = JSON.parse(lines[pos]!);
    expect(Number(r.pcap.num)).toBe(pos);
    expect(seg.time[k]).toBeCloseTo(r.timestamp.seconds * 1000 + r.timestamp.nanos / 1e6, 3);
    if (r.L3) { expect(idx.addrs.values[seg.src[k]!]).toBe(r.L3.src); expect(idx.addrs.values[seg.dst[k]!]).toBe(r.L3.dst); }
    expect(flowText(seg.flowLo[k]!, seg.flowHi[k]!) || undefined).toBe(r.flow);
    expect(seg.trace[k] ? idx.traces.name(seg.trace[k]!) : undefined).toBe(r['logging.googleapis.com/trace']);
    expect(seg.error[k]).toBe(r.severity === 'ERROR' ? 1 : 0);
    expect(CLASSES[seg.cls[k]!] === 'HTTP').toBe(r.HTTP !== undefined);
    expect(messageBytes(seg, k).length ? msg(messageBytes(seg, k)) : undefined).toBe(r.message);
    if (r.meta) expect([seg.capLen[k], seg.origLen[k]]).toEqual([r.meta.cap_len, r.meta.len]);
    // The worker answers L4.flags.* from the flag byte for TCP with ports (worker.ts fromIndex).
    if (seg.proto[k] === 6 && (seg.sport[k] || seg.dport[k])) {
      expect(tcpFlagText(seg.flags[k]!)).toBe(r.L4.flags.str);
      expect(seg.flags[k]).toBe(r.L4.flags.dec);
    }
  }
}

describe('PacketIndex', () => {
  for (const name of readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()) {
    it(`${name}: every column and message equals the record`, async () => {
      const { idx, ndjson, http, timings } = await index(join(CORPUS, name));
      const lines = ndjson.toString('utf8').split('\n').slice(0, -1);
      expect(idx.count).toBe(lines.length);
      expectColumns(idx, lines);
      expect(http.length).toBe(lines.filter((l) => l.startsWith('{"HTTP":')).length);
      // Every record's timing, and only those, reaches the HTTP worker's callback.
      const want = new Map(lines.flatMap((l, i) => { const r = JSON.parse(l); return r.timing === undefined ? [] : [[i, r.timing] as const]; }));
      expect(timings).toEqual(want);
    });
  }

  it('a capture of several segments: sealed segments read back equal the records; the memory budget stops at a segment boundary and says what it kept', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tracecap-segments-')), 'http.pcap');
    generate('http', file, 30_000_000);
    const { idx, ndjson, store } = await index(file);
    const lines = ndjson.toString('utf8').split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(2 * SEGMENT_PACKETS);
    expect(idx.count).toBe(lines.length);
    expect(store.count).toBe(idx.segments);
    expect(store.kind).toBe('memory'); // no OPFS in Node
    expectColumns(idx, lines, 7);
    // A budget of half the segments' bytes: whole segments are kept up to it, and said.
    const budget = Math.floor(store.memoryBytes / 2);
    const half = await index(file, budget);
    const kept = half.idx.count;
    expect(kept % SEGMENT_PACKETS).toBe(0);
    expect(kept).toBeGreaterThanOrEqual(SEGMENT_PACKETS);
    expect(kept).toBeLessThan(lines.length);
    expect(half.store.memoryBytes).toBeLessThanOrEqual(budget);
    expect(half.idx.stopped).toMatch(new RegExp(`memory this tab allows \\(${(budget / 1048576).toFixed(0)} MiB: the setting "Index memory without storage", the .memory. parameter\\) after ${kept.toLocaleString('en-US')} packets.*the first ${kept.toLocaleString('en-US')} packets are shown`));
    expectColumns(half.idx, lines, 7);
    expect(MEMORY_SEGMENT_BYTES).toBe(160 << 20);
  }, 120_000);
});

describe('segments', () => {
  it('seal() and openSegment() keep every column, message and extra', () => {
    const b = new SegmentBuilder();
    for (let i = 0; i < 1000; i++) {
      b.time[i] = 1.7e12 + i / 7; b.fileOff[i] = i * 100; b.capLen[i] = i; b.origLen[i] = i + 1; b.src[i] = i % 5; b.dst[i] = i % 3;
      b.flowLo[i] = i * 31; b.flowHi[i] = 0xffffffff - i; b.trace[i] = i % 11; b.code[i] = 200 + (i % 3); b.sport[i] = i; b.dport[i] = 65535 - i;
      b.proto[i] = 6; b.flags[i] = i & 255; b.error[i] = i % 2; b.cls[i] = i % 9; b.part[i] = i % 8; b.method[i] = i % 10;
      const t = new TextEncoder().encode(`#${i} | x`);
      b.addMessage(t, 0, t.length); b.msgEnd[i] = b.msgBytes; b.n++;
    }
    b.extra(7).codes = [200, 404]; b.extra(9).traces = [3, 4];
    const s = openSegment(b.seal());
    expect(s.n).toBe(1000);
    for (const col of ['time', 'fileOff', 'capLen', 'origLen', 'src', 'dst', 'flowLo', 'flowHi', 'trace', 'code', 'sport', 'dport', 'proto', 'flags', 'error', 'cls', 'part', 'method', 'msgEnd'] as const) {
      expect(Array.from(s[col]), col).toEqual(Array.from(b[col].subarray(0, 1000)));
    }
    expect(new TextDecoder().decode(messageBytes(s, 999))).toBe('#999 | x');
    expect(s.extras.get(7)).toEqual({ codes: [200, 404] });
    expect(s.extras.get(9)).toEqual({ traces: [3, 4] });
  });
});

describe('TraceTable', () => {
  it('interns names, gives them back, finds them by short id, and passes ids between two tables', () => {
    const t = new TraceTable(), u = new TraceTable();
    const names: string[] = [];
    for (let i = 0; i < 5000; i++) names.push(`projects/${i % 2 ? 'p' : ''}/traces/${(BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32)}`);
    names.push('projects/p/traces/NOT-HEX', 'other');
    const ids = names.map((n) => t.id(n));
    expect(new Set(ids).size).toBe(names.length);
    names.forEach((n, i) => { expect(t.name(ids[i]!)).toBe(n); expect(t.id(n)).toBe(ids[i]); expect(t.find(n)).toBe(ids[i]); });
    expect(t.find('projects//traces/ffffffffffffffffffffffffffffffff')).toBe(0);
    expect(t.matching(t.short(ids[3]!))).toEqual([ids[3]]);
    // Another table with the names in another order maps them by their encoded form.
    const rev = [...names].reverse().map((n) => u.id(n));
    const back = u.lookup(t.encode(ids));
    names.forEach((n, i) => expect(u.name(back[i]!)).toBe(n));
    void rev;
  });
});

it('tcpFlagText gives the core\'s L4.flags.str for all 256 flag bytes', async () => {
  const pkts = Array.from({ length: 256 }, (_, v) => B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: B.tcp({ src: '10.0.0.1', dst: '10.0.0.2', flags: v }) }) }));
  const t = await createTranslator(wasm, { verbosity: 'info' });
  const text = new TextDecoder().decode(t.push(B.pcap(pkts))) + new TextDecoder().decode(t.finish());
  const recs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  expect(recs.length).toBe(256);
  recs.forEach((r, v) => expect(tcpFlagText(v)).toBe(r.L4.flags.str));
});
