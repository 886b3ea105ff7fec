/**
 * @module tracecap/otlp — the exchanges the ExchangeBuilder pairs, as OpenTelemetry spans in
 * OTLP/JSON: one `TracesData` object per line, the OpenTelemetry file exporter's convention
 * (opentelemetry-specification, "OTLP File Exporter"), which is also the body of an OTLP/HTTP
 * `POST /v1/traces` with `Content-Type: application/json` (OTLP 1.x, "OTLP/HTTP"). Runtime-agnostic:
 * the CLI, the API, the Worker and the app use it alike.
 *
 * Encoding (OTLP spec, "JSON Protobuf Encoding"): lowerCamelCase keys; `traceId`, `spanId`,
 * `parentSpanId` lowercase hex (not base64); enums as integers; int64 values (times,
 * `intValue`) as decimal strings, as proto3's JSON mapping writes them.
 */
import { ExchangeBuilder, headerValue, httpPacket, type Exchange, type ExchangeSink } from './exchanges.js';

/** Spans per line (one `TracesData`, one resource, one scope): bounds a line and an OTLP/HTTP request body. */
export const OTLP_SPANS_PER_LINE = 256;
/**
 * Exchanges an OtlpWriter holds at once while it waits for the oldest to end (spans are written in
 * request order): past it the oldest is written as it is then, without what a later packet would add.
 */
export const OTLP_PENDING_EXCHANGES = 4096;

/** OTLP/JSON AnyValue (the fields tracecap writes). */
export type OtlpValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number } | { arrayValue: { values: OtlpValue[] } };
/** OTLP/JSON KeyValue. */
export interface OtlpAttribute { key: string; value: OtlpValue }
/** OTLP/JSON Span.Event. */
export interface OtlpEvent { timeUnixNano: string; name: string; attributes: OtlpAttribute[] }
/** OTLP/JSON Span (opentelemetry/proto/trace/v1/trace.proto). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  /** W3C trace flags in bits 0–7, and bit 8 (has is_remote) + bit 9 (is_remote) for the parent (SpanFlags). */
  flags: number;
  name: string;
  /** SpanKind: 2 SERVER, 3 CLIENT. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events: OtlpEvent[];
  /** Status code 2 = ERROR; absent = UNSET. */
  status?: { code: number; message?: string };
}

/** What goes beside the spans. */
export interface OtlpOptions {
  /** Resource `service.name` (default "tracecap"). */
  serviceName?: string;
  /** More resource attributes, e.g. {"tracecap.capture.files": ["a.pcap"]}. */
  resource?: Record<string, string | string[]>;
  /** Instrumentation scope version (the package's). */
  version?: string;
  /** Spans per line (default OTLP_SPANS_PER_LINE). */
  spansPerLine?: number;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;
// trace.proto SpanFlags: SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

const str = (s: string): OtlpValue => ({ stringValue: s });
const int = (n: number): OtlpValue => ({ intValue: String(Math.trunc(n)) });
const attr = (key: string, value: OtlpValue): OtlpAttribute => ({ key, value });

/** ms since the epoch (float, µs exact) → unix ns as a decimal string (µs precision: the hosts' times are µs). */
export function unixNano(ms: number): string {
  const us = BigInt(Math.round(ms * 1000));
  return (us * 1000n).toString();
}

/** 64-bit FNV-1a of a string's UTF-16 units, as 16 lowercase hex digits (never all zero). */
function fnv64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  if (h === 0n) h = 1n; // an all-zero id is invalid (W3C Trace Context §3.2.2.3)
  return h.toString(16).padStart(16, '0');
}

/** Where an exchange's trace context came from. */
export type TraceSource = 'traceparent' | 'x-cloud-trace-context' | 'record' | 'generated';

/** The trace context of a request: W3C traceparent first, then Google's X-Cloud-Trace-Context, then the record's trace key. */
export interface TraceContext { traceId: string; parentSpanId?: string; traceState?: string; sampled?: boolean; source: TraceSource }

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const zeros = (s: string): boolean => /^0+$/.test(s);

/**
 * W3C Trace Context §3.2: `version-traceid-parentid-flags`; version ff is invalid, all-zero ids are
 * invalid; a later version may append fields after the flags (§3.2.4), read as version 00.
 */
