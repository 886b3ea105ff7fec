// Exchange timing (issue 24) against tshark, on the corpus's HTTP/1, HTTP/2 and TLS captures and
// on the captures recorded with known delays (test/captures/timing-*.pcap, recorded by
// scripts/traffic/record-timing.sh): every exchange tshark sees has a `timing`, on the record
// where it ends, whose times are tshark's frame times (request start, time to first byte,
// response end, http.time, the handshake's tcp.time_relative, the TLS handshake), whose
// request_num / response_num are the frames with the heads, whose byte counts are HTTP/2's frame
// lengths, and whose retransmission / out-of-order / zero-window counts are the frames tshark
// flags between the request's first segment and that record, per side.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_TSHARK, REPO } from './support.js';
import { recordsOf } from '../helpers/records.js';
import { single, sharded, prng } from '../helpers/shards.js';

const wasm = new WebAssembly.Module(readFileSync(join(REPO, 'build/tracecap.wasm')));
const CORPUS = join(REPO, '../shared/corpus/http');
const CAPTURES = join(REPO, 'test/captures');
const MS = 1_000_000n;

/* eslint-disable @typescript-eslint/no-explicit-any */
function tshark(file: string, args: string[]): string[][] {
  return execFileSync('tshark', ['-r', file, '-n', ...args, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n').filter(Boolean).map((l) => l.split('\t'));
}
/** "1764066881.071223000" → ns. */
function epochNs(s: string): bigint { const [a, b = ''] = s.split('.'); return BigInt(a) * 1_000_000_000n + BigInt(b.padEnd(9, '0').slice(0, 9)); }
/** RFC 3339 (as the core writes it) → ns. */
function rfcNs(s: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(s)!;
  return BigInt(Date.parse(`${m[1]}Z`)) * MS + BigInt((m[2] ?? '').padEnd(9, '0'));
}
const list = (s: string | undefined) => (s ? s.split(/[,\\/]/).filter((x) => x !== '').map(Number) : []);

interface Frame { ns: bigint; stream: number; sport: number; flags: number; rel: bigint }
interface Cap { file: string; frames: Map<number, Frame>; flagged: Record<string, Set<number>>; clientPort: Map<number, number>; decode: string[] }

function capture(file: string): Cap {
  const syns = tshark(file, ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-e', 'tcp.dstport']);
  const decode = [...new Set(syns.map((r) => r[0]))].flatMap((p) => ['-d', `tcp.port==${p},http2`]);
  const frames = new Map<number, Frame>();
  for (const [n, t, s, sp, fl, rel] of tshark(file, ['-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.flags', '-e', 'tcp.time_relative'])) {
    if (s === undefined || s === '') continue;
    frames.set(Number(n), { ns: epochNs(t), stream: Number(s), sport: Number(sp), flags: Number(fl), rel: epochNs(rel) });
  }
  const flagged: Record<string, Set<number>> = {};
  for (const k of ['retransmission', 'out_of_order', 'zero_window']) flagged[k] = new Set(tshark(file, ['-Y', `tcp.analysis.${k}`, '-e', 'frame.number']).map((r) => Number(r[0])));
  const clientPort = new Map<number, number>();
  for (const [n] of tshark(file, ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-e', 'frame.number'])) { const f = frames.get(Number(n))!; if (!clientPort.has(f.stream)) clientPort.set(f.stream, f.sport); }
  return { file, frames, flagged, clientPort, decode };
}

/** Every timing object of the records: [record index, object]. */
function timings(recs: any[]): [number, any][] {
  const out: [number, any][] = [];
  recs.forEach((r, i) => {
    const t = r.timing;
    if (!t) return;
    if (t.start !== undefined) out.push([i, t]);
    for (const m of t.more ?? []) out.push([i, m]);
    for (const s of t.streams ?? []) out.push([i, s]);
  });
  return out;
}

/** Frames tshark flags with tcp.analysis.k in [from, to], sent by the client / the server. */
function counted(cap: Cap, k: string, stream: number, from: number, to: number): { client: number; server: number } {
  const out = { client: 0, server: 0 };
  for (const n of cap.flagged[k]) {
    const f = cap.frames.get(n)!;
    if (n < from || n > to || f.stream !== stream) continue;
    if (f.sport === cap.clientPort.get(stream)) out.client++; else out.server++;
  }
  return out;
}

function checkConnect(cap: Cap, t: any, stream: number, what: string): void {
  if (!t.connect) return;
  const fs = [...cap.frames.entries()].filter(([, f]) => f.stream === stream);
  const synAck = fs.find(([, f]) => (f.flags & 0x12) === 0x12);
  const ack = fs.find(([, f], i) => i > 0 && f.flags === 0x10 && f.sport === cap.clientPort.get(stream));
  expect(rfcNs(t.connect.syn), `${what}: syn`).toBe(fs[0][1].ns);
  if (synAck) expect(BigInt(t.connect.syn_ack_ns), `${what}: syn_ack_ns = tcp.time_relative`).toBe(synAck[1].rel);
  if (ack) expect(BigInt(t.connect.ack_ns), `${what}: ack_ns = tcp.time_relative`).toBe(ack[1].rel);
}

/** HTTP/1: each response tshark reassembles, and each request it sees. Returns the exchanges checked. */
function checkH1(cap: Cap, recs: any[]): number {
  const all = timings(recs);
  const reqs = tshark(cap.file, ['-Y', 'http.request', '-e', 'frame.number', '-e', 'tcp.segment']);
  const firstSeg = new Map<number, number>();
  for (const [n, segs] of reqs) firstSeg.set(Number(n), list(segs)[0] ?? Number(n));
  let checked = 0;
  for (const [fn, time, reqIn, segs] of tshark(cap.file, ['-Y', 'http.response', '-e', 'frame.number', '-e', 'http.time', '-e', 'http.request_in', '-e', 'tcp.segment'])) {
    const F = Number(fn), R = Number(reqIn);
    const resSegs = segs ? list(segs) : [F];
    const what = `${cap.file} response frame ${F}`;
    const here = all.filter(([i, t]) => i === F - 1 && t.tls_ns === undefined && resSegs.includes(t.response_num + 1));
    expect(here.length, what).toBe(1);
    const t = here[0][1];
    const start = rfcNs(t.start);
    expect(start, `${what}: start = the request's first segment`).toBe(cap.frames.get(firstSeg.get(R)!)!.ns);
    expect(start + BigInt(t.response_end_ns), `${what}: response end`).toBe(cap.frames.get(F)!.ns);
    expect(start + BigInt(t.response_start_ns), `${what}: response start = its first segment`).toBe(cap.frames.get(resSegs[0])!.ns);
    expect(BigInt(t.response_end_ns - t.request_end_ns), `${what}: http.time`).toBe(epochNs(time));
    const stream = cap.frames.get(F)!.stream;
    for (const [k, key] of [['retransmission', 'retransmissions'], ['out_of_order', 'out_of_order'], ['zero_window', 'zero_windows']])
      expect(t[key], `${what}: ${key}`).toEqual(counted(cap, k, stream, firstSeg.get(R)!, F));
    checkConnect(cap, t, stream, what);
    checked++;
  }
  // Every request tshark sees is timed somewhere (a response's end, or the reset that cut it).
  for (const [n, segs] of reqs) {
    const frames = segs ? list(segs) : [Number(n)];
    expect(all.some(([, t]) => frames.includes(t.request_num + 1)), `${cap.file}: request frame ${n} timed`).toBe(true);
  }
  return checked;
}

/** HTTP/2: each stream whose response ends (END_STREAM) or is reset. Returns the streams checked. */
function checkH2(cap: Cap, recs: any[]): number {
  const all = timings(recs);
  type S = { req?: number; res?: number; end?: number; rst?: boolean; bytes: { request: number; response: number }; stream: number };
  const streams = new Map<string, S>();
  for (const [fn, sid, type, flags, len] of tshark(cap.file, [...cap.decode, '-Y', 'http2', '-e', 'frame.number', '-e', 'http2.streamid', '-e', 'http2.type', '-e', 'http2.flags', '-e', 'http2.length'])) {
    const F = Number(fn), f = cap.frames.get(F)!;
    const client = f.sport === cap.clientPort.get(f.stream);
    const ids = list(sid), types = list(type), fls = list(flags), lens = list(len);
    ids.forEach((id, j) => {
      if (id === 0) return;
      const key = `${f.stream}/${id}`;
      const s = streams.get(key) ?? { bytes: { request: 0, response: 0 }, stream: f.stream };
      streams.set(key, s);
      const ty = types[j], fl = fls[j];
      if (s.end !== undefined) return;
      if (ty === 0 || ty === 1 || ty === 9) s.bytes[client ? 'request' : 'response'] += lens[j];
      if (ty === 1 && client && s.req === undefined) s.req = F;
      if (ty === 1 && !client && s.res === undefined) s.res = F;
      if ((ty === 0 || ty === 1) && !client && (fl & 1)) s.end = F;
      if (ty === 3) { s.end = F; s.rst = true; }
    });
  }
  let checked = 0;
  for (const [key, s] of streams) {
    if (s.req === undefined || s.end === undefined) continue;
    const id = Number(key.split('/')[1]);
    const what = `${cap.file} stream ${key}, ending in frame ${s.end}`;
    const here = all.filter(([i, t]) => i === s.end! - 1 && t.stream === id);
    expect(here.length, what).toBe(1);
    const t = here[0][1];
    const start = rfcNs(t.start);
    expect(start, `${what}: start = the request's HEADERS`).toBe(cap.frames.get(s.req)!.ns);
    expect(t.request_num, what).toBe(s.req - 1);
    if (s.res !== undefined) {
      expect(t.response_num, what).toBe(s.res - 1);
      expect(start + BigInt(t.response_start_ns), `${what}: response start`).toBe(cap.frames.get(s.res)!.ns);
    }
    if (s.rst) expect(t.reset, what).toBe('stream');
    else {
      expect(start + BigInt(t.response_end_ns), `${what}: response end`).toBe(cap.frames.get(s.end)!.ns);
      expect(t.bytes, `${what}: frame bytes`).toEqual(s.bytes);
    }
    for (const [k, k2] of [['retransmission', 'retransmissions'], ['out_of_order', 'out_of_order'], ['zero_window', 'zero_windows']])
      expect(t[k2], `${what}: ${k2}`).toEqual(counted(cap, k, s.stream, s.req, s.end));
    checkConnect(cap, t, s.stream, what);
    checked++;
  }
  return checked;
}

const hasFile = (f: string) => existsSync(f);

describe.skipIf(!HAS_TSHARK)('exchange timing against tshark', () => {
  const corpus: [string, string, typeof checkH1][] = [
    ['h1-keepalive-lo.pcap', 'HTTP/1 exchanges', checkH1], ['h1-keepalive-mtu1500.pcap', 'HTTP/1 exchanges', checkH1],
    ['h1-keepalive-mtu1500.pcapng', 'HTTP/1 exchanges', checkH1], ['h2c-mtu1500.pcap', 'HTTP/2 streams', checkH2], ['h2c-any-sll2.pcap', 'HTTP/2 streams', checkH2],
  ];
  for (const [name, what, check] of corpus) {
    it.skipIf(!hasFile(join(CORPUS, name)))(`corpus ${name}: ${what}`, async () => {
      const file = join(CORPUS, name);
      const recs = await recordsOf(wasm, new Uint8Array(readFileSync(file)), 'debug');
      const n = check(capture(file), recs);
      console.log(`[timing] ${name}: ${n} ${what} checked against tshark`);
      expect(n).toBeGreaterThan(5);
    }, 120_000);
  }
  it.skipIf(!hasFile(join(CORPUS, 'h1-resets-mtu1500.pcap')))('corpus h1-resets-mtu1500.pcap: every request cut by a reset is timed on the RST', async () => {
    const file = join(CORPUS, 'h1-resets-mtu1500.pcap');
    const recs = await recordsOf(wasm, new Uint8Array(readFileSync(file)), 'debug');
    const cap = capture(file);
    // tshark reassembles none of the cut responses; checkH1 still checks that every request is timed.
    expect(checkH1(cap, recs)).toBe(0);
    const rsts = [...cap.frames.entries()].filter(([, f]) => f.flags & 4).map(([n]) => n - 1);
    const cut = timings(recs).filter(([, t]) => t.reset !== undefined);
    expect(cut.length).toBe(tshark(file, ['-Y', 'http.request', '-e', 'frame.number']).length);
    for (const [i, t] of cut) {
      expect(rsts).toContain(i);
      expect(t.reset).toBe(cap.frames.get(i + 1)!.sport === cap.clientPort.get(cap.frames.get(i + 1)!.stream) ? 'client' : 'server');
    }
  }, 120_000);
  it.skipIf(!hasFile(join(CORPUS, 'tls-sni.pcap')))('corpus tls-sni.pcap: TLS handshakes (ClientHello to the client\'s first application data)', async () => {
    const file = join(CORPUS, 'tls-sni.pcap');
    const recs = await recordsOf(wasm, new Uint8Array(readFileSync(file)), 'debug');
    const cap = capture(file);
    const port = tshark(file, ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-e', 'tcp.dstport'])[0][0];
    const d = ['-d', `tcp.port==${port},tls`];
    const hello = new Map<number, number>();
    for (const [n, s] of tshark(file, [...d, '-Y', 'tls.handshake.type==1', '-e', 'frame.number', '-e', 'tcp.stream'])) if (!hello.has(Number(s))) hello.set(Number(s), Number(n));
    const app = new Map<number, number>();
    for (const [n, s, sp] of tshark(file, [...d, '-Y', 'tls.record.content_type==23 || tls.record.opaque_type==23', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.srcport']))
      if (Number(sp) === cap.clientPort.get(Number(s)) && !app.has(Number(s))) app.set(Number(s), Number(n));
    let n = 0;
    for (const [s, h] of hello) {
      const a = app.get(s);
      if (a === undefined) continue;
      const t = recs[a - 1].timing;
      expect(rfcNs(t.start), `stream ${s}`).toBe(cap.frames.get(h)!.ns);
      expect(BigInt(t.tls_ns), `stream ${s}: tls_ns`).toBe(cap.frames.get(a)!.ns - cap.frames.get(h)!.ns);
      checkConnect(cap, t, s, `tls stream ${s}`);
      n++;
    }
    console.log(`[timing] tls-sni.pcap: ${n} TLS handshakes checked against tshark`);
    expect(n).toBeGreaterThan(0);
  }, 120_000);

  it('timing-h1-delay.pcap: a server that waits 100 ms before answering', async () => {
    const file = join(CAPTURES, 'timing-h1-delay.pcap');
    const recs = await recordsOf(wasm, new Uint8Array(readFileSync(file)), 'debug');
    expect(checkH1(capture(file), recs)).toBe(3);
    const ts = timings(recs).map(([, t]) => t);
    expect(ts.length).toBe(3);
    // Time to first byte: the request's last byte, then the server's 100 ms wait.
    for (const t of ts) expect(t.response_start_ns - t.request_end_ns).toBeGreaterThanOrEqual(100_000_000);
    for (const t of ts) expect(t.response_start_ns - t.request_end_ns).toBeLessThan(200_000_000);
    expect(ts.map((t) => t.bytes.response - t.bytes.response % 1000)).toEqual([5000, 5000, 5000]);
    expect(ts[0].connect).toBeDefined();
  });

  it('timing-h2-delay.pcap: 4 streams answered 100 ms after their request, one cancelled', async () => {
    const file = join(CAPTURES, 'timing-h2-delay.pcap');
    const recs = await recordsOf(wasm, new Uint8Array(readFileSync(file)), 'debug');
    expect(checkH2(capture(file), recs)).toBe(5);
    const ts = timings(recs).map(([, t]) => t);
    const answered = ts.filter((t) => t.reset === undefined);
    expect(answered.map((t) => t.stream).sort((a, b) => a - b)).toEqual([1, 3, 5, 7]);
    for (const t of answered) expect(t.response_start_ns - t.request_end_ns).toBeGreaterThanOrEqual(100_000_000);
    const cancelled = ts.filter((t) => t.reset === 'stream');
    expect(cancelled.map((t) => [t.stream, t.reset_code])).toEqual([[9, 'CANCEL']]);
  });

  it('timing-h1-loss.pcap: segments dropped on delivery and sent again', async () => {
    const file = join(CAPTURES, 'timing-h1-loss.pcap');
    const recs = await recordsOf(wasm, new Uint8Array(readFileSync(file)), 'debug');
    const cap = capture(file);
    expect(cap.flagged.retransmission.size).toBeGreaterThan(0);
    expect(checkH1(cap, recs)).toBe(1);
    const [[i, t]] = timings(recs);
    // checkH1 compared the counts with tshark's flags up to this record; the drop made them.
    expect(t.retransmissions.server).toBeGreaterThan(0);
    expect(counted(cap, 'retransmission', 0, 1, i + 1).server).toBe(t.retransmissions.server);
    expect(t.bytes.response).toBeGreaterThan(60000);
  });

  it('records are byte-identical across thread counts and chunkings on HTTP/2 captures (timing.streams, request_num)', () => {
    for (const f of [join(CAPTURES, 'timing-h2-delay.pcap'), join(CAPTURES, 'h2-many.pcap'), join(CORPUS, 'h2c-mtu1500.pcap')].filter(hasFile)) {
      const cap = new Uint8Array(readFileSync(f));
      const one = single(wasm, cap, { verbosity: 'debug' });
      expect(new TextDecoder().decode(one.bytes)).toContain('"streams":[');
      for (const seed of [1, 2]) {
        expect(single(wasm, cap, { verbosity: 'debug' }, prng(seed)).bytes).toEqual(one.bytes);
        for (const n of [2, 3]) expect(sharded(wasm, cap, { verbosity: 'debug' }, n, prng(seed)).bytes, `${f} ${n} threads`).toEqual(one.bytes);
      }
    }
  }, 300_000);
});
