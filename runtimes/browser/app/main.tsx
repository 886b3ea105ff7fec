/** The tracecap app's page: opens a capture, talks to the worker, draws the views. */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
// uPlot's styles are small: always loaded, so the charts' chunk needs no stylesheet of its own.
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { Engine } from './client.js';
import type { AppOptions, Conn, Detail, Event, FilterResult, HttpRow, Loaded, Progress, Range, Row, Source, Timeline, TraceDetail, TraceRow } from './protocol.js';
import { VTable, type Column } from './views/table.js';
import { JsonTree } from './views/json.js';
import { clock, count, duration, hexdump, size, stamp } from './format.js';
import { skipSummary } from '../../../src/skips.js';

// The charts (uPlot) load when a view first needs them: the page starts with less to compile.
type Charts = typeof import('./views/charts.js');
let chartsModule: Promise<Charts> | null = null;
function useCharts(): Charts | null {
  const [m, setM] = useState<Charts | null>(null);
  useEffect(() => { void (chartsModule ??= import('./views/charts.js')).then(setM); }, []);
  return m;
}

type View = 'packets' | 'conns' | 'http' | 'traces' | 'timeline';
const VIEWS: Array<[View, string]> = [['packets', 'Packets'], ['conns', 'Connections'], ['http', 'HTTP'], ['traces', 'Traces'], ['timeline', 'Timeline']];

// ---- URL state: options in the query string, the exploration in the hash -------------------