export function parseTraceparent(v: string): { traceId: string; parentSpanId: string; sampled: boolean } | undefined {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(v.trim());
  if (m === null) return undefined;
  const [, version, traceId, parent, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (zeros(traceId!) || zeros(parent!)) return undefined;
  return { traceId: traceId!, parentSpanId: parent!, sampled: (parseInt(flags!, 16) & 1) === 1 };
}

/** `TRACE_ID/SPAN_ID;o=OPTIONS` (Google Cloud Trace): span id decimal uint64 → 16 hex digits; o=1 sampled. */
export function parseCloudTraceContext(v: string): { traceId: string; parentSpanId?: string; sampled?: boolean } | undefined {
  const m = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=(\d+))?$/.exec(v.trim());
  if (m === null) return undefined;
  const traceId = m[1]!.toLowerCase();
  if (zeros(traceId)) return undefined;
  const out: { traceId: string; parentSpanId?: string; sampled?: boolean } = { traceId };
  if (m[2] !== undefined) {
    const id = BigInt(m[2]);
    if (id > 0n && id <= 0xffffffffffffffffn) out.parentSpanId = id.toString(16).padStart(16, '0');
  }
  if (m[3] !== undefined) out.sampled = (Number(m[3]) & 1) === 1;
  return out;
}

/** The trace context an exchange's request carries, if any. */
export function traceContext(e: Exchange): TraceContext | undefined {
  const tp = headerValue(e.reqHeaders, 'traceparent');
  const w3c = tp !== undefined ? parseTraceparent(tp) : undefined;
  if (w3c !== undefined) {
    const ts = headerValue(e.reqHeaders, 'tracestate');
    return { ...w3c, ...(ts !== undefined && ts !== '' ? { traceState: ts } : {}), source: 'traceparent' };
  }
  const xc = headerValue(e.reqHeaders, 'x-cloud-trace-context');
  const gc = xc !== undefined ? parseCloudTraceContext(xc) : undefined;
  if (gc !== undefined) return { ...gc, source: 'x-cloud-trace-context' };
  // Headers dropped (compact()) or not in the record: the core's `logging.googleapis.com/trace` still names the trace.
  const m = e.trace !== undefined ? /\/traces\/([0-9a-fA-F]{32})$/.exec(e.trace) : null;
  if (m !== null && !zeros(m[1]!)) return { traceId: m[1]!.toLowerCase(), source: 'record' };
  return undefined;
}

/** The capture-stable facts that name an exchange: connection, stream, request (or response) packet and time. */
function exchangeKey(e: Exchange): string {
  return `${e.flow}|${e.client}|${e.server}|${e.stream ?? 0}|${e.reqNum}|${e.respNum ?? -1}|${Math.round(e.reqTime * 1000)}`;
}

/** The span id of an exchange: a hash of its capture-stable facts, the same on every run. */
export function spanIdOf(e: Exchange): string {
  return fnv64('span|' + exchangeKey(e));
}

/** A trace id of an exchange without trace context: a 128-bit hash of the same facts. */
export function generatedTraceId(e: Exchange): string {
  const k = exchangeKey(e);
  return fnv64('trace-hi|' + k) + fnv64('trace-lo|' + k);
}

const METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);

/** ip:port or [v6]:port → [address, port]. */
function splitEndpoint(ep: string): [string, number] {
  const i = ep.lastIndexOf(':');
  const host = ep.slice(0, i);
  return [host.startsWith('[') ? host.slice(1, -1) : host, Number(ep.slice(i + 1))];
}

/** Host header (or :authority) → [host, port?], brackets of an IPv6 literal removed. */
function splitHost(h: string): [string, number | undefined] {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(h);
  if (m === null) return [h, undefined];
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return [host, m[2] !== undefined ? Number(m[2]) : undefined];
}

/** HTTP version as network.protocol.version writes it: "1.1", "1.0", "2". */
function protocolVersion(proto: string): string | undefined {
  const m = /^HTTP\/(\d(?:\.\d)?)$/i.exec(proto);
  if (m === null) return undefined;
  return m[1] === '2.0' ? '2' : m[1];
}

/**
 * One exchange as an OTLP span. Mapping (README "OpenTelemetry spans"): HTTP semantic conventions
 * 1.x (stable HTTP spans) for the attributes, `{method}` for the name (no route is known from a
 * capture, so the low-cardinality name is the method alone); times from the exchange's timing,
 * else its packets' capture times.
 */
