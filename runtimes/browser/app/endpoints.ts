/**
 * Latency statistics per endpoint: an exchange's endpoint is its method and its URL's path with
 * the segments that identify one resource folded to `{id}` (so `/api/v1/items/42` and
 * `/api/v1/items/43` are one endpoint), and percentiles computed exactly from the latencies.
 * Pure functions: the HTTP worker (http-worker.ts) runs them over its exchange columns.
 */

/** A path segment longer than this is folded whatever it holds (a token, a base64 blob). */
export const LONG_SEGMENT = 64;
/** Most endpoints the statistics keep at once; exchanges of endpoints past it are counted under one row that says so. */
export const MAX_ENDPOINTS = 10_000;
/** The endpoint key of exchanges whose endpoint came after MAX_ENDPOINTS others. */
export const OTHER_ENDPOINTS = '(other endpoints: more than 10,000)';

const ID = '{id}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:0x)?[0-9a-f]{16,}$/i; // 16 hex digits or more (ids, hashes, trace and span ids)
const NUMBER = /^[+-]?\d+(?:\.\d+)?$/; // integers and decimals
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/; // Crockford base32, 26 characters (ulid/spec)
const MIXED = /^(?=.*\d)(?=.*[a-z])[a-z0-9_-]{20,}$/i; // long letters-and-digits tokens (Mongo ObjectIds are HEX already)

/**
 * Whether a path segment (already percent-decoded or not) names a resource rather than a route:
 * a number, a UUID (RFC 9562), 16+ hex digits, a ULID, a long mixed letters-and-digits token,
 * or any segment longer than LONG_SEGMENT.
 */
export function isIdSegment(s: string): boolean {
  if (s.length === 0) return false;
  if (s.length > LONG_SEGMENT) return true;
  // Most segments are words: without a digit only the hex rule can hold (16 letters a–f or
  // more), so the patterns run only on segments with a digit — a million URLs fold in a second.
  let digit = false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c >= 0x30 && c <= 0x39) { digit = true; break; } }
  if (!digit) return s.length >= 16 && HEX.test(s);
  return NUMBER.test(s) || UUID.test(s) || HEX.test(s) || ULID.test(s) || MIXED.test(s);
}

/**
 * The path of `url` with its id segments folded to `{id}` (see isIdSegment); the query and the
 * fragment are left out, an empty path is `/`. `url` may be absolute or a path alone.
 * A segment `name.ext` whose name is an id folds to `{id}.ext` (`/img/123.png` → `/img/{id}.png`).
 */
export function foldPath(url: string): string {
  return foldSegments(pathOf(url));
}

/** The path of `url` (absolute or a path alone): no scheme and authority, no query, no fragment; '' when empty. */
export function pathOf(url: string): string {
  let from = 0;
  const scheme = url.indexOf('://');
  // A scheme is letters, digits, + . - before "://" (RFC 3986 §3.1): only then is an authority cut.
  if (scheme > 0 && /^[a-z][a-z0-9+.-]*$/i.test(url.slice(0, scheme))) { const slash = url.indexOf('/', scheme + 3); from = slash < 0 ? url.length : slash; }
  let to = url.length;
  for (let i = from; i < url.length; i++) { const c = url.charCodeAt(i); if (c === 0x3f || c === 0x23) { to = i; break; } }
  return url.slice(from, to);
}

/** A path (pathOf) with its id segments folded. */
function foldSegments(path: string): string {
  if (path === '') return '/';
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (isIdSegment(seg)) { segs[i] = ID; continue; }
    const dot = seg.lastIndexOf('.');
    if (dot > 0 && isIdSegment(seg.slice(0, dot)) && /^[a-z0-9]{1,8}$/i.test(seg.slice(dot + 1))) segs[i] = `${ID}${seg.slice(dot)}`;
  }
  return segs.join('/');
}

/** The endpoint key of an exchange: `METHOD /folded/path`, with the host first when asked (`host METHOD /path`). */
export function endpointKey(method: string, url: string, host?: string): string {
  const m = method || '(no request)';
  return host ? `${host} ${m} ${foldPath(url)}` : `${m} ${foldPath(url)}`;
}

