// ExchangeBuilder on the CLI's real records of every HTTP capture, checked against counts taken
// from the records themselves and against tshark's view of the same packets; then its bounds and
// edge cases on hand-made packets.
import { describe, it, expect } from 'vitest';
import { ExchangeBuilder, MAX_OPEN_PER_CONNECTION, MAX_CONNECTIONS, MAX_HEADERS_PER_MESSAGE, parseRfc3339, absoluteUrl, rereadHeaders, httpPacket, exchangeTiming, type Exchange, type HttpPacket } from '../../src/exchanges.js';
import { CAPTURES, packets, records, tsharkH1, tsharkH2 } from '../runtimes/browser/app/corpus.js';

type Rec = Record<string, any>;

function build(pkts: HttpPacket[]): Exchange[] {
  const b = new ExchangeBuilder();
  for (const p of pkts) b.add(p);
  expect(b.stats()).toEqual({ dropped: 0, evicted: 0, skipped: 0, unjoinedTimings: 0 });
  return [...b.exchanges()];
}

const port = (ep: string): number => Number(ep.slice(ep.lastIndexOf(':') + 1));

describe.each(CAPTURES)('ExchangeBuilder on $name', ({ file, h2port }) => {
  const recs = records(file);
  const byNum = new Map<number, Rec>(recs.map((r) => [Number(r.pcap.num), r]));
  const exs = build(packets(recs));

  it('finds exchanges at all (the capture is an HTTP one)', () => {
    expect(exs.length).toBeGreaterThan(0);
  });

  if (h2port === undefined) {
    it('has one exchange per HTTP/1 request head, in request order, as tshark sees them', () => {
      const heads = recs.filter((r) => r.HTTP?.kind === 'request' && typeof r.HTTP.method === 'string');
      expect(exs.length).toBe(heads.length);
      const ts = tsharkH1(file);
      expect(exs.length).toBe(ts.reqs.length);
      expect(exs.map((e) => [e.reqNum, e.method, e.url])).toEqual(ts.reqs.map((r) => [r.num, r.method, r.url]));
    });

    it('pairs every response with the request tshark pairs it with, with its status', () => {
      const ts = tsharkH1(file);
      const mine = exs.filter((e) => e.respNum !== undefined).map((e) => [e.respNum, e.status, e.reqNum]);
      expect(mine).toEqual(ts.resps.map((r) => [r.num, r.status, r.reqNum]));
      expect(mine.length).toBe(recs.filter((r) => r.HTTP?.kind === 'response').length);
    });

    it("agrees with each response's HTTP.request (method, Host + target, whole-ms latency)", () => {
      for (const e of exs) {
        if (e.respNum === undefined) continue;
        const rq = byNum.get(e.respNum)?.HTTP?.request;
        expect(rq.method).toBe(e.method);
        expect('http://' + rq.url).toBe(e.url);
        expect(parseRfc3339(rq.timestamp)).toBeCloseTo(e.reqTime, 3);
        expect(Math.abs(rq.latency - Math.floor(e.latency ?? NaN))).toBeLessThanOrEqual(1);
      }
    });

    it('carries the trace of the request record, which the response record repeats', () => {
      for (const e of exs) {
        const req = byNum.get(e.reqNum);
        expect(e.trace).toBe(req?.['logging.googleapis.com/trace']);
        if (e.respNum !== undefined) expect(byNum.get(e.respNum)?.['logging.googleapis.com/trace']).toBe(e.trace);
      }
    });

    it('restores the Host header that the record drops from HTTP.headers', () => {
      for (const e of exs) {
        expect(e.host).toBeDefined();
        expect(e.reqHeaders[0]).toEqual(['Host', e.host]);
      }
    });
  } else {
    it('has one exchange per HTTP/2 request HEADERS frame, at the packets and streams tshark reports', () => {
      const frames = recs.flatMap((r) => Object.values<Rec>(r.HTTP?.streams ?? {}).flatMap((s) => s.frames as Rec[]));
      expect(exs.length).toBe(frames.filter((f) => f.type === 'headers' && f.kind === 'request').length);
      const ts = tsharkH2(file, h2port).filter((f) => f.method !== undefined);
      expect(exs.length).toBe(ts.length);
      const key = (num: number, cport: number, stream: number | undefined, method: string, url: string): string => `${num}|${cport}|${stream}|${method}|${url}`;
      expect(exs.map((e) => key(e.reqNum, port(e.client), e.stream, e.method, e.url)).sort())
        .toEqual(ts.map((f) => key(f.num, f.clientPort, f.stream, f.method ?? '', f.url ?? '')).sort());
    });

    it('pairs each response HEADERS frame with the request on its stream, with its status', () => {
      const ts = tsharkH2(file, h2port).filter((f) => f.status !== undefined && f.status >= 200);
      const key = (num: number | undefined, cport: number, stream: number | undefined, status: number | undefined): string => `${num}|${cport}|${stream}|${status}`;
      expect(exs.filter((e) => e.respNum !== undefined).map((e) => key(e.respNum, port(e.client), e.stream, e.status)).sort())
        .toEqual(ts.map((f) => key(f.num, f.clientPort, f.stream, f.status)).sort());
      for (const e of exs) expect(e.respNum).toBeGreaterThan(e.reqNum);
    });

    it('counts the DATA bytes of each side and takes the trace from the frames', () => {
      for (const e of exs) {
        const req = byNum.get(e.reqNum)?.HTTP.streams[String(e.stream)].frames.find((f: Rec) => f.kind === 'request');
        expect(e.trace).toBe(req['logging.googleapis.com/trace']);
        if (e.respNum === undefined) continue;
        const resp = byNum.get(e.respNum)?.HTTP.streams[String(e.stream)].frames.find((f: Rec) => f.kind === 'response');
        expect(resp['logging.googleapis.com/trace']).toBe(e.trace);
        // The corpus server pads its JSON answers to about the size the path asks for.
        const size = Number(/size=(\d+)/.exec(e.url)?.[1] ?? NaN);
        if (e.status === 200) expect(Math.abs((e.respSize ?? 0) - size)).toBeLessThan(40);
      }
      const total = (side: 'client' | 'server'): number => recs.reduce((n, r) => n + Object.values<Rec>(r.HTTP?.streams ?? {})
        .flatMap((s) => s.frames as Rec[]).filter((f) => f.type === 'data' && (`${r.L3.src}:${r.L4.src}` === exs[0]?.client) === (side === 'client'))
        .reduce((m, f) => m + Number(f.body.length[0]), 0), 0);
      expect(exs.reduce((n, e) => n + (e.reqSize ?? 0), 0)).toBe(total('client'));
      expect(exs.reduce((n, e) => n + (e.respSize ?? 0), 0)).toBe(total('server'));
    });
  }
});