export function exchangeSpan(e: Exchange): OtlpSpan {
  const ctx = traceContext(e);
  const t = e.timing;
  const attrs: OtlpAttribute[] = [];
  const [serverIp, serverPort] = splitEndpoint(e.server);
  const [clientIp, clientPort] = splitEndpoint(e.client);
  // Which side the capture's host is (records' `local`); unknown → SERVER: the span then stands
  // where the receiving side's span stands in the caller's trace, a child of the header's span.
  const kind = e.local === 'client' ? SPAN_KIND_CLIENT : SPAN_KIND_SERVER;
  const method = e.method;
  if (method !== '') {
    if (METHODS.has(method)) attrs.push(attr('http.request.method', str(method)));
    else { attrs.push(attr('http.request.method', str('_OTHER'))); attrs.push(attr('http.request.method_original', str(method))); }
  }
  if (e.url !== '') {
    attrs.push(attr('url.full', str(e.url)));
    const m = /^([a-z][a-z0-9+.-]*):\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(e.url);
    if (m !== null) {
      attrs.push(attr('url.scheme', str(m[1]!.toLowerCase())));
      attrs.push(attr('url.path', str(m[2] || '/')));
      if (m[3] !== undefined) attrs.push(attr('url.query', str(m[3])));
    }
  }
  if (e.status !== undefined) attrs.push(attr('http.response.status_code', int(e.status)));
  const [host, hostPort] = e.host !== undefined ? splitHost(e.host) : [serverIp, serverPort];
  attrs.push(attr('server.address', str(host || serverIp)));
  attrs.push(attr('server.port', int(hostPort ?? (e.host !== undefined ? (e.url.startsWith('https:') ? 443 : 80) : serverPort))));
  attrs.push(attr('client.address', str(clientIp)));
  attrs.push(attr('client.port', int(clientPort)));
  attrs.push(attr('network.transport', str('tcp')));
  attrs.push(attr('network.protocol.name', str('http')));
  const pv = protocolVersion(e.respProto ?? e.proto);
  if (pv !== undefined) attrs.push(attr('network.protocol.version', str(pv)));
  const [peerIp, peerPort] = kind === SPAN_KIND_CLIENT ? [serverIp, serverPort] : [clientIp, clientPort];
  attrs.push(attr('network.peer.address', str(peerIp)));
  attrs.push(attr('network.peer.port', int(peerPort)));
  const ua = headerValue(e.reqHeaders, 'user-agent');
  if (ua !== undefined) attrs.push(attr('user_agent.original', str(ua)));
  if (e.reqSize !== undefined) attrs.push(attr('http.request.body.size', int(e.reqSize)));
  if (e.respSize !== undefined) attrs.push(attr('http.response.body.size', int(e.respSize)));
  if (t?.requestBytes !== undefined) attrs.push(attr('http.request.size', int(t.requestBytes)));
  if (t?.responseBytes !== undefined) attrs.push(attr('http.response.size', int(t.responseBytes)));
  const error = e.status !== undefined && e.status >= 500 ? String(e.status) : t?.reset !== undefined ? (t.reset === 'stream' ? 'stream_reset' : 'connection_reset') : undefined;
  if (error !== undefined) attrs.push(attr('error.type', str(error)));
  // tracecap's own: where the span came from in the capture.
  attrs.push(attr('tracecap.flow', str(e.flow)));
  if (e.stream !== undefined) attrs.push(attr('tracecap.http2.stream_id', int(e.stream)));
  if (e.reqNum >= 0) attrs.push(attr('tracecap.request.packet', int(e.reqNum)));
  if (e.respNum !== undefined) attrs.push(attr('tracecap.response.packet', int(e.respNum)));
  attrs.push(attr('tracecap.local', str(e.local ?? 'unknown')));
  attrs.push(attr('tracecap.trace.source', str(ctx?.source ?? 'generated')));
  if (ctx === undefined) attrs.push(attr('tracecap.trace.generated', { boolValue: true }));
  if (t !== undefined) {
    for (const [k, v] of [['out_of_order', t.outOfOrder], ['zero_windows', t.zeroWindows]] as const) {
      if (v.client + v.server > 0) { attrs.push(attr(`tracecap.tcp.${k}.client`, int(v.client))); attrs.push(attr(`tracecap.tcp.${k}.server`, int(v.server))); }
    }
  }
  if (e.note !== undefined) attrs.push(attr('tracecap.note', str(e.note)));

  // Times: the request's first byte to the response's last (timing), else the head packets'.
  const start = t?.start ?? e.reqTime;
  const ends = [start, e.respTime ?? start];
  if (t !== undefined) for (const d of [t.requestEnd, t.responseStart, t.responseEnd]) if (d !== undefined) ends.push(t.start + d);
  const end = t?.responseEnd !== undefined ? t.start + t.responseEnd : Math.max(...ends);

  const events: OtlpEvent[] = [];
  if (t?.connect !== undefined) {
    const c = t.connect;
    const ea: OtlpAttribute[] = [attr('tracecap.tcp.syn_time_unix_nano', str(unixNano(c.syn)))];
    if (c.synAck !== undefined) ea.push(attr('tracecap.tcp.syn_ack_ms', { doubleValue: c.synAck }));
    if (c.ack !== undefined) ea.push(attr('tracecap.tcp.ack_ms', { doubleValue: c.ack }));
    // At the handshake's last segment seen: the connection is set up then (it precedes the span).
    events.push({ timeUnixNano: unixNano(c.syn + (c.ack ?? c.synAck ?? 0)), name: 'tcp.connect', attributes: ea });
  }
  if (t?.responseStart !== undefined) events.push({ timeUnixNano: unixNano(t.start + t.responseStart), name: 'http.response.first_byte', attributes: [] });
  if (t !== undefined && t.retransmissions.client + t.retransmissions.server > 0) {
    events.push({ timeUnixNano: unixNano(end), name: 'tcp.retransmission', attributes: [
      attr('tracecap.tcp.retransmissions.client', int(t.retransmissions.client)), attr('tracecap.tcp.retransmissions.server', int(t.retransmissions.server)),
    ] });
  }
  if (t?.reset !== undefined) {
    const ea = [attr('tracecap.reset.by', str(t.reset))];
    if (t.resetCode !== undefined) ea.push(attr('http2.error_code', int(t.resetCode)));
    events.push({ timeUnixNano: unixNano(end), name: t.reset === 'stream' ? 'http2.rst_stream' : 'tcp.reset', attributes: ea });
  }

  const span: OtlpSpan = {
    traceId: ctx?.traceId ?? generatedTraceId(e),
    spanId: spanIdOf(e),
    ...(ctx?.traceState !== undefined ? { traceState: ctx.traceState } : {}),
    ...(ctx?.parentSpanId !== undefined ? { parentSpanId: ctx.parentSpanId } : {}),
    flags: (ctx?.sampled === true ? 1 : 0) | (ctx?.parentSpanId !== undefined ? HAS_IS_REMOTE | IS_REMOTE : 0),
    name: method !== '' ? (METHODS.has(method) ? method : 'HTTP') : 'HTTP',
    kind,
    startTimeUnixNano: unixNano(start),
    endTimeUnixNano: unixNano(end),
    attributes: attrs,
    events,
  };
  if (error !== undefined) {
    span.status = { code: STATUS_ERROR, message: e.status !== undefined && e.status >= 500 ? `HTTP ${e.status}` : t?.reset === 'stream' ? 'stream reset' : `connection reset by the ${t?.reset}` };
  }
  return span;
}

