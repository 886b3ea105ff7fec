// The span output: every line the CLI writes with --format otlp decoded against the OpenTelemetry
// protobuf definitions (the generated root @opentelemetry/otlp-transformer ships), after the
// OTLP/JSON rules (hex ids to bytes, int64 as decimal strings, no unknown field); span counts
// against the exchanges and tshark, trace and parent ids against the request headers and the
// core's own trace keys, the same bytes on 1, 2 and 3 threads; --otlp-endpoint against receivers
// this test starts on 127.0.0.1.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Server, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExchangeBuilder, httpPacket } from '../../src/exchanges.js';
import { parseTraceparent, parseCloudTraceContext, OtlpWriter, OtlpRecordReader, toOtlp, OTLP_PENDING_EXCHANGES } from '../../src/otlp.js';
import { retryAfterMs } from '../../src/otlpexport.js';
import { CAPTURES, records, tsharkH1 } from '../runtimes/browser/app/corpus.js';
import { Conversation, request, response } from '../helpers/conversation.js';
import * as B from '../helpers/build.js';

type Rec = Record<string, any>;
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/tracecap.js');
const EXAMPLE = join(ROOT, 'examples/http-keepalive.pcap');

// The definitions: opentelemetry-proto's trace.proto and common.proto, as protobufjs code.
const require = createRequire(import.meta.url);
const pb = require(join(ROOT, 'node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js')).opentelemetry.proto;
const T: Record<string, any> = {
  TracesData: pb.trace.v1.TracesData, ResourceSpans: pb.trace.v1.ResourceSpans, ScopeSpans: pb.trace.v1.ScopeSpans,
  Span: pb.trace.v1.Span, Event: pb.trace.v1.Span.Event, Link: pb.trace.v1.Span.Link, Status: pb.trace.v1.Status,
  Resource: pb.resource.v1.Resource, InstrumentationScope: pb.common.v1.InstrumentationScope, KeyValue: pb.common.v1.KeyValue,
  AnyValue: pb.common.v1.AnyValue, ArrayValue: pb.common.v1.ArrayValue, KeyValueList: pb.common.v1.KeyValueList,
};
/** Message-typed fields of each message (the rest are scalars). */
const NESTED: Record<string, Record<string, string>> = {
  TracesData: { resourceSpans: 'ResourceSpans' }, ResourceSpans: { resource: 'Resource', scopeSpans: 'ScopeSpans' },
  Resource: { attributes: 'KeyValue' }, ScopeSpans: { scope: 'InstrumentationScope', spans: 'Span' }, InstrumentationScope: { attributes: 'KeyValue' },
  Span: { events: 'Event', links: 'Link', status: 'Status', attributes: 'KeyValue' }, Event: { attributes: 'KeyValue' }, Link: { attributes: 'KeyValue' },
  Status: {}, KeyValue: { value: 'AnyValue' }, AnyValue: { arrayValue: 'ArrayValue', kvlistValue: 'KeyValueList' }, ArrayValue: { values: 'AnyValue' }, KeyValueList: { values: 'KeyValue' },
};
/** OTLP/JSON: these bytes fields are hex (OTLP spec, "JSON Protobuf Encoding"), of these lengths. */
const HEX_IDS: Record<string, Record<string, number>> = { Span: { traceId: 16, spanId: 8, parentSpanId: 8 }, Link: { traceId: 16, spanId: 8 } };
const INT64: Record<string, string[]> = { Span: ['startTimeUnixNano', 'endTimeUnixNano'], Event: ['timeUnixNano'], AnyValue: ['intValue'] };

