// toHar on the exchanges of every HTTP capture: valid HAR 1.2 (har-validator), one entry per
// exchange carrying its method, URL, status and packets; then the field rules on hand-made ones.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import validator from 'har-validator';
import type { Entry } from 'har-format';
import { ExchangeBuilder, type Exchange } from '../../../../src/exchanges.js';
import { toHar, harTimings, bodyText, MAX_HAR_BODY_BYTES, traceId, queryString, requestCookies, setCookie, TRACECAP_VERSION, type TracecapEntryFields } from '../../../../runtimes/browser/app/har.js';
import { CAPTURES, packets, records } from './corpus.js';

type TEntry = Entry & TracecapEntryFields;

/** har-validator rejects with an HARError listing ajv's complaints; show them. */
async function expectValid(har: unknown): Promise<void> {
  try {
    await validator.har(har as never);
  } catch (err) {
    throw new Error(`invalid HAR: ${JSON.stringify((err as { errors?: unknown }).errors ?? String(err)).slice(0, 2000)}`);
  }
}

describe.each(CAPTURES)('toHar on $name', ({ file }) => {
  const recs = records(file);
  const b = new ExchangeBuilder();
  for (const p of packets(recs)) b.add(p);
  const exs = b.exchanges();

  it('validates as HAR 1.2, with and without a page, also after a JSON round trip', async () => {
    await expectValid(toHar(exs));
    const har = toHar(exs, { pageTitle: file });
    await expectValid(har);
    await expectValid(JSON.parse(JSON.stringify(har)));
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'tracecap', version: TRACECAP_VERSION });
    expect(har.log.pages?.[0]?.title).toBe(file);
    expect(har.log.entries.every((e) => e.pageref === 'page_1')).toBe(true);
  });

  it('has one entry per exchange with its method, URL, status, packets, trace and connection', () => {
    const entries = toHar(exs).log.entries as TEntry[];
    expect(entries.length).toBe(exs.length);
    expect(entries.map((e) => [e.request.method, e.request.url, e.response.status, e._packets, e._traceId, e.connection, e.serverIPAddress]))
      .toEqual(exs.map((x) => [x.method, x.url, x.status ?? 0, [x.reqNum, x.respNum ?? null], x.trace !== undefined ? traceId(x.trace) : undefined, x.flow, x.serverIp]));
    for (const [i, e] of entries.entries()) {
      const x = exs[i] as Exchange;
      expect(e.startedDateTime).toBe(new Date(Math.floor(x.reqTime)).toISOString());
      expect(e.time).toBe(x.latency ?? 0);
      expect(e.timings).toEqual({ blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: x.latency ?? 0, receive: 0 });
      expect(e.request.httpVersion).toBe(x.proto);
      // The records' query strings are plain: name=value pairs as written.
      const q = x.url.includes('?') ? (x.url.split('?')[1] ?? '').split('&').map((kv) => kv.split('=')) : [];
      expect(e.request.queryString.map((p) => [p.name, p.value])).toEqual(q);
      if (x.respNum !== undefined) expect(e.response.content.mimeType).toBe(x.respHeaders.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'x-unknown');
    }
  });

  it('gives HTTP/1 head sizes from the raw heads and the declared body sizes', () => {
    const byNum = new Map(recs.map((r) => [Number(r.pcap.num), r]));
    for (const [i, e] of toHar(exs).log.entries.entries()) {
      const x = exs[i] as Exchange;
      if (x.proto === 'HTTP/2') { expect(e.request.headersSize).toBe(-1); continue; }
      const raw: string = byNum.get(x.reqNum)?.HTTP.raw;
      expect(e.request.headersSize).toBe(raw.indexOf('\r\n\r\n') + 4);
      if (x.respNum === undefined) continue;
      const len = Number(byNum.get(x.respNum)?.HTTP.body.length[1]);
      expect(e.response.bodySize).toBe(len >= 0 ? len : -1);
    }
  });
});

// ---- hand-made exchanges ----------------------------------------------------------------------