/** One line: a TracesData with one resource and one scope holding `spans` (no newline). */
export function tracesDataLine(spans: readonly OtlpSpan[], options: OtlpOptions = {}): string {
  const resource: OtlpAttribute[] = [attr('service.name', str(options.serviceName ?? 'tracecap'))];
  for (const [k, v] of Object.entries(options.resource ?? {})) {
    resource.push(attr(k, Array.isArray(v) ? { arrayValue: { values: v.map(str) } } : str(v)));
  }
  const scope: { name: string; version?: string } = { name: 'tracecap' };
  if (options.version !== undefined) scope.version = options.version;
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope, spans }] }] });
}

/** Exchanges → OTLP/JSON lines (TracesData), `spansPerLine` spans each, in the exchanges' order. */
export function toOtlp(exchanges: Iterable<Exchange>, options: OtlpOptions = {}): string[] {
  const per = Math.max(1, options.spansPerLine ?? OTLP_SPANS_PER_LINE);
  const lines: string[] = [];
  let batch: OtlpSpan[] = [];
  for (const e of exchanges) {
    batch.push(exchangeSpan(e));
    if (batch.length >= per) { lines.push(tracesDataLine(batch, options)); batch = []; }
  }
  if (batch.length > 0) lines.push(tracesDataLine(batch, options));
  return lines;
}

/** What an OtlpWriter did. */
export interface OtlpWriterStats {
  /** Spans written. */
  spans: number;
  /** Lines (TracesData objects) written. */
  lines: number;
  /** Spans written before their exchange ended, because OTLP_PENDING_EXCHANGES were waiting. */
  early: number;
}