// ---- the timing join, on real records -------------------------------------------------------

describe.each(CAPTURES.filter((c) => c.h2port === undefined))('Exchange.timing on $name', ({ file }) => {
  const recs = records(file);
  const b = new ExchangeBuilder();
  for (const r of recs) { const p = httpPacket(r); if (p !== undefined) b.add(p); }
  const exs = b.exchanges();
  const timings = recs.filter((r) => r.timing !== undefined && r.timing.tls_ns === undefined);

  it('joins every timing record to one exchange, and every answered exchange gets one', () => {
    expect(timings.length).toBeGreaterThan(0);
    expect(b.stats().unjoinedTimings).toBe(0);
    expect(exs.filter((e) => e.timing !== undefined).length).toBe(timings.length);
    // An answered exchange without timing: only the last of its connection, whose response the capture cut (examples/).
    for (const e of exs) if (e.respNum !== undefined && e.timing === undefined) expect(exs.filter((x) => x.flow === e.flow && x.id > e.id)).toEqual([]);
  });

  it('joins by the exchange, not by position: start is the request packet, start + responseStart the response head packet', () => {
    for (const e of exs) {
      const t = e.timing;
      if (t === undefined) continue;
      // The corpus heads fit one segment: the request's first byte is the request head's packet.
      expect(t.start).toBeCloseTo(e.reqTime, 3);
      if (e.respTime !== undefined) expect(t.start + (t.responseStart ?? NaN)).toBeCloseTo(e.respTime, 3);
      if (t.responseEnd !== undefined) expect(t.responseEnd).toBeGreaterThanOrEqual(t.responseStart ?? NaN);
    }
  });

  it('converts the record\'s ns and RFC 3339 values to ms, key by key', () => {
    for (const r of timings) {
      const e = exs.find((x) => x.timing !== undefined && Math.abs(x.timing.start - parseRfc3339(r.timing.start)!) < 0.0005 && x.flow === r.flow);
      expect(e).toBeDefined();
      const t = e!.timing!;
      expect(t.responseStart).toBe(r.timing.response_start_ns === undefined ? undefined : r.timing.response_start_ns / 1e6);
      expect(t.responseEnd).toBe(r.timing.response_end_ns === undefined ? undefined : r.timing.response_end_ns / 1e6);
      expect(t.requestBytes).toBe(r.timing.bytes?.request);
      expect(t.responseBytes).toBe(r.timing.bytes?.response);
      expect(t.retransmissions).toEqual(r.timing.retransmissions);
      expect(t.reset).toBe(r.timing.reset);
      if (r.timing.connect !== undefined) expect(t.connect?.synAck).toBe(r.timing.connect.syn_ack_ns / 1e6);
    }
  });
});

