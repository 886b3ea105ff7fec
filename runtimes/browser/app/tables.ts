/** Sorting, paging and the HTTP rows: shared by the app's two workers. */
import type { Exchange } from '../../../src/exchanges.js';
import type { HttpRow } from './protocol.js';

/** A sorted page of a list. */
export function page<T>(list: T[], req: { sort: string; desc: boolean; start: number; count: number }): { total: number; rows: T[] } {
  const sorted = sortCached(list, req.sort, req.desc);
  return { total: sorted.length, rows: sorted.slice(req.start, req.start + req.count) };
}

/** Sorted copies of lists, per key. */
const sortCache = new WeakMap<object, Map<string, unknown[]>>();
/** The list sorted by key (cached per list and key). */
export function sortCached<T>(list: T[], key: string, desc: boolean): T[] {
  if (!key) return list;
  let m = sortCache.get(list);
  if (!m) { m = new Map(); sortCache.set(list, m); }
  const k = `${key}:${desc}`;
  let out = m.get(k) as T[] | undefined;
  if (!out) {
    out = [...list].sort((a, b) => {
      const x = (a as Record<string, unknown>)[key], y = (b as Record<string, unknown>)[key];
      const c = x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : (x as number | string) < (y as number | string) ? -1 : 1;
      return desc ? -c : c;
    });
    m.set(k, out);
  }
  return out;
}

/** An HTTP table row of an exchange (headers left out). */
export function httpRow(x: Exchange): HttpRow {
  const r: HttpRow = { id: x.id, proto: x.proto, method: x.method, url: x.url, reqTime: x.reqTime, flow: x.flow, reqNum: x.reqNum, client: x.client, server: x.server };
  if (x.status !== undefined) r.status = x.status;
  if (x.respTime !== undefined) r.respTime = x.respTime;
  if (x.latency !== undefined) r.latency = x.latency;
  if (x.trace !== undefined) r.trace = x.trace;
  if (x.respNum !== undefined) r.respNum = x.respNum;
  return r;
}

/** Latency histogram: log-spaced bins from 0.1 ms. */
export function histogram(list: HttpRow[]): { edges: number[]; counts: number[] } {
  const edges: number[] = [];
  for (let e = 0.1; e < 1e6; e *= Math.SQRT2) edges.push(e);
  const counts = new Array<number>(edges.length).fill(0);
  let maxBin = 0;
  for (const x of list) {
    if (x.latency === undefined) continue;
    let i = 0;
    while (i < edges.length - 1 && x.latency >= edges[i + 1]!) i++;
    counts[i]!++;
    if (i > maxBin) maxBin = i;
  }
  return { edges: edges.slice(0, maxBin + 2), counts: counts.slice(0, maxBin + 2) };
}

