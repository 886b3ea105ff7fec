/**
 * @module tracecap/browser/app/har — HAR 1.2 export of the exchanges the ExchangeBuilder paired,
 * so a capture opens in a browser's developer tools (Network panel → import HAR).
 * Spec: http://www.softwareishard.com/blog/har-12-spec/ ; checked against har-validator in tests.
 */
import type { Cookie, Entry, Har, Header, Page, QueryString, Timings } from 'har-format';
import { headerValue, type Exchange, type ExchangeTiming } from '../../../src/exchanges.js';

/** HAR creator.version when the caller does not pass one (tracecap's package version; a test keeps them equal). */
export const TRACECAP_VERSION = '0.1.0';

/** Options of toHar. */
export interface HarOptions {
  /** Adds one page with this title, and every entry refers to it. */
  pageTitle?: string;
  /** creator.version (default TRACECAP_VERSION). */
  version?: string;
  /** Bodies of the exchanges (by Exchange.id) read from the reassembled connection (harBodies in the worker). */
  bodies?: ReadonlyMap<number, ExchangeBodies>;
}

/** A message body as the capture held it: decoded bytes (null: not decodable, `note` says why), bytes on the wire, content codings. */
export interface HarBody { data: Uint8Array | null; rawSize: number; codings: string[]; note?: string }
/** The request's and the response's body of one exchange. */
export interface ExchangeBodies { request?: HarBody; response?: HarBody }

/** Largest decoded body a HAR entry carries as text (larger ones are left out, `comment` says so). */
export const MAX_HAR_BODY_BYTES = 1 << 20;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
/** Body bytes as HAR text: UTF-8 as it is, anything else base64 (HAR 1.2 content.encoding). */
export function bodyText(b: Uint8Array): { text: string; encoding?: 'base64' } {
  try {
    const text = utf8Strict.decode(b);
    // Control bytes other than whitespace: binary, whatever UTF-8 says.
    if (!/[\x00-\x08\x0e-\x1f]/.test(text)) return { text };
  } catch { /* not UTF-8: base64 */ }
  let bin = '';
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return { text: btoa(bin), encoding: 'base64' };
}

/** tracecap's custom entry fields (HAR allows fields starting with "_"). */
export interface TracecapEntryFields {
  /** Bare trace id of the exchange (the part after "/traces/"). */
  _traceId?: string;
  /** Packet serials (pcap.num) of the request and the response head; null when not captured. */
  _packets: [number | null, number | null];
  /** Why the exchange is incomplete (e.g. "stream reset by the server"), when known. */
  _error?: string;
}

/**
 * HAR 1.2 log of the exchanges (creator tracecap), for browsers' developer tools.
 *
 * Unknown values follow the spec: headersSize/bodySize −1, timings blocked/dns/connect/ssl −1.
 * An exchange with `timing` (the packets' times, README "Exchange timing") gets its phases from
 * it (harTimings); one without keeps send and receive 0, wait = latency and time = wait.
 * An exchange without a response is kept with status 0, statusText "", httpVersion "", as
 * browsers export failed requests, time 0 and `_error` saying why; one without a captured request
 * has method "" and, as HAR needs a URI, the server's address as url (`http://ip:port/`);
 * its reqTime, the startedDateTime, is then the response time.
 */
export function toHar(exchanges: readonly Exchange[], opts: HarOptions = {}): Har {
  const pages: Page[] = [];
  if (opts.pageTitle !== undefined) {
    let start = Infinity; // a loop, not Math.min(...): spreading 50 000 arguments can overflow the stack
    for (const e of exchanges) start = Math.min(start, e.reqTime);
    pages.push({ id: 'page_1', title: opts.pageTitle, pageTimings: {}, startedDateTime: iso(Number.isFinite(start) ? start : 0) });
  }
  const entries: Entry[] = exchanges.map((e) => entry(e, pages.length > 0 ? 'page_1' : undefined, opts.bodies?.get(e.id)));
  return {
    log: {
      version: '1.2',
      creator: { name: 'tracecap', version: opts.version ?? TRACECAP_VERSION },
      ...(pages.length > 0 ? { pages } : {}),
      entries,
    },
  };
}

/** HAR timings of an exchange, the time they sum to and when the entry starts (ms since the epoch). */
export interface HarPhases { timings: Timings; time: number; started: number }

/**
 * The HAR phases of an exchange's packet timing. HAR 1.2 ("timings"): `time` is the sum of the
 * phases that are not −1 (ssl excluded: it is part of connect). From the capture:
 * - connect: SYN → the client's ACK, when the exchange opened its connection and the handshake
 *   was seen (the entry then starts at the SYN); else −1;
 * - blocked: from the handshake's ACK to the request's first byte (the client queued the
 *   request on its new connection), only with connect; else −1;
 * - ssl: −1 (the exchanges tracecap pairs are plaintext HTTP; a TLS connection's handshake has
 *   no exchange);
 * - send: the request's first byte → its last; wait: → the response's first byte (time to first
 *   byte); receive: → its last byte. A phase the capture did not see is 0 (HAR needs send, wait
 *   and receive non-negative): an unanswered request has wait and receive 0.
 */
export function harTimings(t: ExchangeTiming): HarPhases {
  const ms = (x: number) => Math.max(0, x);
  const send = ms(t.requestEnd ?? 0);
  const wait = t.responseStart !== undefined ? ms(t.responseStart - (t.requestEnd ?? 0)) : 0;
  const receive = t.responseStart !== undefined && t.responseEnd !== undefined ? ms(t.responseEnd - t.responseStart) : 0;
  let connect = -1, blocked = -1, started = t.start;
  if (t.connect && t.connect.ack !== undefined && t.connect.syn <= t.start) {
    connect = ms(t.connect.ack);
    blocked = ms(t.start - t.connect.syn - connect);
    started = t.connect.syn;
  }
  const timings: Timings = { blocked, dns: -1, connect, ssl: -1, send, wait, receive };
  const time = (blocked > 0 ? blocked : 0) + (connect > 0 ? connect : 0) + send + wait + receive;
  return { timings, time, started };
}