function readOptions(): AppOptions {
  const q = new URLSearchParams(location.search);
  const o: AppOptions = { verbosity: q.get('verbosity') === 'info' ? 'info' : 'debug' };
  const project = q.get('project'); if (project) o.project = project;
  const iface = q.get('iface'); if (iface) o.ifaceName = iface;
  const ifindex = q.get('ifindex'); if (ifindex && /^\d+$/.test(ifindex)) o.ifaceIndex = Number(ifindex);
  const addrs = q.get('addrs'); if (addrs) o.ifaceAddrs = addrs.split(',').map((a) => a.trim()).filter(Boolean);
  const threads = q.get('threads'); if (threads && /^[1-8]$/.test(threads)) o.threads = Number(threads);
  return o;
}
function writeOptions(o: AppOptions): void {
  const q = new URLSearchParams(location.search);
  const set = (k: string, v: string | undefined) => { if (v) q.set(k, v); else q.delete(k); };
  set('verbosity', o.verbosity === 'info' ? 'info' : undefined);
  set('project', o.project); set('iface', o.ifaceName); set('ifindex', o.ifaceIndex === undefined ? undefined : String(o.ifaceIndex));
  set('addrs', o.ifaceAddrs?.join(','));
  set('threads', o.threads === undefined ? undefined : String(o.threads));
  const s = q.toString();
  history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
}
interface HashState { view: View; q: string; range: Range | null; trace: string | null }
function readHash(): HashState {
  const h = new URLSearchParams(location.hash.slice(1));
  const view = (h.get('view') ?? 'packets') as View;
  const t = h.get('t')?.split('-').map(Number);
  const trace = h.get('trace');
  return {
    view: trace ? 'traces' : VIEWS.some(([v]) => v === view) ? view : 'packets', q: h.get('q') ?? '',
    range: t && t.length === 2 && t.every(Number.isFinite) ? [t[0]!, t[1]!] : null, trace,
  };
}
function writeHash(s: HashState): void {
  const h = new URLSearchParams();
  if (s.view !== 'packets' && !s.trace) h.set('view', s.view);
  if (s.q) h.set('q', s.q);
  if (s.range) h.set('t', `${s.range[0]}-${s.range[1]}`);
  if (s.trace) h.set('trace', s.trace);
  const text = h.toString();
  if (location.hash.slice(1) !== text) history.replaceState(null, '', `${location.pathname}${location.search}${text ? `#${text}` : ''}`);
}

// ---- the app -----------------------------------------------------------------------------

function App() {
  const [phase, setPhase] = useState<'empty' | 'loading' | 'ready' | 'error'>('empty');
  const [progress, setProgress] = useState<Progress | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [hash, setHashState] = useState<HashState>(readHash);
  const [options, setOptions] = useState<AppOptions>(readOptions);
  const [filterText, setFilterText] = useState(hash.q);
  // `text` is what the state is about: the input's text once the worker answered for it.
  const [filter, setFilter] = useState<{ state: 'pending' | 'ok' | 'error'; count: number; total: number; message?: string; offset?: number; applied: string; text: string }>({ state: 'ok', count: 0, total: 0, applied: '', text: '' });
  const [version, setVersion] = useState(0);
  const [showSettings, setShowSettings] = useState(false);
  const [dragging, setDragging] = useState(false);
  const source = useRef<Source | null>(null);
  const engineRef = useRef<Engine | null>(null);

  // The address bar is the truth (a link or the user may have changed it since the last render).
  const setHash = useCallback((patch: Partial<HashState>) => { const n = { ...readHash(), ...patch }; writeHash(n); setHashState(n); }, []);

  // At the end of loading the filter is applied again (the effect below): it is pending from the
  // render that counts the load (body[data-loads]) on, so no one reads the loading count as final.
  const onEvent = useCallback((e: Event) => {
    if (e.ev === 'progress') { setProgress(e.progress); setFilter((f) => (f.applied === '' && !readHash().range ? { ...f, count: e.progress.records, total: e.progress.records } : f)); }
    else if (e.ev === 'loaded') { document.body.dataset.timings = JSON.stringify(e.loaded.timings); document.body.dataset.store = e.loaded.store; document.body.dataset.threads = String(e.loaded.threads); document.body.dataset.sharedCore = String(e.loaded.sharedCore); setLoads((n) => n + 1); setLoaded(e.loaded); setFilter((f) => ({ ...f, state: 'pending' })); setProgress(e.loaded); setPhase(e.loaded.error ? 'error' : 'ready'); setVersion((v) => v + 1); }
    else if (e.ev === 'failed') { setLoads((n) => n + 1); setFailure(e.message); setPhase('error'); }
  }, []);
  const engine = useMemo(() => (engineRef.current = new Engine(new URL('worker.js', location.href), onEvent)), []);

  const open = useCallback((src: Source, opts: AppOptions) => {
    source.current = src;
    setPhase('loading'); setLoaded(null); setFailure(null); setProgress(null);
    setFilter((f) => ({ ...f, count: 0, total: 0 }));
    void engine.ask({ op: 'open', source: src, options: opts });
  }, [engine]);

  // Links and the address bar may change the hash (#trace=…): follow it.
  useEffect(() => {
    const on = () => { const h = readHash(); setHashState(h); setFilterText((t) => (h.q !== t ? h.q : t)); };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const [loads, setLoads] = useState(0);
  useEffect(() => { document.body.dataset.state = phase === 'empty' ? 'empty' : phase; document.body.dataset.loads = String(loads); }, [phase, loads]);
  useEffect(() => {
    const url = new URLSearchParams(location.search).get('url');
    if (url) {
      const u = new URL(url, location.href);
      if (u.origin !== location.origin) { setFailure(`?url= must name a capture on this server (${location.origin}), not ${u.origin}`); setPhase('error'); }
      else open({ url: u.pathname + u.search }, options);
    }
  }, []);

  // Apply the filter (debounced) whenever its text or the range changes, and once loading ends.
  useEffect(() => {
    if (phase !== 'ready' && phase !== 'error' && phase !== 'loading') return;
    if (phase === 'error' && !loaded) return;
    const text = filterText;
    setFilter((f) => ({ ...f, state: 'pending' }));
    const timer = setTimeout(() => {
      engine.ask<FilterResult>({ op: 'filter', q: text, range: hash.range }).then((r) => {
        if (r.ok) { setFilter({ state: 'ok', count: r.count, total: r.total, applied: text, text }); setHash({ q: text }); }
        else setFilter((f) => ({ ...f, state: 'error', message: r.message, offset: r.offset, text }));
        setVersion((v) => v + 1);
      }, (err: Error) => { if (err.message !== 'superseded') setFilter((f) => ({ ...f, state: 'error', message: err.message, offset: 0, text })); });
    }, text === filter.applied ? 0 : 200);
    return () => clearTimeout(timer);
  }, [filterText, hash.range?.[0], hash.range?.[1], loaded, phase === 'loading']);

  useEffect(() => {
    const over = (e: DragEvent) => { e.preventDefault(); setDragging(true); };
    const leave = (e: DragEvent) => { if (!e.relatedTarget) setDragging(false); };
    const drop = (e: DragEvent) => { e.preventDefault(); setDragging(false); const f = e.dataTransfer?.files[0]; if (f) open({ file: f, name: f.name }, options); };
    window.addEventListener('dragover', over); window.addEventListener('dragleave', leave); window.addEventListener('drop', drop);
    return () => { window.removeEventListener('dragover', over); window.removeEventListener('dragleave', leave); window.removeEventListener('drop', drop); };
  }, [options]);

  const onFile = (e: globalThis.Event) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) open({ file: f, name: f.name }, options); };
  const applySettings = (o: AppOptions) => { setOptions(o); writeOptions(o); setShowSettings(false); if (source.current) open(source.current, o); };
  const download = async (what: 'ndjson' | 'ndjson-filtered' | 'har') => {
    const blob = await engine.ask<Blob>({ op: 'export', what });
    const base = (loaded?.name ?? 'capture').replace(/\.(pcapng|pcap|cap)$/i, '');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = what === 'har' ? `${base}.har` : what === 'ndjson' ? `${base}.ndjson` : `${base}.filtered.ndjson`;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  };
  const filterBy = (q: string) => { setFilterText(q); setHash({ view: 'packets', trace: null }); };
  const hasData = loaded !== null || phase === 'loading';

  return (
    <div class={`app ${dragging ? 'dragging' : ''}`}>
      <header>
        <h1>tracecap</h1>
        <label class="button">Open capture…<input type="file" accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" onChange={onFile} /></label>
        <span class="name" title={loaded ? `translated on ${loaded.threads} thread${loaded.threads === 1 ? '' : 's'}` : undefined}>{loaded?.name ?? (phase === 'loading' ? 'loading…' : '')}</span>
        <span class="spacer" />
        <button onClick={() => setShowSettings(!showSettings)} aria-expanded={showSettings}>Settings</button>
        <button disabled={!loaded} onClick={() => void download('ndjson')}>Export NDJSON</button>
        <button disabled={!loaded || !filter.applied && !hash.range} onClick={() => void download('ndjson-filtered')}>Export filtered</button>
        <button disabled={!loaded} onClick={() => void download('har')} data-testid="export-har">Export HAR</button>
      </header>
      {showSettings && <Settings options={options} onApply={applySettings} onClose={() => setShowSettings(false)} />}
      {phase === 'loading' && progress && <ProgressBar p={progress} />}
      {failure && <div class="banner error" role="alert" data-testid="error">{failure}</div>}
      {loaded?.error && (
        <div class="banner error" role="alert" data-testid="error">
          {loaded.error.message} — at byte offset {count(loaded.error.offset)}, after packet {count(loaded.error.packets)}. The {count(loaded.records)} records before it are shown.
        </div>
      )}
      {loaded && skipSummary(loaded.skipped) && (
        <div class="banner notice" role="status" data-testid="skipped">
          {`${skipSummary(loaded.skipped).replace(/^the/, 'The')}.`} Each record says so where it happens (HTTP <code>skipped</code>, an HTTP/2 frame's <code>skipped</code> or <code>hpack</code>, TLS <code>skipped</code>).
        </div>
      )}
      {phase === 'empty' && <Welcome />}
      <div class="filterbar" data-filter-state={filter.state} data-applied={filter.applied} data-filter-text={filter.text}>
        <input data-testid="filter" type="search" placeholder='filter: L3.src == 10.0.0.1 and HTTP.code >= 500, "free text", not L4.dst == 443' value={filterText}
          onInput={(e) => setFilterText((e.target as HTMLInputElement).value)} spellcheck={false} aria-invalid={filter.state === 'error'} />
        <span class="count"><span data-testid="packet-count">{filter.count}</span> of {count(filter.total)} packets</span>
        {hash.range && <span class="chip">time {clock(hash.range[0])} – {clock(hash.range[1])} <button onClick={() => setHash({ range: null })} aria-label="clear time range">×</button></span>}
        {filter.state === 'error' && <div class="filter-error" data-testid="filter-error" role="alert">{filter.message}</div>}
      </div>
      <nav class="tabs" role="tablist">
        {VIEWS.map(([v, title]) => (
          <button role="tab" aria-selected={hash.view === v && !(v !== 'traces' && hash.trace)} data-testid={`tab-${v}`} onClick={() => setHash({ view: v, trace: null })}>{title}</button>
        ))}
      </nav>
      <main>
        {hasData && hash.view === 'packets' && !hash.trace && <PacketsView engine={engine} total={filter.count} version={`${version}`} />}
        {hasData && hash.view === 'conns' && !hash.trace && <ConnsView engine={engine} version={`${version}`} onPick={(c) => filterBy(`flow == "${c.flow}"`)} />}
        {hasData && hash.view === 'http' && !hash.trace && <HttpView engine={engine} version={`${version}`} onPick={(x) => (x.trace ? setHash({ view: 'traces', trace: x.trace.slice(x.trace.lastIndexOf('/') + 1) }) : filterBy(`flow == "${x.flow}"`))} />}
        {hasData && hash.view === 'traces' && !hash.trace && <TracesView engine={engine} version={`${version}`} onPick={(t) => setHash({ view: 'traces', trace: t.short })} />}
        {hasData && hash.trace && <Waterfall engine={engine} id={hash.trace} version={`${version}`} onClose={() => setHash({ trace: null, view: 'traces' })} onPacket={(num) => filterBy(`pcap.num == ${num}`)} />}
        {hasData && hash.view === 'timeline' && !hash.trace && <TimelineView engine={engine} version={`${version}`} onRange={(r) => setHash({ range: r })} />}
      </main>
    </div>
  );
}

function Welcome() {
  return (
    <div class="welcome">
      <p>Open a pcap or pcapng capture (or drop it here). tracecap translates it in this tab into pcap-sidecar's Cloud Logging records and links HTTP exchanges, and the packets around them, to their traces.</p>
      <p class="muted">Nothing leaves this machine: the capture is read by a worker in this page, and the records are kept in this browser's private storage until the tab closes.</p>
    </div>
  );
}

function ProgressBar({ p }: { p: Progress }) {
  const pct = p.total ? (100 * p.bytes) / p.total : 0;
  return (
    <div class="progress" data-testid="progress">
      <div class="bar"><div style={{ width: `${pct.toFixed(1)}%` }} /></div>
      <span>{size(p.bytes)} of {size(p.total)} · {count(p.packets)} packets</span>
    </div>
  );
}

function Settings({ options, onApply, onClose }: { options: AppOptions; onApply(o: AppOptions): void; onClose(): void }) {
  const [o, setO] = useState(options);
  const [index, setIndex] = useState(options.ifaceIndex === undefined ? '' : String(options.ifaceIndex));
  const [addrs, setAddrs] = useState(options.ifaceAddrs?.join(', ') ?? '');
  const submit = (e: globalThis.Event) => {
    e.preventDefault();
    const next: AppOptions = { verbosity: o.verbosity };
    if (o.project) next.project = o.project;
    if (o.ifaceName) next.ifaceName = o.ifaceName;
    if (/^\d+$/.test(index)) next.ifaceIndex = Number(index);
    const list = addrs.split(',').map((a) => a.trim()).filter(Boolean);
    if (list.length) next.ifaceAddrs = list;
    onApply(next);
  };
  return (
    <form class="settings" onSubmit={submit} data-testid="settings">
      <label>Verbosity <select value={o.verbosity} onChange={(e) => setO({ ...o, verbosity: (e.target as HTMLSelectElement).value as 'info' | 'debug' })}><option value="debug">DEBUG (HTTP, traces)</option><option value="info">INFO</option></select></label>
      <label>Project id <input value={o.project ?? ''} onInput={(e) => setO({ ...o, project: (e.target as HTMLInputElement).value })} placeholder="my-project" /></label>
      <label>Interface name <input value={o.ifaceName ?? ''} onInput={(e) => setO({ ...o, ifaceName: (e.target as HTMLInputElement).value })} placeholder="from the capture, else any" /></label>
      <label>Interface index <input value={index} onInput={(e) => setIndex((e.target as HTMLInputElement).value)} inputMode="numeric" placeholder="from the capture" /></label>
      <label>Interface addresses <input value={addrs} onInput={(e) => setAddrs((e.target as HTMLInputElement).value)} placeholder="10.0.0.2, fe80::1" /></label>
      <button type="submit">Apply and reopen</button> <button type="button" onClick={onClose}>Cancel</button>
    </form>
  );
}

// ---- views ---------------------------------------------------------------------------------

const packetColumns: Column<Row>[] = [
  { title: 'No.', width: '70px', cell: (r) => r.num, className: 'num' },
  { title: 'Time (UTC)', width: '130px', cell: (r) => clock(r.time) },
  { title: 'Source', width: 'minmax(120px, 1fr)', cell: (r) => r.src },
  { title: 'Destination', width: 'minmax(120px, 1fr)', cell: (r) => r.dst },
  { title: 'Protocol', width: '80px', cell: (r) => r.proto },
  { title: 'Length', width: '64px', cell: (r) => r.len, className: 'num' },
  { title: 'Message', width: 'minmax(200px, 4fr)', cell: (r) => r.message },
];
const protoClass = (p: string) => `p-${p.replace(/[^A-Za-z0-9]/g, '')}`;

function PacketsView({ engine, total, version }: { engine: Engine; total: number; version: string }) {
  const [sel, setSel] = useState<{ index: number; row: Row } | null>(null);
  const [det, setDet] = useState<Detail | null>(null);
  useEffect(() => { setSel(null); setDet(null); }, [version.split(':')[0]]);
  useEffect(() => { if (sel) engine.ask<Detail>({ op: 'detail', pos: sel.row.pos }).then(setDet, () => setDet(null)); }, [sel?.row.pos]);
  const fetch = useCallback((start: number, n: number) => engine.ask<{ total: number; rows: Row[] }>({ op: 'rows', start, count: n }), [engine]);
  return (
    <div class={`split ${det ? 'with-detail' : ''}`}>
      <VTable columns={packetColumns} fetch={fetch} version={version} total={total} selected={sel?.index} testid="packets" rowTestid="packet-row"
        onSelect={(index, row) => setSel({ index, row })} rowClass={(r) => `${protoClass(r.proto)} ${r.severity === 'ERROR' ? 'sev-error' : ''}`} />
      {det && <RecordDetail d={det} />}
    </div>
  );
}

function RecordDetail({ d }: { d: Detail }) {
  const parsed = useMemo(() => JSON.parse(d.text) as unknown, [d.text]);
  const [copied, setCopied] = useState(false);
  const copy = () => { void navigator.clipboard.writeText(d.text).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1500); }); };
  return (
    <div class="detail" data-testid="detail" data-pos={d.pos}>
      <div class="detail-head">Packet #{d.num} <button onClick={copy} data-testid="copy-record">{copied ? 'Copied' : 'Copy record'}</button></div>
      <pre class="record-text" hidden data-testid="record-text">{d.text}</pre>
      <JsonTree value={parsed} />
      <div class="detail-head">Bytes ({d.bytes.length}, at file offset {d.fileOffset})</div>
      <pre class="hex" data-testid="hex">{hexdump(d.bytes)}</pre>
    </div>
  );
}