describe('the timing join on hand-made records', () => {
  const tm = (startMs: number, extra: Rec = {}): Rec => ({ start: iso(startMs), request_end_ns: 0, response_start_ns: 1_500_000, response_end_ns: 2_000_000, retransmissions: { client: 1, server: 0 }, out_of_order: { client: 0, server: 0 }, zero_windows: { client: 0, server: 0 }, ...extra });

  it('passes over an exchange the core did not time (its start is not that request\'s)', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(1, '/a')); b.add(h1req(2, '/b'));
    b.add(h1resp(3, 200, { num: 1, path: '/a' }));
    b.add(h1resp(4, 200, { num: 2, path: '/b' }));
    b.add({ ...h1resp(4, 200), http: undefined, timing: tm(T0 + 2) }); // only /b's timing came
    const [a, bb] = b.exchanges();
    expect(a!.timing).toBeUndefined();
    expect(bb!.timing).toEqual({ start: T0 + 2, requestEnd: 0, responseStart: 1.5, responseEnd: 2, retransmissions: { client: 1, server: 0 }, outOfOrder: { client: 0, server: 0 }, zeroWindows: { client: 0, server: 0 } });
    expect(b.stats().unjoinedTimings).toBe(0);
  });

  it('uses request_num / response_num when present, and joins nothing when they disagree', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(1, '/a'));
    b.add(h1resp(3, 200, { num: 1, path: '/a' }));
    b.add({ ...h1resp(5, 200), http: undefined, timing: tm(T0 + 1, { request_num: 1, response_num: 4 }) });
    expect(b.exchanges()[0]!.timing).toBeUndefined();
    expect(b.stats().unjoinedTimings).toBe(1);
    b.add({ ...h1resp(6, 200), http: undefined, timing: tm(T0 + 1, { request_num: 1, response_num: 3 }) });
    expect(b.exchanges()[0]!.timing?.responseStart).toBe(1.5);
  });

  it('joins HTTP/2 timing.streams by stream id, with a stream reset and its code', () => {
    const b = new ExchangeBuilder();
    b.add(h2(1, true, [[1, h2req('/one')], [3, h2req('/three')]]));
    b.add(h2(2, false, [[3, { type: 'headers', kind: 'response', flags: flags(5), headers: { ':status': ['200'] } }]]));
    b.add({ ...h2(3, false, []), timing: { streams: [
      { ...tm(T0 + 1), stream: 3, request_num: 1, response_num: 2 },
      { ...tm(T0 + 1, { response_start_ns: undefined, response_end_ns: undefined }), stream: 1, request_num: 1, reset: 'stream', reset_code: 8 },
    ] } });
    const [one, three] = b.exchanges();
    expect(three!.timing?.responseEnd).toBe(2);
    expect(one!.timing?.reset).toBe('stream');
    expect(one!.timing?.resetCode).toBe(8);
    expect(b.stats().unjoinedTimings).toBe(0);
  });

  it('ignores a TLS handshake\'s timing and reads a record without HTTP as timing only', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(1, '/a'));
    b.add({ ...h1resp(2, 200), http: undefined, timing: { start: iso(T0), tls_ns: 5 } });
    expect(b.exchanges()[0]!.timing).toBeUndefined();
    expect(exchangeTiming({ start: 'not a time' })).toBeUndefined();
  });

  it('marks the local side from the records\' local key', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(1, '/a'));
    b.add({ ...h1resp(2, 200, { num: 1, path: '/a' }), local: true });
    expect(b.exchanges()[0]!.local).toBe('server');
  });
});

