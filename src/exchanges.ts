/**
 * @module tracecap/exchanges — pairs the HTTP requests and responses of tracecap's DEBUG
 * records into exchanges, incrementally and within fixed bounds. Runtime-agnostic (no DOM, no
 * Node): the app's Web Worker runs it next to the translator, and the hosts' exchange outputs
 * (OTLP spans, HAR) read what it pairs.
 *
 * What the records give (see the README's "Deliberate differences", 14–22):
 * - HTTP/1.x: one message head per record, `HTTP.kind` "request" | "response". A request has
 *   `method`, `url` (the request target), `proto`, `headers` (Go-canonical, `Host` removed) and
 *   `raw` (the head as sent, cut at 512 bytes); a response has `code`, `status` ("200 OK"),
 *   `headers` and `request` {method, url = Host + target, timestamp, latency}, the request it
 *   answers (tracecap links every response to its own request, difference 18).
 * - HTTP/2 (h2c): `HTTP.streams` {id: {id, frames[]}}, several streams per record; a HEADERS frame
 *   has `kind` "request" (`:method`), "response" (`:status`) or "trailers"; DATA frames have
 *   `body.length` [data bytes, frame length]. The trace is on each frame, not at top level.
 */

/** One HTTP-bearing packet, as the app's worker hands it over. */
export interface HttpPacket {
  /** pcap.num (packet serial). */
  num: number;
  /** Capture time in ms since the epoch (float, µs precision is enough). */
  time: number;
  /** The record's top-level "flow" (same for both directions of a connection). */
  flow: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** The record's parsed HTTP object. */
  http: unknown;
  /** The record's top-level logging.googleapis.com/trace value, if any. */
  trace?: string;
  /** The record's `timing` (README "Exchange timing"), if any: on a record with or without `http`. */
  timing?: unknown;
  /** The record's `local` (its source address is an interface's and its port not ephemeral), if any. */
  local?: boolean;
}

/** A request and its response (either may be missing: capture cut, reset). */
export interface Exchange {
  /** Serial in request order, from 0. */
  id: number;
  /** HTTP version of the request, e.g. HTTP/1.1, HTTP/2. */
  proto: string;
  /** HTTP version of the response line (HTTP/1.x may answer with another minor version). */
  respProto?: string;
  /** Request method; "" when the request was not captured. */
  method: string;
  /** Absolute URL (scheme http unless the request says otherwise); "" when not captured. */
  url: string;
  /** Host / :authority of the request, if known. */
  host?: string;
  status?: number;
  statusText?: string;
  /** The record's flow id. */
  flow: string;
  /** HTTP/2 stream id. */
  stream?: number;
  /** Client and server as ip:port ([v6]:port). */
  client: string;
  server: string;
  /** Server address alone (HAR serverIPAddress). */
  serverIp: string;
  /** Packet carrying the request head; -1 when the request was not captured. */
  reqNum: number;
  respNum?: number;
  /**
   * Capture times in ms since the epoch. A request not captured has the time its response's
   * `HTTP.request` names, or (method "") the response's own time.
   */
  reqTime: number;
  respTime?: number;
  /** respTime − reqTime in ms. */
  latency?: number;
  /** logging.googleapis.com/trace of the exchange ("projects/<p>/traces/<id>"). */
  trace?: string;
  reqHeaders: [string, string][];
  respHeaders: [string, string][];
  /** Body bytes: HTTP/1 the declared Content-Length (unknown when chunked), HTTP/2 the DATA seen. */
  reqSize?: number;
  respSize?: number;
  /** Bytes of the message head up to and including the blank line (HTTP/1 only, when seen whole). */
  reqHeadersSize?: number;
  respHeadersSize?: number;
  /** Why the exchange is incomplete, when the builder knows (reset, evicted, never answered). */
  note?: string;
  /** compact() dropped the header lists: rereadHeaders() reads them again from the records. */
  headersDropped?: boolean;
  /** The exchange's timing from the packets (the record's `timing`, README "Exchange timing"), once the exchange ended. */
  timing?: ExchangeTiming;
  /**
   * Which side the capture's host is, from the records' `local` key (true when the source
   * address is one of `--iface-addr` and its port is not ephemeral): "server" when a record the
   * server sent is local, "client" when one the client sent is; unknown without `--iface-addr`.
   */
  local?: 'client' | 'server';
}

/**
 * What the core measured of an exchange from capture timestamps (a record's `timing` key, HTTP/1
 * at top level, HTTP/2 per stream in `timing.streams`), in the units the hosts use: absolute
 * times in ms since the epoch (floats), durations in ms (floats, from `start`).
 */
