// bench/decode-check.js: the rules on records (DecodeChecker, fed made-up records), and the
// whole pass (checkDecode, the core from dist/: `npm run build` first) on captures from
// bench/gen.js: one complete, one missing a packet that the rest of its HTTP/2 connection's
// header blocks refer to, and ground truths that do not match.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeChecker, checkDecode, formatDecodeCheck } from '../../bench/decode-check.js';
import { generate, readTruth, truthPath, KIND } from '../../bench/gen.js';

// ---- made-up records, shaped as the core writes them ---------------------------------------------
const CLIENT = { L3: { src: '10.0.0.1' }, L4: { src: 40000 } }, SERVER = { L3: { src: '10.100.0.1' }, L4: { src: 8080 } };
type Frame = { raw: string; flags: { dec: string }; kind?: string; headers?: Record<string, string[]>; unknown_headers?: number };
const frame = (type: string, flags: number, extra: Partial<Frame> = {}): Frame => ({ raw: `${type} flags=${flags} len=1`, flags: { dec: String(flags) }, ...extra });
const h2 = (packet: number, side: typeof CLIENT, stream: number, ...frames: Frame[]) =>
  ({ HTTP: { proto: 'h2c', streams: { [stream]: { id: stream, frames } } }, ...side, flow: '77', pcap: { num: String(packet) } });
const h1 = (packet: number, kind: string) => ({ HTTP: { proto: 'HTTP/1.1', kind }, ...CLIENT, flow: '78', pcap: { num: String(packet) } });
const REQ = { kind: 'request', headers: { ':method': ['GET'], ':path': ['/'] } };
const RES = { kind: 'response', headers: { ':status': ['200'] } };
const TRAILERS = { kind: 'trailers', headers: { 'grpc-status': ['0'] } };

function run(records: object[], opts: { truth?: { entries: Uint32Array } | null; examples?: number; packets?: number; error?: string | null } = {}) {
  const c = new DecodeChecker({ truth: opts.truth ?? null, examples: opts.examples ?? 5 });
  for (const r of records) c.record(r);
  return c.finish(opts.packets ?? 100, opts.error ?? null);
}

