/**
 * The app's second worker: parses the HTTP values of the records and pairs them into exchanges
 * (http.ts) kept as columns (exchanges.ts), beside the main worker (worker.ts), which sends it
 * batches while it translates — so HTTP work, the larger part of indexing an HTTP capture, runs
 * on another core. It answers the HTTP view (the exchanges of the packets the filter selects),
 * the exchange counts of the connection and trace views, and the exchanges of the HAR export.
 */
import { ExchangeBuilder } from '../../../src/exchanges.js';
import { ExchangeTable } from './exchanges.js';
import { METHODS, OTHER_METHOD, type Extra } from './segments.js';
import { META, HTTP2_FLAG, type BatchResult, type HttpRequest, type HttpRow } from './protocol.js';
import { ExchangeViews } from './exchange-views.js';

/** Traces kept per packet from HTTP/2 frames (a packet may carry frames of many streams). */
const MAX_TRACES_PER_PACKET = 64;
const TRACE_KEY = 'logging.googleapis.com/trace';

let table = new ExchangeTable();
let xb = new ExchangeBuilder({}, table);
/** The all-requests waterfall and the statistics per endpoint over `table` (exchange-views.ts). */
let views = new ExchangeViews(table);
let addrs: string[] = [''];
/** The view: one bit per packet position (null: every packet), and a tag naming it for caches. */
let view: Uint8Array | null = null;
let viewTag = 'all';
/** Exchange ids the view selects (cached per tag and exchange count). */
let selected: { key: string; ids: Uint32Array | null } | null = null;
const dec = new TextDecoder();
const flowTexts = new Map<number, Map<number, string>>();