export interface ExchangeTiming {
  /** The request's first byte (ms since the epoch). */
  start: number;
  /** The request's last byte, the response's first (time to first byte) and last, in ms after `start`. */
  requestEnd?: number;
  responseStart?: number;
  responseEnd?: number;
  /** Bytes of the request and of the response (head and body; HTTP/2: its frames' payloads). */
  requestBytes?: number;
  responseBytes?: number;
  /** The connection's handshake, on its first exchange when the SYN was seen: the SYN (ms since the epoch), the SYN/ACK and the ACK in ms after it. */
  connect?: { syn: number; synAck?: number; ack?: number };
  /** Segments each side sent during the exchange that were retransmitted, out of order, or advertised a zero window. */
  retransmissions: { client: number; server: number };
  outOfOrder: { client: number; server: number };
  zeroWindows: { client: number; server: number };
  /** Who reset the connection (or, HTTP/2, the stream: `stream`) before the exchange ended. */
  reset?: 'client' | 'server' | 'stream';
  /** HTTP/2 RST_STREAM error code (RFC 9113 §7), with reset "stream". */
  resetCode?: number;
}

/** Most requests waiting for a response on one connection (h2 streams or h1 pipeline). */
export const MAX_OPEN_PER_CONNECTION = 256;
/**
 * Where exchanges go as they are made and change: by default a list the builder keeps
 * (exchanges()); the app's HTTP worker gives a compact table (exchanges.ts), so that only the
 * exchanges still waiting for their response are objects.
 */
export interface ExchangeSink {
  /** A new exchange; ids come in order from 0. */
  add(e: Exchange): void;
  /** An exchange changed (a response, a size, a note). */
  update(e: Exchange): void;
}
/** Most connections tracked at once; the least recently used one is forgotten first. */
export const MAX_CONNECTIONS = 4_096;
/** Header fields kept per message; a record's map is bounded by its segment, this by a number. */
export const MAX_HEADERS_PER_MESSAGE = 256;
/** Request packets remembered per connection, to place pipelined requests (see h1Response). */
const RECENT_REQUEST_PACKETS = 16;

/** Bounds of an ExchangeBuilder (defaults: the MAX_* constants). */
export interface ExchangeLimits {
  maxOpenPerConnection?: number;
  /** Most exchanges kept (default: no limit; for tests of what a bound does). */
  maxExchanges?: number;
  maxConnections?: number;
}

/** What the builder left out or cut short, for the app to show next to the list. */
export interface ExchangeStats {
  /** Requests (and orphan responses) not kept because `maxExchanges` was reached. */
  dropped: number;
  /** Open requests given up because their connection had too many or was forgotten. */
  evicted: number;
  /** HTTP heads that could not be used (parse errors, HEADERS without a decodable kind). */
  skipped: number;
  /**
   * `timing` objects joined to no exchange: their exchange was not kept (dropped, forgotten), or
   * their `request_num` / `response_num` named packets no waiting exchange has.
   */
  unjoinedTimings: number;
}