/** OTLP/JSON → the object protobufjs' fromObject takes, failing on any field the definitions do not have. */
function toProtoObject(type: string, o: Rec, path: string): Rec {
  const out: Rec = {};
  expect(typeof o, path).toBe('object');
  for (const [k, v] of Object.entries(o)) {
    const where = `${path}.${k}`;
    expect(Object.prototype.hasOwnProperty.call(T[type].prototype, k), `unknown field ${type}.${k} at ${where}`).toBe(true);
    const nested = NESTED[type]?.[k];
    const hexLen = HEX_IDS[type]?.[k];
    if (nested !== undefined) out[k] = Array.isArray(v) ? v.map((x, i) => toProtoObject(nested, x, `${where}[${i}]`)) : toProtoObject(nested, v, where);
    else if (hexLen !== undefined) {
      expect(v, where).toMatch(new RegExp(`^[0-9a-f]{${hexLen * 2}}$`)); // lowercase hex, not base64
      out[k] = Uint8Array.from(Buffer.from(v, 'hex'));
    } else if (INT64[type]?.includes(k)) {
      expect(v, where).toMatch(/^\d+$/);
      out[k] = v;
    } else out[k] = v;
  }
  return out;
}

/** Decodes one OTLP/JSON line through the protobuf definitions; its spans, as the binary round trip gives them back. */
function decodeLine(line: string): Rec[] {
  const json = JSON.parse(line);
  const msg = T.TracesData.fromObject(toProtoObject('TracesData', json, 'TracesData'));
  expect(T.TracesData.verify(msg)).toBeNull();
  const back = T.TracesData.toObject(T.TracesData.decode(T.TracesData.encode(msg).finish()), { longs: String, enums: Number, defaults: false });
  const spans: Rec[] = back.resourceSpans.flatMap((r: Rec) => r.scopeSpans.flatMap((s: Rec) => s.spans));
  const orig: Rec[] = json.resourceSpans.flatMap((r: Rec) => r.scopeSpans.flatMap((s: Rec) => s.spans));
  expect(spans.length).toBe(orig.length);
  spans.forEach((s, i) => {
    const o = orig[i]!;
    // What the binary form holds is what the JSON said.
    expect(Buffer.from(s.traceId).toString('hex')).toBe(o.traceId);
    expect(Buffer.from(s.spanId).toString('hex')).toBe(o.spanId);
    if (o.parentSpanId !== undefined) expect(Buffer.from(s.parentSpanId).toString('hex')).toBe(o.parentSpanId);
    expect(s.startTimeUnixNano).toBe(o.startTimeUnixNano);
    expect(s.endTimeUnixNano).toBe(o.endTimeUnixNano);
    expect([2, 3]).toContain(s.kind);
    expect(BigInt(s.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.startTimeUnixNano));
  });
  return orig;
}

function cli(args: string[]): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return { out: r.stdout, err: r.stderr, status: r.status };
}
const linesOf = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const attrOf = (s: Rec, key: string): any => {
  const v = s.attributes.find((a: Rec) => a.key === key)?.value;
  return v === undefined ? undefined : v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
};

/** The trace header of a request record, read from its raw head (HTTP/1) or its HEADERS frame (HTTP/2). */
function requestTraceHeaders(rec: Rec, stream: number | undefined): { tp?: string; xc?: string } {
  if (stream === undefined) {
    const raw: string = rec.HTTP.raw;
    return { tp: /\r\ntraceparent:\s*([^\r\n]*)/i.exec(raw)?.[1], xc: /\r\nx-cloud-trace-context:\s*([^\r\n]*)/i.exec(raw)?.[1] };
  }
  const f = rec.HTTP.streams[String(stream)].frames.find((x: Rec) => x.kind === 'request');
  const h = (n: string): string | undefined => Object.entries<string[]>(f.headers).find(([k]) => k.toLowerCase() === n)?.[1][0];
  return { tp: h('traceparent'), xc: h('x-cloud-trace-context') };
}