// ---- hand-made packets ------------------------------------------------------------------------

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const CLIENT = { src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 80 };

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z'); // µs digits, as the records write them
}

function h1req(num: number, path: string, conn: Partial<typeof CLIENT> = {}, flow = 'f1'): HttpPacket {
  const c = { ...CLIENT, ...conn };
  return {
    num, time: T0 + num, flow, ...c,
    http: { kind: 'request', method: 'GET', url: path, proto: 'HTTP/1.1', headers: { Accept: ['*/*'] }, raw: `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`, body: { length: ['0', '0'] } },
  };
}

function h1resp(num: number, code: number, req?: { num: number; path: string }, conn: Partial<typeof CLIENT> = {}, flow = 'f1'): HttpPacket {
  const c = { ...CLIENT, ...conn };
  const http: Rec = { kind: 'response', code, status: `${code} X`, proto: 'HTTP/1.1', headers: { 'Content-Length': ['2'] }, body: { length: ['2', '2'] } };
  if (req !== undefined) http.request = { method: 'GET', url: 'h' + req.path, timestamp: iso(T0 + req.num), latency: 0 };
  return { num, time: T0 + num, flow, src: c.dst, sport: c.dport, dst: c.src, dport: c.sport, http };
}

function h2(num: number, fromClient: boolean, frames: [number, Rec][]): HttpPacket {
  const streams: Rec = {};
  for (const [id, f] of frames) (streams[String(id)] ??= { id, frames: [] }).frames.push(f);
  const c = CLIENT;
  const dir = fromClient ? { src: c.src, sport: c.sport, dst: c.dst, dport: c.dport } : { src: c.dst, sport: c.dport, dst: c.src, dport: c.sport };
  return { num, time: T0 + num, flow: 'f2', ...dir, http: { proto: 'h2c', streams } };
}
const flags = (n: number): Rec => ({ dec: String(n), hex: '0x' + n.toString(16), bin: '0b' + n.toString(2) });
const h2req = (path: string, end = true): Rec => ({ type: 'headers', kind: 'request', flags: flags(end ? 5 : 4), headers: { ':method': ['GET'], ':path': [path], ':authority': ['h'], ':scheme': ['http'] } });
const h2resp = (status: number, end = false): Rec => ({ type: 'headers', kind: 'response', flags: flags(end ? 5 : 4), headers: { ':status': [String(status)] } });
const h2data = (len: number, end: boolean): Rec => ({ type: 'data', flags: flags(end ? 1 : 0), len, body: { length: [String(len), String(len)] } });

