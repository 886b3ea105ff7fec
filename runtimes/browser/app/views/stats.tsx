/**
 * Latency statistics per endpoint (endpoints.ts): the view's exchanges grouped by method and
 * path with ids folded, each row's count, errors and exact latency percentiles computed by the
 * HTTP worker. A click or Enter shows the endpoint's exchanges in the all-requests waterfall.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Engine } from '../client.js';
import { OTHER_ENDPOINTS, type EndpointStats } from '../endpoints.js';
import { VTable, type Column } from './table.js';
import { count, duration, plural } from '../format.js';

/** Props of StatsView. */
export interface StatsProps { engine: Engine; version: string; onPick(key: string, host: boolean): void }

const ms = (v: number | undefined) => <span data-v={v}>{v === undefined ? '—' : duration(v)}</span>;

/** The statistics table. */
export function StatsView({ engine, version, onPick }: StatsProps) {
  const [sort, setSort] = useState({ key: 'count', desc: true });
  const [host, setHost] = useState(false);
  const [total, setTotal] = useState(0);
  const [exchanges, setExchanges] = useState(0);
  const [limit, setLimit] = useState(0);
  const [cursor, setCursor] = useState<number | null>(null);
  const fetch = useCallback((start: number, n: number) => engine.ask<{ total: number; rows: EndpointStats[]; exchanges: number; limit: number }>({ op: 'endpoints', sort: sort.key, desc: sort.desc, start, count: n, host })
    .then((r) => { setTotal(r.total); setExchanges(r.exchanges); setLimit(r.limit); return r; }), [engine, sort, host]);
  useEffect(() => { fetch(0, 1).catch(() => { /* no capture yet */ }); }, [fetch, version]);
  useEffect(() => setCursor(null), [version, sort, host]);
  const cols: Column<EndpointStats>[] = [
    ...(host ? [{ title: 'Host', width: 'minmax(120px,1fr)', cell: (r: EndpointStats) => r.host ?? '', sort: 'host' }] : []),
    { title: 'Method', width: '90px', cell: (r) => r.method, sort: 'method' },
    { title: 'Endpoint', width: 'minmax(220px,3fr)', cell: (r) => <span class="ep-path" data-key={r.key}>{r.path}</span>, sort: 'path' },
    { title: 'Count', width: '80px', cell: (r) => <span data-col="count">{count(r.count)}</span>, sort: 'count', className: 'num' },
    { title: 'Errors', width: '110px', cell: (r) => <span data-col="errors" data-v={r.errors} title={`${r.status5xx} 5xx, ${r.resets} reset, ${r.unanswered} unanswered`}>{`${(100 * r.errorRate).toFixed(1)} % (${count(r.errors)})`}</span>, sort: 'errorRate', className: 'num' },
    { title: 'p50', width: '80px', cell: (r) => <span data-col="p50">{ms(r.p50)}</span>, sort: 'p50', className: 'num' },
    { title: 'p95', width: '80px', cell: (r) => <span data-col="p95">{ms(r.p95)}</span>, sort: 'p95', className: 'num' },
    { title: 'p99', width: '80px', cell: (r) => <span data-col="p99">{ms(r.p99)}</span>, sort: 'p99', className: 'num' },
    { title: 'Max', width: '80px', cell: (r) => <span data-col="max">{ms(r.max)}</span>, sort: 'max', className: 'num' },
  ];
  const other = 'The exchanges of endpoints past the limit are counted in one row; narrow the filter to see them by endpoint.';
  return (
    <div class="stack" data-testid="stats">
      <div class="wf-all-head">
        <span class="view-caption" data-testid="view-count">{plural(total, 'endpoint')} · {plural(exchanges, 'exchange')}</span>
        <label title="Count the same method and path on different hosts apart"><input type="checkbox" data-testid="stats-host" checked={host} onChange={(e) => setHost((e.target as HTMLInputElement).checked)} /> by host</label>
        <span class="muted">Latency: response head − request head (the HTTP view's). Errors: 5xx, resets and requests never answered, each exchange once. Percentiles: nearest rank, exact.{total >= limit && limit > 0 ? ` At most ${count(limit)} endpoints: ${other}` : ''}</span>
      </div>
      <VTable columns={cols} fetch={fetch} version={`${version}:${sort.key}:${sort.desc}:${host}`} total={total} sort={sort}
        onSort={(key) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key === 'count' || key === 'errorRate' || key.startsWith('p') || key === 'max' }))}
        testid="stats-table" rowTestid="stats-row" label="Latency per endpoint"
        cursor={cursor} onCursor={(i) => setCursor(i)} onOpen={(i, r) => { setCursor(i); if (r.key !== OTHER_ENDPOINTS) onPick(r.key, host); }}
        rowClass={(r) => (r.errors > 0 ? 'sev-warn' : '')} />
    </div>
  );
}
