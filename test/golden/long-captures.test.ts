// Long captures (issue 18): the analysis stays right however many connections came before.
// One test per defect found on generated captures of many connections — each fails on the
// build before the fix — and the rules that keep the records right when a pool runs out:
// something given up is said (`skipped`, `hpack`), never rendered as something else. Every
// capture here is also translated by 3 threads, which must write one thread's bytes.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator, type TranslatorOptions, type SkipCounts } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { Conversation, request, response } from '../helpers/conversation.js';
import * as H2 from '../helpers/h2.js';
import { clientHelloRecord } from '../helpers/tls.js';
import { sharded, single, prng, firstDifference } from '../helpers/shards.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

interface Result { records: any[]; skipped: SkipCounts }

async function run(packets: B.PcapPacket[], options: TranslatorOptions = {}): Promise<Result> {
  const cap = B.pcap(packets, { nano: true });
  const t = await createTranslator(wasm, { project: 'p', ...options });
  const text = new TextDecoder().decode(B.bytes(t.push(cap), t.finish()));
  expect(t.error).toBeNull();
  // Threads: every thread holds some connection parts; merged, they write one thread's bytes.
  const one = single(wasm, cap, { project: 'p', ...options });
  const three = sharded(wasm, cap, { project: 'p', ...options }, 3, prng(7));
  expect(three.markProblems).toEqual([]);
  expect(Buffer.compare(Buffer.from(three.bytes), Buffer.from(one.bytes)), firstDifference(one.bytes, three.bytes)).toBe(0);
  return { records: text.split('\n').slice(0, -1).map((l) => JSON.parse(l)), skipped: t.skipped };
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
/** A traceparent header value of its own for each (a, b). */
const tp = (a: number, b: number) => `00-${hex(a, 16)}${hex(b, 16)}-${hex(a * 65536 + b + 1, 16)}-01`;
const traceOf = (a: number, b: number) => `projects/p/traces/${hex(a, 16)}${hex(b, 16)}`;
const top = (r: any) => r['logging.googleapis.com/trace'] ?? null;

/** Every HTTP/2 frame of a record, with its stream id. */
function frames(r: any): { sid: number; f: any }[] {
  const out: { sid: number; f: any }[] = [];
  for (const [sid, s] of Object.entries<any>(r.HTTP?.streams ?? {})) for (const f of s.frames) out.push({ sid: Number(sid), f });
  return out;
}

/** The HEADERS frames of a result, in order. */
function headerFrames(res: Result): { n: number; sid: number; f: any }[] {
  const out: { n: number; sid: number; f: any }[] = [];
  res.records.forEach((r, n) => { for (const x of frames(r)) if (String(x.f.raw).startsWith('HEADERS')) out.push({ n, ...x }); });
  return out;
}

/** A client on its own address and port (connection i), so connections spread over the parts. */
function conv(p: B.PcapPacket[], i: number, sport = 8080): Conversation {
  return new Conversation(p, { client: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, cport: 20000 + (i % 40000), sport, cseq: (i * 7919) >>> 0, sseq: (i * 104729) >>> 0 });
}

/** An HTTP/2 connection: handshake, preface and SETTINGS both ways; returns its encoders. */
function h2Open(c: Conversation, t: number): { req: H2.Hpack; res: H2.Hpack } {
  c.handshake(t);
  c.send(B.bytes(H2.PREFACE, H2.settings()), t + 0.003);
  c.reply(B.bytes(H2.settings(), H2.settings(true)), t + 0.004);
  return { req: new H2.Hpack(), res: new H2.Hpack() };
}

describe('issue 18: right however long the capture runs', () => {
  it('HTTP/2: every header block of 400 connections that open and close in turn decodes (HPACK tables come back when a connection ends)', async () => {
    const p: B.PcapPacket[] = [];
    for (let i = 0; i < 400; i++) {
      const t = 1000 + i;
      const c = conv(p, i);
      const e = h2Open(c, t);
      for (let k = 0; k < 3; k++) {
        const sid = 2 * k + 1;
        c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, sid, e.req.encode(H2.requestFields(`/c${i}/r${k}`, [['traceparent', tp(i + 1, k)]]))), t + 0.01 + k * 0.01);
        c.reply(B.bytes(H2.frame(H2.T.HEADERS, H2.F.END_HEADERS, sid, e.res.encode([[':status', '200'], ['content-type', 'application/json']])), H2.frame(H2.T.DATA, H2.F.END_STREAM, sid, B.ascii('{}'))), t + 0.015 + k * 0.01);
      }
      c.clientFin(t + 0.1); c.serverFin(t + 0.11); c.clientAck(t + 0.12);
    }
    const res = await run(p);
    const hs = headerFrames(res);
    expect(hs.length).toBe(400 * 3 * 2);
    let requests = 0, responses = 0;
    for (const { n, sid, f } of hs) {
      expect(f.skipped, `#${n}`).toBeUndefined();
      expect(f.unknown_headers, `#${n}`).toBeUndefined();
      if (f.kind === 'request') {
        const [, ci, k] = /^\/c(\d+)\/r(\d+)$/.exec(f.headers[':path'][0])!.map(Number);
        expect(2 * k! + 1).toBe(sid);
        expect(f['logging.googleapis.com/trace'], `#${n}`).toBe(traceOf(ci! + 1, k!));
        requests++;
      } else {
        expect(f.kind, `#${n} ${JSON.stringify(f)}`).toBe('response');
        expect(f.headers[':status']).toEqual(['200']);
        expect(f['logging.googleapis.com/trace'], `#${n}`).toMatch(/^projects\/p\/traces\//);
        responses++;
      }
    }
    expect([requests, responses]).toEqual([1200, 1200]);
    expect(res.skipped.noHpackTable + res.skipped.hpackDesync + res.skipped.noBuffer).toBe(0);
  });

  it('buffers come back from connections reset inside a frame: later HTTP/1 heads, TLS hellos and HTTP/2 blocks that straddle segments all decode', async () => {
    const p: B.PcapPacket[] = [];
    let t = 1000;
    let i = 0;
    // 300 HTTP/2 connections reset in the middle of a DATA frame, 800 in the middle of a HEADERS
    // frame (100 per connection part: more than its 64 head buffers).
    for (let k = 0; k < 1100; k++, i++, t += 0.005) {
      const c = conv(p, i);
      const e = h2Open(c, t);
      c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.req.encode(H2.requestFields(`/reset/${k}`))), t + 0.005);
      if (k < 300) {
        const data = H2.frame(H2.T.DATA, H2.F.END_STREAM, 1, new Uint8Array(10000).fill(0x61));
        c.reply(B.bytes(H2.frame(H2.T.HEADERS, H2.F.END_HEADERS, 1, e.res.encode([[':status', '200']])), data.subarray(0, 1400)), t + 0.006);
      } else {
        const block = e.res.encode([[':status', '200'], ['x-big', 'b'.repeat(3000)]]);
        c.reply(H2.frame(H2.T.HEADERS, H2.F.END_HEADERS, 1, block).subarray(0, 1400), t + 0.006);
      }
      c.serverRst(t + 0.007);
    }
    // Then connections whose messages need a buffer: every one must decode.
    const want: { n: number; kind: string; value: string }[] = [];
    for (let k = 0; k < 200; k++, i++, t += 0.01) {
      const c = conv(p, i);
      c.handshake(t);
      const req = request(`/h1/${k}`, `traceparent: ${tp(1, k)}`, 'X-Pad: ' + 'q'.repeat(1800) + '\r\n');
      c.send(req.slice(0, 1000), t + 0.003);
      want.push({ n: c.send(req.slice(1000), t + 0.004), kind: 'h1', value: `/h1/${k}` });
      const tls = conv(p, i + 100000, 443);
      tls.handshake(t + 0.005);
      const hello = clientHelloRecord(`svc${k}.example.test`, ['h2'], 1500);
      tls.send(hello.subarray(0, 1000), t + 0.006);
      want.push({ n: tls.send(hello.subarray(1000), t + 0.007), kind: 'tls', value: `svc${k}.example.test` });
      const h = conv(p, i + 200000);
      const e = h2Open(h, t + 0.008);
      const hf = H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.req.encode(H2.requestFields(`/h2/${k}`, [['x-pad', 'z'.repeat(2000)]])));
      h.send(hf.subarray(0, 1000), t + 0.009);
      want.push({ n: h.send(hf.subarray(1000), t + 0.0095), kind: 'h2', value: `/h2/${k}` });
    }
    const res = await run(p);
    for (const w of want) {
      const r = res.records[w.n];
      if (w.kind === 'h1') { expect(r.HTTP?.url, `#${w.n}`).toBe(w.value); expect(r.HTTP.skipped).toBeUndefined(); expect(top(r)).toBe(traceOf(1, Number(w.value.split('/')[2]))); }
      if (w.kind === 'tls') expect(r.TLS?.client_hello?.sni, `#${w.n}`).toBe(w.value);
      if (w.kind === 'h2') { const f = frames(r).find((x) => x.f.kind === 'request'); expect(f?.f.headers?.[':path'], `#${w.n} ${JSON.stringify(r.HTTP ?? r.L7).slice(0, 400)}`).toEqual([w.value]); }
    }
    expect(res.skipped.noBuffer + res.skipped.bufferReclaimed).toBe(0);
  });

  it('a response that comes minutes after its request keeps its pairing while thousands of exchanges come and go, and a slow HEAD keeps its framing', async () => {
    const p: B.PcapPacket[] = [];
    const slow = conv(p, 0);
    slow.handshake(1000);
    const q1 = slow.send(request('/slow', `traceparent: ${tp(9, 1)}`), 1000.01);
    const slowHead = conv(p, 1);
    slowHead.handshake(1000.02);
    slowHead.send(`HEAD /slow-head HTTP/1.1\r\nHost: example.com\r\ntraceparent: ${tp(9, 2)}\r\n\r\n`, 1000.03);
    // 20000 exchanges on 2000 keep-alive connections in between (every part's share of exchanges turns over many times).
    let t = 1001;
    for (let i = 2; i < 2002; i++) {
      const c = conv(p, i);
      c.handshake(t);
      for (let k = 0; k < 10; k++) { c.send(request(`/x/${i}/${k}`), t + 0.01 + k * 0.002); c.reply(response('ok'), t + 0.011 + k * 0.002); }
      c.clientFin(t + 0.05); c.serverFin(t + 0.051); c.clientAck(t + 0.052);
      t += 0.05;
    }
    const r1 = slow.reply(response('late'), 1200);
    const q2 = slow.send(request('/after', `traceparent: ${tp(9, 3)}`), 1200.1);
    const r2 = slow.reply(response('after'), 1200.2);
    // The HEAD response declares a body it does not send; the next response follows at once.
    const h1 = slowHead.reply('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n', 1201);
    slowHead.send(request('/next', `traceparent: ${tp(9, 4)}`), 1201.1);
    const h2 = slowHead.reply(response('next'), 1201.2);
    const res = await run(p);
    expect(res.records[q1].HTTP.url).toBe('/slow');
    expect(res.records[r1].HTTP.request).toMatchObject({ method: 'GET', url: 'example.com/slow' });
    expect(top(res.records[r1])).toBe(traceOf(9, 1));
    expect(res.records[q2].HTTP.url).toBe('/after');
    expect(res.records[r2].HTTP.request.url).toBe('example.com/after');
    expect(top(res.records[r2])).toBe(traceOf(9, 3));
    expect(res.records[h1].HTTP.request).toMatchObject({ method: 'HEAD', url: 'example.com/slow-head' });
    expect(top(res.records[h1])).toBe(traceOf(9, 2));
    expect(res.records[h2].HTTP?.request?.url, JSON.stringify(res.records[h2].L7)).toBe('example.com/next');
    expect(top(res.records[h2])).toBe(traceOf(9, 4));
    expect(res.skipped.requestReclaimed).toBe(0);
  });

  it('a response head over the head limit still answers its own request: every later response keeps its own URL and trace', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 5);
    c.handshake(100);
    const rows: { q: number; r: number; k: number }[] = [];
    for (let k = 0; k < 6; k++) {
      const big = k % 2 === 0;
      const q = c.send(request(`/k${k}`, `traceparent: ${tp(5, k)}`, big && k === 4 ? 'X-Req-Pad: ' + 'r'.repeat(20000) + '\r\n' : ''), 100 + k);
      const head = `HTTP/1.1 200 OK\r\nSet-Cookie: ${big ? 's'.repeat(20000) : 'small'}\r\nContent-Length: 4\r\n\r\nbody`;
      const r = c.reply(head, 100 + k + 0.5);
      rows.push({ q, r, k });
    }
    const res = await run(p);
    for (const { q, r, k } of rows) {
      const big = k % 2 === 0;
      expect(res.records[q].HTTP.url, `request ${k}`).toBe(`/k${k}`);
      expect(top(res.records[q])).toBe(traceOf(5, k));
      expect(res.records[q].HTTP.skipped).toBe(k === 4 ? 'head_too_large' : undefined);
      const h = res.records[r].HTTP;
      expect(h.kind).toBe('response');
      expect(h.code).toBe(200);
      expect(h.request.url, `response ${k}`).toBe(`example.com/k${k}`);
      expect(top(res.records[r]), `response ${k}`).toBe(traceOf(5, k));
      expect(h.skipped).toBe(big ? 'head_too_large' : undefined);
      // The body after a cut head is still framed: its 4 bytes are the body, not a new message.
      expect(h.body.length[1]).toBe('4');
    }
    expect(res.skipped.headTooLarge).toBe(4);
  });

  it('closed connections never crowd out a live one: an HTTP/2 connection idle for 290 s while 3000 others open and close keeps its state', async () => {
    const p: B.PcapPacket[] = [];
    const live = conv(p, 0);
    const e = h2Open(live, 1000);
    live.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.req.encode(H2.requestFields('/first', [['x-tenant', 'acme']]))), 1000.01);
    live.reply(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.res.encode([[':status', '200'], ['x-served-by', 'node-7']])), 1000.02);
    for (let i = 1; i <= 3000; i++) {
      const c = conv(p, i);
      const t = 1001 + i * 0.09;
      c.handshake(t); c.send(request(`/c/${i}`), t + 0.01); c.reply(response('ok'), t + 0.02);
      c.clientFin(t + 0.03); c.serverFin(t + 0.04); c.clientAck(t + 0.05);
    }
    // The same fields again: the encoders refer to the entries they indexed 290 s ago.
    const q = live.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 3, e.req.encode(H2.requestFields('/first', [['x-tenant', 'acme'], ['traceparent', tp(3, 3)]]))), 1290);
    const r = live.reply(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 3, e.res.encode([[':status', '200'], ['x-served-by', 'node-7']])), 1290.01);
    const res = await run(p, { maxFlows: 64 });
    const fq = frames(res.records[q]).find((x) => x.sid === 3)!.f;
    expect(fq.kind).toBe('request');
    expect(fq.headers).toMatchObject({ ':path': ['/first'], ':authority': ['api.example.com'], 'X-Tenant': ['acme'] });
    expect(fq.unknown_headers).toBeUndefined();
    const fr = frames(res.records[r]).find((x) => x.sid === 3)!.f;
    expect(fr.headers).toMatchObject({ ':status': ['200'], 'X-Served-By': ['node-7'] });
    expect(fr['logging.googleapis.com/trace']).toBe(traceOf(3, 3));
    expect(res.skipped.evictedLive).toBe(0);
  });

  it('100 concurrent HTTP/2 streams on one connection each keep their trace (RFC 9113 §6.5.2 recommends allowing at least 100)', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 3);
    const e = h2Open(c, 100);
    const N = 100;
    for (let k = 0; k < N; k++) c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 2 * k + 1, e.req.encode(H2.requestFields(`/s/${k}`, [['traceparent', tp(7, k)]]))), 100.01 + k * 0.001);
    const replies: number[] = [];
    for (let k = N - 1; k >= 0; k--) {
      replies.push(c.reply(B.bytes(H2.frame(H2.T.HEADERS, H2.F.END_HEADERS, 2 * k + 1, e.res.encode([[':status', '200']])), H2.frame(H2.T.DATA, H2.F.END_STREAM, 2 * k + 1, B.ascii(`r${k}`))), 101 + (N - k) * 0.001));
    }
    const res = await run(p);
    let checked = 0;
    for (const n of replies) for (const { sid, f } of frames(res.records[n])) { expect(f['logging.googleapis.com/trace'], `stream ${sid}`).toBe(traceOf(7, (sid - 1) / 2)); checked++; }
    expect(checked).toBe(2 * N);
  });

  it('a segment completing 40 pipelined responses shows the first with its own request (a connection keeps its 32 last finished)', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 14);
    c.handshake(100);
    for (let k = 0; k < 40; k++) c.send(request(`/q${k}`, `traceparent: ${tp(11, k)}`), 100.01 + k * 0.001);
    const r = c.reply(Array.from({ length: 40 }, (_, k) => response(`r${k}`)).join(''), 101);
    const next = c.send(request('/after', `traceparent: ${tp(11, 99)}`), 102);
    const r2 = c.reply(response('after'), 102.5);
    const res = await run(p);
    expect(res.records[r].HTTP.request.url).toBe('example.com/q0');
    expect(top(res.records[r])).toBe(traceOf(11, 0));
    expect(res.records[next].HTTP.url).toBe('/after');
    expect(res.records[r2].HTTP.request.url).toBe('example.com/after');
    expect(top(res.records[r2])).toBe(traceOf(11, 99));
  });
});