describe('DecodeChecker rules', () => {
  it('a request, its response and trailers after it: complete', () => {
    const r = run([h2(1, CLIENT, 1, frame('HEADERS', 5, REQ)), h2(2, SERVER, 1, frame('HEADERS', 4, RES), frame('DATA', 0)),
      h2(3, SERVER, 1, frame('HEADERS', 5, TRAILERS)), h1(4, 'request'), h1(5, 'response')]);
    expect(r.complete).toBe(true);
    expect(r.h2).toEqual({ blocks: 3, requests: 1, responses: 1, trailers: 1, notDecoded: 0, unknownHeaders: 0 });
    expect(r.h1).toEqual({ requests: 1, responses: 1 });
    expect(r.examples).toEqual([]);
  });
  it('the core out of HPACK tables: trailers with no headers before any response are not decoded', () => {
    const empty = { kind: 'trailers', headers: {} };
    const r = run([h2(10, CLIENT, 1, frame('HEADERS', 5, empty)), h2(11, SERVER, 1, frame('HEADERS', 4, empty), frame('DATA', 1))]);
    expect(r.complete).toBe(false);
    expect(r.h2).toMatchObject({ blocks: 2, requests: 0, responses: 0, notDecoded: 2 });
    expect(r.examples.map((e: { packet: number }) => e.packet)).toEqual([10, 11]);
    expect(r.examples[0].what).toMatch(/kind trailers, headers \{\} \(trailers before any response on the stream\)/);
  });
  it('trailers from the client, or after the response ended, or on another connection, are not decoded', () => {
    const other = { ...h2(4, SERVER, 1, frame('HEADERS', 5, TRAILERS)), flow: '99' };
    const r = run([h2(1, CLIENT, 1, frame('HEADERS', 5, REQ)), h2(2, SERVER, 1, frame('HEADERS', 4, RES)),
      h2(3, CLIENT, 1, frame('HEADERS', 5, TRAILERS)), other,
      h2(5, SERVER, 1, frame('DATA', 1)), h2(6, SERVER, 1, frame('HEADERS', 5, TRAILERS))]);
    expect(r.h2).toMatchObject({ blocks: 5, trailers: 0, notDecoded: 3 });
    expect(r.examples.map((e: { packet: number }) => e.packet)).toEqual([3, 4, 6]);
  });
  it('a request without :method, a response without :status, a block without a kind: not decoded', () => {
    const r = run([h2(1, CLIENT, 1, frame('HEADERS', 5, { kind: 'request', headers: { ':path': ['/'] } })),
      h2(2, SERVER, 1, frame('HEADERS', 4, { kind: 'response', headers: {} })), h2(3, SERVER, 3, frame('HEADERS', 4))]);
    expect(r.h2).toMatchObject({ blocks: 3, notDecoded: 3 });
  });
  it('a header block ends at END_HEADERS: HEADERS then CONTINUATION is one block', () => {
    const r = run([h2(1, CLIENT, 1, frame('HEADERS', 1)), h2(2, CLIENT, 1, frame('CONTINUATION', 4, REQ))]);
    expect(r.complete).toBe(true);
    expect(r.h2).toMatchObject({ blocks: 1, requests: 1 });
  });
  it('unknown_headers: a block with fields the decoder could not resolve is not decoded, on any frame a fault', () => {
    const r = run([h2(7, CLIENT, 1, frame('HEADERS', 5, { ...REQ, unknown_headers: 2 })), h2(8, CLIENT, 1, frame('HEADERS', 0, { unknown_headers: 1 }))]);
    expect(r.complete).toBe(false);
    expect(r.h2).toMatchObject({ blocks: 1, requests: 0, notDecoded: 1, unknownHeaders: 2 });
    expect(r.examples).toEqual([{ packet: 7, what: 'stream 1: HEADERS flags=5 len=1: kind request, unknown_headers 2' },
      { packet: 8, what: 'stream 1: HEADERS flags=0 len=1: unknown_headers 1' }]);
  });
  it('a capture error is a fault', () => {
    const r = run([], { error: 'truncated', packets: 3 });
    expect(r.complete).toBe(false);
    expect(r.examples).toEqual([{ packet: 3, what: 'capture error: truncated' }]);
  });
  it('with a ground truth, every head written needs its object on its packet; examples are the first few', () => {
    const truth = { entries: Uint32Array.from([[1, KIND.H1_REQUEST], [2, KIND.H1_RESPONSE], [3, KIND.H2_REQUEST], [4, KIND.H2_RESPONSE], [9, KIND.H1_REQUEST], [12, KIND.H1_RESPONSE]].map(([p, k]) => p! * 4 + k!)) };
    const r = run([h1(1, 'request'), h1(2, 'request'), h2(3, CLIENT, 1, frame('HEADERS', 5, REQ)), h2(4, SERVER, 1, frame('HEADERS', 4, { kind: 'trailers', headers: {} })),
      h1(12, 'response')], { truth, examples: 2 });
    expect(r.complete).toBe(false);
    expect(r.truth).toEqual({ expected: [2, 2, 1, 1], missing: [1, 1, 0, 1] });
    expect(r.h2.notDecoded).toBe(1);
    // Packet 4 is shown once (as not decoded), then packet 2's missing response; 9 is cut off.
    expect(r.examples.map((e: { packet: number }) => e.packet)).toEqual([2, 4]);
    expect(formatDecodeCheck({ file: 'x.pcap', seconds: 0.1, ...r })).toMatch(/^x\.pcap \(100 packets, checked in 0\.1 s\): \*\*NOT fully decoded\*\*\. .*without their decoded object: 1 HTTP\/1 requests, 1 HTTP\/1 responses, 1 HTTP\/2 responses\.\n {2}- packet #2: HTTP\/1 response written/);
  });
});

// ---- the whole pass on generated captures ------------------------------------------------------------
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tracecap-decode-check-')); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** A copy of a classic pcap without its record number `drop` (0-based). */
function withoutPacket(src: string, dst: string, drop: number) {
  const b = readFileSync(src), parts = [b.subarray(0, 24)];
  for (let off = 24, k = 0; off < b.length; k++) {
    const len = 16 + b.readUInt32LE(off + 8);
    if (k !== drop) parts.push(b.subarray(off, off + len));
    off += len;
  }
  writeFileSync(dst, Buffer.concat(parts));
}

describe('checkDecode on bench/gen.js captures', () => {
  it('a small generated capture decodes completely, every head the generator wrote', async () => {
    const file = join(dir, 'small.pcap');
    const g = generate('http', file, 1_500_000, { truth: truthPath(file) });
    const r = await checkDecode(file, { truth: readTruth(truthPath(file)) });
    expect(formatDecodeCheck(r)).toMatch(/: complete\. /);
    expect(r.complete).toBe(true);
    expect(r.packets).toBe(g.packets);
    const m = g.messages;
    expect(r.truth).toEqual({ expected: [m.h1Requests, m.h1Responses, m.h2Requests, m.h2Responses], missing: [0, 0, 0, 0] });
    expect(r.h1).toEqual({ requests: m.h1Requests, responses: m.h1Responses });
    expect(r.h2).toEqual({ blocks: m.h2Requests + m.h2Responses, requests: m.h2Requests, responses: m.h2Responses, trailers: 0, notDecoded: 0, unknownHeaders: 0 });
    // Without the truth, the same counts and the same verdict.
    const plain = await checkDecode(file);
    expect([plain.complete, plain.truth, plain.h1, plain.h2]).toEqual([true, null, r.h1, r.h2]);
  });

  it('a lost packet with an HTTP/2 header block: later blocks refer to entries never seen, and it says so', async () => {
    const file = join(dir, 'lost.pcap'), lost = join(dir, 'lost-1.pcap');
    let first = -1;
    generate('http', file, 600_000, { onMessage: (m: { packet: number; kind: string }) => { if (first < 0 && m.kind === 'h2 request') first = m.packet; } });
    expect(first).toBeGreaterThan(0);
    withoutPacket(file, lost, first);
    const r = await checkDecode(lost);
    expect(r.complete).toBe(false);
    expect(r.h2.unknownHeaders).toBeGreaterThan(0);
    expect(r.examples[0].what).toMatch(/unknown_headers [1-9]/);
  });

  it('a ground truth that claims more than the capture holds: the heads are missing', async () => {
    const file = join(dir, 'claims.pcap');
    generate('http', file, 300_000, { truth: truthPath(file) });
    const t = readTruth(truthPath(file))!;
    // A request on the first packet (a SYN) and one past the end.
    const truth = { ...t, entries: Uint32Array.from([0 * 4 + KIND.H1_REQUEST, ...t.entries, (t.packets + 5) * 4 + KIND.H2_REQUEST]) };
    const r = await checkDecode(file, { truth });
    expect(r.complete).toBe(false);
    expect(r.truth!.missing).toEqual([1, 0, 1, 0]);
    expect(r.examples.map((e: { packet: number }) => e.packet)).toEqual([0, t.packets + 5]);
  });
});