interface Conn {
  /** HTTP/1 requests awaiting a response, oldest first. */
  h1: Exchange[];
  /** HTTP/2 streams open: a request seen and the response not ended. Map order = age. */
  h2: Map<number, Exchange>;
  /** Recent HTTP/1 request packets (num, time), for requests pipelined behind the first head. */
  recent: { num: number; time: number }[];
  /** HTTP/1 exchanges whose `timing` has not come yet, in request order (it comes in that order). */
  untimed: Exchange[];
  /** HTTP/2 exchanges whose stream's `timing` has not come yet, by stream id. */
  untimedStreams: Map<number, Exchange>;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** ip:port, with brackets for IPv6 so the port stays unambiguous. */
function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Go-style header map {Name: [values]} → ordered pairs, one per value, at most MAX_HEADERS_PER_MESSAGE. */
function headerPairs(h: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (!isObj(h)) return out;
  for (const [k, vs] of Object.entries(h)) {
    for (const v of Array.isArray(vs) ? vs : [vs]) {
      if (out.length >= MAX_HEADERS_PER_MESSAGE) return out;
      if (v !== undefined) out.push([k, String(v)]);
    }
  }
  return out;
}

/** First value of a header, name compared case-insensitively. */
export function headerValue(headers: readonly [string, string][], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

/** Host header from the raw head: the record's `headers` drop Host (Go request semantics). */
function hostFromRaw(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const end = raw.indexOf('\r\n\r\n');
  const head = end >= 0 ? raw.slice(0, end) : raw;
  const m = /\r\nhost:[ \t]*([^\r\n]*)/i.exec(head);
  // A head cut at 512 bytes can end inside the Host line: trust it only if the line ended.
  if (m === null || m[1] === undefined) return undefined;
  if (end < 0 && m.index + m[0].length >= head.length) return undefined;
  return m[1].trim() || undefined;
}

/** Bytes of the head through the blank line, if the raw text holds all of it (ASCII assumed). */
function headSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const end = raw.indexOf('\r\n\r\n');
  return end >= 0 ? end + 4 : undefined;
}

/** Declared body length of an HTTP/1 head (`body.length[1]`); chunked/until-close (−1) → unknown. */
function declaredLength(h: Obj): number | undefined {
  const body = h['body'];
  if (!isObj(body) || !Array.isArray(body['length'])) return undefined;
  const n = Number(body['length'][1]);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Absolute URL from a request target: origin-form gets scheme://host, absolute-form is kept. */
export function absoluteUrl(scheme: string, host: string | undefined, target: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  if (target.startsWith('//')) return `${scheme}:${target}`; // CONNECT authority-form (Go renders //host:port)
  const h = host ?? '';
  if (target === '*') return `${scheme}://${h}/*`;
  return `${scheme}://${h}${target.startsWith('/') ? '' : '/'}${target}`;
}

/** RFC 3339 with any number of fraction digits → ms since the epoch (Date.parse keeps only ms). */
export function parseRfc3339(s: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (m === null || m[1] === undefined || m[3] === undefined) return undefined;
  const base = Date.parse(m[1] + m[3]);
  if (Number.isNaN(base)) return undefined;
  return base + (m[2] !== undefined ? Number('0' + m[2]) * 1000 : 0);
}

/** Same capture instant: the record times are µs, floats in ms lose a little. */
const sameTime = (a: number, b: number): boolean => Math.abs(a - b) < 0.0005;

/** HTTP/2 frame flags (`flags.dec` is a decimal string, `hex` "0x…"). */
function frameFlags(f: Obj): number {
  const fl = f['flags'];
  if (!isObj(fl)) return 0;
  const d = Number(fl['dec']);
  if (Number.isInteger(d)) return d;
  const x = Number(fl['hex']);
  return Number.isInteger(x) ? x : 0;
}
const END_STREAM = 0x1;

/** Final status (not 1xx informational, which precede the real answer; 101 ends HTTP/1 itself). */
const isFinal = (status: number): boolean => status >= 200 || status === 101;

/**
 * Pairs requests and responses incrementally, in packet order.
 *
 * HTTP/1: per connection a FIFO of open requests; a response takes the open request its
 * `HTTP.request` names (same capture time and method; else same method and URL), else the oldest.
 * Requests older than the one answered are closed unanswered (HTTP/1 answers in order).
 * HTTP/2: per connection and stream id; DATA frames add to the size of the side that sent them,
 * END_STREAM from the server or RST_STREAM closes the stream.
 *
 * Bounds: at most `maxOpenPerConnection` open requests per connection (past it the oldest is
 * closed unanswered with a note, counted in `evicted`); at most `maxConnections` connections (the
 * least recently used is forgotten, its open requests stay unanswered); at most `maxExchanges`
 * exchanges (past it new requests are not kept and are counted in `dropped`; responses to kept
 * requests are still paired). Exchanges already kept are never removed or reordered.
 */
export class ExchangeBuilder {
  private readonly list: Exchange[] = [];
  private readonly conns = new Map<string, Conn>();
  private readonly maxOpen: number;
  private readonly maxExchanges: number;
  private readonly maxConns: number;
  private readonly counts: ExchangeStats = { dropped: 0, evicted: 0, skipped: 0, unjoinedTimings: 0 };
  private readonly sink: ExchangeSink | null;
  private made = 0;

  /** A builder within `limits`; with `sink`, exchanges go there instead of a list it keeps. */
  constructor(limits: ExchangeLimits = {}, sink: ExchangeSink | null = null) {
    this.maxOpen = Math.max(1, limits.maxOpenPerConnection ?? MAX_OPEN_PER_CONNECTION);
    this.maxExchanges = Math.max(0, limits.maxExchanges ?? Infinity);
    this.maxConns = Math.max(1, limits.maxConnections ?? MAX_CONNECTIONS);
    this.sink = sink;
  }

  // Tells the sink an exchange changed.
  private touch(e: Exchange | undefined): void { if (e !== undefined) this.sink?.update(e); }

  /** Feeds one packet (in capture order); packets without a usable HTTP object are ignored. */
  add(p: HttpPacket): void {
    const h = p.http;
    if (isObj(h)) {
      if (isObj(h['streams'])) this.h2(p, h['streams']);
      else if (h['kind'] === 'request') this.h1Request(p, h);
      else if (h['kind'] === 'response') this.h1Response(p, h);
    }
    // After the HTTP object: the record where a response ends carries both its last head and the timing.
    if (isObj(p.timing)) this.timing(p, p.timing);
  }

  /** Exchanges so far, in request order (with a sink: none, they are the sink's). */
  exchanges(): readonly Exchange[] {
    return this.list;
  }

  /**
   * Drops the header lists of the exchanges that are complete (answered or given up), and
   * copies their host and URL out of the strings they were cut from: the app keeps 50,000
   * exchanges, and their headers (with the `raw` heads their substrings hold on to) were most
   * of the HTTP worker's memory. rereadHeaders() restores them from the records for a HAR.
   */
  compact(): void {
    const list = this.list;
    for (let i = this.compacted; i < list.length; i++) {
      const e = list[i]!;
      if (e.headersDropped || (e.respNum === undefined && e.note === undefined)) continue;
      e.reqHeaders = []; e.respHeaders = []; e.headersDropped = true;
      e.url = flat(e.url);
      if (e.host !== undefined) e.host = flat(e.host);
      if (i === this.compacted) this.compacted++;
    }
    while (this.compacted < list.length && list[this.compacted]!.headersDropped) this.compacted++;
  }
  private compacted = 0;

  /** Counts of what the bounds and bad input left out. */
  stats(): Readonly<ExchangeStats> {
    return this.counts;
  }

  /**
   * The connection of a packet. Keyed by flow id and both endpoints: flow ids collide when port
   * sums match (README difference 25), the endpoint pair does not.
   */
  private conn(p: HttpPacket): Conn {
    const a = endpoint(p.src, p.sport);
    const b = endpoint(p.dst, p.dport);
    const key = `${p.flow}|${a < b ? a + '|' + b : b + '|' + a}`;
    let c = this.conns.get(key);
    if (c !== undefined) {
      this.conns.delete(key); // re-insert: Map order is the LRU order
    } else {
      c = { h1: [], h2: new Map(), recent: [], untimed: [], untimedStreams: new Map() };
      if (this.conns.size >= this.maxConns) {
        const oldest = this.conns.keys().next();
        if (oldest.done !== true) {
          const old = this.conns.get(oldest.value);
          if (old !== undefined) this.abandon([...old.h1, ...old.h2.values()], 'connection forgotten (too many connections)');
          this.conns.delete(oldest.value);
        }
      }
    }
    this.conns.set(key, c);
    return c;
  }

  private abandon(open: Exchange[], why: string): void {
    for (const e of open) if (e.respNum === undefined) { e.note ??= why; this.counts.evicted++; this.touch(e); }
  }

  /** A new exchange, or undefined when `maxExchanges` is reached (counted as dropped). */
  private create(p: HttpPacket, init: Pick<Exchange, 'proto' | 'method' | 'url' | 'client' | 'server' | 'serverIp' | 'reqNum' | 'reqTime'> & Partial<Exchange>): Exchange | undefined {
    if (this.made >= this.maxExchanges) {
      this.counts.dropped++;
      return undefined;
    }
    const e: Exchange = { id: this.made++, flow: p.flow, reqHeaders: [], respHeaders: [], ...init };
    if (p.local === true) e.local = endpoint(p.src, p.sport) === e.client ? 'client' : 'server';
    if (this.sink) this.sink.add(e); else this.list.push(e);
    const c = this.conn(p);
    if (e.stream === undefined) bounded(c.untimed, e, this.maxOpen);
    else {
      c.untimedStreams.set(e.stream, e);
      if (c.untimedStreams.size > this.maxOpen) c.untimedStreams.delete(c.untimedStreams.keys().next().value!);
    }
    return e;
  }

  private h1Request(p: HttpPacket, h: Obj): void {
    const method = str(h['method']);
    const target = str(h['url']);
    if (method === undefined || target === undefined) { this.counts.skipped++; return; } // INVALID_HTTP11_REQUEST
    const c = this.conn(p);
    remember(c.recent, p);
    const raw = str(h['raw']);
    const host = hostFromRaw(raw);
    const reqHeaders = headerPairs(h['headers']);
    if (host !== undefined) reqHeaders.unshift(['Host', host]);
    const e = this.create(p, {
      // No Host (HTTP/1.0, or a head too long for `raw`): the server address stands in for the URL.
      proto: str(h['proto']) ?? 'HTTP/1.1', method, url: absoluteUrl('http', host ?? endpoint(p.dst, p.dport), target), host,
      client: endpoint(p.src, p.sport), server: endpoint(p.dst, p.dport), serverIp: p.dst,
      reqNum: p.num, reqTime: p.time, trace: p.trace, reqHeaders,
      reqSize: declaredLength(h), reqHeadersSize: headSize(raw),
    });
    if (e === undefined) return;
    c.h1.push(e);
    if (c.h1.length > this.maxOpen) this.abandon(c.h1.splice(0, c.h1.length - this.maxOpen), 'too many open requests on the connection');
  }

  private h1Response(p: HttpPacket, h: Obj): void {
    const code = h['code'];
    if (typeof code !== 'number') { this.counts.skipped++; return; } // INVALID_HTTP11_RESPONSE
    if (!isFinal(code)) return;
    const c = this.conn(p);
    const rq = isObj(h['request']) ? h['request'] : undefined;
    const rqMethod = str(rq?.['method']);
    const rqUrl = str(rq?.['url']); // Host + request target
    const rqStamp = str(rq?.['timestamp']);
    const rqTime = rqStamp !== undefined ? parseRfc3339(rqStamp) : undefined;
    // Which open request this answers: the one HTTP.request names, else the oldest.
    let i = -1;
    if (rqMethod !== undefined) {
      if (rqTime !== undefined) i = c.h1.findIndex((e) => e.method === rqMethod && sameTime(e.reqTime, rqTime));
      const target = rqUrl !== undefined ? urlTarget(rqUrl) : '';
      if (i < 0 && target !== '') i = c.h1.findIndex((e) => e.method === rqMethod && e.url.endsWith(target));
    }
    let e: Exchange | undefined;
    if (i >= 0) {
      // HTTP/1 answers in order: requests before this one will get no response.
      this.abandon(c.h1.splice(0, i), 'no response seen');
      e = c.h1.shift();
    } else if (rqMethod !== undefined && rqTime !== undefined) {
      // Not an open request: one pipelined behind the head the record showed (difference 17), or
      // one before the capture started. Place it on the request packet with that capture time.
      const at = c.recent.find((r) => sameTime(r.time, rqTime));
      const host = rqUrl !== undefined ? urlHost(rqUrl) : undefined;
      const target = rqUrl !== undefined ? urlTarget(rqUrl) : '';
      e = this.create(p, {
        proto: str(h['proto']) ?? 'HTTP/1.1', method: rqMethod, url: absoluteUrl('http', host ?? endpoint(p.src, p.sport), target),
        host, client: endpoint(p.dst, p.dport), server: endpoint(p.src, p.sport), serverIp: p.src,
        reqNum: at?.num ?? -1, reqTime: at?.time ?? rqTime,
        ...(at === undefined ? { note: 'request not captured' } : {}),
      });
    } else if (c.h1.length > 0) {
      e = c.h1.shift();
    } else {
      e = this.create(p, {
        proto: str(h['proto']) ?? 'HTTP/1.1', method: '', url: '', client: endpoint(p.dst, p.dport),
        server: endpoint(p.src, p.sport), serverIp: p.src, reqNum: -1, reqTime: p.time, note: 'request not captured',
      });
    }
    if (e === undefined) return;
    if (e.host === undefined && e.reqNum >= 0 && rqUrl !== undefined && urlHost(rqUrl) !== undefined && rqUrl.endsWith(e.url.replace(/^[a-z]+:\/\/[^/]*/i, ''))) {
      // The head was too long for `raw` to hold Host: the response's request.url has it.
      e.host = urlHost(rqUrl);
      e.url = absoluteUrl('http', e.host, urlTarget(rqUrl));
      if (e.host !== undefined) e.reqHeaders.unshift(['Host', e.host]);
    }
    const raw = str(h['raw']);
    const statusLine = str(h['status']) ?? String(code);
    this.respond(e, p, code, statusLine.replace(/^\d{3}\s*/, ''), headerPairs(h['headers']));
    e.respProto = str(h['proto']);
    e.respSize = code < 200 || code === 204 || code === 304 ? 0 : declaredLength(h); // RFC 9112 §6.3: no body
    e.respHeadersSize = headSize(raw);
    e.trace ??= p.trace;
    if (code === 101 && /(^|[\s,])h2c($|[\s,])/i.test(headerValue(e.respHeaders, 'upgrade') ?? '')) {
      // RFC 7540 §3.2: the upgraded request is answered again, on stream 1 of the HTTP/2 connection.
      const up = this.create(p, {
        proto: 'HTTP/2', method: e.method, url: e.url, host: e.host, stream: 1, client: e.client, server: e.server,
        serverIp: e.serverIp, reqNum: e.reqNum, reqTime: e.reqTime, trace: e.trace, reqHeaders: e.reqHeaders,
        reqSize: e.reqSize, note: 'upgraded from HTTP/1.1',
      });
      if (up !== undefined) c.h2.set(1, up);
    }
    this.touch(e);
  }

  private respond(e: Exchange, p: HttpPacket, status: number, statusText: string, headers: [string, string][]): void {
    e.status = status;
    e.statusText = statusText;
    e.respHeaders = headers;
    e.respNum = p.num;
    e.respTime = p.time;
    if (p.local === true) e.local = endpoint(p.src, p.sport) === e.server ? 'server' : 'client';
    // Rounded to the µs the capture has: the float ms difference otherwise shows binary noise.
    // An exchange with no method knows nothing of its request, reqTime is the response's own.
    if (e.method !== '') e.latency = Math.max(0, Math.round((p.time - e.reqTime) * 1000) / 1000);
  }

  /**
   * Joins a record's `timing` to its exchange (README "Exchange timing"). HTTP/1: the core times
   * exchanges in request order on a connection (responses end in that order, RFC 9112 §9.3.2), on
   * the record with the response's last byte or the RST that cut it, never before its response
   * head; so the timing belongs to the oldest exchange of the connection still waiting for one —
   * the one whose request started at `start` when it is among them (an exchange the core could not
   * time is passed over), or the one `request_num` names. HTTP/2: each of `streams` by stream id.
   * `request_num` / `response_num`, when present, must be the exchange's own request and response
   * packets, else the timing is not joined (counted in `unjoinedTimings`).
   */
  private timing(p: HttpPacket, t: Obj): void {
    if (t['tls_ns'] !== undefined) return; // a TLS handshake's timing: no HTTP exchange to join
    const c = this.conn(p);
    if (Array.isArray(t['streams'])) {
      for (const st of t['streams']) {
        if (!isObj(st)) continue;
        const e = c.untimedStreams.get(Number(st['stream']));
        if (e === undefined || !numsAgree(e, st)) { this.counts.unjoinedTimings++; continue; }
        c.untimedStreams.delete(e.stream!);
        this.setTiming(e, st);
      }
      return;
    }
    this.timeH1(c, t);
    // Further pipelined exchanges whose responses ended in the same segment, in request order.
    if (Array.isArray(t['more'])) for (const m of t['more']) if (isObj(m)) this.timeH1(c, m);
  }

  /** Joins one HTTP/1 exchange's timing (the top-level object or an entry of its `more`). */
  private timeH1(c: Conn, t: Obj): void {
    if (t['start'] === undefined) return;
    const reqNum = t['request_num'];
    const start = typeof t['start'] === 'string' ? parseRfc3339(t['start']) : undefined;
    let i = typeof reqNum === 'number'
      ? c.untimed.findIndex((e) => e.reqNum === reqNum)
      : c.untimed.findIndex((e) => start !== undefined && e.reqNum >= 0 && sameTime(e.reqTime, start));
    // A head in several segments: its exchange's reqTime (the segment completing it) is after `start`.
    if (i < 0 && typeof reqNum !== 'number') i = c.untimed.findIndex((e) => e.reqNum < 0 || start === undefined || e.reqTime >= start - 0.0005);
    const e = i >= 0 ? c.untimed[i] : undefined;
    if (e === undefined || !numsAgree(e, t)) { this.counts.unjoinedTimings++; return; }
    c.untimed.splice(0, i + 1); // the ones before it were not timed and will not be (request order)
    this.setTiming(e, t);
  }

  private setTiming(e: Exchange, t: Obj): void {
    const timing = exchangeTiming(t);
    if (timing === undefined) { this.counts.unjoinedTimings++; return; }
    e.timing = timing;
    this.touch(e);
  }

  private h2(p: HttpPacket, streams: Obj): void {
    const c = this.conn(p);
    const from = endpoint(p.src, p.sport);
    // Streams are keyed by decimal id; frames of one stream are in order, streams ascend.
    for (const s of Object.values(streams)) {
      if (!isObj(s) || !Array.isArray(s['frames'])) continue;
      const id = Number(s['id']);
      if (!Number.isInteger(id) || id === 0) continue; // stream 0: connection control
      for (const f of s['frames']) if (isObj(f)) this.h2Frame(p, c, id, from, f);
    }
  }

  private h2Frame(p: HttpPacket, c: Conn, id: number, from: string, f: Obj): void {
    const type = f['type'];
    const end = (frameFlags(f) & END_STREAM) !== 0;
    const trace = str(f['logging.googleapis.com/trace']);
    let e = c.h2.get(id);
    if (type === 'headers') {
      const headers = headerPairs(f['headers']);
      if (f['kind'] === 'request') {
        if (e !== undefined) { c.h2.delete(id); this.abandon([e], 'stream id reused'); }
        const scheme = headerValue(headers, ':scheme') ?? 'http';
        const host = headerValue(headers, ':authority') ?? headerValue(headers, 'host');
        e = this.create(p, {
          proto: 'HTTP/2', method: headerValue(headers, ':method') ?? '', url: absoluteUrl(scheme, host ?? endpoint(p.dst, p.dport), headerValue(headers, ':path') ?? '/'),
          host, stream: id, client: from, server: endpoint(p.dst, p.dport), serverIp: p.dst,
          reqNum: p.num, reqTime: p.time, trace, reqHeaders: headers, reqSize: 0, reqHeadersSize: undefined,
        });
        if (e === undefined) return;
        c.h2.set(id, e);
        if (c.h2.size > this.maxOpen) {
          const oldest = c.h2.entries().next();
          if (oldest.done !== true) { c.h2.delete(oldest.value[0]); this.abandon([oldest.value[1]], 'too many open streams on the connection'); }
        }
      } else if (f['kind'] === 'response') {
        const status = Number(headerValue(headers, ':status'));
        if (!Number.isInteger(status)) { this.counts.skipped++; return; }
        if (!isFinal(status)) return;
        if (e === undefined || e.respNum !== undefined) {
          // The request was before the capture (or its HEADERS could not be decoded).
          e = this.create(p, {
            proto: 'HTTP/2', method: '', url: '', stream: id, client: endpoint(p.dst, p.dport), server: from,
            serverIp: p.src, reqNum: -1, reqTime: p.time, note: 'request not captured',
          });
          if (e === undefined) return;
          c.h2.set(id, e);
        }
        this.respond(e, p, status, '', headers);
        e.respProto = 'HTTP/2';
        e.respSize = 0;
        e.trace ??= trace;
      } else if (f['kind'] === undefined && e === undefined) {
        this.counts.skipped++; // HPACK state lost (capture began mid-connection): nothing to pair on
        return;
      }
      if (end && e !== undefined && from === e.server) c.h2.delete(id);
      this.touch(e);
    } else if (type === 'data') {
      if (e === undefined) return;
      const body = f['body'];
      const n = isObj(body) && Array.isArray(body['length']) ? Number(body['length'][0]) : Number(f['len']);
      const len = Number.isFinite(n) && n > 0 ? n : 0;
      if (from === e.client) e.reqSize = (e.reqSize ?? 0) + len;
      else e.respSize = (e.respSize ?? 0) + len;
      if (end && from === e.server) c.h2.delete(id);
      this.touch(e);
    } else if (type === 'rst') {
      if (e === undefined) return;
      c.h2.delete(id);
      if (e.respNum === undefined) e.note = `stream reset by the ${from === e.client ? 'client' : 'server'}`;
      this.touch(e);
    }
  }
}

// A string that holds on to nothing: substrings and concatenations keep their sources alive.
const flat = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/**
 * Restores the header lists compact() dropped, from the HTTP values of the exchange's request
 * and response records (HTTP/1 heads, or the stream's HEADERS frames for HTTP/2), as add() had
 * them. Either record may be missing (not captured).
 */
export function rereadHeaders(e: Exchange, req: unknown, resp: unknown): void {
  if (!e.headersDropped) return;
  e.reqHeaders = messageHeaders(req, 'request', e.stream);
  if (e.reqHeaders.length && !isObj((req as Obj)['streams'])) {
    const host = hostFromRaw(str((req as Obj)['raw'])) ?? e.host;
    if (host !== undefined) e.reqHeaders.unshift(['Host', host]);
  }
  e.respHeaders = messageHeaders(resp, 'response', e.stream);
  e.headersDropped = false;
}

function messageHeaders(h: unknown, kind: 'request' | 'response', stream: number | undefined): [string, string][] {
  if (!isObj(h)) return [];
  const streams = h['streams'];
  if (!isObj(streams)) return h['kind'] === kind ? headerPairs(h['headers']) : [];
  for (const st of Object.values(streams)) {
    if (!isObj(st) || Number(st['id']) !== stream || !Array.isArray(st['frames'])) continue;
    for (const f of st['frames']) if (isObj(f) && f['type'] === 'headers' && f['kind'] === kind) return headerPairs(f['headers']);
  }
  return [];
}

/** Appends to a list kept to its last `max` entries. */
function bounded<T>(list: T[], v: T, max: number): void {
  list.push(v);
  if (list.length > max) list.splice(0, list.length - max);
}

/** A timing's `request_num` / `response_num`, when present, are the exchange's request and response packets. */
function numsAgree(e: Exchange, t: Obj): boolean {
  const rq = t['request_num'];
  const rs = t['response_num'];
  if (typeof rq === 'number' && rq !== e.reqNum) return false;
  if (typeof rs === 'number' && e.respNum !== undefined && rs !== e.respNum) return false;
  return true;
}

const ns = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v / 1e6 : undefined);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const sides = (v: unknown): { client: number; server: number } => (isObj(v) ? { client: count(v['client']), server: count(v['server']) } : { client: 0, server: 0 });

/** A record's `timing` object (ns durations, RFC 3339 times) → ExchangeTiming (ms); undefined without a readable `start`. */
export function exchangeTiming(t: Obj): ExchangeTiming | undefined {
  const start = typeof t['start'] === 'string' ? parseRfc3339(t['start']) : undefined;
  if (start === undefined) return undefined;
  const out: ExchangeTiming = {
    start,
    retransmissions: sides(t['retransmissions']), outOfOrder: sides(t['out_of_order']), zeroWindows: sides(t['zero_windows']),
  };
  const put = (k: 'requestEnd' | 'responseStart' | 'responseEnd', v: unknown): void => { const x = ns(v); if (x !== undefined) out[k] = x; };
  put('requestEnd', t['request_end_ns']);
  put('responseStart', t['response_start_ns']);
  put('responseEnd', t['response_end_ns']);
  const bytes = t['bytes'];
  if (isObj(bytes)) {
    if (typeof bytes['request'] === 'number') out.requestBytes = bytes['request'];
    if (typeof bytes['response'] === 'number') out.responseBytes = bytes['response'];
  }
  const conn = t['connect'];
  const syn = isObj(conn) && typeof conn['syn'] === 'string' ? parseRfc3339(conn['syn']) : undefined;
  if (isObj(conn) && syn !== undefined) {
    out.connect = { syn };
    const sa = ns(conn['syn_ack_ns']);
    const ack = ns(conn['ack_ns']);
    if (sa !== undefined) out.connect.synAck = sa;
    if (ack !== undefined) out.connect.ack = ack;
  }
  const reset = t['reset'];
  if (reset === 'client' || reset === 'server' || reset === 'stream') out.reset = reset;
  if (typeof t['reset_code'] === 'number') out.resetCode = t['reset_code'];
  return out;
}

/**
 * The HttpPacket of a tracecap DEBUG record (parsed NDJSON), or undefined when the record has
 * neither `HTTP` nor `timing` (nothing for the builder) or no IP/TCP endpoints.
 */
export function httpPacket(r: unknown): HttpPacket | undefined {
  if (!isObj(r) || (r['HTTP'] === undefined && r['timing'] === undefined)) return undefined;
  const l3 = r['L3'], l4 = r['L4'], pcap = r['pcap'], ts = r['timestamp'];
  if (!isObj(l3) || !isObj(l4) || !isObj(pcap) || !isObj(ts)) return undefined;
  const p: HttpPacket = {
    num: Number(pcap['num']),
    time: count(ts['seconds']) * 1000 + count(ts['nanos']) / 1e6,
    flow: String(r['flow'] ?? ''), src: String(l3['src']), dst: String(l3['dst']), sport: Number(l4['src']), dport: Number(l4['dst']),
    http: r['HTTP'],
  };
  const t = r['logging.googleapis.com/trace'];
  if (typeof t === 'string') p.trace = t;
  if (r['timing'] !== undefined) p.timing = r['timing'];
  if (r['local'] === true) p.local = true;
  return p;
}

/** Keeps the last RECENT_REQUEST_PACKETS request packets of a connection. */
function remember(recent: { num: number; time: number }[], p: HttpPacket): void {
  recent.push({ num: p.num, time: p.time });
  if (recent.length > RECENT_REQUEST_PACKETS) recent.shift();
}

/** `HTTP.request.url` is Host + request target: the host part (up to the first "/"). */
function urlHost(u: string): string | undefined {
  const i = u.indexOf('/');
  const host = i < 0 ? u : u.slice(0, i);
  return host || undefined;
}

/** `HTTP.request.url` without its host part. */
function urlTarget(u: string): string {
  const i = u.indexOf('/');
  return i < 0 ? '' : u.slice(i);
}