function entry(e: Exchange, pageref: string | undefined, bodies: ExchangeBodies | undefined): Entry {
  const answered = e.status !== undefined;
  const wait = answered && e.latency !== undefined ? e.latency : 0;
  const phases: HarPhases = e.timing ? harTimings(e.timing)
    : { timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive: 0 }, time: wait, started: e.reqTime };
  const reqHeaders = e.reqHeaders.map(header);
  const respHeaders = e.respHeaders.map(header);
  const out: Entry & TracecapEntryFields = {
    ...(pageref !== undefined ? { pageref } : {}),
    startedDateTime: iso(phases.started),
    time: phases.time,
    request: {
      method: e.method,
      url: e.url !== '' ? e.url : `http://${e.server}/`,
      httpVersion: e.proto,
      cookies: requestCookies(headerValue(e.reqHeaders, 'cookie')),
      headers: reqHeaders,
      queryString: queryString(e.url),
      headersSize: e.reqHeadersSize ?? -1,
      bodySize: e.reqSize ?? -1,
    },
    response: {
      status: e.status ?? 0,
      statusText: e.statusText ?? '',
      httpVersion: answered ? (e.respProto ?? e.proto) : '',
      cookies: e.respHeaders.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => setCookie(v)),
      headers: respHeaders,
      content: { size: e.respSize ?? 0, mimeType: headerValue(e.respHeaders, 'content-type') ?? 'x-unknown' },
      redirectURL: headerValue(e.respHeaders, 'location') ?? '',
      headersSize: e.respHeadersSize ?? -1,
      bodySize: answered ? (e.respSize ?? -1) : -1,
    },
    cache: {},
    timings: phases.timings,
    serverIPAddress: e.serverIp,
    connection: e.flow,
    _packets: [e.reqNum >= 0 ? e.reqNum : null, e.respNum ?? null],
  };
  const id = e.trace !== undefined ? traceId(e.trace) : undefined;
  if (id !== undefined) out._traceId = id;
  if (bodies?.response) {
    const b = bodies.response;
    const c = out.response.content;
    // content.size: the decoded length; compression: what the codings saved (HAR 1.2 "content").
    if (out.response.bodySize === -1 && !b.note) out.response.bodySize = b.rawSize;
    if (b.data) {
      c.size = b.data.length;
      if (b.codings.length) c.compression = b.data.length - b.rawSize;
      if (b.data.length <= MAX_HAR_BODY_BYTES) Object.assign(c, bodyText(b.data));
      else c.comment = `body of ${b.data.length} bytes not included (MAX_HAR_BODY_BYTES ${MAX_HAR_BODY_BYTES})`;
    } else if (b.note) c.comment = `body not included: ${b.note}`;
  }
  const rq = bodies?.request;
  if (rq?.data && rq.data.length > 0) {
    const mimeType = headerValue(e.reqHeaders, 'content-type') ?? 'application/octet-stream';
    if (rq.data.length <= MAX_HAR_BODY_BYTES) {
      const t = bodyText(rq.data);
      // HAR 1.2's postData has no encoding field: a binary body's base64 is said in a custom field.
      out.request.postData = { mimeType, text: t.text, ...(t.encoding ? { _encoding: t.encoding } : {}) } as Entry['request']['postData'];
    } else out.request.postData = { mimeType, text: '', comment: `body of ${rq.data.length} bytes not included (MAX_HAR_BODY_BYTES ${MAX_HAR_BODY_BYTES})` };
  } else if (rq?.note && !rq.data) out.request.comment = `body not included: ${rq.note}`;
  if (!answered || e.reqNum < 0) out._error = e.note ?? (answered ? 'request not captured' : 'no response in the capture');
  return out;
}

const header = ([name, value]: [string, string]): Header => ({ name, value });

/** ISO 8601 of a capture time in ms (HAR startedDateTime); ms precision is what Date keeps. */
function iso(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** "projects/<p>/traces/<id>" → "<id>"; a value without that shape is kept as is. */
export function traceId(trace: string): string {
  const i = trace.lastIndexOf('/traces/');
  return i >= 0 ? trace.slice(i + '/traces/'.length) : trace;
}

/** Percent-decoding that leaves malformed escapes as they are instead of throwing. */
function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Query of a URL as HAR name/value pairs (decoded; "a" alone gives value ""). */
export function queryString(url: string): QueryString[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const out: QueryString[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? { name: decode(part), value: '' } : { name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) });
  }
  return out;
}

/** Cookie request header → cookies ("a=1; b=2"). */
export function requestCookies(cookie: string | undefined): Cookie[] {
  if (cookie === undefined) return [];
  const out: Cookie[] = [];
  for (const part of cookie.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    out.push(eq < 0 ? { name: p, value: '' } : { name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() });
  }
  return out;
}

/** One Set-Cookie value → cookie with the attributes HAR names (path, domain, expires, flags). */
export function setCookie(v: string): Cookie {
  const [pair = '', ...attrs] = v.split(';');
  const eq = pair.indexOf('=');
  const c: Cookie = eq < 0 ? { name: pair.trim(), value: '' } : { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : a.slice(i + 1).trim();
    if (k === 'path') c.path = val;
    else if (k === 'domain') c.domain = val;
    else if (k === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) c.expires = new Date(t).toISOString(); // HAR wants ISO 8601
    } else if (k === 'httponly') c.httpOnly = true;
    else if (k === 'secure') c.secure = true;
  }
  return c;
}