describe.each(CAPTURES)('--format otlp on $name', ({ file, h2port }) => {
  const recs = records(file);
  const byNum = new Map<number, Rec>(recs.map((r) => [Number(r.pcap.num), r]));
  const r = cli(['--format', 'otlp', file]);
  const lines = linesOf(r.out);
  let spans: Rec[] = [];

  it('writes lines that decode against the OpenTelemetry protobuf definitions (OTLP/JSON rules, no unknown field)', () => {
    expect(r.status, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(lines.length).toBeGreaterThan(0);
    spans = lines.flatMap(decodeLine);
  });

  it('has one span per exchange, in request order', () => {
    const b = new ExchangeBuilder();
    for (const rec of recs) { const p = httpPacket(rec); if (p !== undefined) b.add(p); }
    expect(spans.length).toBe(b.exchanges().length);
    expect(spans.map((s) => Number(attrOf(s, 'tracecap.request.packet') ?? -1))).toEqual(b.exchanges().map((e) => e.reqNum));
    if (h2port === undefined) expect(spans.length).toBe(tsharkH1(file).reqs.length);
  });

  it("takes trace and parent span from the request's trace header, as the core's trace keys do", () => {
    let traced = 0;
    for (const s of spans) {
      const num = attrOf(s, 'tracecap.request.packet');
      const stream = attrOf(s, 'tracecap.http2.stream_id');
      const req = byNum.get(Number(num))!;
      const { tp, xc } = requestTraceHeaders(req, stream === undefined ? undefined : Number(stream));
      const frame = stream === undefined ? req : req.HTTP.streams[String(stream)].frames.find((x: Rec) => x.kind === 'request');
      const coreTrace: string | undefined = frame['logging.googleapis.com/trace'];
      if (tp === undefined && xc === undefined) {
        expect(attrOf(s, 'tracecap.trace.generated')).toBe(true);
        expect(s.parentSpanId).toBeUndefined();
        continue;
      }
      traced++;
      // An independent reading of the header: W3C 00-trace-parent-flags; Google TRACE/SPAN(decimal);o=.
      const m = tp !== undefined ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-/.exec(tp) : null;
      const g = m === null && xc !== undefined ? /^([0-9a-f]{32})\/(\d+)/i.exec(xc) : null;
      const traceId = m?.[1] ?? g?.[1]?.toLowerCase();
      const parent = m?.[2] ?? (g ? BigInt(g[2]!).toString(16).padStart(16, '0') : undefined);
      expect(s.traceId).toBe(traceId);
      expect(s.parentSpanId).toBe(parent);
      expect(attrOf(s, 'tracecap.trace.generated')).toBeUndefined();
      expect(coreTrace).toMatch(new RegExp(`/traces/${traceId}$`));
      expect(frame['logging.googleapis.com/spanId']).toBe(parent);
    }
    expect(traced).toBeGreaterThan(0);
  });

  it('gives each span an id of its own, the same on every run', () => {
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    expect(cli(['--format', 'otlp', file]).out).toBe(r.out);
  });
});

describe('--format otlp: the same bytes on 1, 2 and 3 threads, and several files as one capture', () => {
  it('gives identical output', () => {
    const files = [EXAMPLE, ...CAPTURES.filter((c) => c.name.startsWith('h')).map((c) => c.file)];
    const one = cli(['--format', 'otlp', '--threads', '1', ...files]);
    expect(one.status, one.err).toBe(0);
    const spans = linesOf(one.out).flatMap(decodeLine);
    expect(spans.length).toBeGreaterThan(100);
    for (const t of ['2', '3']) expect(cli(['--format', 'otlp', '--threads', t, ...files]).out).toBe(one.out);
    // --otlp-batch cuts the same spans into more lines.
    const small = linesOf(cli(['--format', 'otlp', '--otlp-batch', '7', ...files]).out);
    expect(small.length).toBe(Math.ceil(spans.length / 7));
    expect(small.flatMap(decodeLine)).toEqual(spans);
  });
});

// ---- a capture built here: both header kinds, no header, a 503, a reset, a retransmission -----

const BIG_SPAN = '18446744073709551615'; // 2^64 − 1: beyond a double's exact integers
function builtCapture(): string {
  const pk: B.PcapPacket[] = [];
  const c = new Conversation(pk, { cport: 20000, sport: 8080 });
  let t = 1_790_000_000;
  c.handshake(t);
  c.send(request('/w3c?x=1', 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'tracestate: vendor=1\r\nUser-Agent: test/1\r\n'), t += 0.01);
  c.reply(response('ok'), t += 0.05);
  c.send(request('/google', `X-Cloud-Trace-Context: 105445aa7843bc8bf206b12000100000/${BIG_SPAN};o=1`), t += 0.01);
  // The response in two segments, the first sent again before the second: a retransmission within the exchange.
  const seq = c.s.seq;
  const head = response('okok').slice(0, -2);
  c.reply(head, t += 0.02);
  c.replyAt(head, seq, t += 0.2);
  c.reply('ok', t += 0.001);
  c.send(request('/none'), t += 0.01);
  c.reply(response('down', '503 Service Unavailable'), t += 0.01);
  c.send(request('/reset', 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'), t += 0.01);
  c.serverRst(t += 0.01);
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-otlp-'));
  const f = join(dir, 'built.pcap');
  writeFileSync(f, B.pcap(pk));
  return f;
}

describe('--format otlp on a built capture', () => {
  const file = builtCapture();
  const spansOf = (args: string[]): Rec[] => {
    const r = cli(['--format', 'otlp', ...args, file]);
    expect(r.status, r.err).toBe(0);
    return linesOf(r.out).flatMap(decodeLine);
  };

  it('maps each exchange: ids, tracestate, kind by the local side, HTTP conventions, status, events', () => {
    const spans = spansOf(['--iface-addr', '10.0.0.2']); // the server's address: its port 8080 is not ephemeral
    expect(spans.map((s) => s.name)).toEqual(['GET', 'GET', 'GET', 'GET']);
    const [w3c, google, none, reset] = spans as [Rec, Rec, Rec, Rec];
    expect([w3c.traceId, w3c.parentSpanId, w3c.traceState, w3c.flags]).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'vendor=1', 0x301]);
    expect([google.traceId, google.parentSpanId]).toEqual(['105445aa7843bc8bf206b12000100000', 'ffffffffffffffff']);
    expect(attrOf(google, 'tracecap.trace.source')).toBe('x-cloud-trace-context');
    expect(none.parentSpanId).toBeUndefined();
    expect(none.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(attrOf(none, 'tracecap.trace.generated')).toBe(true);
    expect(reset.flags).toBe(0x300); // not sampled (flags 00), parent remote
    for (const s of spans) expect(s.kind).toBe(2); // SERVER: the server side is local
    expect(attrOf(w3c, 'tracecap.local')).toBe('server');
    expect(attrOf(w3c, 'http.request.method')).toBe('GET');
    expect(attrOf(w3c, 'url.full')).toBe('http://example.com/w3c?x=1');
    expect(attrOf(w3c, 'url.path')).toBe('/w3c');
    expect(attrOf(w3c, 'url.query')).toBe('x=1');
    expect(attrOf(google, 'url.query')).toBeUndefined();
    expect(attrOf(w3c, 'http.response.status_code')).toBe('200');
    expect(attrOf(w3c, 'server.address')).toBe('example.com');
    expect(attrOf(w3c, 'server.port')).toBe('80'); // the Host header names none: http's default
    expect(attrOf(w3c, 'client.address')).toBe('10.0.0.1');
    expect(attrOf(w3c, 'network.peer.address')).toBe('10.0.0.1'); // SERVER: the peer is the client
    expect(attrOf(w3c, 'network.peer.port')).toBe('20000');
    expect(attrOf(w3c, 'network.protocol.version')).toBe('1.1');
    expect(attrOf(w3c, 'user_agent.original')).toBe('test/1');
    expect(w3c.events.map((e: Rec) => e.name)).toEqual(['tcp.connect', 'http.response.first_byte']);
    // 50 ms from the request to the response, in the span's times (the capture's µs).
    expect(BigInt(w3c.endTimeUnixNano) - BigInt(w3c.startTimeUnixNano)).toBe(50_000_000n);
    expect(w3c.status).toBeUndefined();
    expect(google.events.map((e: Rec) => e.name)).toContain('tcp.retransmission');
    expect(none.status).toEqual({ code: 2, message: 'HTTP 503' });
    expect(attrOf(none, 'error.type')).toBe('503');
    expect(reset.status).toEqual({ code: 2, message: 'connection reset by the server' });
    expect(reset.events.map((e: Rec) => e.name)).toContain('tcp.reset');
    expect(attrOf(reset, 'http.response.status_code')).toBeUndefined();
  });

  it('is CLIENT when the client side is local, with the server as peer', () => {
    const spans = spansOf(['--iface-addr', '10.0.0.1']); // the client's port 20000 is not ephemeral
    for (const s of spans) expect(s.kind).toBe(3);
    expect(attrOf(spans[0]!, 'network.peer.address')).toBe('10.0.0.2');
    expect(attrOf(spans[0]!, 'network.peer.port')).toBe('8080');
  });

  it('is SERVER, said to be unknown, without --iface-addr', () => {
    const spans = spansOf([]);
    for (const s of spans) { expect(s.kind).toBe(2); expect(attrOf(s, 'tracecap.local')).toBe('unknown'); }
  });
});

// ---- --otlp-endpoint ---------------------------------------------------------------------------

interface Receiver { url: string; bodies: string[]; requests: { path: string; type: string | undefined }[]; server: Server }
/** An OTLP/HTTP receiver on 127.0.0.1 that answers request n (from 0) with status(n). */
async function receiver(status: (n: number) => number): Promise<Receiver> {
  const rcv: Receiver = { url: '', bodies: [], requests: [], server: null as unknown as Server };
  rcv.server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = rcv.requests.length;
      rcv.requests.push({ path: req.url ?? '', type: req.headers['content-type'] });
      const code = status(n);
      if (code === 200) rcv.bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(code, code === 200 ? { 'content-type': 'application/json' } : { 'retry-after': '0' });
      res.end(code === 200 ? '{}' : 'unavailable');
    });
  });
  await new Promise<void>((r) => rcv.server.listen(0, '127.0.0.1', r));
  const addr = rcv.server.address() as { port: number };
  rcv.url = `http://127.0.0.1:${addr.port}`;
  return rcv;
}