const base: Exchange = {
  id: 0, proto: 'HTTP/1.1', method: 'GET', url: 'http://h/p?a=1&b=x%20y&c&d=+', host: 'h', flow: '42',
  client: '10.0.0.1:40000', server: '10.0.0.2:80', serverIp: '10.0.0.2', reqNum: 3, reqTime: Date.UTC(2026, 0, 1) + 0.5,
  reqHeaders: [['Host', 'h'], ['Cookie', 'sid=abc; theme=dark']], respHeaders: [],
};

describe('toHar field rules', () => {
  it('exports an unanswered request with status 0, no timing and an _error', async () => {
    const har = toHar([{ ...base, note: 'stream reset by the server' }]);
    await expectValid(har);
    const e = har.log.entries[0] as TEntry;
    expect(e.response).toMatchObject({ status: 0, statusText: '', httpVersion: '', bodySize: -1, headersSize: -1, content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '' });
    expect([e.time, e.timings.wait, e._packets, e._error]).toEqual([0, 0, [3, null], 'stream reset by the server']);
    expect(e.startedDateTime).toBe('2026-01-01T00:00:00.000Z');
  });

  it('exports a response whose request was not captured at the server address, still valid', async () => {
    const x: Exchange = { ...base, method: '', url: '', host: undefined, reqNum: -1, reqHeaders: [], status: 200, statusText: 'OK', respNum: 9, respTime: base.reqTime, note: 'request not captured' };
    const har = toHar([x]);
    await expectValid(har);
    const e = har.log.entries[0] as TEntry;
    expect([e.request.url, e._packets, e._error]).toEqual(['http://10.0.0.2:80/', [null, 9], 'request not captured']);
  });

  it('parses cookies, Set-Cookie attributes, redirects and the trace id', async () => {
    const x: Exchange = {
      ...base, status: 302, statusText: 'Found', respNum: 4, respTime: base.reqTime + 2.25, latency: 2.25, trace: 'projects/p1/traces/0af7651916cd43dd8448eb211c80319c',
      respHeaders: [['Location', '/next'], ['Set-Cookie', 'sid=new; Path=/; Domain=h; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure'], ['Set-Cookie', 'x=1'], ['Content-Type', 'text/html']],
    };
    const har = toHar([x]);
    await expectValid(har);
    const e = har.log.entries[0] as TEntry;
    expect(e.request.cookies).toEqual([{ name: 'sid', value: 'abc' }, { name: 'theme', value: 'dark' }]);
    expect(e.response.cookies).toEqual([
      { name: 'sid', value: 'new', path: '/', domain: 'h', expires: '2026-10-21T07:28:00.000Z', httpOnly: true, secure: true }, { name: 'x', value: '1' },
    ]);
    expect([e.response.redirectURL, e.response.content.mimeType, e.time, e.timings.wait, e._traceId]).toEqual(['/next', 'text/html', 2.25, 2.25, '0af7651916cd43dd8448eb211c80319c']);
  });

  it('decodes query strings and keeps malformed escapes', () => {
    expect(queryString(base.url)).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: 'x y' }, { name: 'c', value: '' }, { name: 'd', value: ' ' }]);
    expect(queryString('http://h/p?bad=%zz#frag')).toEqual([{ name: 'bad', value: '%zz' }]);
    expect(queryString('http://h/p')).toEqual([]);
    expect(requestCookies(undefined)).toEqual([]);
    expect(setCookie('lonely')).toEqual({ name: 'lonely', value: '' });
    expect(traceId('not-a-trace-path')).toBe('not-a-trace-path');
  });

  it('is checked by a validator that does reject broken HAR (the checks above are not vacuous)', async () => {
    const good = toHar([base]);
    await expectValid(good);
    const bad = JSON.parse(JSON.stringify(good));
    delete bad.log.entries[0].request.headersSize;
    await expect(validator.har(bad)).rejects.toThrow();
    const badUrl = JSON.parse(JSON.stringify(good));
    badUrl.log.entries[0].request.url = '';
    await expect(validator.har(badUrl)).rejects.toThrow();
  });

  it("names tracecap's package version as the creator version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(TRACECAP_VERSION).toBe(pkg.version);
  });

  it('exports an empty log', async () => {
    const har = toHar([], { pageTitle: 'nothing' });
    await expectValid(har);
    expect(har.log.entries).toEqual([]);
  });
});

