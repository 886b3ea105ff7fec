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
import * as H2 from '../helpers/h2.js';
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
function slowExchange(): { p: B.PcapPacket[]; last: number; resFirst: number; resHead: string; reqHead: number } {
  const p: B.PcapPacket[] = [];
  const c = new Conversation(p);
  c.handshake(100);                       // SYN 100.000, SYN/ACK 100.001, ACK 100.002
  c.send(REQ, 100.010);
  const reqHead = c.send(REQ_REST, 100.012);
  c.serverZeroWindow(100.013);
  const resHead = 'HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n';
  const resFirst = c.reply(resHead + '0123456789', 100.112);
  const seq2 = c.s.seq;
  c.reply('abcdefghij', 100.113);
  c.clientAck(100.114);
  c.replyAt('abcdefghij', seq2, 100.300);  // retransmitted (well past the 2 ms first round trip)
  const last = c.reply('ABCDEFGHIJ', 100.301);
  c.clientAck(100.302);
  return { p, last, resFirst, resHead, reqHead };
}

describe('exchange timing', () => {
  it('an HTTP/1 exchange: handshake, request, time to first byte, last byte, bytes, a retransmission and a zero window', async () => {
    const { p, last, resFirst, resHead, reqHead } = slowExchange();
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
      // The records with the request's head (its second segment completes it) and the response's.
      request_num: reqHead,
      response_end_ns: 291 * MS,
      response_num: resFirst,
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

  it("Wireshark's rules: a clock at the epoch, the last SYN's round trip, keep-alive, zero-window probe, spurious and FIN retransmissions", async () => {
    const p: B.PcapPacket[] = [];
    const c = new Conversation(p);
    const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;
    // The first SYN at the epoch (time 0 must still be a time), sent again 1 s later: the first
    // round trip runs from the last SYN (2 ms), as Wireshark's ts_mru_syn.
    c.segment('c', 'SYN', '', 0, 1000);
    c.segment('c', 'SYN', '', 1.000, 1000);                       // 1: retransmitted SYN
    c.c.seq = 1001;
    c.segment('s', 'SYN|ACK', '', 1.001, 5000); c.s.seq = 5001;
    c.clientAck(1.002);
    // 1: a keep-alive, a zero window, a zero-window probe, the segment after the probe.
    c.send(GET('/a'), 1.010);
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789', 1.020);
    const keepAlive = c.segment('c', 'ACK', 'x', 1.021, c.c.seq - 1);
    const zw = c.clientZeroWindow(1.022);
    const probe = c.segment('s', 'PSH|ACK', 'a', 1.030, c.s.seq);
    c.clientAck(1.035);
    const end1 = c.segment('s', 'PSH|ACK', 'abcdefghij', 1.040, c.s.seq); c.s.seq += 10;
    c.clientAck(1.041);
    // 2: a segment behind the highest, 5 ms after it: past the 2 ms round trip, a retransmission.
    c.send(GET('/b'), 1.100);
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n', 1.110);
    const x = c.s.seq;
    c.segment('s', 'PSH|ACK', 'KLMNOPQRST', 1.111, x + 10);
    const late = c.segment('s', 'PSH|ACK', 'ABCDEFGHIJ', 1.116, x);
    const end2 = c.segment('s', 'PSH|ACK', 'UVWXYZ0123', 1.117, x + 20); c.s.seq = x + 30;
    c.clientAck(1.118);
    // 3: data the client had acknowledged, resent 0.1 ms after the highest: spurious, a retransmission (not out of order).
    c.send(GET('/c'), 1.200);
    const y = c.s.seq;
    const head3 = 'HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789';
    c.reply(head3, 1.210);
    c.reply('abcde', 1.2101);
    c.clientAck(1.2102);
    const spurious = c.segment('s', 'PSH|ACK', head3, 1.2103, y);
    const end3 = c.reply('fghij', 1.2104);
    c.clientAck(1.2105);
    // 4: the server closes without answering and sends its FIN again; the client resets.
    const req4 = c.send(GET('/d'), 1.300);
    c.serverFin(1.310);
    const finAgain = c.segment('s', 'FIN|ACK', '', 1.600, c.s.seq - 1);
    const rst = c.clientRst(1.700);
    const cap = B.pcap(p, { nano: true });
    const recs = await records(cap);
    // tshark flags these frames.
    expect(tsharkFlags(cap, 'tcp.analysis.retransmission')).toEqual([1, late, spurious, finAgain]);
    expect(tsharkFlags(cap, 'tcp.analysis.spurious_retransmission')).toEqual([spurious]);
    expect(tsharkFlags(cap, 'tcp.analysis.out_of_order')).toEqual([]);
    expect(tsharkFlags(cap, 'tcp.analysis.keep_alive')).toEqual([keepAlive]);
    expect(tsharkFlags(cap, 'tcp.analysis.zero_window')).toEqual([zw]);
    expect(tsharkFlags(cap, 'tcp.analysis.zero_window_probe')).toEqual([probe]);
    expect(tshark(cap, ['-Y', 'tcp.analysis.initial_rtt', '-T', 'fields', '-e', 'tcp.analysis.initial_rtt']).split('\n')[0]).toBe('0.002000000');
    const t1 = recs[end1].timing, t2 = recs[end2].timing, t3 = recs[end3].timing, t4 = recs[rst].timing;
    expect(t1.connect).toEqual({ ack_ns: 1002 * MS, syn: '1970-01-01T00:00:00Z', syn_ack_ns: 1001 * MS });
    expect([t1.retransmissions, t1.out_of_order, t1.zero_windows]).toEqual([{ client: 0, server: 0 }, { client: 0, server: 0 }, { client: 1, server: 0 }]);
    expect([t2.retransmissions, t2.out_of_order]).toEqual([{ client: 0, server: 1 }, { client: 0, server: 0 }]);
    expect([t3.retransmissions, t3.out_of_order]).toEqual([{ client: 0, server: 1 }, { client: 0, server: 0 }]);
    expect(t4).toMatchObject({ reset: 'client', retransmissions: { client: 0, server: 1 }, request_num: req4 });
    expect(t4.response_num).toBeUndefined();
    expect(recs.filter((r) => r.timing).length).toBe(4);
  });

  it('pipelined responses ending in one segment: the first at top level, the others in `more`, those beyond MAX_TIMINGS counted', async () => {
    for (const n of [3, 70]) {
      const p: B.PcapPacket[] = [];
      const c = new Conversation(p);
      c.handshake(500);
      const reqs = Array.from({ length: n }, (_, i) => `GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`).join('');
      const req = c.send(reqs, 500.010);
      const res = c.reply(Array.from({ length: n }, () => 'HTTP/1.1 204 No Content\r\n\r\n').join(''), 500.020);
      const recs = await records(B.pcap(p, { nano: true }));
      const t = recs[res].timing;
      expect(t.request_num).toBe(req);
      expect(t.response_num).toBe(res);
      expect(t.connect).toBeDefined();
      const more = t.more as any[];
      expect(more.length).toBe(Math.min(n, 64) - 1);
      for (const m of more) {
        expect(m).toMatchObject({ request_num: req, response_num: res, response_end_ns: 10 * MS, response_start_ns: 10 * MS, bytes: { response: 27 } });
        expect(m.connect).toBeUndefined();
      }
      if (n > 64) expect(t.more_not_timed).toBe(n - 64); else expect(t.more_not_timed).toBeUndefined();
    }
  });

  it('HTTP/2: each stream timed where it ends (END_STREAM, RST_STREAM with its code, the server\'s FIN), frame bytes per stream', async () => {
    const p: B.PcapPacket[] = [];
    const c = new Conversation(p);
    c.handshake(600);
    c.send(B.bytes(H2.PREFACE, H2.settings()), 600.003);
    c.reply(B.bytes(H2.settings(), H2.settings(true)), 600.004);
    const req = new H2.Hpack(), res = new H2.Hpack();
    const END = H2.F.END_HEADERS | H2.F.END_STREAM;
    const hdr = (id: number) => H2.frame(H2.T.HEADERS, END, id, req.encode(H2.requestFields(`/s${id}`)));
    const h1 = hdr(1), h3 = hdr(3), h5 = hdr(5), h7 = hdr(7);
    const reqs = c.send(B.bytes(h1, h3, h5, h7), 600.010);
    const r1 = H2.frame(H2.T.HEADERS, H2.F.END_HEADERS, 1, res.encode([[':status', '200']]));
    const d1 = H2.frame(H2.T.DATA, H2.F.END_STREAM, 1, B.ascii('hello'));
    const r3 = H2.frame(H2.T.HEADERS, END, 3, res.encode([[':status', '204']]));
    const both = c.reply(B.bytes(r1, d1, r3), 600.030);
    const rst = c.reply(H2.frame(H2.T.RST_STREAM, 0, 5, Uint8Array.of(0, 0, 0, 8)), 600.040);
    const fin = c.serverFin(600.050);
    const recs = await records(B.pcap(p, { nano: true }));
    const s = recs[both].timing.streams;
    expect(s.map((x: any) => x.stream)).toEqual([1, 3]);
    expect(s[0]).toMatchObject({ stream: 1, request_num: reqs, response_num: both, request_end_ns: 0, response_start_ns: 20 * MS, response_end_ns: 20 * MS,
      bytes: { request: h1.length - 9, response: r1.length - 9 + d1.length - 9 } });
    expect(s[0].connect).toBeDefined();          // the connection's first stream
    expect(s[1].connect).toBeUndefined();
    expect(s[1].bytes).toEqual({ request: h3.length - 9, response: r3.length - 9 });
    expect(recs[rst].timing).toEqual({ streams: [expect.objectContaining({ stream: 5, reset: 'stream', reset_code: 'CANCEL', request_num: reqs })] });
    expect(recs[rst].timing.streams[0].response_end_ns).toBeUndefined();
    // The server's FIN ends stream 7, never answered.
    const f = recs[fin].timing.streams;
    expect(f.length).toBe(1);
    expect(f[0]).toMatchObject({ stream: 7, request_num: reqs, request_end_ns: 0 });
    expect(f[0].response_num).toBeUndefined();
    expect(f[0].reset).toBeUndefined();
    expect(recs.filter((r) => r.timing).length).toBe(3);
  });

  it('HTTP/2: more streams ending in one segment than MAX_TIMINGS: the record counts those without timing', async () => {
    const p: B.PcapPacket[] = [];
    const c = new Conversation(p);
    c.handshake(700);
    c.send(B.bytes(H2.PREFACE, H2.settings()), 700.003);
    c.reply(B.bytes(H2.settings(), H2.settings(true)), 700.004);
    const req = new H2.Hpack(), res = new H2.Hpack();
    const END = H2.F.END_HEADERS | H2.F.END_STREAM;
    // Three-digit ids: the HTTP object lists streams by id, which sorts bytewise only at one width.
    const ids = Array.from({ length: 70 }, (_, i) => 2 * i + 101);
    c.send(B.bytes(...ids.map((id) => H2.frame(H2.T.HEADERS, END, id, req.encode(H2.requestFields(`/${id}`))))), 700.010);
    const all = c.reply(B.bytes(...ids.map((id) => H2.frame(H2.T.HEADERS, END, id, res.encode([[':status', '200']])))), 700.020);
    const more = c.reply(H2.frame(H2.T.PING, 0, 0, new Uint8Array(8)), 700.030);
    const recs = await records(B.pcap(p, { nano: true }));
    expect(recs[all].timing.streams.map((x: any) => x.stream)).toEqual(ids.slice(0, 64));
    expect(recs[all].timing.streams_not_timed).toBe(6);
    expect(recs[more].timing).toBeUndefined();
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
