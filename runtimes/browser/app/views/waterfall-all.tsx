/**
 * Every exchange as a bar on one time axis, as a browser's developer tools draw the Network
 * panel: connect, send, wait and receive when the exchange's timing is known (Exchange.timing),
 * else one bar from the request to the response; coloured by status class, resets marked.
 * A virtual table (table.tsx): the worker sorts, filters and serves a page at a time, so a
 * million exchanges cost the page only the rows in sight. A click or Enter opens the request's
 * packet (its response's when the request was not captured).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Engine } from '../client.js';
import type { WaterfallPage, WaterfallRow } from '../protocol.js';
import { VTable, type Column } from './table.js';
import { count, duration, plural, size, type TimeFormat } from '../format.js';

/** The status class of a row: 1xx to 5xx, or none (no response). */
export function statusClass(status: number | undefined): string {
  if (status === undefined || status < 100 || status > 599) return 'none';
  return `${Math.floor(status / 100)}xx`;
}

/** Props of AllRequests: the endpoint (views/stats.tsx) the list is narrowed to, if any. */
export interface AllRequestsProps {
  engine: Engine; version: string; tf: TimeFormat;
  endpoint: { key: string; host: boolean } | null;
  onClearEndpoint(): void;
  onPacket(num: number): void;
}

const PHASES = ['connect', 'send', 'wait', 'receive'] as const;

/** The all-requests waterfall. */
export function AllRequests({ engine, version, tf, endpoint, onClearEndpoint, onPacket }: AllRequestsProps) {
  const [sort, setSort] = useState({ key: 'reqTime', desc: false });
  const [text, setText] = useState('');
  const [applied, setApplied] = useState('');
  const [total, setTotal] = useState(0);
  const [span, setSpan] = useState<[number, number]>([0, 0]);
  const [timed, setTimed] = useState(0);
  const [cursor, setCursor] = useState<number | null>(null);
  // The text filter applies after a short pause in typing (each key would rescan the exchanges).
  useEffect(() => { const t = setTimeout(() => setApplied(text), 200); return () => clearTimeout(t); }, [text]);
  const ep = endpoint?.key ?? '';
  const host = endpoint?.host ?? false;
  const fetch = useCallback((start: number, n: number) => engine.ask<WaterfallPage>({ op: 'waterfall', sort: sort.key, desc: sort.desc, start, count: n, text: applied, endpoint: ep, host })
    .then((r) => { setTotal(r.total); setSpan((s) => (s[0] === r.span[0] && s[1] === r.span[1] ? s : r.span)); setTimed(r.timed); return r; }), [engine, sort, applied, ep, host]);
  useEffect(() => { fetch(0, 1).catch(() => { /* no capture yet */ }); }, [fetch, version]);
  useEffect(() => setCursor(null), [version, sort, applied, ep]);
  const width = Math.max(span[1] - span[0], 0.001);
  const pct = (ms: number) => (100 * (ms - span[0])) / width;
  const bar = (r: WaterfallRow) => {
    const cls = statusClass(r.status);
    const parts = r.phases && Object.keys(r.phases).length > 0
      ? PHASES.flatMap((p) => { const x = r.phases![p]; return x ? [<span class={`wf-ph ph-${p}`} data-phase={p} title={`${p} ${duration(x[1] - x[0])}`} style={{ left: `${pct(x[0])}%`, width: `max(1px, ${pct(x[1]) - pct(x[0])}%)` }} />] : []; })
      : [<span class={`wf-ph ph-latency s-${cls}`} data-phase="latency" title={r.duration === undefined ? 'no response' : duration(r.duration)} style={{ left: `${pct(r.begin)}%`, width: `max(2px, ${pct(r.end) - pct(r.begin)}%)` }} />];
    return (
      <span class="wf-track wf-all">
        {parts}
        {r.reset && <span class="wf-reset" data-testid="wf-reset" title={`reset by the ${r.reset}`} style={{ left: `${pct(r.end)}%` }}>✕</span>}
      </span>
    );
  };
  const cols: Column<WaterfallRow>[] = [
    { title: tf.title('Time'), width: '130px', cell: (r, prev) => tf.row(r.reqTime, prev === null ? null : prev?.reqTime), sort: 'reqTime' },
    { title: 'Method', width: '64px', cell: (r) => r.method || '—', sort: 'method' },
    { title: 'Status', width: '56px', cell: (r) => <span class={`status s-${statusClass(r.status)}`}>{r.status ?? '—'}</span>, sort: 'status', className: 'num' },
    { title: 'URL', width: 'minmax(180px,2fr)', cell: (r) => <span class="wf-url" data-id={r.id} data-req={r.reqNum} title={r.note ? `${r.url} (${r.note})` : r.url}>{r.url}</span>, sort: 'url' },
    { title: 'Size', width: '72px', cell: (r) => <span data-v={r.size}>{r.size === undefined ? '' : size(r.size)}</span>, sort: 'size', className: 'num' },
    { title: 'Duration', width: '80px', cell: (r) => <span data-v={r.duration}>{r.duration === undefined ? '' : duration(r.duration)}</span>, sort: 'duration', className: 'num' },
    { title: 'Waterfall', width: 'minmax(200px,3fr)', cell: bar },
  ];
  const open = (r: WaterfallRow) => { const n = r.reqNum >= 0 ? r.reqNum : r.respNum; if (n !== undefined && n >= 0) onPacket(n); };
  return (
    <div class="stack" data-testid="requests">
      <div class="wf-all-head">
        <input class="wf-filter" data-testid="wf-filter" placeholder="Filter by URL, method or status…" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} aria-label="Filter the exchanges by URL, method or status" />
        {endpoint && <span class="chip" data-testid="wf-endpoint">endpoint {endpoint.key} <button onClick={onClearEndpoint} aria-label="show every endpoint">×</button></span>}
        <span class="view-caption" data-testid="view-count">{plural(total, 'exchange')}{timed < total ? ` · ${count(timed)} with phases (the others: request to response)` : ''}</span>
        <span class="wf-legend" aria-hidden="true">
          {PHASES.map((p) => <span><span class={`wf-swatch ph-${p}`} />{p}</span>)}
          {['2xx', '3xx', '4xx', '5xx', 'none'].map((c) => <span><span class={`wf-swatch ph-latency s-${c}`} />{c}</span>)}
          <span><span class="wf-reset-key">✕</span>reset</span>
        </span>
      </div>
      <VTable columns={cols} fetch={fetch} version={`${version}:${sort.key}:${sort.desc}:${applied}:${ep}:${host}`} total={total} sort={sort}
        onSort={(key) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))} testid="wf-all" rowTestid="wf-all-row" label="Every HTTP exchange as a waterfall"
        cursor={cursor} onCursor={(i) => setCursor(i)} onOpen={(i, r) => { setCursor(i); open(r); }}
        rowClass={(r) => `wf-st-${statusClass(r.status)}${r.reset ? ' wf-was-reset' : ''}`} />
    </div>
  );
}