/**
 * The q-quantile (0 < q ≤ 1) of `sorted` (ascending) by the nearest-rank method: the smallest
 * value with at least q·n values at or below it — a value that was measured, never interpolated.
 * NaN for an empty list.
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * n - 1e-9));
  return sorted[Math.min(n, rank) - 1]!;
}

/** One endpoint's row of the statistics. */
export interface EndpointStats {
  key: string; method: string; path: string; host?: string;
  /** Exchanges. */
  count: number;
  /** Exchanges with a latency (answered). */
  answered: number;
  /** Errors: 5xx responses, resets (connection or stream) and requests never answered; each counted once. */
  errors: number; status5xx: number; resets: number; unanswered: number;
  /** errors / count. */
  errorRate: number;
  /** Latency percentiles and maximum in ms (nearest rank, of the answered exchanges); absent when none was answered. */
  p50?: number; p95?: number; p99?: number; max?: number;
}

/** Per exchange, what the statistics read. */
export interface StatsInput { method: string; url: string; host?: string; status: number; latency: number | undefined; reset: boolean }

/**
 * Collects exchanges into endpoints (at most MAX_ENDPOINTS keys; the rest go to OTHER_ENDPOINTS),
 * then gives each endpoint's row. Latencies are kept as a Float64Array per endpoint, grown by
 * doubling: 8 bytes an answered exchange, for the time of one computation.
 */
export class EndpointCollector {
  readonly #rows = new Map<string, EndpointStats & { lat: Float64Array }>();
  #folded = new Map<string, string>();
  constructor(readonly withHost: boolean, readonly maxEndpoints = MAX_ENDPOINTS) {}

  /** Adds one exchange. */
  add(x: StatsInput): void {
    // Many exchanges share a path (URLs differ in their query): its folding is cached (bounded).
    const raw = pathOf(x.url);
    let path = this.#folded.get(raw);
    if (path === undefined) { path = foldSegments(raw); if (this.#folded.size > 65_536) this.#folded = new Map(); this.#folded.set(raw, path); }
    const method = x.method || '(no request)';
    let key = this.withHost && x.host ? `${x.host} ${method} ${path}` : `${method} ${path}`;
    let r = this.#rows.get(key);
    if (!r && this.#rows.size >= this.maxEndpoints) { key = OTHER_ENDPOINTS; r = this.#rows.get(key); }
    if (!r) {
      const other = key === OTHER_ENDPOINTS;
      r = { key, method: other ? '' : method, path: other ? key : path, count: 0, answered: 0, errors: 0, status5xx: 0, resets: 0, unanswered: 0, errorRate: 0, lat: new Float64Array(8) };
      if (this.withHost && x.host && !other) r.host = x.host;
      this.#rows.set(key, r);
    }
    r.count++;
    const s5 = x.status >= 500 && x.status <= 599;
    const unanswered = x.latency === undefined && x.status === 0;
    if (s5) r.status5xx++;
    if (x.reset) r.resets++;
    if (unanswered) r.unanswered++;
    if (s5 || x.reset || unanswered) r.errors++;
    if (x.latency !== undefined) {
      if (r.answered === r.lat.length) { const l = new Float64Array(r.lat.length * 2); l.set(r.lat); r.lat = l; }
      r.lat[r.answered++] = x.latency;
    }
  }

  /** The endpoints' rows (latencies sorted and summarized, then dropped). */
  rows(): EndpointStats[] {
    const out: EndpointStats[] = [];
    for (const { lat, ...r } of this.#rows.values()) {
      const l = lat.subarray(0, r.answered).sort();
      const row: EndpointStats = { ...r, errorRate: r.count ? r.errors / r.count : 0 };
      if (l.length) { row.p50 = percentile(l, 0.5); row.p95 = percentile(l, 0.95); row.p99 = percentile(l, 0.99); row.max = l[l.length - 1]!; }
      out.push(row);
    }
    return out;
  }
}
