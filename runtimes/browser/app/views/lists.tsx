/**
 * The views over the worker's tables (Connections, HTTP, Traces) and the Timeline. Each asks
 * again whenever the view changes (`version`: a new filter or time range, the end of loading);
 * arrows move a cursor in the list, Enter or a click opens the row.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Engine } from '../client.js';
import type { Conn, HttpRow, Range, Timeline, TraceRow } from '../protocol.js';
import { VTable, type Column } from './table.js';
import { count, duration, plural, size, type TimeFormat } from '../format.js';

// The charts (uPlot) load when a view first needs them: the page starts with less to compile.
type Charts = typeof import('./charts.js');
let chartsModule: Promise<Charts> | null = null;
function useCharts(): Charts | null {
  const [m, setM] = useState<Charts | null>(null);
  useEffect(() => { void (chartsModule ??= import('./charts.js')).then(setM); }, []);
  return m;
}

/** Whether the page is drawn dark (prefers-color-scheme), followed as it changes: charts take their colours then. */
export function useDark(): boolean {
  const q = useMemo(() => matchMedia('(prefers-color-scheme: dark)'), []);
  const [dark, setDark] = useState(q.matches);
  useEffect(() => { const on = () => setDark(q.matches); q.addEventListener('change', on); return () => q.removeEventListener('change', on); }, []);
  return dark;
}

/** A sortable table the worker serves (op conns, http or traces): its sort, total, page fetcher and cursor. */
function useTable<T, R extends { total: number; rows: T[] } = { total: number; rows: T[] }>(engine: Engine, op: 'conns' | 'http' | 'traces', initial: string, version: string, onPage?: (r: R) => void) {
  const [sort, setSort] = useState({ key: initial, desc: false });
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<number | null>(null);
  const onSort = (key: string) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }));
  const fetch = useCallback((start: number, n: number) => engine.ask<R>({ op, sort: sort.key, desc: sort.desc, start, count: n }).then((r) => { setTotal(r.total); onPage?.(r); return r; }), [engine, sort]);
  useEffect(() => { fetch(0, 1).catch(() => { /* no capture yet */ }); }, [fetch, version]);
  // Another view or order: the cursor's row is another one.
  useEffect(() => setCursor(null), [version, sort]);
  return { sort, onSort, total, fetch, version: `${version}:${sort.key}:${sort.desc}`, cursor, onCursor: (i: number) => setCursor(i) };
}

/** The line above a list: how many rows it has. */
function Caption({ n, one, many }: { n: number; one: string; many?: string }) {
  return <div class="view-caption" data-testid="view-count">{plural(n, one, many)}</div>;
}

/** Props every list view takes. */
interface ListProps<T> { engine: Engine; version: string; tf: TimeFormat; onPick(row: T): void }

/** Connections: Enter or a click filters the packets to the connection. */
export function ConnsView({ engine, version, tf, onPick }: ListProps<Conn>) {
  const t = useTable<Conn>(engine, 'conns', 'start', version);
  const cols: Column<Conn>[] = [
    { title: 'Proto', width: '60px', cell: (c) => c.proto, sort: 'proto' },
    { title: 'Client', width: 'minmax(120px,1fr)', cell: (c) => c.client, sort: 'client' },
    { title: 'Server', width: 'minmax(120px,1fr)', cell: (c) => c.server, sort: 'server' },
    { title: 'Packets →', width: '76px', cell: (c) => count(c.packetsFwd), sort: 'packetsFwd', className: 'num' },
    { title: 'Packets ←', width: '76px', cell: (c) => count(c.packetsBwd), sort: 'packetsBwd', className: 'num' },
    { title: 'Bytes →', width: '80px', cell: (c) => size(c.bytesFwd), sort: 'bytesFwd', className: 'num' },
    { title: 'Bytes ←', width: '80px', cell: (c) => size(c.bytesBwd), sort: 'bytesBwd', className: 'num' },
    { title: tf.title('Start'), width: '130px', cell: (c, prev) => tf.row(c.start, prev === null ? null : prev?.start), sort: 'start' },
    { title: 'Duration', width: '76px', cell: (c) => duration(c.end - c.start), className: 'num' },
    { title: 'HTTP', width: '50px', cell: (c) => count(c.exchanges), sort: 'exchanges', className: 'num' },
    ...connFactColumns,
  ];
  return (
    <div class="stack">
      <Caption n={t.total} one="connection" />
      <VTable columns={cols} fetch={t.fetch} version={t.version} total={t.total} sort={t.sort} onSort={t.onSort} testid="conns" rowTestid="conn-row" label="Connections"
        cursor={t.cursor} onCursor={t.onCursor} onOpen={(i, c) => { t.onCursor(i); onPick(c); }} />
    </div>
  );
}

/** The connection list's columns from the packets' facts (connfacts.ts): TLS names, DNS names, end state, retransmissions. */
const connFactColumns: Column<Conn>[] = [
  { title: 'SNI', width: 'minmax(90px,1fr)', cell: (c) => <span data-col="sni">{c.sni ?? ''}</span>, sort: 'sni' },
  { title: 'ALPN', width: '56px', cell: (c) => <span data-col="alpn">{c.alpn ?? ''}</span>, sort: 'alpn' },
  { title: 'DNS name', width: 'minmax(90px,1fr)', cell: (c) => <span data-col="names" title={c.names ? `${c.names.join(', ')}${c.moreNames ? ` and ${plural(c.moreNames, 'more name')}` : ''}` : c.namesFull ? 'the DNS names table was full (100,000 addresses) before this address: its names are not kept' : 'no DNS answer in the capture names the server'}>{c.names ? `${c.names.join(', ')}${c.moreNames ? ` +${c.moreNames}` : ''}` : c.namesFull ? '(table full)' : ''}</span> },
  { title: 'End', width: '96px', cell: (c) => <span data-col="end">{c.endState}</span>, sort: 'endState' },
  { title: 'Retrans.', width: '64px', cell: (c) => <span data-col="retrans" title="segments that repeat sequence space already sent (retransmissions, fast, spurious and out-of-order ones)">{c.proto === 'TCP' ? count(c.retransmissions) : ''}</span>, sort: 'retransmissions', className: 'num' },
];

