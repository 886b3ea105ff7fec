/**
 * The app's second worker: parses the HTTP values of the records and pairs them into exchanges
 * (http.ts), beside the main worker (worker.ts), which sends it batches while it translates —
 * so HTTP work, the larger part of indexing an HTTP capture, runs on another core. It answers
 * the HTTP view, the exchange counts of the connection and trace views, and the HAR export.
 */
import { ExchangeBuilder, type Exchange } from './http.js';
import { histogram, httpRow, page } from './tables.js';
import { META, type BatchResult, type HttpRequest, type HttpRow, type Range } from './protocol.js';

/** Traces kept per packet from HTTP/2 frames (a packet may carry frames of many streams). */
const MAX_TRACES_PER_PACKET = 64;
const TRACE_KEY = 'logging.googleapis.com/trace';
let xb = new ExchangeBuilder();
let addrs: string[] = [''], flows: string[] = [''], traces: string[] = [''];
let rows: { range: string; list: HttpRow[] } | null = null;
const dec = new TextDecoder();

const inRange = (r: Range | null, t: number) => !r || (t >= r[0] && t <= r[1]);
const exchanges = (r: Range | null): readonly Exchange[] => (r ? xb.exchanges().filter((x) => inRange(r, x.reqTime)) : xb.exchanges());

self.onmessage = (m: MessageEvent<{ id: number; req: HttpRequest }>) => {
  const { id, req } = m.data;
  let result: unknown = null;
  try { result = handle(req); } catch (err) {
    (self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  const transfer = result && typeof result === 'object' && 'codes' in result ? [(result as BatchResult).codes.buffer as ArrayBuffer] : [];
  (self as unknown as Worker).postMessage({ id, result }, transfer);
};

function handle(req: HttpRequest): unknown {
  switch (req.op) {
    case 'reset': xb = new ExchangeBuilder(); addrs = ['']; flows = ['']; traces = ['']; rows = null; return null;
    case 'batch': return batch(req);
    case 'end': rows = null; return { stats: xb.stats() };
    case 'http': {
      // Rows are kept per range and per number of exchanges: asked while loading, they grow.
      const key = `${req.range?.join(',') ?? ''}|${xb.exchanges().length}`;
      if (!rows || rows.range !== key) rows = { range: key, list: exchanges(req.range).map(httpRow) };
      return { ...page(rows.list, req), histogram: histogram(rows.list) };
    }
    case 'flowCounts': {
      const n = new Map<string, number>();
      for (const x of exchanges(req.range)) n.set(x.flow, (n.get(x.flow) ?? 0) + 1);
      return [...n];
    }
    case 'traceCounts': {
      const n = new Map<string, number>();
      for (const x of xb.exchanges()) if (x.trace) n.set(x.trace, (n.get(x.trace) ?? 0) + 1);
      return [...n];
    }
    case 'traceExchanges': { const want = new Set(req.traces); return xb.exchanges().filter((x) => x.trace !== undefined && want.has(x.trace)).map(httpRow); }
    case 'exchanges': return exchanges(req.range);
  }
}

function batch(b: Extract<HttpRequest, { op: 'batch' }>): BatchResult {
  addrs.push(...b.addrs); flows.push(...b.flows); traces.push(...b.traces);
  const n = b.lens.length;
  const codes = new Uint32Array(n * 2);
  const more: Array<[number, string[]]> = [];
  // One decode per batch; each value is then a slice of it (lengths are bytes, so values are
  // cut at the byte offsets' string positions, found by decoding each value's length once).
  const all = dec.decode(b.text);
  const ascii = all.length === b.text.length;
  let off = 0, at = 0, nc = 0;
  for (let i = 0; i < n; i++) {
    const len = b.lens[i]!, m = i * META;
    const chars = ascii ? len : dec.decode(b.text.subarray(off, off + len)).length;
    const text = all.slice(at, at + chars);
    off += len; at += chars;
    let http: unknown;
    try { http = JSON.parse(text); } catch { continue; }
    const pos = b.meta[m]!;
    const code = (http as { code?: unknown }).code;
    // 0: the HTTP value has no top-level code (the index then knows HTTP.code is absent).
    codes[nc++] = pos; codes[nc++] = typeof code === 'number' && code > 0 && code < 0xffff ? code : 0;
    const found: string[] = [];
    if ((http as { streams?: unknown }).streams) collectTraces(http, found, 0);
    const top = traces[b.meta[m + 8]!] ?? '';
    const others = [...new Set(found)].filter((t) => t !== top);
    if (others.length) more.push([pos, others]);
    xb.add({
      num: b.meta[m + 1]!, time: b.meta[m + 2]!, flow: flows[b.meta[m + 3]!] ?? '', src: addrs[b.meta[m + 4]!] ?? '', dst: addrs[b.meta[m + 5]!] ?? '',
      sport: b.meta[m + 6]!, dport: b.meta[m + 7]!, http, ...(top ? { trace: top } : {}),
    });
  }
  xb.compact();
  return { codes: codes.slice(0, nc), traces: more };
}

function collectTraces(v: unknown, out: string[], depth: number): void {
  if (depth > 8 || out.length >= MAX_TRACES_PER_PACKET || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) { for (const x of v) collectTraces(x, out, depth + 1); return; }
  for (const [k, x] of Object.entries(v)) {
    if (k === TRACE_KEY && typeof x === 'string') out.push(x);
    else if (typeof x === 'object') collectTraces(x, out, depth + 1);
  }
}