describe('issue 18: when a pool runs out, the record says so and nothing is wrong', () => {
  it('no head buffer free: the head is skipped with the reason, and pairing stays right for it and after it', async () => {
    const p: B.PcapPacket[] = [];
    // pools.headBuffers 8: one per connection part. Three connections hold an incomplete head
    // each at once; those in the same part as an earlier one get none.
    const cs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => conv(p, i));
    cs.forEach((c, i) => c.handshake(100 + i * 0.01));
    const firsts = cs.map((c, i) => { const req = request(`/a${i}`, `traceparent: ${tp(2, i)}`); return { c, i, req, n: c.send(req.slice(0, 20), 101 + i * 0.01) }; });
    const seconds = firsts.map(({ c, i, req }) => c.send(req.slice(20), 102 + i * 0.01));
    const resps = cs.map((c, i) => c.reply(response(`r${i}`), 103 + i * 0.01));
    const nexts = cs.map((c, i) => c.send(request(`/b${i}`, `traceparent: ${tp(3, i)}`), 104 + i * 0.01));
    const resps2 = cs.map((c, i) => c.reply(response(`s${i}`), 105 + i * 0.01));
    const res = await run(p, { pools: { headBuffers: 8 } });
    let skippedHeads = 0;
    cs.forEach((_, i) => {
      const a = res.records[firsts[i]!.n].HTTP, b = res.records[seconds[i]!].HTTP;
      const h = a ?? b;
      expect(h, `connection ${i}`).toBeDefined();
      if (h.skipped) { expect(h).toMatchObject({ kind: 'request', skipped: 'no_buffer' }); skippedHeads++; }
      else expect(h.url).toBe(`/a${i}`);
      // Its response answers it: with its URL and trace when the request was kept, else no request at all.
      const r = res.records[resps[i]!];
      if (h.skipped) { expect(r.HTTP.request).toMatchObject({ skipped: 'no_buffer' }); expect(r.HTTP.request.url).toBeUndefined(); expect(top(r)).toBeNull(); }
      else { expect(r.HTTP.request.url).toBe(`example.com/a${i}`); expect(top(r)).toBe(traceOf(2, i)); }
      // The next exchange pairs exactly.
      expect(res.records[nexts[i]!].HTTP.url).toBe(`/b${i}`);
      expect(res.records[resps2[i]!].HTTP.request.url).toBe(`example.com/b${i}`);
      expect(top(res.records[resps2[i]!])).toBe(traceOf(3, i));
    });
    expect(skippedHeads).toBeGreaterThan(0);
    expect(res.skipped.noBuffer).toBe(skippedHeads);
  });

  it('no HPACK table free: header blocks say "no_hpack_table", never empty trailers; a table freed later decodes what it can and says why the rest is unknown', async () => {
    const p: B.PcapPacket[] = [];
    // pools.hpackTables 8: one table per part, so a connection gets one for one direction only.
    const c = conv(p, 11);
    const e = h2Open(c, 100);
    const q = c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.req.encode(H2.requestFields('/one', [['traceparent', tp(4, 1)]]))), 100.1);
    const r = c.reply(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.res.encode([[':status', '200'], ['x-r', 'v']])), 100.2);
    const res = await run(p, { pools: { hpackTables: 8 } });
    const fq = frames(res.records[q])[0]!.f, fr = frames(res.records[r])[0]!.f;
    expect(fq).toMatchObject({ kind: 'request', headers: { ':path': ['/one'] } });
    expect(fr).toMatchObject({ kind: 'response', skipped: 'no_hpack_table' });
    expect(fr.headers).toBeUndefined();
    expect(fr['logging.googleapis.com/trace']).toBe(traceOf(4, 1));
    expect(res.skipped.noHpackTable).toBe(1);
  });

  it('a lost header block desynchronises the table: later blocks show only what they can resolve, say so, and never another entry', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 12);
    const e = h2Open(c, 100);
    c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.req.encode(H2.requestFields('/a', [['x-v', 'one']]))), 100.1);
    // A block larger than 16 KiB is not decoded; its insertions (x-big, x-v two) are lost.
    // (x-big itself is a literal without indexing: an entry that large would empty the table, RFC 7541 §4.4.)
    const big = H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 3, B.bytes(e.req.encode(H2.requestFields('/b', [['x-v', 'two']])), e.req.encode([['x-big', 'x'.repeat(17000)]], false)));
    const qb = c.send(big, 100.2);
    const qc = c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 5, e.req.encode(H2.requestFields('/b', [['x-v', 'two'], ['x-w', 'three']]))), 100.3);
    const res = await run(p);
    const fb = frames(res.records[qb]).find((x) => x.sid === 3)!.f;
    expect(fb).toMatchObject({ kind: 'request', skipped: 'block_too_large' });
    const fc = frames(res.records[qc]).find((x) => x.sid === 5)!.f;
    // ':path /b' and 'x-v two' refer to entries the lost block inserted, ':authority' and
    // 'user-agent' to entries of the first block that the table forgot with them: unknown, never
    // '/a' or 'one' or another entry.
    expect(fc.kind).toBe('request');
    expect(fc.headers[':method']).toEqual(['GET']);
    for (const k of [':path', ':authority', 'User-Agent', 'X-V']) expect(fc.headers[k], k).toBeUndefined();
    expect(fc.headers['X-W']).toEqual(['three']);
    expect(fc.unknown_headers).toBe(4);
    expect(fc.hpack).toBe('desynchronised');
    expect(res.skipped.blockTooLarge).toBe(1);
    expect(res.skipped.hpackDesync).toBe(1);
  });

  it('a desynchronised table never gives a request another header\'s trace: a traceparent whose name is unknown could win over an X-Cloud-Trace-Context', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 15);
    const e = h2Open(c, 100);
    c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 1, e.req.encode(H2.requestFields('/a', [['traceparent', tp(12, 1)]]))), 100.1);
    // A block over 16 KiB: not decoded, so the table forgets (the 'traceparent' name among its entries).
    c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 3, B.bytes(e.req.encode(H2.requestFields('/b')), e.req.encode([['x-big', 'x'.repeat(17000)]], false))), 100.2);
    // traceparent (name by index: unknown now) and X-Cloud-Trace-Context (a literal name: known).
    const q = c.send(H2.frame(H2.T.HEADERS, H2.F.END_STREAM | H2.F.END_HEADERS, 5, e.req.encode([[':method', 'GET'], ['traceparent', tp(12, 2)], ['x-cloud-trace-context', '105445aa7843bc8bf206b12000100000/1;o=1']])), 100.3);
    const res = await run(p);
    const f = frames(res.records[q]).find((x) => x.sid === 5)!.f;
    expect(f.headers['X-Cloud-Trace-Context']).toBeDefined();
    expect(f.unknown_headers).toBe(1);
    expect(f['logging.googleapis.com/trace']).toBeUndefined();
  });

  it('an ACK of response bytes whose exchange is no longer kept carries no trace, never the last request\'s', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 16);
    c.handshake(100);
    // 40 pipelined requests, answered one segment each: the connection keeps its 32 last finished.
    for (let k = 0; k < 40; k++) c.send(request(`/q${k}`, `traceparent: ${tp(13, k)}`), 100.01 + k * 0.001);
    const body = 'x'.repeat(100);
    const start = c.s.seq;
    for (let k = 0; k < 40; k++) c.reply(response(body), 101 + k * 0.001);
    // The client acknowledges only the first response's bytes, late.
    const end = c.s.seq;
    c.s.seq = start + response(body).length;
    const a = c.clientAck(101.5);
    c.s.seq = end;
    const last = c.clientAck(101.6);
    const res = await run(p);
    expect(top(res.records[a])).toBeNull();
    expect(top(res.records[last])).toBe(traceOf(13, 39));
  });

  it('every exchange of a part waiting: a new request reclaims the oldest waiting one, whose response then says so; the others stay paired', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 13);
    c.handshake(100);
    // pools.exchanges 8: one per part. Two pipelined requests on one connection.
    const q1 = c.send(request('/one', `traceparent: ${tp(6, 1)}`), 100.1);
    const q2 = c.send(request('/two', `traceparent: ${tp(6, 2)}`), 100.2);
    const r1 = c.reply(response('1'), 100.3);
    const r2 = c.reply(response('2'), 100.4);
    const res = await run(p, { pools: { exchanges: 8 } });
    expect(res.records[q1].HTTP.url).toBe('/one');
    expect(res.records[q2].HTTP.url).toBe('/two');
    expect(res.records[r1].HTTP).toMatchObject({ kind: 'response', skipped: 'request_reclaimed' });
    expect(res.records[r1].HTTP.request).toBeUndefined();
    expect(top(res.records[r1])).toBeNull();
    expect(res.records[r2].HTTP.request.url).toBe('example.com/two');
    expect(top(res.records[r2])).toBe(traceOf(6, 2));
    expect(res.skipped.requestReclaimed).toBe(1);
  });
});