/** The CLI, asynchronously (the receiver runs in this process). */
function cliAsync(args: string[]): Promise<{ out: string; err: string; status: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args]);
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (status) => resolve({ out, err, status, ms: Date.now() - t0 }));
  });
}

describe('--otlp-endpoint', () => {
  const receivers: Receiver[] = [];
  const expected = linesOf(cli(['--format', 'otlp', '--otlp-batch', '3', EXAMPLE]).out);
  beforeAll(() => { expect(expected.length).toBe(3); });
  afterAll(() => { for (const r of receivers) r.server.close(); });

  it('posts the same batches to URL/v1/traces as JSON, and still writes the records', async () => {
    const rcv = await receiver(() => 200);
    receivers.push(rcv);
    const r = await cliAsync(['--otlp-endpoint', rcv.url, '--otlp-batch', '3', EXAMPLE]);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(rcv.bodies).toEqual(expected);
    expect(rcv.requests.every((q) => q.path === '/v1/traces' && q.type === 'application/json')).toBe(true);
    expect(r.out).toBe(cli([EXAMPLE]).out); // --format ndjson (default): the records as ever
  });

  it('retries a receiver that fails twice (503) and then accepts: every batch arrives once', async () => {
    const rcv = await receiver((n) => (n < 2 ? 503 : 200));
    receivers.push(rcv);
    const r = await cliAsync(['--format', 'otlp', '--otlp-endpoint', `${rcv.url}/v1/traces`, '--otlp-batch', '3', EXAMPLE]);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(rcv.requests.length).toBe(expected.length + 2);
    expect(rcv.bodies).toEqual(expected);
    expect(linesOf(r.out)).toEqual(expected);
  });

  it('against a receiver that never accepts: a bounded queue, the drops said and counted, exit 2, no hang', async () => {
    const rcv = await receiver(() => 503);
    receivers.push(rcv);
    const r = await cliAsync(['--format', 'otlp', '--otlp-endpoint', rcv.url, '--otlp-batch', '1', '--otlp-queue', '2', EXAMPLE]);
    expect(r.status).toBe(2);
    const spans = expected.flatMap((l) => JSON.parse(l).resourceSpans[0].scopeSpans[0].spans).length;
    expect(r.err).toContain('the queue of 2 batches is full');
    expect(r.err).toContain(`${spans - 2} batches (${spans - 2} spans) dropped: the queue of 2 batches was full; 2 batches (2 spans) not delivered (last: HTTP 503); 0 spans delivered`);
    // Two batches queued: the first tried OTLP_MAX_ATTEMPTS times, the second once (the receiver is failing).
    expect(rcv.requests.length).toBe(5 + 1);
    expect(linesOf(r.out).length).toBe(spans); // the lines on standard output are all there
    expect(r.ms).toBeLessThan(20_000);
  });

  it('against no receiver at all (connection refused): retried with backoff, then said, exit 2', async () => {
    const rcv = await receiver(() => 200);
    const url = rcv.url;
    await new Promise<void>((r) => rcv.server.close(() => r())); // the port is now closed
    const r = await cliAsync(['--otlp-endpoint', url, EXAMPLE]);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^tracecap: OTLP endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/traces: 1 batch \(8 spans\) not delivered \(last: fetch failed\); 0 spans delivered\n$/);
    // Four waits from 500 ms doubling, each at least half its step: 3.75 s at least, 7.5 s at most (plus the run).
    expect(r.ms).toBeGreaterThan(3_700);
    expect(r.ms).toBeLessThan(20_000);
  }, 30_000);

  it('refuses what it cannot use, naming the option', () => {
    expect(cli(['--otlp-endpoint', 'ftp://h/', EXAMPLE]).err.split('\n')[0]).toBe('tracecap: --otlp-endpoint: not an http(s) URL: ftp://h/');
    expect(cli(['--format', 'otlp', '--verbosity', 'info', EXAMPLE]).err.split('\n')[0]).toBe('tracecap: spans (--format otlp, --otlp-endpoint) are made from the DEBUG records: not with --verbosity info');
    expect(cli(['--format', 'xml', EXAMPLE]).err.split('\n')[0]).toBe('tracecap: --format must be ndjson or otlp, not "xml"');
    expect(cli(['--otlp-queue', '3', '--format', 'otlp', EXAMPLE]).err.split('\n')[0]).toBe('tracecap: --otlp-queue needs --otlp-endpoint');
    expect(cli(['--format', 'otlp', '-i', 'lo']).err.split('\n')[0]).toBe('tracecap: --format is for reading a capture file (spans are not made from a live capture yet)');
  });
});