/** A sortable table the worker serves (op conns, http or traces): its sort, total and page fetcher. */
function useTable<T, R extends { total: number; rows: T[] } = { total: number; rows: T[] }>(engine: Engine, op: 'conns' | 'http' | 'traces', initial: string, version: string, onPage?: (r: R) => void) {
  const [sort, setSort] = useState({ key: initial, desc: false });
  const [total, setTotal] = useState(0);
  const onSort = (key: string) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }));
  const fetch = useCallback((start: number, n: number) => engine.ask<R>({ op, sort: sort.key, desc: sort.desc, start, count: n }).then((r) => { setTotal(r.total); onPage?.(r); return r; }), [engine, sort]);
  useEffect(() => { fetch(0, 1).catch(() => { /* no capture yet */ }); }, [fetch, version]);
  return { sort, onSort, total, fetch, version: `${version}:${sort.key}:${sort.desc}` };
}

function ConnsView({ engine, version, onPick }: { engine: Engine; version: string; onPick(c: Conn): void }) {
  const t = useTable<Conn>(engine, 'conns', 'start', version);
  const cols: Column<Conn>[] = [
    { title: 'Proto', width: '60px', cell: (c) => c.proto, sort: 'proto' },
    { title: 'Client', width: 'minmax(140px,1fr)', cell: (c) => c.client, sort: 'client' },
    { title: 'Server', width: 'minmax(140px,1fr)', cell: (c) => c.server, sort: 'server' },
    { title: 'Packets →', width: '90px', cell: (c) => count(c.packetsFwd), sort: 'packetsFwd', className: 'num' },
    { title: 'Packets ←', width: '90px', cell: (c) => count(c.packetsBwd), sort: 'packetsBwd', className: 'num' },
    { title: 'Bytes →', width: '90px', cell: (c) => size(c.bytesFwd), sort: 'bytesFwd', className: 'num' },
    { title: 'Bytes ←', width: '90px', cell: (c) => size(c.bytesBwd), sort: 'bytesBwd', className: 'num' },
    { title: 'Start (UTC)', width: '130px', cell: (c) => clock(c.start), sort: 'start' },
    { title: 'Duration', width: '90px', cell: (c) => duration(c.end - c.start), className: 'num' },
    { title: 'HTTP', width: '60px', cell: (c) => c.exchanges, sort: 'exchanges', className: 'num' },
  ];
  return <VTable columns={cols} fetch={t.fetch} version={t.version} total={t.total} sort={t.sort} onSort={t.onSort} testid="conns" rowTestid="conn-row" onSelect={(_i, c) => onPick(c)} />;
}

