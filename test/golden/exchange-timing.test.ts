// Exchange timing (issue 24): the `timing` object on the record where an HTTP/1 exchange ends
// (or where a reset cuts it), and on the record where a TLS handshake completes, from capture
// timestamps built to known values; retransmissions, out-of-order segments and zero windows
// counted as tshark's tcp.analysis flags count them on the same capture; byte-identical across
// thread counts and chunkings.
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as B from '../helpers/build.js';
import { Conversation } from '../helpers/conversation.js';
import { recordsOf } from '../helpers/records.js';
import { single, sharded, prng } from '../helpers/shards.js';
import { isKnownField } from '../../runtimes/browser/app/fields.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const seenPaths = new Set<string>();
const records = (cap: Uint8Array) => recordsOf(wasm, cap, 'debug', seenPaths);

function tshark(cap: Uint8Array, args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-timing-'));
  try {
    writeFileSync(join(dir, 'c.pcap'), cap);
    return execFileSync('tshark', ['-r', join(dir, 'c.pcap'), '-n', ...args], { encoding: 'utf8' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Frame numbers (0-based) tshark flags with each tcp.analysis field. */
function tsharkFlags(cap: Uint8Array, field: string): number[] {
  return tshark(cap, ['-Y', field, '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).map((n) => Number(n) - 1);
}

const MS = 1_000_000;
const REQ = 'GET /slow HTTP/1.1\r\nHost: a\r\n';
const REQ_REST = 'Accept: */*\r\n\r\n';

/** One connection: a split request, a zero window from the server, a response 100 ms later in three segments, the second retransmitted. */
function slowExchange(): { p: B.PcapPacket[]; last: number; resFirst: number; resHead: string } {
  const p: B.PcapPacket[] = [];
  const c = new Conversation(p);
  c.handshake(100);                       // SYN 100.000, SYN/ACK 100.001, ACK 100.002
  c.send(REQ, 100.010);
  c.send(REQ_REST, 100.012);
  c.serverZeroWindow(100.013);
  const resHead = 'HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n';
  const resFirst = c.reply(resHead + '0123456789', 100.112);
  const seq2 = c.s.seq;
  c.reply('abcdefghij', 100.113);
  c.clientAck(100.114);
  c.replyAt('abcdefghij', seq2, 100.300);  // retransmitted (well past the 2 ms first round trip)
  const last = c.reply('ABCDEFGHIJ', 100.301);
  c.clientAck(100.302);
  return { p, last, resFirst, resHead };
}

describe('exchange timing', () => {
  it('an HTTP/1 exchange: handshake, request, time to first byte, last byte, bytes, a retransmission and a zero window', async () => {
    const { p, last, resFirst, resHead } = slowExchange();
    const cap = B.pcap(p, { nano: true });
    const recs = await records(cap);
    const timed = recs.map((r, i) => (r.timing ? i : -1)).filter((i) => i >= 0);
    expect(timed).toEqual([last]);
    expect(recs[resFirst].HTTP.code).toBe(200);
    expect(recs[last].timing).toEqual({
      bytes: { request: REQ.length + REQ_REST.length, response: resHead.length + 30 },
      connect: { ack_ns: 2 * MS, syn: '1970-01-01T00:01:40Z', syn_ack_ns: 1 * MS },
      out_of_order: { client: 0, server: 0 },
      request_end_ns: 2 * MS,
      response_end_ns: 291 * MS,
      response_start_ns: 102 * MS,
      retransmissions: { client: 0, server: 1 },
      start: '1970-01-01T00:01:40.01Z',
      zero_windows: { client: 0, server: 1 },
    });
    // tshark flags the same segments.
    expect(tsharkFlags(cap, 'tcp.analysis.retransmission')).toEqual([9]);
    expect(tsharkFlags(cap, 'tcp.analysis.zero_window')).toEqual([5]);
    expect(tsharkFlags(cap, 'tcp.analysis.out_of_order')).toEqual([]);
    // http.time: tshark reassembles the response, so it runs from the request's last segment to the response's last.
    const httpTime = tshark(cap, ['-Y', 'http.response', '-T', 'fields', '-e', 'http.time']).trim();
    expect(Math.round(Number(httpTime) * 1e9)).toBe(recs[last].timing.response_end_ns - recs[last].timing.request_end_ns);
  });

  it('a segment out of order is counted apart from retransmissions, as tshark does', async () => {
    const p: B.PcapPacket[] = [];
    const c = new Conversation(p);
    c.handshake(200);
    c.send('GET /o HTTP/1.1\r\nHost: a\r\n\r\n', 200.010);
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789', 200.020);
    const b = c.s.seq;
    c.replyAt('ABCDEFGHIJ', b + 10, 200.0205);   // C before B
    c.replyAt('abcdefghij', b, 200.0208);        // B, 0.3 ms later: out of order
    c.s.seq = b + 20;
    const last = c.reply('KLMNOPQRST', 200.0209); // D completes the response
    const cap = B.pcap(p, { nano: true });
    const recs = await records(cap);
    expect(recs[last].timing.out_of_order).toEqual({ client: 0, server: 1 });
    expect(recs[last].timing.retransmissions).toEqual({ client: 0, server: 0 });
    expect(recs[last].timing.response_end_ns).toBe(10.9 * MS);
    expect(tsharkFlags(cap, 'tcp.analysis.out_of_order')).toEqual([6]);
    expect(tsharkFlags(cap, 'tcp.analysis.retransmission')).toEqual([]);
  });

  it('a reset from the server before any response: the RST record shows the exchange so far and who reset', async () => {
    const p: B.PcapPacket[] = [];
    const c = new Conversation(p);
    c.handshake(300);
    c.send('GET /r HTTP/1.1\r\nHost: a\r\n\r\n', 300.010);
    const rst = c.serverRst(300.060);
    const recs = await records(B.pcap(p, { nano: true }));
    expect(recs.filter((r) => r.timing).length).toBe(1);
    const t = recs[rst].timing;
    expect(t.reset).toBe('server');
    expect(t.request_end_ns).toBe(0);
    expect(t.response_start_ns).toBeUndefined();
    expect(t.response_end_ns).toBeUndefined();
    expect(t.bytes).toEqual({ request: 'GET /r HTTP/1.1\r\nHost: a\r\n\r\n'.length });
  });

  it('keep-alive: the second exchange has no connect; a response framed by the close ends at the FIN', async () => {
    const p: B.PcapPacket[] = [];
    const c = new Conversation(p);
    c.handshake(400);
    c.send('GET /1 HTTP/1.1\r\nHost: a\r\n\r\n', 400.010);
    const r1 = c.reply('HTTP/1.1 204 No Content\r\n\r\n', 400.020);
    c.send('GET /2 HTTP/1.1\r\nHost: a\r\n\r\n', 400.030);
    c.reply('HTTP/1.1 200 OK\r\n\r\nuntil close', 400.045);
    const fin = c.serverFin(400.050);
    const recs = await records(B.pcap(p, { nano: true }));
    expect(recs[r1].timing.connect.syn).toBe('1970-01-01T00:06:40Z');
    expect(recs[r1].timing.response_end_ns).toBe(10 * MS);
    expect(recs[fin].timing.connect).toBeUndefined();
    expect(recs[fin].timing.response_start_ns).toBe(15 * MS);
    expect(recs[fin].timing.response_end_ns).toBe(20 * MS);
    expect(recs[fin].timing.bytes.response).toBe('HTTP/1.1 200 OK\r\n\r\nuntil close'.length);
  });

  it('is byte-identical across thread counts and chunkings', () => {
    const { p } = slowExchange();
    const cap = B.pcap(p, { nano: true });
    const one = single(wasm, cap, { verbosity: 'debug' });
    expect(new TextDecoder().decode(one.bytes)).toContain('"timing":');
    for (const seed of [1, 2, 3]) {
      expect(single(wasm, cap, { verbosity: 'debug' }, prng(seed)).bytes).toEqual(one.bytes);
      for (const n of [2, 3, 8]) expect(sharded(wasm, cap, { verbosity: 'debug' }, n, prng(seed)).bytes).toEqual(one.bytes);
    }
  });

  it('the app knows every path written here', () => {
    const unknown = [...seenPaths].filter((p) => !isKnownField(p));
    expect(unknown).toEqual([]);
  });
});