/** HTTP exchanges and their latency histogram: Enter or a click opens the exchange's trace (else its connection's packets). */
export function HttpView({ engine, version, tf, onPick }: ListProps<HttpRow>) {
  const charts = useCharts();
  const dark = useDark();
  const [hist, setHist] = useState<{ edges: number[]; counts: number[] } | null>(null);
  const t = useTable<HttpRow, { total: number; rows: HttpRow[]; histogram: { edges: number[]; counts: number[] } }>(engine, 'http', 'reqTime', version,
    (r) => setHist((h) => (h && h.counts.join() === r.histogram.counts.join() && h.edges.join() === r.histogram.edges.join() ? h : r.histogram)));
  const cols: Column<HttpRow>[] = [
    { title: tf.title('Time'), width: '150px', cell: (x, prev) => tf.row(x.reqTime, prev === null ? null : prev?.reqTime), sort: 'reqTime' },
    { title: 'Proto', width: '80px', cell: (x) => x.proto, sort: 'proto' },
    { title: 'Method', width: '70px', cell: (x) => x.method, sort: 'method' },
    { title: 'URL', width: 'minmax(200px,3fr)', cell: (x) => x.url, sort: 'url' },
    { title: 'Status', width: '60px', cell: (x) => x.status ?? '—', sort: 'status', className: 'num' },
    { title: tf.titleAt('Response'), width: '150px', cell: (x) => (x.respTime === undefined ? '' : tf.at(x.respTime)), sort: 'respTime' },
    { title: 'Latency', width: '90px', cell: (x) => (x.latency === undefined ? '' : duration(x.latency)), sort: 'latency', className: 'num' },
    { title: 'Trace', width: 'minmax(120px,1fr)', cell: (x) => (x.trace ? x.trace.slice(x.trace.lastIndexOf('/') + 1) : ''), sort: 'trace' },
  ];
  return (
    <div class="stack">
      <Caption n={t.total} one="exchange" />
      {charts && hist && hist.counts.length > 0 && <charts.Histogram edges={hist.edges} counts={hist.counts} dark={dark} />}
      <VTable columns={cols} fetch={t.fetch} version={t.version} total={t.total} sort={t.sort} onSort={t.onSort} testid="http" rowTestid="http-row" label="HTTP exchanges"
        cursor={t.cursor} onCursor={t.onCursor} onOpen={(i, x) => { t.onCursor(i); onPick(x); }}
        rowClass={(x) => (x.status !== undefined && x.status >= 500 ? 'sev-error' : x.status !== undefined && x.status >= 400 ? 'sev-warn' : '')} />
    </div>
  );
}

/** Traces: Enter or a click opens the trace's waterfall. */
export function TracesView({ engine, version, tf, onPick }: ListProps<TraceRow>) {
  const t = useTable<TraceRow>(engine, 'traces', 'start', version);
  const cols: Column<TraceRow>[] = [
    { title: 'Trace', width: 'minmax(260px,2fr)', cell: (r) => r.short, sort: 'short' },
    { title: 'Packets', width: '80px', cell: (r) => count(r.packets), sort: 'packets', className: 'num' },
    { title: 'Exchanges', width: '90px', cell: (r) => count(r.exchanges), sort: 'exchanges', className: 'num' },
    { title: tf.title('Start'), width: '150px', cell: (r, prev) => tf.row(r.start, prev === null ? null : prev?.start), sort: 'start' },
    { title: 'Duration', width: '90px', cell: (r) => duration(r.end - r.start), className: 'num' },
  ];
  return (
    <div class="stack">
      <Caption n={t.total} one="trace" />
      <VTable columns={cols} fetch={t.fetch} version={t.version} total={t.total} sort={t.sort} onSort={t.onSort} testid="traces" rowTestid="traces-row" label="Traces"
        cursor={t.cursor} onCursor={t.onCursor} onOpen={(i, r) => { t.onCursor(i); onPick(r); }} />
    </div>
  );
}

/** The timeline: packets/s and bytes/s by protocol; a drag selects a time range for every view. */
export function TimelineView({ engine, version, tf, first, onRange }: { engine: Engine; version: string; tf: TimeFormat; first: number; onRange(r: Range): void }) {
  const charts = useCharts();
  const dark = useDark();
  const [data, setData] = useState<Timeline | null>(null);
  useEffect(() => { engine.ask<Timeline>({ op: 'timeline', bins: 400 }).then(setData, () => setData(null)); }, [version.split(':')[0]]);
  if (!data) return <div class="muted stack">…</div>;
  return (
    <div class="stack" data-testid="timeline">
      <p class="muted">Drag across a chart to keep only that time range in every view.</p>
      {charts && <charts.TimelineChart data={data} metric="packets" onRange={onRange} tf={tf} first={first} dark={dark} />}
      {charts && <charts.TimelineChart data={data} metric="bytes" onRange={onRange} tf={tf} first={first} dark={dark} />}
    </div>
  );
}