describe('trace header parsing', () => {
  it('reads W3C traceparent as Trace Context §3.2 says, and refuses invalid ones', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
    expect(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeUndefined(); // §3.2.2: lowercase
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: false });
  });
  it('reads X-Cloud-Trace-Context, its decimal span id to 16 hex digits', () => {
    expect(parseCloudTraceContext(`105445AA7843BC8BF206B12000100000/${BIG_SPAN};o=1`)).toEqual({ traceId: '105445aa7843bc8bf206b12000100000', parentSpanId: 'ffffffffffffffff', sampled: true });
    expect(parseCloudTraceContext('105445aa7843bc8bf206b12000100000/1')).toEqual({ traceId: '105445aa7843bc8bf206b12000100000', parentSpanId: '0000000000000001' });
    expect(parseCloudTraceContext('105445aa7843bc8bf206b12000100000/18446744073709551616')?.parentSpanId).toBeUndefined(); // > 2^64 − 1
    expect(parseCloudTraceContext('nothex')).toBeUndefined();
  });
  it('reads Retry-After as seconds or an HTTP-date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('the README example', () => {
  it('is the span tracecap writes for the POST of examples/http-keepalive.pcap', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- otlp-example -->\n```json\n([\s\S]*?)\n```/.exec(readme);
    expect(m).not.toBeNull();
    const shown = JSON.parse(m![1]!);
    const spans = linesOf(cli(['--format', 'otlp', EXAMPLE]).out).flatMap(decodeLine);
    expect(spans.find((s) => s.spanId === shown.spanId)).toEqual(shown);
    expect(shown.parentSpanId).toBe('1f6244122b09bfcd');
  });
});

