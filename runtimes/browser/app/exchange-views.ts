/**
 * The all-requests waterfall's pages and the statistics per endpoint, over an ExchangeTable and
 * the exchanges the view selects: what the HTTP worker (http-worker.ts) answers for ops
 * `waterfall` and `endpoints`, cached per view, exchange count and selection so that paging a
 * million rows sorts them once.
 */
import type { ExchangeTable } from './exchanges.js';
import type { EndpointsRequest, ExchangeSelect, WaterfallPage, WaterfallRequest, WaterfallRow } from './protocol.js';
import { EndpointCollector, MAX_ENDPOINTS, foldPath, type EndpointStats } from './endpoints.js';

/** Folded paths kept per URL while selecting an endpoint's exchanges (cleared past it). */
const FOLD_CACHE = 65_536;

/** What #pick selects. */
type Picked = { key: string; ids: Uint32Array | null; span: [number, number]; timed: number };

/** The two views over one table (a new capture: a new instance). */
export class ExchangeViews {
  /** The waterfall's selection (the view's exchanges, then its text and endpoint), its axis and timed count. */
  #picked: Picked | null = null;
  /** The statistics of the view's exchanges, per endpoint, computed once per view, count and host choice. */
  #stats: { key: string; rows: EndpointStats[]; sorted: Map<string, EndpointStats[]> } | null = null;
  readonly #foldCache = new Map<string, string>();
  constructor(readonly table: ExchangeTable) {}

  #pick(q: ExchangeSelect, sel: Uint32Array | null, tag: string): Picked {
    const table = this.table;
    const key = `${tag}|${table.count}|${q.text}|${q.endpoint}|${q.host}`;
    if (this.#picked?.key === key) return this.#picked;
    const text = q.text.toLowerCase();
    const want = (id: number): boolean => {
      if (q.endpoint !== '' && this.endpointOf(id, q.host) !== q.endpoint) return false;
      if (text === '') return true;
      const st = table.statusOf(id);
      return table.url(id).toLowerCase().includes(text) || table.methodOf(id).toLowerCase().includes(text) || (st !== 0 && String(st).includes(text));
    };
    let out: Uint32Array | null = null;
    if (q.text !== '' || q.endpoint !== '') {
      const list: number[] = [];
      if (sel) { for (const id of sel) if (want(id)) list.push(id); } else for (let id = 0; id < table.count; id++) if (want(id)) list.push(id);
      out = Uint32Array.from(list);
    } else out = sel;
    let lo = Infinity, hi = -Infinity, timed = 0;
    const each = (id: number) => { const [a, b] = table.extentOf(id); if (a < lo) lo = a; if (b > hi) hi = b; if (table.hasTiming(id)) timed++; };
    if (out) for (const id of out) each(id); else for (let id = 0; id < table.count; id++) each(id);
    this.#picked = { key, ids: out, span: lo <= hi ? [lo, hi] : [0, 0], timed };
    return this.#picked;
  }

  /** The endpoint key of exchange id (endpoints.ts endpointKey, the host first when `host`). */
  endpointOf(id: number, host: boolean): string {
    const table = this.table;
    const url = table.url(id);
    let path = this.#foldCache.get(url);
    if (path === undefined) { path = foldPath(url); if (this.#foldCache.size > FOLD_CACHE) this.#foldCache.clear(); this.#foldCache.set(url, path); }
    const m = table.methodOf(id) || '(no request)';
    const h = host ? table.hostOf(id) : undefined;
    return h ? `${h} ${m} ${path}` : `${m} ${path}`;
  }

  /** A page of the waterfall over the selected exchanges (`sel` null: all; `tag` names the selection for caches). */
  waterfall(req: WaterfallRequest, sel: Uint32Array | null, tag: string): WaterfallPage {
    const table = this.table;
    const p = this.#pick(req, sel, tag);
    const sortKey = req.sort === 'time' ? 'reqTime' : req.sort;
    const order = table.sorted(sortKey, req.desc, p.ids, `wf|${p.key}`);
    const rows: WaterfallRow[] = [];
    for (let i = req.start; i < Math.min(order.length, req.start + req.count); i++) rows.push(table.waterfallRow(order[i]!));
    return { total: order.length, rows, span: p.span, timed: p.timed };
  }

  /** A page of the statistics per endpoint over the selected exchanges, with how many exchanges they cover and the endpoint limit. */
  endpoints(req: EndpointsRequest, sel: Uint32Array | null, tag: string): { total: number; rows: EndpointStats[]; exchanges: number; limit: number } {
    const table = this.table;
    const key = `${tag}|${table.count}|${req.host}`;
    if (this.#stats?.key !== key) {
      const c = new EndpointCollector(req.host);
      const each = (id: number) => {
        const host = req.host ? table.hostOf(id) : undefined;
        c.add({ method: table.methodOf(id), url: table.url(id), ...(host !== undefined ? { host } : {}), status: table.statusOf(id), latency: table.latencyOf(id), reset: table.resetOf(id) !== undefined });
      };
      if (sel) for (const id of sel) each(id); else for (let id = 0; id < table.count; id++) each(id);
      this.#stats = { key, rows: c.rows(), sorted: new Map() };
    }
    const stats = this.#stats;
    const k = `${req.sort}:${req.desc}`;
    let rows = stats.sorted.get(k);
    if (!rows) {
      const f = req.sort as keyof EndpointStats;
      rows = [...stats.rows].sort((a, b) => {
        const x = a[f], y = b[f];
        // Missing values (no answered exchange: no percentiles) last either way.
        if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
        const c = x < y ? -1 : x > y ? 1 : 0;
        return (req.desc ? -c : c) || (a.key < b.key ? -1 : 1);
      });
      stats.sorted.set(k, rows);
    }
    let n = 0;
    for (const r of stats.rows) n += r.count;
    return { total: rows.length, rows: rows.slice(req.start, req.start + req.count), exchanges: n, limit: MAX_ENDPOINTS };
  }
}
