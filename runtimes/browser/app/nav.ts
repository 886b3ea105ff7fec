/**
 * The page's place in the browser's history: the translation options in the query string, the
 * exploration in the hash (view, filter, time range, trace, open packet). A change of view, trace
 * or open packet pushes a history entry, so Back and Forward move inside the app; the filter pushes
 * one entry per settled text (see App's typing session), and reload reads everything back.
 */
import type { AppOptions, Range } from './protocol.js';
import { isTimeMode, type TimeMode } from './format.js';

/** The app's views, in tab order, with their tab titles. */
export type View = 'packets' | 'conns' | 'http' | 'traces' | 'timeline' | 'requests' | 'stats';
export const VIEWS: ReadonlyArray<readonly [View, string]> = [['packets', 'Packets'], ['conns', 'Connections'], ['http', 'HTTP'], ['traces', 'Traces'], ['timeline', 'Timeline'], ['requests', 'Waterfall'], ['stats', 'Statistics']];

/** What the hash holds. `pkt` is the packet open in the Packets view (its pcap.num). */
export interface HashState { view: View; q: string; range: Range | null; trace: string | null; pkt: number | null }

/** The bounds of the `memory` query parameter (MiB of index kept in memory without storage). */
export const MIN_MEMORY_MIB = 8;
export const MAX_MEMORY_MIB = 4096;

/** The translation options in the query string (verbosity, project, interface, threads, memory). */
export function readOptions(): AppOptions {
  const q = new URLSearchParams(location.search);
  const o: AppOptions = { verbosity: q.get('verbosity') === 'info' ? 'info' : 'debug' };
  const project = q.get('project'); if (project) o.project = project;
  const iface = q.get('iface'); if (iface) o.ifaceName = iface;
  const ifindex = q.get('ifindex'); if (ifindex && /^\d+$/.test(ifindex)) o.ifaceIndex = Number(ifindex);
  const addrs = q.get('addrs'); if (addrs) o.ifaceAddrs = addrs.split(',').map((a) => a.trim()).filter(Boolean);
  const threads = q.get('threads'); if (threads && /^[1-8]$/.test(threads)) o.threads = Number(threads);
  const memory = q.get('memory'); if (memory && /^\d+$/.test(memory)) o.memoryMiB = Math.min(MAX_MEMORY_MIB, Math.max(MIN_MEMORY_MIB, Number(memory)));
  return o;
}

/** Writes the options to the query string (replacing the entry: a reopen is not a place to go back to). */
export function writeOptions(o: AppOptions): void {
  const q = new URLSearchParams(location.search);
  const set = (k: string, v: string | undefined) => { if (v) q.set(k, v); else q.delete(k); };
  set('verbosity', o.verbosity === 'info' ? 'info' : undefined);
  set('project', o.project); set('iface', o.ifaceName); set('ifindex', o.ifaceIndex === undefined ? undefined : String(o.ifaceIndex));
  set('addrs', o.ifaceAddrs?.join(','));
  set('threads', o.threads === undefined ? undefined : String(o.threads));
  set('memory', o.memoryMiB === undefined ? undefined : String(o.memoryMiB));
  const s = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
}

/** The exploration as the address bar has it now. */
export function readHash(): HashState {
  const h = new URLSearchParams(location.hash.slice(1));
  const view = (h.get('view') ?? 'packets') as View;
  const t = h.get('t')?.split('-').map(Number);
  const trace = h.get('trace');
  const pkt = h.get('pkt');
  return {
    view: trace ? 'traces' : VIEWS.some(([v]) => v === view) ? view : 'packets', q: h.get('q') ?? '',
    range: t && t.length === 2 && t.every(Number.isFinite) ? [t[0]!, t[1]!] : null, trace,
    pkt: pkt !== null && /^\d+$/.test(pkt) ? Number(pkt) : null,
  };
}

function hashText(s: HashState): string {
  const h = new URLSearchParams();
  if (s.view !== 'packets' && !s.trace) h.set('view', s.view);
  if (s.q) h.set('q', s.q);
  if (s.range) h.set('t', `${s.range[0]}-${s.range[1]}`);
  if (s.trace) h.set('trace', s.trace);
  if (s.pkt !== null) h.set('pkt', String(s.pkt));
  return h.toString();
}

/**
 * Writes `s` to the hash: as a new history entry (`push`) or in place of the current one.
 * Nothing is written when the hash already says it; returns whether anything was.
 */
export function writeHash(s: HashState, mode: 'push' | 'replace'): boolean {
  const text = hashText(s);
  if (location.hash.slice(1) === text) return false;
  const url = `${location.pathname}${location.search}${text ? `#${text}` : ''}`;
  if (mode === 'push') history.pushState(null, '', url); else history.replaceState(null, '', url);
  return true;
}

const TIME_KEY = 'tracecap.time';

/** The time display: `?time=` when given (a link may fix it), else the last one chosen in this browser, else UTC. */
export function readTimeMode(): TimeMode {
  const q = new URLSearchParams(location.search).get('time');
  if (isTimeMode(q)) return q;
  try { const v = localStorage.getItem(TIME_KEY); if (isTimeMode(v)) return v; } catch { /* storage denied: the default */ }
  return 'utc';
}

/** Keeps the chosen time display in this browser (and drops a `?time=` that would override it on reload). */
export function writeTimeMode(m: TimeMode): void {
  try { localStorage.setItem(TIME_KEY, m); } catch { /* storage denied: this page only */ }
  const q = new URLSearchParams(location.search);
  if (q.has('time')) {
    q.delete('time');
    const s = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
  }
}