function HttpView({ engine, version, onPick }: { engine: Engine; version: string; onPick(x: HttpRow): void }) {
  const charts = useCharts();
  const [hist, setHist] = useState<{ edges: number[]; counts: number[] } | null>(null);
  const t = useTable<HttpRow, { total: number; rows: HttpRow[]; histogram: { edges: number[]; counts: number[] } }>(engine, 'http', 'reqTime', version,
    (r) => setHist((h) => (h && h.counts.join() === r.histogram.counts.join() ? h : r.histogram)));
  const cols: Column<HttpRow>[] = [
    { title: 'Time (UTC)', width: '130px', cell: (x) => clock(x.reqTime), sort: 'reqTime' },
    { title: 'Proto', width: '80px', cell: (x) => x.proto, sort: 'proto' },
    { title: 'Method', width: '70px', cell: (x) => x.method, sort: 'method' },
    { title: 'URL', width: 'minmax(200px,3fr)', cell: (x) => x.url, sort: 'url' },
    { title: 'Status', width: '60px', cell: (x) => x.status ?? '—', sort: 'status', className: 'num' },
    { title: 'Response (UTC)', width: '130px', cell: (x) => (x.respTime === undefined ? '' : clock(x.respTime)), sort: 'respTime' },
    { title: 'Latency', width: '90px', cell: (x) => (x.latency === undefined ? '' : duration(x.latency)), sort: 'latency', className: 'num' },
    { title: 'Trace', width: 'minmax(120px,1fr)', cell: (x) => (x.trace ? x.trace.slice(x.trace.lastIndexOf('/') + 1) : ''), sort: 'trace' },
  ];
  return (
    <div class="stack">
      {charts && hist && hist.counts.length > 0 && <charts.Histogram edges={hist.edges} counts={hist.counts} />}
      <VTable columns={cols} fetch={t.fetch} version={t.version} total={t.total} sort={t.sort} onSort={t.onSort} testid="http" rowTestid="http-row"
        rowClass={(x) => (x.status !== undefined && x.status >= 500 ? 'sev-error' : x.status !== undefined && x.status >= 400 ? 'sev-warn' : '')} onSelect={(_i, x) => onPick(x)} />
    </div>
  );
}