describe('HAR timings from the packets (Exchange.timing)', () => {
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 1);
  const answered: Exchange = { ...base, status: 200, statusText: 'OK', respNum: 8, respTime: t0 + 40, latency: 40 };
  const sum = (t: Entry['timings']) => Object.entries(t).filter(([k, v]) => k !== 'ssl' && typeof v === 'number' && v > 0).reduce((n, [, v]) => n + (v as number), 0);

  it('splits send, wait and receive, and starts at the SYN with connect and blocked when the handshake was seen', async () => {
    const x: Exchange = { ...answered, timing: {
      start: t0, requestEnd: 2, responseStart: 30, responseEnd: 45, connect: { syn: t0 - 5, synAck: 1, ack: 1.5 },
      retransmissions: { client: 0, server: 0 }, outOfOrder: { client: 0, server: 0 }, zeroWindows: { client: 0, server: 0 },
    } };
    const har = toHar([x]);
    await expectValid(har);
    const e = har.log.entries[0]!;
    expect(e.timings).toEqual({ blocked: 3.5, dns: -1, connect: 1.5, ssl: -1, send: 2, wait: 28, receive: 15 });
    expect(e.time).toBe(50);
    expect(e.time).toBeCloseTo(sum(e.timings), 9);
    expect(e.startedDateTime).toBe(new Date(t0 - 5).toISOString());
    expect(harTimings(x.timing!).started).toBe(t0 - 5);
  });

  it('leaves connect and blocked −1 on a reused connection, and starts at the request', async () => {
    const x: Exchange = { ...answered, timing: {
      start: t0, requestEnd: 0, responseStart: 12.25, responseEnd: 12.25,
      retransmissions: { client: 0, server: 1 }, outOfOrder: { client: 0, server: 0 }, zeroWindows: { client: 0, server: 0 },
    } };
    const har = toHar([x]);
    await expectValid(har);
    const e = har.log.entries[0]!;
    expect(e.timings).toEqual({ blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 12.25, receive: 0 });
    expect(e.time).toBe(12.25);
    expect(e.startedDateTime).toBe(new Date(t0).toISOString());
  });

  it('gives a request reset before its response wait and receive 0, still summing to time', async () => {
    const x: Exchange = { ...base, note: 'connection reset by the server', timing: {
      start: t0, requestEnd: 4, reset: 'server',
      retransmissions: { client: 2, server: 0 }, outOfOrder: { client: 0, server: 0 }, zeroWindows: { client: 0, server: 0 },
    } };
    const har = toHar([x]);
    await expectValid(har);
    const e = har.log.entries[0]!;
    expect([e.timings.send, e.timings.wait, e.timings.receive, e.time]).toEqual([4, 0, 0, 4]);
  });
});

describe('HAR bodies (from the reassembled connection)', () => {
  const answered: Exchange = { ...base, method: 'POST', status: 200, statusText: 'OK', respNum: 8, respTime: base.reqTime + 5, latency: 5, reqHeaders: [['Content-Type', 'application/json']], respHeaders: [['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']] };
  const enc = new TextEncoder();

  it('puts text bodies as text, binary ones as base64, with content.size, compression and bodySize', async () => {
    const bin = Uint8Array.of(0, 1, 2, 255, 254);
    const bodies = new Map([
      [0, { request: { data: enc.encode('{"a":1}'), rawSize: 7, codings: [] }, response: { data: enc.encode('héllo'.repeat(10)), rawSize: 20, codings: ['gzip'] } }],
      [1, { response: { data: bin, rawSize: 5, codings: [] } }],
    ]);
    const har = toHar([answered, { ...answered, id: 1, method: 'GET', respSize: undefined }], { bodies });
    await expectValid(har);
    const [a, b] = har.log.entries as TEntry[];
    expect(a!.request.postData).toEqual({ mimeType: 'application/json', text: '{"a":1}' });
    expect(a!.response.content).toMatchObject({ size: 60, compression: 40, text: 'héllo'.repeat(10), mimeType: 'text/plain' });
    expect(a!.response.content.encoding).toBeUndefined();
    expect(b!.response.content).toMatchObject({ size: 5, text: Buffer.from(bin).toString('base64'), encoding: 'base64' });
    expect(b!.response.bodySize).toBe(5);
    expect(bodyText(enc.encode('plain\ttext\r\n'))).toEqual({ text: 'plain\ttext\r\n' });
  });

  it('says why a body is left out: not decodable, or larger than MAX_HAR_BODY_BYTES', async () => {
    const bodies = new Map([[0, { response: { data: null, rawSize: 9, codings: ['br'], note: 'br (brotli) bodies are not decoded' } }],
      [1, { response: { data: new Uint8Array(MAX_HAR_BODY_BYTES + 1), rawSize: MAX_HAR_BODY_BYTES + 1, codings: [] } }]]);
    const har = toHar([answered, { ...answered, id: 1 }], { bodies });
    await expectValid(har);
    const [a, b] = har.log.entries;
    expect(a!.response.content.text).toBeUndefined();
    expect(a!.response.content.comment).toBe('body not included: br (brotli) bodies are not decoded');
    expect(b!.response.content.text).toBeUndefined();
    expect(b!.response.content).toMatchObject({ size: MAX_HAR_BODY_BYTES + 1, comment: `body of ${MAX_HAR_BODY_BYTES + 1} bytes not included (MAX_HAR_BODY_BYTES ${MAX_HAR_BODY_BYTES})` });
  });
});