describe('ExchangeBuilder bounds', () => {
  it('has named defaults', () => {
    expect([MAX_OPEN_PER_CONNECTION, MAX_CONNECTIONS]).toEqual([256, 4_096]);
  });

  it('past maxOpenPerConnection gives up the oldest open HTTP/1 requests, keeping them unanswered', () => {
    const b = new ExchangeBuilder({ maxOpenPerConnection: 3 });
    for (let i = 0; i < 5; i++) b.add(h1req(i, `/r${i}`));
    b.add(h1resp(10, 200)); // no HTTP.request: the oldest still open
    const ex = b.exchanges();
    expect(ex.length).toBe(5);
    expect(ex.map((e) => e.note)).toEqual(['too many open requests on the connection', 'too many open requests on the connection', undefined, undefined, undefined]);
    expect(ex[2]?.respNum).toBe(10);
    expect(b.stats().evicted).toBe(2);
  });

  it('past maxOpenPerConnection gives up the oldest open HTTP/2 stream', () => {
    const b = new ExchangeBuilder({ maxOpenPerConnection: 2 });
    b.add(h2(1, true, [[1, h2req('/a')], [3, h2req('/b')], [5, h2req('/c')]]));
    b.add(h2(2, false, [[1, h2resp(200, true)], [5, h2resp(200, true)]]));
    const ex = b.exchanges();
    // Stream 1 was given up, so its response has no request to join: it becomes its own exchange.
    expect(ex.map((e) => [e.stream, e.reqNum, e.respNum, e.note])).toEqual([
      [1, 1, undefined, 'too many open streams on the connection'], [3, 1, undefined, undefined], [5, 1, 2, undefined], [1, -1, 2, 'request not captured'],
    ]);
    expect(b.stats().evicted).toBe(1);
  });

  it('past maxExchanges keeps no new exchange, counts it, and still answers the kept ones', () => {
    const b = new ExchangeBuilder({ maxExchanges: 2 });
    for (let i = 0; i < 3; i++) b.add(h1req(i, `/r${i}`));
    for (let i = 0; i < 3; i++) b.add(h1resp(10 + i, 200, { num: i, path: `/r${i}` }));
    expect(b.exchanges().map((e) => [e.reqNum, e.respNum])).toEqual([[0, 10], [1, 11]]);
    expect(b.stats().dropped).toBe(2); // the third request, and its response (which has no request kept)
  });

  it('past maxConnections forgets the least recently used connection', () => {
    const b = new ExchangeBuilder({ maxConnections: 1 });
    b.add(h1req(0, '/a'));
    b.add(h1req(1, '/b', { sport: 40001 }));
    b.add(h1resp(2, 200, { num: 0, path: '/a' })); // connection A again: B is forgotten in turn
    const ex = b.exchanges();
    expect(ex.slice(0, 2).map((e) => [e.note, e.respNum])).toEqual([['connection forgotten (too many connections)', undefined], ['connection forgotten (too many connections)', undefined]]);
    // The response names its request, so it is kept with what it says about it.
    expect(ex[2]).toMatchObject({ method: 'GET', url: 'http://h/a', reqNum: -1, respNum: 2, note: 'request not captured' });
    expect(b.stats().evicted).toBe(2);
  });
});