function TracesView({ engine, version, onPick }: { engine: Engine; version: string; onPick(t: TraceRow): void }) {
  const t = useTable<TraceRow>(engine, 'traces', 'start', version);
  const cols: Column<TraceRow>[] = [
    { title: 'Trace', width: 'minmax(260px,2fr)', cell: (t) => t.short, sort: 'short' },
    { title: 'Packets', width: '80px', cell: (t) => count(t.packets), sort: 'packets', className: 'num' },
    { title: 'Exchanges', width: '90px', cell: (t) => t.exchanges, sort: 'exchanges', className: 'num' },
    { title: 'Start (UTC)', width: '130px', cell: (t) => clock(t.start), sort: 'start' },
    { title: 'Duration', width: '90px', cell: (t) => duration(t.end - t.start), className: 'num' },
  ];
  return <VTable columns={cols} fetch={t.fetch} version={t.version} total={t.total} sort={t.sort} onSort={t.onSort} testid="traces" rowTestid="traces-row" onSelect={(_i, t) => onPick(t)} />;
}

/** Rows the waterfall draws at most (the rest are counted). */
const WATERFALL_ROWS = 5000;

function Waterfall({ engine, id, version, onClose, onPacket }: { engine: Engine; id: string; version: string; onClose(): void; onPacket(num: number): void }) {
  const [t, setT] = useState<TraceDetail | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => { engine.ask<TraceDetail>({ op: 'trace', id }).then((d) => { setT(d); setErr(null); }, (e: Error) => setErr(e.message)); }, [id, version]);
  if (err) return <div class="banner error">{err}</div>;
  if (!t) return <div class="muted">…</div>;
  const span = Math.max(t.end - t.start, 0.001);
  const x = (ms: number) => `${(100 * (ms - t.start)) / span}%`;
  return (
    <div class="waterfall" data-testid="waterfall" data-trace={t.id}>
      <div class="wf-head"><button onClick={onClose}>← Traces</button> <strong>{t.id}</strong> · {t.packets.length} packets · {t.exchanges.length} exchanges · {duration(t.end - t.start)} from {stamp(t.start)}</div>
      {t.packets.length === 0 && <div class="muted" data-testid="trace-empty">No packet carries this trace.</div>}
      {t.exchanges.map((e) => (
        <div class="wf-row exchange" data-testid="trace-exchange">
          <span class="wf-label">{e.method} {e.url} → {e.status ?? '—'} {e.latency !== undefined ? `(${duration(e.latency)})` : ''}</span>
          <span class="wf-track"><span class="wf-bar" style={{ left: x(e.reqTime), width: `max(2px, ${(100 * ((e.respTime ?? e.reqTime) - e.reqTime)) / span}%)` }} /></span>
        </div>
      ))}
      {t.packets.slice(0, WATERFALL_ROWS).map((p) => (
        <div class={`wf-row packet k-${p.kind}`} data-testid="trace-row" data-num={p.num} onClick={() => onPacket(p.num)} title={p.message}>
          <span class="wf-label">#{p.num} {clock(p.time)} {p.src} → {p.dst} {p.proto} {p.flags ? `[${p.flags}]` : ''} {p.len} B</span>
          <span class="wf-track"><span class="wf-tick" style={{ left: x(p.time) }} /></span>
        </div>
      ))}
      {t.packets.length > WATERFALL_ROWS && <div class="muted">{count(t.packets.length - WATERFALL_ROWS)} more packets not drawn</div>}
    </div>
  );
}

function TimelineView({ engine, version, onRange }: { engine: Engine; version: string; onRange(r: Range): void }) {
  const charts = useCharts();
  const [data, setData] = useState<Timeline | null>(null);
  useEffect(() => { engine.ask<Timeline>({ op: 'timeline', bins: 400 }).then(setData, () => setData(null)); }, [version.split(':')[0]]);
  if (!data) return <div class="muted">…</div>;
  return (
    <div class="stack" data-testid="timeline">
      <p class="muted">Drag across a chart to keep only that time range in every view.</p>
      {charts && <charts.TimelineChart data={data} metric="packets" onRange={onRange} />}
      {charts && <charts.TimelineChart data={data} metric="bytes" onRange={onRange} />}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
