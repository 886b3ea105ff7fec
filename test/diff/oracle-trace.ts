// Trace-context rules of the trace oracle (trace-oracle.test.ts), written from the specification
// and independently of tracecap's core:
//  * a valid W3C `traceparent` (00-<32 hex>-<16 hex>-<2 hex flags>, trace id and parent id not all
//    zeros; sampled = flags bit 0) wins;
//  * else a valid `X-Cloud-Trace-Context: <32 hex trace>[/<decimal span>][;o=<n>]` (span converted to
//    16 lowercase hex digits; sampled = o & 1; no span → no span id);
//  * an invalid value never cancels a valid one; header names match case-insensitively.
// Not a test file itself.

/** A request's trace context, as tracecap should render it. */
export interface Trace {
  /** 32 lowercase hex digits. */
  trace: string;
  /** 16 lowercase hex digits, or undefined when the header gives no span. */
  span?: string;
  sampled: boolean;
}

const HEX32 = /^[0-9a-f]{32}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);
const UINT64_MAX = (1n << 64n) - 1n;

/** Parses a `traceparent` value (OWS around it ignored). Null when invalid. */
export function parseTraceparent(raw: string): Trace | null {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(raw.trim());
  if (!m) return null;
  const [, trace, span, flags] = m;
  if (trace === ZERO32 || span === ZERO16) return null;
  return { trace: trace!, span: span!, sampled: (parseInt(flags!, 16) & 1) === 1 };
}

/** Parses an `X-Cloud-Trace-Context` value (OWS around it ignored). Null when invalid. */
export function parseXctc(raw: string): Trace | null {
  const m = /^([0-9a-fA-F]{32})(?:\/([0-9]+))?(?:;o=([0-9]+))?$/.exec(raw.trim());
  if (!m) return null;
  const trace = m[1]!.toLowerCase();
  if (!HEX32.test(trace) || trace === ZERO32) return null;
  let span: string | undefined;
  if (m[2] !== undefined) {
    const v = BigInt(m[2]);
    if (v > UINT64_MAX) return null;
    span = v.toString(16).padStart(16, '0');
  }
  const sampled = m[3] !== undefined ? (Number(BigInt(m[3]) & 1n) === 1) : false;
  return { trace, span, sampled };
}

/** The trace of a request from its headers ([name, value] in wire order). */
export function traceOf(headers: ReadonlyArray<readonly [string, string]>): Trace | null {
  for (const [n, v] of headers) {
    if (n.toLowerCase() === 'traceparent') {
      const t = parseTraceparent(v);
      if (t) return t;
    }
  }
  for (const [n, v] of headers) {
    if (n.toLowerCase() === 'x-cloud-trace-context') {
      const t = parseXctc(v);
      if (t) return t;
    }
  }
  return null;
}

export const K_TRACE = 'logging.googleapis.com/trace';
export const K_SPAN = 'logging.googleapis.com/spanId';
export const K_SAMPLED = 'logging.googleapis.com/trace_sampled';

/** The three trace keys as they should appear for `t` (absent keys omitted). */
export function expectedKeys(t: Trace | null, project: string): Record<string, unknown> {
  if (!t) return {};
  const out: Record<string, unknown> = { [K_TRACE]: `projects/${project}/traces/${t.trace}` };
  if (t.span !== undefined) out[K_SPAN] = t.span;
  out[K_SAMPLED] = t.sampled;
  return out;
}

/** The trace keys present on `obj` (a record or an h2 frame object). */
export function gotKeys(obj: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!obj || typeof obj !== 'object') return out;
  for (const k of [K_TRACE, K_SPAN, K_SAMPLED]) {
    if (Object.prototype.hasOwnProperty.call(obj, k)) out[k] = (obj as Record<string, unknown>)[k];
  }
  return out;
}

/** Short rendering of a set of trace keys for mismatch reports. */
export function showKeys(k: Record<string, unknown>): string {
  if (Object.keys(k).length === 0) return 'no trace';
  const t = k[K_TRACE];
  const parts = [`trace=${typeof t === 'string' ? t.replace(/^projects\/[^/]*\/traces\//, '…/') : JSON.stringify(t)}`];
  parts.push(K_SPAN in k ? `span=${JSON.stringify(k[K_SPAN])}` : 'span=absent');
  parts.push(K_SAMPLED in k ? `sampled=${JSON.stringify(k[K_SAMPLED])}` : 'sampled=absent');
  return parts.join(' ');
}

/** Exact equality of two trace-key sets. */
export function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