describe('ExchangeBuilder pairing details', () => {
  it('keeps connections with the same flow id apart (flow ids collide when port sums match)', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(0, '/a', { sport: 40000, dport: 80 }, 'same'));
    b.add(h1req(1, '/b', { sport: 40001, dport: 79 }, 'same'));
    b.add(h1resp(2, 201, undefined, { sport: 40001, dport: 79 }, 'same'));
    expect(b.exchanges().map((e) => [e.url, e.status])).toEqual([['http://h/a', undefined], ['http://h/b', 201]]);
  });

  it('skips 1xx interim responses and pairs the final one', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(0, '/up'));
    b.add(h1resp(1, 100, { num: 0, path: '/up' }));
    b.add(h1resp(2, 200, { num: 0, path: '/up' }));
    expect(b.exchanges().map((e) => [e.status, e.respNum])).toEqual([[200, 2]]);
  });

  it('places requests pipelined behind the head a record shows on that packet (difference 17)', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(0, '/one')); // one segment held /one, /two and /three; the record shows /one
    b.add(h1resp(1, 200, { num: 0, path: '/one' }));
    b.add(h1resp(2, 404, { num: 0, path: '/two' }));
    b.add(h1resp(3, 200, { num: 0, path: '/three' }));
    expect(b.exchanges().map((e) => [e.reqNum, e.url, e.status, e.respNum, e.note])).toEqual([
      [0, 'http://h/one', 200, 1, undefined], [0, 'http://h/two', 404, 2, undefined], [0, 'http://h/three', 200, 3, undefined],
    ]);
  });

  it('closes earlier requests unanswered when a response names a later one', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(0, '/lost'));
    b.add(h1req(1, '/kept'));
    b.add(h1resp(2, 200, { num: 1, path: '/kept' }));
    b.add(h1resp(3, 200)); // nothing open: a response whose request was not captured
    expect(b.exchanges().map((e) => [e.reqNum, e.respNum, e.note])).toEqual([[0, undefined, 'no response seen'], [1, 2, undefined], [-1, 3, 'request not captured']]);
  });

  it('ends an HTTP/2 exchange on RST_STREAM with a note, and sums DATA per side', () => {
    const b = new ExchangeBuilder();
    b.add(h2(0, true, [[1, h2req('/up', false)], [1, h2data(100, true)], [3, h2req('/x')]]));
    b.add(h2(1, false, [[1, h2resp(200)], [1, h2data(10, false)], [3, { type: 'rst', flags: flags(0) }]]));
    b.add(h2(2, false, [[1, h2data(5, true)], [1, h2data(7, true)]])); // after END_STREAM: not counted
    expect(b.exchanges().map((e) => [e.stream, e.status, e.reqSize, e.respSize, e.note])).toEqual([
      [1, 200, 100, 15, undefined], [3, undefined, 0, undefined, 'stream reset by the server'],
    ]);
  });

  it('takes Host from the response when the raw head did not hold it, else uses the server address', () => {
    const b = new ExchangeBuilder();
    const long = h1req(0, '/long'); // a head longer than `raw` keeps: cut before Host
    (long.http as Rec).raw = 'GET /long HTTP/1.1\r\nX-Pad: ' + 'p'.repeat(490) + '...';
    b.add(long);
    const bare = h1req(1, '/bare', { sport: 40001 }); // HTTP/1.0 without Host
    (bare.http as Rec).raw = 'GET /bare HTTP/1.0\r\n\r\n';
    b.add(bare);
    b.add(h1resp(2, 200, { num: 0, path: '/long' })); // request.url = 'h' + target
    const [a, c] = b.exchanges();
    expect([a?.url, a?.host, a?.reqHeaders[0], a?.reqHeadersSize]).toEqual(['http://h/long', 'h', ['Host', 'h'], undefined]);
    expect([c?.url, c?.host]).toEqual(['http://10.0.0.2:80/bare', undefined]);
  });

  it(`keeps at most MAX_HEADERS_PER_MESSAGE (${MAX_HEADERS_PER_MESSAGE}) header fields of a message`, () => {
    const b = new ExchangeBuilder();
    const p = h1req(0, '/many');
    (p.http as Rec).headers = { 'X-Many': Array.from({ length: 1000 }, (_, i) => String(i)) };
    b.add(p);
    expect(b.exchanges()[0]?.reqHeaders.length).toBe(MAX_HEADERS_PER_MESSAGE + 1); // + the Host from raw
  });

  it('follows an HTTP/1.1 upgrade to h2c: the request is answered again on stream 1', () => {
    const b = new ExchangeBuilder();
    b.add(h1req(0, '/up'));
    const sw = h1resp(1, 101, { num: 0, path: '/up' });
    (sw.http as Rec).headers = { Connection: ['Upgrade'], Upgrade: ['h2c'] };
    b.add(sw);
    // Real h2 packets come from the same connection: CLIENT's endpoints with flow 'f1'.
    b.add({ ...h2(2, false, [[1, h2resp(200)], [1, h2data(30, true)]]), flow: 'f1' });
    expect(b.exchanges().map((e) => [e.proto, e.stream, e.reqNum, e.status, e.respNum, e.respSize, e.note])).toEqual([
      ['HTTP/1.1', undefined, 0, 101, 1, 0, undefined], ['HTTP/2', 1, 0, 200, 2, 30, 'upgraded from HTTP/1.1'],
    ]);
  });

  it('keeps the request time a response names even when the request itself was not captured', () => {
    const b = new ExchangeBuilder();
    b.add(h1resp(5, 200, { num: 2, path: '/before' })); // the request preceded the capture
    expect(b.exchanges().map((e) => [e.reqNum, e.url, e.reqTime, e.latency, e.note])).toEqual([[-1, 'http://h/before', T0 + 2, 3, 'request not captured']]);
  });

  it('builds absolute URLs from every request-target form', () => {
    expect(absoluteUrl('http', 'h:8', '/p?q')).toBe('http://h:8/p?q');
    expect(absoluteUrl('http', 'h', 'http://o/p')).toBe('http://o/p');
    expect(absoluteUrl('http', undefined, '//h:443')).toBe('http://h:443');
    expect(absoluteUrl('http', 'h', '*')).toBe('http://h/*');
  });

  it('reads RFC 3339 timestamps to the microsecond', () => {
    expect(parseRfc3339('2026-11-25T10:34:38.800038Z')).toBeCloseTo(Date.UTC(2026, 10, 25, 10, 34, 38, 800) + 0.038, 6);
    expect(parseRfc3339('2026-11-25T10:34:38Z')).toBe(Date.UTC(2026, 10, 25, 10, 34, 38));
    expect(parseRfc3339('yesterday')).toBeUndefined();
  });
});