describe('HAR timings from the core\'s timing records, against tshark', () => {
  it("gives wait + receive = tshark's http.time and connect = the handshake, summing to time, on h1-keepalive-mtu1500", () => {
    const file = CAPTURES.find((c) => c.name === 'h1-keepalive-mtu1500')!.file;
    // The record's `timing` (ns from `start`, README "Exchange timing") in the hosts' ms units, as
    // the ExchangeTiming contract says; converted here independently of src/exchanges.ts.
    const ms = (iso: string, ns = 0) => Date.parse(iso.replace(/\.(\d{3})\d*Z$/, '.$1Z')) + Number(`0.${(/\.\d{3}(\d*)Z$/.exec(iso)?.[1] ?? '').padEnd(6, '0')}`) + ns / 1e6;
    const timed = records(file).filter((r) => r.timing?.response_end_ns !== undefined); // on the record with the response's last byte
    expect(timed.length).toBeGreaterThan(10);
    const phases = timed.map((r) => {
      const t = r.timing;
      return harTimings({
        start: ms(t.start), requestEnd: t.request_end_ns / 1e6, responseStart: t.response_start_ns / 1e6, responseEnd: t.response_end_ns / 1e6,
        ...(t.connect ? { connect: { syn: ms(t.connect.syn), synAck: t.connect.syn_ack_ns / 1e6, ack: t.connect.ack_ns / 1e6 } } : {}),
        retransmissions: { client: 0, server: 0 }, outOfOrder: { client: 0, server: 0 }, zeroWindows: { client: 0, server: 0 },
      });
    });
    const us = (x: number) => Math.round(x * 1000);
    const tsharkTimes = execFileSync('tshark', ['-r', file, '-Y', 'http.response', '-T', 'fields', '-e', 'http.time'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter(Boolean).map((s) => us(Number(s) * 1000)).sort((a, b) => a - b);
    expect(phases.map((p) => us(p.timings.wait + p.timings.receive)).sort((a, b) => a - b)).toEqual(tsharkTimes);
    // Handshakes: SYN → the client's ACK as tshark times the third packet of each stream.
    const handshakes = execFileSync('tshark', ['-r', file, '-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
    const acks = handshakes.map((st) => execFileSync('tshark', ['-r', file, '-Y', `tcp.stream eq ${st} && tcp.flags.ack == 1 && tcp.flags.syn == 0`, '-T', 'fields', '-e', 'tcp.time_relative'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean)[0]!)
      .map((s) => us(Number(s) * 1000)).sort((a, b) => a - b);
    expect(phases.filter((p) => p.timings.connect >= 0).map((p) => us(p.timings.connect)).sort((a, b) => a - b)).toEqual(acks);
    for (const p of phases) {
      const sum = Object.entries(p.timings).filter(([k, v]) => k !== 'ssl' && v > 0).reduce((n, [, v]) => n + v, 0);
      expect(p.time).toBeCloseTo(sum, 9);
    }
  });
});