describe('issue 18: a connection idle for minutes keeps its last exchange for the ACK or FIN that names it', () => {
  // Found by the 500,000-connection HTTP/1 soak (26 packets in 23 million): while a connection
  // sat idle, others filled its part's exchange pool, its last exchange was reused, and its FIN
  // after the next request — acking only the first response — carried no trace.
  function capture(others: number, perOther: number, close: boolean) {
    const p: B.PcapPacket[] = [];
    const a = conv(p, 1);
    a.handshake(100);
    a.send(request('/first', `traceparent: ${tp(41, 1)}`), 100.1);
    a.reply(response('one'), 100.2);
    a.clientAck(100.3);
    // Other connections, each with several exchanges, fill every part's pool (exchanges: 64).
    for (let i = 0; i < others; i++) {
      const c = conv(p, 100 + i);
      const t = 110 + i;
      c.handshake(t);
      for (let k = 0; k < perOther; k++) { c.send(request(`/o/${i}/${k}`), t + 0.01 + k * 0.01); c.reply(response('ok'), t + 0.015 + k * 0.01); }
      c.clientAck(t + 0.5);
      if (close) { c.clientFin(t + 0.6); c.serverFin(t + 0.61); c.clientAck(t + 0.62); }
    }
    // Minutes later: the next request, its response, and a FIN acking only the first response.
    const t = 110 + others + 300;
    a.send(request('/second', `traceparent: ${tp(41, 2)}`), t);
    const answered = a.s.seq;
    a.reply(response('two'), t + 0.01);
    const back = a.s.seq;
    a.s.seq = answered; // the FIN's ack
    const fin = a.clientFin(t + 0.02);
    a.s.seq = back;
    return { p, fin };
  }

  it('connections come and go around it (more than the pool holds): the late FIN has the first exchange\'s trace, nothing counted', async () => {
    const { p, fin } = capture(200, 3, true);
    const res = await run(p, { pools: { exchanges: 64 } });
    expect(top(res.records[fin])).toBe(traceOf(41, 1));
    expect(res.skipped.contextReclaimed).toBe(0);
  });

  it('more live connections than the pool holds: a last exchange goes and is counted (contextReclaimed); the FIN then has no trace, never another', async () => {
    const { p, fin } = capture(200, 1, false);
    const res = await run(p, { pools: { exchanges: 64 } });
    expect(res.skipped.contextReclaimed).toBeGreaterThan(0);
    expect([null, traceOf(41, 1)]).toContain(top(res.records[fin]));
  });
});