// The app's HTTP worker compacts after every batch and reads headers again for a HAR.
describe.each(CAPTURES)('compact() and rereadHeaders() on $name', ({ file }) => {
  it('give back exactly the headers add() had, from the records', () => {
    const recs = records(file);
    const byNum = new Map<number, Rec>(recs.map((r) => [Number(r.pcap.num), r]));
    const pkts = packets(recs);
    const whole = build(pkts);
    const b = new ExchangeBuilder();
    pkts.forEach((p, i) => { b.add(p); if (i % 7 === 0) b.compact(); });
    b.compact();
    const compacted = b.exchanges().map((e) => ({ ...e }));
    expect(compacted.length).toBe(whole.length);
    let dropped = 0;
    for (const [i, e] of compacted.entries()) {
      if (e.headersDropped) { dropped++; expect(e.reqHeaders).toEqual([]); }
      rereadHeaders(e, byNum.get(e.reqNum)?.HTTP, e.respNum === undefined ? undefined : byNum.get(e.respNum)?.HTTP);
      const { headersDropped, ...rest } = e;
      void headersDropped;
      expect(rest).toEqual(Object.fromEntries(Object.entries(whole[i]!).filter(([k]) => k !== 'headersDropped')));
    }
    expect(dropped).toBeGreaterThan(0);
  });
});

describe('timing of pipelined exchanges ending in one segment', () => {
  it('joins the top-level timing to the first exchange and each `more` entry to the next, by request_num', async () => {
    const { readFileSync } = await import('node:fs');
    const B = await import('../helpers/build.js');
    const { Conversation } = await import('../helpers/conversation.js');
    const { recordsOf } = await import('../helpers/records.js');
    const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
    const p: import('../helpers/build.js').PcapPacket[] = [];
    const c = new Conversation(p);
    c.handshake(500);
    // Three requests, each in its own segment (each its own record and exchange), answered in one segment.
    const reqs = [0, 1, 2].map((i) => c.send(`GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`, 500.010 + i / 1000));
    const res = c.reply('HTTP/1.1 204 No Content\r\n\r\n'.repeat(3), 500.020);
    const recs = await recordsOf(wasm, B.pcap(p, { nano: true }), 'debug');
    expect(recs[res].timing.more).toHaveLength(2);
    const b = new ExchangeBuilder();
    for (const r of recs) { const x = httpPacket(r); if (x) b.add(x); }
    const exs = b.exchanges();
    expect(exs.map((e) => e.reqNum)).toEqual(reqs);
    // Each exchange timed, from its own request's first byte; the first carries the connection's setup.
    exs.forEach((e, i) => {
      expect(e.timing, `exchange ${i}`).toBeDefined();
      expect(e.timing!.start).toBeCloseTo(e.reqTime, 3);
      expect(e.timing!.start + e.timing!.responseEnd!).toBeCloseTo(500_020, 3);
      expect(e.timing!.connect !== undefined).toBe(i === 0);
    });
    expect(b.stats().unjoinedTimings).toBe(0);
  });
});