/**
 * Records in, OTLP/JSON lines out: pairs the records' exchanges (ExchangeBuilder) and writes each
 * one's span once its exchange has ended (its timing came, or it was given up), in request order,
 * `spansPerLine` to a line; end() writes the rest. Deterministic: the lines depend only on the
 * records and their order, so a parallel run's merged records give the same bytes.
 */
export class OtlpWriter {
  private readonly builder: ExchangeBuilder;
  private readonly pending = new Map<number, Exchange>();
  private next = 0;
  private batch: OtlpSpan[] = [];
  private readonly per: number;
  private readonly maxPending: number;
  private readonly counts: OtlpWriterStats = { spans: 0, lines: 0, early: 0 };

  /** A writer handing each line (no newline) and its number of spans to `emit`. */
  constructor(private readonly emit: (line: string, spans: number) => void, private readonly options: OtlpOptions = {}, maxPending = OTLP_PENDING_EXCHANGES) {
    this.per = Math.max(1, options.spansPerLine ?? OTLP_SPANS_PER_LINE);
    this.maxPending = Math.max(1, maxPending);
    const sink: ExchangeSink = {
      add: (e) => { this.pending.set(e.id, e); },
      update: () => {},
    };
    this.builder = new ExchangeBuilder({}, sink);
  }

  /** One parsed record (tracecap DEBUG NDJSON); records without HTTP or timing are passed over. */
  add(record: unknown): void {
    const p = httpPacket(record);
    if (p === undefined) return;
    this.builder.add(p);
    this.flush(false);
  }

  /** Writes every span still waiting, and the last line. */
  end(): void {
    this.flush(true);
    if (this.batch.length > 0) this.line();
  }

  /** What was written, and what the pairing left out (the builder's counts). */
  stats(): OtlpWriterStats & ReturnType<ExchangeBuilder['stats']> {
    return { ...this.counts, ...this.builder.stats() };
  }

  // Writes the exchanges that have ended, oldest first, up to the first still open; past the
  // bound, the oldest open one too.
  private flush(all: boolean): void {
    for (;;) {
      const e = this.pending.get(this.next);
      if (e === undefined) return;
      const ended = e.timing !== undefined || (e.note !== undefined && e.respNum === undefined); // timed, or given up unanswered
      if (!ended && !all && this.pending.size <= this.maxPending) return;
      if (!ended && !all) this.counts.early++;
      this.pending.delete(this.next++);
      this.batch.push(exchangeSpan(e));
      this.counts.spans++;
      if (this.batch.length >= this.per) this.line();
    }
  }

  private line(): void {
    this.emit(tracesDataLine(this.batch, this.options), this.batch.length);
    this.counts.lines++;
    this.batch = [];
  }
}

/**
 * NDJSON record bytes in, in chunks cut anywhere (a translator's output, a response body), spans
 * out through an OtlpWriter: each complete line with an `HTTP` object or a `timing` is parsed
 * (the others are not). What the hosts put between their record stream and an OTLP output.
 */
export class OtlpRecordReader {
  private readonly dec = new TextDecoder();
  private partial = '';
  private readonly writer: OtlpWriter;

  /** A reader whose spans go out as OtlpWriter lines to `emit`. */
  constructor(emit: (line: string, spans: number) => void, options: OtlpOptions = {}, maxPending = OTLP_PENDING_EXCHANGES) {
    this.writer = new OtlpWriter(emit, options, maxPending);
  }

  /** Some bytes of the records (only valid during the call). */
  push(view: Uint8Array): void {
    const text = this.partial + this.dec.decode(view, { stream: true });
    let start = 0;
    for (let nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) this.line(text.slice(start, nl));
    this.partial = text.slice(start);
  }

  /** The end of the records: the last line, then every span still waiting. */
  end(): void {
    const rest = this.partial + this.dec.decode();
    this.partial = '';
    if (rest.trim() !== '') this.line(rest);
    this.writer.end();
  }

  /** The writer's counts, and the lines that were not JSON (`unreadable`). */
  stats(): ReturnType<OtlpWriter['stats']> & { unreadable: number } {
    return { ...this.writer.stats(), unreadable: this.unreadable };
  }

  private line(l: string): void {
    if (!l.includes('"HTTP":') && !l.includes('"timing":')) return;
    let record: unknown;
    // tracecap's own records always parse; anything else handed in is counted, not thrown.
    try { record = JSON.parse(l); } catch { this.unreadable++; return; }
    this.writer.add(record);
  }
  private unreadable = 0;
}