describe('issue 18: capture gaps never shift a pairing', () => {
  it('bytes lost inside a body of known length are only body: the pairing goes on exactly', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 20);
    c.handshake(100);
    c.send(request('/big', `traceparent: ${tp(8, 1)}`), 100.1);
    const body = 'b'.repeat(3000);
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
    const start = c.s.seq;
    c.reply(head + body.slice(0, 1000), 100.2);
    c.s.seq = start + head.length + 2000; // 1000 body bytes never captured
    c.reply(body.slice(2000), 100.3);
    const q = c.send(request('/next', `traceparent: ${tp(8, 2)}`), 100.4);
    const r = c.reply(response('n'), 100.5);
    const res = await run(p);
    expect(res.records[q].HTTP.url).toBe('/next');
    expect(res.records[r].HTTP.request.url).toBe('example.com/next');
    expect(top(res.records[r])).toBe(traceOf(8, 2));
  });

  it('a lost response head with one request outstanding: the next response pairs with the next request', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 21);
    c.handshake(100);
    c.send(request('/lost', `traceparent: ${tp(8, 3)}`), 100.1);
    c.s.seq += 200; // the whole response (200 bytes) never captured
    c.clientAck(100.3);
    const q = c.send(request('/next', `traceparent: ${tp(8, 4)}`), 100.4);
    const r = c.reply(response('n'), 100.5);
    const res = await run(p);
    expect(res.records[q].HTTP.url).toBe('/next');
    expect(res.records[r].HTTP.request.url).toBe('example.com/next');
    expect(top(res.records[r])).toBe(traceOf(8, 4));
  });

  it('pipelined requests and a lost response: the responses whose request cannot be known say pairing_lost, none carries a wrong request', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 22);
    c.handshake(100);
    for (let k = 0; k < 3; k++) c.send(request(`/p${k}`, `traceparent: ${tp(8, 10 + k)}`), 100.1 + k * 0.01);
    const lostStart = c.s.seq;
    c.s.seq = lostStart + response('r0').length; // the first response never captured
    const r1 = c.reply(response('r1'), 100.3);
    const r2 = c.reply(response('r2'), 100.31);
    const res = await run(p);
    for (const n of [r1, r2]) {
      const h = res.records[n].HTTP;
      // Either its own request (it is r1 or r2's) or none with the reason — never another one's.
      if (h.request) expect(h.request.url).toBe(`example.com/p${n === r1 ? 1 : 2}`);
      else expect(h.skipped).toBe('pairing_lost');
    }
    expect(res.records[r1].HTTP.skipped).toBe('pairing_lost');
  });

  it('requests lost in a gap of the client\'s bytes: later responses are unpaired with the reason, never paired with the wrong request', async () => {
    const p: B.PcapPacket[] = [];
    const c = conv(p, 23);
    c.handshake(100);
    c.send(request('/seen'), 100.1);
    const r0 = c.reply(response('0'), 100.2);
    c.c.seq += request('/lost').length; // a request never captured
    const r1 = c.reply(response('1'), 100.3);
    c.send(request('/after'), 100.4);
    const r2 = c.reply(response('2'), 100.5);
    const res = await run(p);
    expect(res.records[r0].HTTP.request.url).toBe('example.com/seen');
    for (const n of [r1, r2]) { expect(res.records[n].HTTP.skipped).toBe('pairing_lost'); expect(res.records[n].HTTP.request).toBeUndefined(); }
  });
});