describe('the API', () => {
  it('toOtlp of the exchanges an ExchangeBuilder paired gives the OtlpWriter lines of the same records', () => {
    const recs = records(EXAMPLE);
    const b = new ExchangeBuilder();
    for (const rec of recs) { const p = httpPacket(rec); if (p !== undefined) b.add(p); }
    const lines: string[] = [];
    const w = new OtlpWriter((l) => lines.push(l), { spansPerLine: 3 });
    for (const rec of recs) w.add(rec);
    w.end();
    expect(lines).toEqual(toOtlp(b.exchanges(), { spansPerLine: 3 }));
    expect(w.stats()).toMatchObject({ spans: 8, lines: 3, early: 0, unjoinedTimings: 0 });
  });

  it(`writes the oldest span early, and counts it, past ${OTLP_PENDING_EXCHANGES} (here 2) exchanges waiting`, () => {
    // Requests on three connections, never answered: none ends.
    const req = (num: number, port: number): Rec => ({
      pcap: { num: String(num) }, timestamp: { seconds: 1_790_000_000, nanos: num * 1000 }, flow: `f${port}`,
      L3: { src: '10.0.0.1', dst: '10.0.0.2' }, L4: { src: port, dst: 80 },
      HTTP: { kind: 'request', method: 'GET', url: `/${num}`, proto: 'HTTP/1.1', headers: {}, raw: `GET /${num} HTTP/1.1\r\nHost: h\r\n\r\n` },
    });
    const spans: Rec[] = [];
    const w = new OtlpWriter((l) => spans.push(...JSON.parse(l).resourceSpans[0].scopeSpans[0].spans), { spansPerLine: 1 }, 2);
    w.add(req(0, 40000)); w.add(req(1, 40001));
    expect(spans).toEqual([]);
    w.add(req(2, 40002));
    expect(spans.map((s) => attrOf(s, 'url.path'))).toEqual(['/0']);
    expect(w.stats().early).toBe(1);
    w.end();
    expect(spans.map((s) => attrOf(s, 'url.path'))).toEqual(['/0', '/1', '/2']);
    expect(w.stats()).toMatchObject({ spans: 3, early: 1 });
  });
});

describe('OtlpRecordReader', () => {
  it('gives the same lines for the records cut anywhere (here in 7-byte pieces and across UTF-8), and counts a line that is not JSON', () => {
    const bytes = new TextEncoder().encode(cli([EXAMPLE]).out);
    const whole: string[] = [];
    const a = new OtlpRecordReader((l) => whole.push(l));
    a.push(bytes); a.end();
    const cut: string[] = [];
    const b = new OtlpRecordReader((l) => cut.push(l));
    for (let i = 0; i < bytes.length; i += 7) b.push(bytes.subarray(i, i + 7));
    b.push(new TextEncoder().encode('{"HTTP": not json\n'));
    b.end();
    expect(cut).toEqual(whole);
    expect(whole.length).toBe(1);
    expect(b.stats()).toMatchObject({ spans: 8, unreadable: 1 });
  });
});