self.onmessage = (m: MessageEvent<{ id: number; req: HttpRequest }>) => {
  const { id, req } = m.data;
  let result: unknown = null;
  try { result = handle(req); } catch (err) {
    (self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  const transfer: Transferable[] = [];
  if (result && typeof result === 'object') {
    if ('vals' in result) transfer.push((result as BatchResult).vals.buffer as ArrayBuffer);
    if (result instanceof Uint32Array) transfer.push(result.buffer as ArrayBuffer);
  }
  (self as unknown as Worker).postMessage({ id, result }, transfer);
};

const inView = (num: number): boolean => view === null || (num >= 0 && ((view[num >>> 3]! >> (num & 7)) & 1) === 1);

/** Exchange ids whose request or response packet the view selects (null: all). */
function ids(): Uint32Array | null {
  const key = `${viewTag}|${table.count}`;
  if (selected?.key === key) return selected.ids;
  let out: Uint32Array | null = null;
  if (view !== null) {
    const list: number[] = [];
    for (let id = 0; id < table.count; id++) { const [a, b] = table.packets(id); if (inView(a) || inView(b)) list.push(id); }
    out = Uint32Array.from(list);
  }
  selected = { key, ids: out };
  return out;
}

function handle(req: HttpRequest): unknown {
  switch (req.op) {
    case 'reset': table = new ExchangeTable(); xb = new ExchangeBuilder({}, table); addrs = ['']; view = null; viewTag = 'all'; selected = null; flowTexts.clear(); views = new ExchangeViews(table); return null;
    case 'batch': return batch(req);
    case 'end': return { stats: xb.stats(), exchanges: table.count };
    case 'memory': {
      let flows = 0;
      for (const m of flowTexts.values()) { flows += 80; for (const t of m.values()) flows += 2 * t.length + 80; }
      let a = 0;
      for (const x of addrs) a += 2 * x.length + 16;
      return { ...table.bytes(), httpFlowTexts: flows, httpAddresses: a, httpViewBits: view?.byteLength ?? 0, httpSelectedIds: selected?.ids?.byteLength ?? 0 };
    }
    case 'view': view = req.bits; viewTag = req.tag; selected = null; return null;
    case 'http': {
      const sel = ids();
      const order = table.sorted(req.sort, req.desc, sel, `${viewTag}|${table.count}`);
      const rows: HttpRow[] = [];
      for (let i = req.start; i < Math.min(order.length, req.start + req.count); i++) rows.push(table.row(order[i]!));
      return { total: order.length, rows, histogram: histogram(sel) };
    }
    case 'flowCounts': {
      const n = new Map<string, number>();
      const sel = ids();
      const each = (id: number) => { const f = table.flowOf(id); n.set(f, (n.get(f) ?? 0) + 1); };
      if (sel) for (const id of sel) each(id); else for (let id = 0; id < table.count; id++) each(id);
      return [...n];
    }
    case 'traceCounts': {
      // Per trace of the view's exchanges, how many: the names encoded (tracetable.ts), not as strings.
      const n = new Map<number, number>();
      const sel = ids();
      const each = (id: number) => { const t = table.traceOf(id); if (t) n.set(t, (n.get(t) ?? 0) + 1); };
      if (sel) for (const id of sel) each(id); else for (let id = 0; id < table.count; id++) each(id);
      return { names: table.traces.encode([...n.keys()]), counts: Uint32Array.from(n.values()) };
    }
    case 'traceExchanges': {
      const want = new Set(req.traces.map((t) => table.traces.find(t)).filter((t) => t !== 0));
      const rows: HttpRow[] = [];
      for (let id = 0; id < table.count; id++) if (want.has(table.traceOf(id))) rows.push(table.row(id));
      return rows;
    }
    case 'exchangeIds': { const sel = ids(); return sel ? sel.slice() : Uint32Array.from({ length: table.count }, (_, i) => i); }
    case 'exchanges': return Array.from(req.ids, (id) => table.exchange(id));
    case 'waterfall': return views.waterfall(req, ids(), viewTag);
    case 'endpoints': return views.endpoints(req, ids(), viewTag);
  }
}

/** Latency histogram of the selected exchanges: log-spaced bins from 0.1 ms. */
function histogram(sel: Uint32Array | null): { edges: number[]; counts: number[] } {
  const edges: number[] = [];
  for (let e = 0.1; e < 1e6; e *= Math.SQRT2) edges.push(e);
  const counts = new Array<number>(edges.length).fill(0);
  let maxBin = -1;
  const each = (id: number) => {
    const l = table.latencyOf(id);
    if (l === undefined) return;
    let lo = 0, hi = edges.length - 1;
    while (lo < hi) { const m = (lo + hi + 1) >> 1; if (edges[m]! <= l) lo = m; else hi = m - 1; }
    counts[lo]!++;
    if (lo > maxBin) maxBin = lo;
  };
  if (sel) for (const id of sel) each(id); else for (let id = 0; id < table.count; id++) each(id);
  if (maxBin < 0) return { edges: [], counts: [] };
  return { edges: edges.slice(0, maxBin + 2), counts: counts.slice(0, maxBin + 2) };
}

function flowText(lo: number, hi: number): string {
  if (lo === 0 && hi === 0) return '';
  let m = flowTexts.get(hi);
  if (!m) { m = new Map(); flowTexts.set(hi, m); }
  let t = m.get(lo);
  if (t === undefined) { t = ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(); m.set(lo, t); }
  return t;
}

function batch(b: Extract<HttpRequest, { op: 'batch' }>): BatchResult {
  addrs.push(...b.addrs);
  const n = b.lens.length;
  // Per packet: position, status, method number, flags (HTTP2_FLAG).
  const vals = new Uint32Array(n * 4);
  const extras: Array<[number, Extra & { traceNames?: string[] }]> = [];
  // One decode per batch; each value is then a slice of it (lengths are bytes, so values are
  // cut at the byte offsets' string positions, found by decoding each value's length once).
  const all = dec.decode(b.text);
  const ascii = all.length === b.text.length;
  let off = 0, at = 0, nv = 0;
  for (let i = 0; i < n; i++) {
    const len = b.lens[i]!, tlen = b.tlens[i]!, m = i * META;
    const chars = ascii ? len : dec.decode(b.text.subarray(off, off + len)).length;
    const text = all.slice(at, at + chars);
    off += len; at += chars;
    const tchars = ascii ? tlen : dec.decode(b.text.subarray(off, off + tlen)).length;
    const ttext = all.slice(at, at + tchars);
    off += tlen; at += tchars;
    let timing: unknown;
    if (tlen) { try { timing = JSON.parse(ttext); } catch { timing = undefined; } }
    const pos = b.meta[m]!;
    const base = {
      num: b.meta[m + 1]!, time: b.meta[m + 2]!, flow: flowText(b.meta[m + 3]!, b.meta[m + 4]!), src: addrs[b.meta[m + 5]!] ?? '', dst: addrs[b.meta[m + 6]!] ?? '',
      sport: b.meta[m + 7]!, dport: b.meta[m + 8]!, ...(timing !== undefined ? { timing } : {}),
    };
    let http: unknown;
    if (len === 0) { if (timing !== undefined) xb.add({ ...base, http: undefined }); continue; }
    try { http = JSON.parse(text); } catch { if (timing !== undefined) xb.add({ ...base, http: undefined }); continue; }
    const h = http as { code?: unknown; method?: unknown; streams?: unknown };
    let code = 0, method = 0, flags = 0;
    if (h.streams && typeof h.streams === 'object') {
      // HTTP/2: every HEADERS frame's status and method, every frame's trace.
      flags |= HTTP2_FLAG;
      const codes: number[] = [], methods: string[] = [], traces: string[] = [];
      collectFrames(h.streams, codes, methods, traces);
      code = codes[0] ?? 0;
      method = methodNumber(methods[0]);
      const top = b.traceNames[i] ?? '';
      const others = [...new Set(traces)].filter((t) => t !== top).slice(0, MAX_TRACES_PER_PACKET);
      const x: Extra & { traceNames?: string[] } = {};
      if (codes.length > 1) x.codes = codes;
      if (methods.length > 1 || (methods.length === 1 && method === OTHER_METHOD)) x.methods = methods;
      if (others.length) x.traceNames = others;
      if (x.codes || x.methods || x.traceNames) extras.push([pos, x]);
    } else {
      if (typeof h.code === 'number' && h.code > 0 && h.code < 0xffff) code = h.code;
      if (typeof h.method === 'string') {
        method = methodNumber(h.method);
        if (method === OTHER_METHOD) extras.push([pos, { methods: [h.method] }]);
      }
    }
    vals[nv++] = pos; vals[nv++] = code; vals[nv++] = method; vals[nv++] = flags;
    const top = b.traceNames[i];
    xb.add({ ...base, http, ...(top ? { trace: top } : {}) });
  }
  return { vals: vals.slice(0, nv), extras };
}

function methodNumber(m: string | undefined): number {
  if (!m) return 0;
  const i = (METHODS as readonly string[]).indexOf(m);
  return i > 0 ? i : OTHER_METHOD;
}

// The HEADERS frames' :status (as numbers) and :method, and every frame's trace, in stream order.
function collectFrames(streams: object, codes: number[], methods: string[], traces: string[]): void {
  for (const s of Object.values(streams as Record<string, unknown>)) {
    const frames = (s as { frames?: unknown } | null)?.frames;
    if (!Array.isArray(frames)) continue;
    for (const f of frames as Array<Record<string, unknown>>) {
      if (f === null || typeof f !== 'object') continue;
      const t = f[TRACE_KEY];
      if (typeof t === 'string' && traces.length < MAX_TRACES_PER_PACKET) traces.push(t);
      const hs = f['headers'] as Record<string, unknown> | undefined;
      if (f['type'] !== 'headers' || !hs || typeof hs !== 'object') continue;
      const st = hs[':status'];
      const sv = Array.isArray(st) ? st[0] : st;
      if (sv !== undefined && Number.isInteger(Number(sv))) codes.push(Number(sv));
      const me = hs[':method'];
      const mv = Array.isArray(me) ? me[0] : me;
      if (typeof mv === 'string') methods.push(mv);
    }
  }
}
