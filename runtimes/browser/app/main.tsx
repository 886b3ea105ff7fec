/** The tracecap app's page: opens a capture, talks to the worker, draws the views. */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
// uPlot's styles are small: always loaded, so the charts' chunk needs no stylesheet of its own.
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { Engine } from './client.js';
import type { AppOptions, Detail, Event, ExportKind, Exported, Fields, MemoryAccount, FilterResult, Loaded, Progress, Source, Work } from './protocol.js';
import { jobStatus, JobHttpError, type JobStatus } from './job-records.js';
import { VIEWS, readHash, readOptions, readTimeMode, writeHash, writeOptions, writeTimeMode, MIN_MEMORY_MIB, MAX_MEMORY_MIB, type HashState } from './nav.js';
import { MEMORY_SEGMENT_BYTES } from './segments.js';
import { PacketsView } from './views/packets.js';
import { ConnsView, HttpView, TimelineView, TracesView } from './views/lists.js';
import { Waterfall } from './views/waterfall.js';
import { AllRequests } from './views/waterfall-all.js';
import { StatsView } from './views/stats.js';
import { FollowView } from './views/follow.js';
import { FilterInput } from './views/filterbar.js';
import { FILTER_HELP, queryCompleter, type Complete } from './views/filterhelp.js';
import { count, plural, size, timeFormat, TIME_MODES, isTimeMode, type TimeMode } from './format.js';
import { skipSummary } from '../../../src/skips.js';

/** How often a job's status is asked while it runs (ms). */
const JOB_POLL_MS = 1000;
/** Where the Worker's bearer token is kept: this tab's session storage only (never the URL, never localStorage). */
const TOKEN_KEY = 'tracecap.token';
const readToken = (): string | null => { try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; } };
const keepToken = (t: string | null) => { try { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); } catch { /* no storage: asked again next time */ } };

/**
 * `#token=` in the fragment (a link that carries it) is taken into session storage and removed
 * from the address bar at once, before anything reads the hash or writes history.
 */
function takeTokenFromHash(): void {
  const h = new URLSearchParams(location.hash.slice(1));
  const t = h.get('token');
  if (t === null) return;
  if (t) keepToken(t);
  h.delete('token');
  const rest = h.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

/** A job opened by `?job=ID`, before its records load: asking for the token, waiting for the job, or why it cannot open. */
type JobGate =
  | { kind: 'token'; message?: string }
  | { kind: 'waiting'; status?: JobStatus; message?: string }
  | { kind: 'open'; status: JobStatus }
  | { kind: 'failed'; status: JobStatus }
  | { kind: 'missing'; message: string };

/** How long typing may pause before the next change of the filter is a history entry of its own. */
const TYPING_PAUSE_MS = 1000;
/** How often the count of a filter is asked again while the capture loads (the worker extends the view as records arrive). */
const LOADING_COUNT_MS = 300;

/**
 * The filter's state. `text` is what it is about (the input's text once the worker answered for
 * it); `applied` the text of the view. `loading`: asked before the capture could answer (it will
 * be asked again as loading goes on); not an error.
 */
interface FilterStatus { state: 'pending' | 'ok' | 'error' | 'loading'; count: number; total: number; message?: string; offset?: number; length?: number; applied: string; text: string }

/** The damage banner's text: the core's reason once, where it is, and the last good packet numbered as the table numbers (from 0). */
export function damageText(e: NonNullable<Loaded['error']>, records: number): string {
  // CaptureError's message already ends in " at byte offset N (packet K)", counted from 1: said once here, from 0.
  const reason = e.message.replace(/ at byte offset \d+ \(packet \d+\)$/, '');
  // One file of several: the others were read to their end.
  if (e.file !== undefined) {
    const where = e.code === 'EMPTY' ? '' : ` at byte offset ${count(e.offset)}${e.packets === 0 ? ', before its first packet' : `, after its packet #${count(e.packets - 1)}`}`;
    return `${e.file}: ${reason}${where}. Its packets before it and every other file's are shown.`;
  }
  if (e.code === 'EMPTY') return reason;
  // A job whose records stopped coming (the connection, the Worker): what was received is kept.
  if (e.code === 'JOB') return `${reason}. The ${plural(records, 'record')} received before it are shown.`;
  const where = `${reason} at byte offset ${count(e.offset)}`;
  if (e.packets === 0) return `${where}, before the first packet.`;
  return `${where}, after packet #${count(e.packets - 1)}. The ${plural(records, 'record')} before it are shown.`;
}

/** Whether a key event comes from a place where keys are typed (an input, a select). */
/** Whether a source is several files read as one capture (the packet table then has a File column). */
const severalFiles = (s: Source | null): boolean => s !== null && (('files' in s && s.files.length > 1) || ('urls' in s && s.urls.length > 1));

function typingIn(t: EventTarget | null): boolean { return t instanceof HTMLElement && t.closest('input, textarea, select, [contenteditable]') !== null; }
/** The list of the view shown (a table's body, the waterfall), to give the keyboard back to. */
const currentList = () => document.querySelector<HTMLElement>('main [data-list]');
const filterInput = () => document.querySelector<HTMLInputElement>('[data-testid=filter]');

// ---- the app -----------------------------------------------------------------------------

function App() {
  const [phase, setPhase] = useState<'empty' | 'loading' | 'ready' | 'error'>('empty');
  const [progress, setProgress] = useState<Progress | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [hash, setHashState] = useState<HashState>(readHash);
  const [options, setOptions] = useState<AppOptions>(readOptions);
  const [filterText, setFilterText] = useState(hash.q);
  const [filter, setFilter] = useState<FilterStatus>({ state: 'ok', count: 0, total: 0, applied: '', text: '' });
  const [version, setVersion] = useState(0);
  const [showSettings, setShowSettings] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [loads, setLoads] = useState(0);
  const [timeMode, setTimeMode] = useState<TimeMode>(readTimeMode);
  const [first, setFirst] = useState<number | null>(null);
  const [fields, setFields] = useState<Fields | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [work, setWork] = useState<Work | null>(null);
  // What a limit left out of the last export (the HAR's MAX_HAR_EXCHANGES), until the next one.
  const [exportNote, setExportNote] = useState<string | null>(null);
  const [exporting, setExporting] = useState<ExportKind | 'pcap' | null>(null);
  // The endpoint (Statistics) the Waterfall is narrowed to, until cleared.
  const [endpoint, setEndpoint] = useState<{ key: string; host: boolean } | null>(null);
  // Follow stream: the connection (flow id) whose bytes are shown instead of the lists.
  const [followFlow, setFollowFlow] = useState<string | null>(null);
  // ?job=ID: the Worker's job whose records the app streams (null: captures translated here).
  const [jobId, setJobId] = useState<string | null>(() => new URLSearchParams(location.search).get('job'));
  const [token, setToken] = useState<string | null>(readToken);
  const [gate, setGate] = useState<JobGate | null>(() => (jobId === null ? null : token ? { kind: 'waiting' } : { kind: 'token' }));
  // Asks for the filter again: `retry` while loading (it was asked before the capture could answer), `now` on Enter.
  const [retry, setRetry] = useState(0);
  const [now, setNow] = useState(0);
  const immediate = useRef(false);
  const source = useRef<Source | null>(null);
  const phaseRef = useRef(phase); phaseRef.current = phase;
  const filterRef = useRef(filter); filterRef.current = filter;
  const filterSeq = useRef(0);
  const lastCount = useRef(0);
  const firstAsked = useRef(false);
  // A typing session: the first filter it applies is a history entry, the next ones replace it;
  // it ends after a pause or on Enter.
  const session = useRef({ open: false, pushed: false, timer: 0 });

  /** Moves to the state `patch` makes: a history entry of its own, or (`replace`) in place of the current one. */
  const go = useCallback((patch: Partial<HashState>, mode: 'push' | 'replace' = 'push') => {
    const n = { ...readHash(), ...patch };
    writeHash(n, mode);
    setHashState(n);
  }, []);
  const endSession = () => { clearTimeout(session.current.timer); session.current.open = false; };

  const onEvent = useCallback((e: Event) => {
    if (e.ev === 'progress') {
      setProgress(e.progress);
      setFilter((f) => (f.applied === '' && !readHash().range && f.state !== 'error' ? { ...f, count: e.progress.records, total: e.progress.records } : { ...f, total: e.progress.records }));
    } else if (e.ev === 'loaded') {
      document.body.dataset.timings = JSON.stringify(e.loaded.timings); document.body.dataset.store = e.loaded.store; document.body.dataset.threads = String(e.loaded.threads); document.body.dataset.sharedCore = String(e.loaded.sharedCore);
      setLoads((n) => n + 1); setLoaded(e.loaded); setFilter((f) => ({ ...f, state: 'pending' })); setProgress(e.loaded); setFirst(e.loaded.records ? e.loaded.first : null);
      setPhase(e.loaded.error ? 'error' : 'ready'); setVersion((v) => v + 1); setWork(null);
    } else if (e.ev === 'failed') {
      setLoads((n) => n + 1); setWork(null);
      // The Worker refused the token while the records were asked: asked for again.
      if (e.auth) { keepToken(null); setToken(null); setPhase('empty'); setGate({ kind: 'token', message: `The Worker refused the token (${e.message.trim()}).` }); return; }
      setFailure(e.message); setPhase('error');
    }
    else if (e.ev === 'work') setWork(e.work.done >= e.work.total ? null : e.work);
  }, []);
  const engine = useMemo(() => new Engine(new URL('worker.js', location.href), onEvent), []);
  // For measurements (bench/app.js): the workers' memory account (protocol.ts MemoryAccount).
  useEffect(() => { (window as unknown as { __tracecap?: object }).__tracecap = { memory: () => engine.ask<MemoryAccount>({ op: 'memory' }) }; }, [engine]);

  const open = useCallback((src: Source, opts: AppOptions) => {
    source.current = src;
    firstAsked.current = false;
    setPhase('loading'); setLoaded(null); setFailure(null); setProgress(null); setFirst(null); setFields(null); setWork(null);
    setFilter((f) => ({ ...f, count: 0, total: 0 }));
    void engine.ask({ op: 'open', source: src, options: opts });
  }, [engine]);

  // Back and Forward, links and the address bar: the hash is the truth.
  useEffect(() => {
    const on = () => { const h = readHash(); endSession(); setHashState(h); setFilterText((t) => (h.q !== t ? h.q : t)); };
    window.addEventListener('popstate', on);
    window.addEventListener('hashchange', on);
    return () => { window.removeEventListener('popstate', on); window.removeEventListener('hashchange', on); };
  }, []);
  useEffect(() => { document.body.dataset.state = phase === 'empty' ? 'empty' : phase; document.body.dataset.loads = String(loads); }, [phase, loads]);
  useEffect(() => {
    // ?url= once, or once per file of a capture of several (tracecap app FILE FILE …).
    const urls = new URLSearchParams(location.search).getAll('url').map((url) => new URL(url, location.href));
    const foreign = urls.find((u) => u.origin !== location.origin);
    if (foreign) { setFailure(`?url= must name a capture on this server (${location.origin}), not ${foreign.origin}`); setPhase('error'); }
    else if (urls.length === 1) open({ url: urls[0]!.pathname + urls[0]!.search }, options);
    else if (urls.length > 1) open({ urls: urls.map((u) => u.pathname + u.search) }, options);
  }, []);

  // ?job=ID: the job's status until it is done, then its records (a 401 asks for the token again).
  useEffect(() => {
    if (jobId === null || token === null || gate?.kind !== 'waiting') return;
    let live = true, timer = 0;
    const poll = async () => {
      try {
        const st = await jobStatus(jobId, token);
        if (!live) return;
        if (st.state === 'done') { setGate({ kind: 'open', status: st }); open({ job: jobId, token, records: st.records, shards: st.shards.total }, options); return; }
        if (st.state === 'failed') { setGate({ kind: 'failed', status: st }); return; }
        setGate({ kind: 'waiting', status: st });
      } catch (err) {
        if (!live) return;
        if (err instanceof JobHttpError && err.status === 401) { keepToken(null); setToken(null); setGate({ kind: 'token', message: `The Worker refused the token (${err.message}).` }); return; }
        if (err instanceof JobHttpError && err.status === 404) { setGate({ kind: 'missing', message: err.message }); return; }
        // The network or the Worker (a 5xx): said, and asked again.
        const message = err instanceof Error ? err.message : String(err);
        setGate((g) => ({ kind: 'waiting', ...(g?.kind === 'waiting' && g.status ? { status: g.status } : {}), message }));
      }
      timer = window.setTimeout(() => void poll(), JOB_POLL_MS);
    };
    void poll();
    return () => { live = false; clearTimeout(timer); };
  }, [jobId, token, gate?.kind]);
  useEffect(() => { if (gate) document.body.dataset.job = gate.kind === 'waiting' || gate.kind === 'open' || gate.kind === 'failed' ? (gate.status?.state ?? 'waiting') : gate.kind; else delete document.body.dataset.job; }, [gate]);
  const submitToken = (t: string) => { keepToken(t); setToken(t); setGate({ kind: 'waiting' }); };

  // While loading: the first packet's time (for relative times) once there is one, and the
  // filter's count of what is loaded so far (or the filter itself when it was asked too early).
  useEffect(() => {
    if (phase !== 'loading' || !progress || progress.records === 0) return;
    if (!firstAsked.current) {
      firstAsked.current = true;
      engine.ask<Detail>({ op: 'detail', pos: 0 }).then((d) => {
        const t = (JSON.parse(d.text) as { timestamp?: { seconds?: string | number; nanos?: number } }).timestamp;
        if (t?.seconds !== undefined && phaseRef.current === 'loading') setFirst((f) => f ?? Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6);
      }, () => { firstAsked.current = false; });
    }
    const f = filterRef.current;
    // Asked again at once (not after the typing pause, which progress every 100 ms would keep off).
    if (f.state === 'loading') { immediate.current = true; setRetry((r) => r + 1); return; }
    if (f.state !== 'ok' || (f.applied === '' && !hash.range) || performance.now() - lastCount.current < LOADING_COUNT_MS) return;
    lastCount.current = performance.now();
    const seq = filterSeq.current;
    engine.ask<{ total: number }>({ op: 'rows', start: 0, count: 0 }).then((r) => {
      if (seq === filterSeq.current && phaseRef.current === 'loading') setFilter((x) => (x.state === 'ok' ? { ...x, count: r.total } : x));
    }, () => { /* asked again on the next progress */ });
  }, [progress]);

  // Field names for completion, once the capture is loaded.
  useEffect(() => { if (loaded) engine.ask<Fields>({ op: 'fields' }).then(setFields, () => setFields(null)); }, [loaded]);
  const complete: Complete | null = useMemo(() => queryCompleter(fields), [fields]);

  // Apply the filter (after a short pause in typing; at once on Enter) whenever its text or the
  // range changes, and once loading starts and ends. While loading it applies to what is loaded.
  useEffect(() => {
    if (phase === 'empty' || (phase === 'error' && !loaded)) return;
    const text = filterText;
    const seq = ++filterSeq.current;
    setFilter((f) => ({ ...f, state: 'pending' }));
    const timer = setTimeout(() => {
      engine.ask<FilterResult>({ op: 'filter', q: text, range: hash.range }).then((r) => {
        if (seq !== filterSeq.current) return;
        if (r.ok) {
          setFilter((f) => ({ state: 'ok', count: r.count, total: phaseRef.current === 'loading' ? Math.max(r.total, f.total) : r.total, applied: text, text }));
          setWork((w) => (w?.what === 'filter' ? null : w));
          if (readHash().q !== text) {
            go({ q: text }, session.current.pushed ? 'replace' : 'push');
            session.current.pushed = true;
          }
        } else setFilter((f) => ({ ...f, state: 'error', message: r.message, offset: r.offset, length: r.length, text }));
        setVersion((v) => v + 1);
      }, (err: Error) => {
        if (err.message === 'superseded' || seq !== filterSeq.current) return;
        // Asked before the capture could answer: asked again as loading goes on, not an error.
        if (phaseRef.current === 'loading') setFilter((f) => ({ ...f, state: 'loading', text }));
        else setFilter((f) => ({ ...f, state: 'error', message: err.message, offset: 0, text }));
      });
    }, text === filterRef.current.applied || immediate.current ? 0 : 200);
    immediate.current = false;
    return () => clearTimeout(timer);
  }, [filterText, hash.range?.[0], hash.range?.[1], loaded, phase === 'loading', retry, now]);

  useEffect(() => {
    const over = (e: DragEvent) => { e.preventDefault(); setDragging(true); };
    const leave = (e: DragEvent) => { if (!e.relatedTarget) setDragging(false); };
    const drop = (e: DragEvent) => { e.preventDefault(); setDragging(false); const fs = Array.from(e.dataTransfer?.files ?? []); if (fs.length) openFiles(fs); };
    window.addEventListener('dragover', over); window.addEventListener('dragleave', leave); window.addEventListener('drop', drop);
    return () => { window.removeEventListener('dragover', over); window.removeEventListener('dragleave', leave); window.removeEventListener('drop', drop); };
  }, [options]);

  // Keys anywhere: / focuses the filter, ? opens its help, Esc closes what is open (the help,
  // the settings, the open packet, the trace).
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const typing = typingIn(e.target);
      if (e.key === '/' && !typing) { e.preventDefault(); filterInput()?.focus(); return; }
      if (e.key === '?' && !typing) { e.preventDefault(); setHelpOpen((o) => !o); return; }
      if (e.key !== 'Escape') return;
      if (helpOpen) { e.preventDefault(); setHelpOpen(false); return; }
      if (showSettings) { e.preventDefault(); setShowSettings(false); return; }
      if (typing) return;
      if (hash.view === 'packets' && !hash.trace && hash.pkt !== null) { e.preventDefault(); go({ pkt: null }); return; }
      if (hash.trace) { e.preventDefault(); go({ trace: null, view: 'traces' }); }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [hash, helpOpen, showSettings]);

  // Several files are one capture, merged by time stamp (the worker's mergeFiles).
  const openFiles = (fs: File[]) => {
    if (jobId !== null) {
      // A file opened here leaves the job (its link no longer describes the page).
      const q = new URLSearchParams(location.search); q.delete('job');
      history.replaceState(history.state, '', `${location.pathname}${q.size ? `?${q}` : ''}${location.hash}`);
      setJobId(null); setGate(null);
    }
    go({ pkt: null, trace: null }, 'replace');
    open(fs.length === 1 ? { file: fs[0]!, name: fs[0]!.name } : { files: fs.map((f) => ({ file: f, name: f.name })) }, options);
  };
  // The input is emptied once read, so that choosing the same files again opens them again (no change event otherwise).
  const onFile = (e: globalThis.Event) => { const input = e.target as HTMLInputElement; const fs = Array.from(input.files ?? []); input.value = ''; if (fs.length) openFiles(fs); };
  const applySettings = (o: AppOptions) => { setOptions(o); writeOptions(o); setShowSettings(false); if (source.current) open(source.current, o); };
  const download = async (what: ExportKind) => {
    setExporting(what);
    try {
      const { blob, note } = await engine.ask<Exported>({ op: 'export', what });
      setExportNote(note);
      // Several files: named after the first (`a.merged.ndjson`).
      const base = (loaded?.files?.[0] ?? loaded?.name ?? 'capture').replace(/\.(pcapng|pcap|cap)$/i, '') + (loaded?.files ? '.merged' : '');
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = what === 'otlp' ? `${base}.otlp.jsonl` : what === 'har' ? `${base}${filtered ? '.filtered' : ''}.har` : what === 'ndjson' ? `${base}.ndjson` : `${base}.filtered.ndjson`;
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    } finally { setExporting(null); setWork((w) => (w?.what === 'export' ? null : w)); }
  };
  /** The packets of the open trace, else of the view, as a capture file of the source's format (written from its bytes). */
  const downloadPcap = async () => {
    setExporting('pcap');
    try {
      const { blob, note } = await engine.ask<Exported>(traceView ? { op: 'pcap', trace: hash.trace! } : { op: 'pcap' });
      setExportNote(note);
      const name = loaded?.files?.[0] ?? loaded?.name ?? 'capture';
      const ext = /\.pcapng$/i.test(name) || loaded?.files ? 'pcapng' : 'pcap';
      const what = traceView ? `.trace-${hash.trace}` : followOf ? `.flow-${followOf}` : filtered ? '.filtered' : '.all';
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${name.replace(/\.(pcapng|pcap|cap)$/i, '')}${what}.${ext}`;
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    } catch (e) { setExportNote(`The packets could not be exported: ${(e as Error).message}`); } finally { setExporting(null); setWork((w) => (w?.what === 'export' ? null : w)); }
  };
  /** Shows the packets `q` selects (a history entry with the view and the filter). */
  const filterBy = (q: string) => { endSession(); setFilterText(q); go({ view: 'packets', trace: null, q, pkt: null }); };
  const onInput = (text: string) => {
    const s = session.current;
    if (!s.open) { s.open = true; s.pushed = false; }
    clearTimeout(s.timer);
    s.timer = window.setTimeout(endSession, TYPING_PAUSE_MS);
    setFilterText(text);
  };
  const onEnter = () => {
    endSession();
    if (filter.state === 'ok' && filter.applied === filterText) return;
    immediate.current = true; setNow((n) => n + 1);
  };
  const chooseTime = (m: TimeMode) => { setTimeMode(m); writeTimeMode(m); };
  const tf = useMemo(() => timeFormat(timeMode, first ?? 0), [timeMode, first]);
  const hasData = loaded !== null || phase === 'loading';
  const filtered = filter.applied !== '' || hash.range !== null;
  const error = filter.state === 'error' && filter.text === filterText && filter.message !== undefined ? { message: filter.message, offset: filter.offset ?? 0, length: filter.length } : null;
  const traceView = hash.trace !== null;
  // A filter on one connection (picking one in Connections sets it) offers Follow stream.
  const followOf = /^flow == "(\d+)"$/.exec(filter.applied)?.[1] ?? null;
  // Another view, trace or filter chosen: the follow view gives way to it.
  useEffect(() => setFollowFlow(null), [hash.view, hash.trace, filter.applied]);
  const onList = (v: string) => hash.view === v && !traceView && followFlow === null;

  return (
    <div class={`app ${dragging ? 'dragging' : ''}`}>
      <header>
        <h1>tracecap</h1>
        <label class="button" title="One capture file, or several read as one capture (merged by time stamp)">Open capture…<input type="file" multiple accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" onChange={onFile} /></label>
        <span class="name" data-testid="source-name" title={loaded ? (loaded.job ? `translated by the Worker in ${plural(loaded.job.shards, 'shard')}` : `translated on ${plural(loaded.threads, 'thread')}`) : undefined}>{loaded?.name ?? (phase === 'loading' ? 'loading…' : jobId !== null ? `job ${jobId}` : '')}</span>
        <span class="spacer" />
        <label class="time-setting" title="How times are shown in every table, header and chart">Time
          <select data-testid="time-mode" value={timeMode} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; if (isTimeMode(v)) chooseTime(v); }}>
            {TIME_MODES.map(([m, name]) => <option value={m}>{name}</option>)}
          </select>
        </label>
        <button onClick={() => setShowSettings(!showSettings)} aria-expanded={showSettings}>Settings</button>
        <button disabled={!loaded || exporting !== null} onClick={() => void download('ndjson')} title="Every record of the capture, as the CLI writes them">Export NDJSON</button>
        <button disabled={!loaded || !filtered || exporting !== null} onClick={() => void download('ndjson-filtered')} data-testid="export-filtered"
          title={filtered ? `The ${plural(filter.count, 'record')} the filter selects` : 'Set a filter (or a time range) first'}>Export filtered{filtered ? ` (${count(filter.count)})` : ''}</button>
        <button disabled={!loaded || exporting !== null} onClick={() => void download('har')} data-testid="export-har"
          title={filtered ? 'The HTTP exchanges with a packet the filter selects, as HAR 1.2' : 'Every HTTP exchange, as HAR 1.2'}>Export HAR{filtered ? ' (filtered)' : ''}</button>
        <button disabled={!loaded || exporting !== null} onClick={() => void download('otlp')} data-testid="export-otlp"
          title="Every HTTP exchange as an OpenTelemetry span (OTLP/JSON, one TracesData per line, as tracecap --format otlp writes them), joined to the trace its request carries">Export OTLP</button>
        <button disabled={!loaded || exporting !== null || loaded.job !== undefined} onClick={() => void downloadPcap()} data-testid="export-pcap"
          title={traceView ? 'The packets carrying this trace, from the capture\'s own bytes' : filtered ? 'The packets the filter selects, from the capture\'s own bytes' : 'Every packet, from the capture\'s own bytes'}>Export pcap{traceView ? ' (trace)' : filtered ? ' (filtered)' : ''}</button>
      </header>
      {showSettings && <Settings options={options} job={jobId !== null && gate?.kind === 'open'} onApply={applySettings} onClose={() => setShowSettings(false)} />}
      {gate && gate.kind !== 'open' && <JobPanel id={jobId!} gate={gate} onToken={submitToken} />}
      {phase === 'loading' && progress && <ProgressBar p={progress} />}
      {failure && <div class="banner error" role="alert" data-testid="error">{failure}</div>}
      {loaded?.error && <div class="banner error" role="alert" data-testid="error">{damageText(loaded.error, loaded.records)}</div>}
      {loaded && loaded.notices.length > 0 && (
        <div class="banner notice" role="status" data-testid="notices">{loaded.notices.map((n) => <div class="notice-line">{n}</div>)}</div>
      )}
      {loaded && skipSummary(loaded.skipped) && (
        <div class="banner notice" role="status" data-testid="skipped">
          {`${skipSummary(loaded.skipped).replace(/^the/, 'The')}.`} Each record says so where it happens (HTTP <code>skipped</code>, an HTTP/2 frame's <code>skipped</code> or <code>hpack</code>, TLS <code>skipped</code>).
        </div>
      )}
      {phase === 'empty' && !gate && <Welcome />}
      <div class="filterbar" data-filter-state={filter.state} data-applied={filter.applied} data-filter-text={filter.text}>
        <FilterInput value={filterText} onInput={onInput} onEnter={onEnter} onLeave={() => currentList()?.focus()} error={error}
          complete={complete} help={FILTER_HELP} helpOpen={helpOpen} setHelpOpen={setHelpOpen} />
        <span class="count" data-testid="filter-count" title="Packets the filter and the time range select; every view and export shows what they select">
          <span data-testid="packet-count">{count(filter.count)}</span>{filtered ? ` of ${count(filter.total)} packets match the filter` : ' packets'}{phase === 'loading' ? ', loaded so far' : ''}
        </span>
        {followOf && loaded && !loaded.job && <button data-testid="follow-open" onClick={() => setFollowFlow(followOf)} title="This connection's bytes both ways, reassembled">Follow stream</button>}
        {hash.range && <span class="chip">time {tf.at(hash.range[0])} – {tf.at(hash.range[1])} <button onClick={() => go({ range: null })} aria-label="clear time range">×</button></span>}
        {work && (
          <span class="work" role="status" data-testid="work">
            <progress max={work.total} value={work.done} /> {work.what === 'filter' ? 'Filtering' : work.what === 'export' ? 'Exporting' : 'Reading'} {count(work.done)} of {plural(work.total, 'packet')}; keep exploring{work.what === 'filter' ? ', a new filter replaces this one' : ''}
          </span>
        )}
        {exportNote && <div class="banner notice" role="status" data-testid="export-note">{exportNote} <button class="link" onClick={() => setExportNote(null)} aria-label="dismiss">×</button></div>}
        {error && <div class="filter-error" id="filter-error" data-testid="filter-error" role="alert">{error.message}</div>}
      </div>
      <nav class="tabs" role="tablist">
        {VIEWS.map(([v, title]) => (
          <button role="tab" aria-selected={hash.view === v && !(v !== 'traces' && traceView)} data-testid={`tab-${v}`} onClick={() => go({ view: v, trace: null })}>{title}</button>
        ))}
      </nav>
      <main>
        {followFlow !== null && loaded && <FollowView engine={engine} flow={followFlow} tf={tf} onClose={() => setFollowFlow(null)} onPacket={(num) => { setFollowFlow(null); go({ view: 'packets', trace: null, pkt: num }); }} />}
        {followFlow === null && hasData && onList('packets') && (
          <PacketsView engine={engine} total={filter.count} version={`${version}`} tf={tf} open={hash.pkt} loading={phase === 'loading'} files={severalFiles(source.current)}
            onOpen={(num, replace) => go({ pkt: num }, replace ? 'replace' : 'push')} onClose={() => go({ pkt: null })}
            onShowAll={() => { endSession(); setFilterText(''); go({ q: '', range: null }); }}
            {...(loaded && !loaded.job ? { onFollow: (f: string) => setFollowFlow(f) } : {})} />
        )}
        {hasData && onList('conns') && <ConnsView engine={engine} version={`${version}`} tf={tf} onPick={(c) => filterBy(`flow == "${c.flow}"`)} />}
        {hasData && onList('http') && <HttpView engine={engine} version={`${version}`} tf={tf} onPick={(x) => (x.trace ? go({ view: 'traces', trace: x.trace.slice(x.trace.lastIndexOf('/') + 1) }) : filterBy(`flow == "${x.flow}"`))} />}
        {hasData && onList('traces') && <TracesView engine={engine} version={`${version}`} tf={tf} onPick={(t) => go({ view: 'traces', trace: t.short })} />}
        {hasData && traceView && followFlow === null && (
          <Waterfall engine={engine} id={hash.trace!} version={`${version}`} tf={tf} loading={phase === 'loading'} onClose={() => go({ trace: null, view: 'traces' })}
            onPacket={(num) => { go({ view: 'packets', trace: null, pkt: num }); requestAnimationFrame(() => currentList()?.focus()); }} />
        )}
        {hasData && onList('requests') && (
          <AllRequests engine={engine} version={`${version}`} tf={tf} endpoint={endpoint} onClearEndpoint={() => setEndpoint(null)}
            onPacket={(num) => { go({ view: 'packets', trace: null, pkt: num }); requestAnimationFrame(() => currentList()?.focus()); }} />
        )}
        {hasData && onList('stats') && <StatsView engine={engine} version={`${version}`} onPick={(key, host) => { setEndpoint({ key, host }); go({ view: 'requests' }); }} />}
        {hasData && onList('timeline') && <TimelineView engine={engine} version={`${version}`} tf={tf} first={first ?? 0} onRange={(r) => go({ range: r })} />}
      </main>
    </div>
  );
}

/** A job before its records: the token form, its progress on the Worker, or why it cannot open. */
function JobPanel({ id, gate, onToken }: { id: string; gate: JobGate; onToken(t: string): void }) {
  const [text, setText] = useState('');
  if (gate.kind === 'token') {
    return (
      <form class="welcome job" data-testid="token-form" onSubmit={(e) => { e.preventDefault(); if (text.trim()) onToken(text.trim()); }}>
        <p>Job <code>{id}</code> is on the Worker that serves this page. Its records need the Worker's bearer token (<code>TRACECAP_TOKEN</code>).</p>
        {gate.message && <p class="banner error" role="alert" data-testid="token-error">{gate.message}</p>}
        <label>Token <input type="password" autocomplete="off" data-testid="token-input" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} /></label>
        {' '}<button type="submit">Open the job</button>
        <p class="muted">The token is kept in this tab only (session storage), never in the address or on disk.</p>
      </form>
    );
  }
  if (gate.kind === 'missing') return <div class="banner error" role="alert" data-testid="job-error">There is no job <code>{id}</code> on this Worker ({gate.message}). Jobs are created by <code>POST /jobs</code>; their results expire after 7 days.</div>;
  if (gate.kind === 'failed') { const st = gate.status; return <div class="banner error" role="alert" data-testid="job-error">Job <code>{id}</code> failed{st.error ? `: ${st.error}` : ' (the Worker recorded no reason)'}. {count(st.shards.done)} of {plural(st.shards.total, 'shard')} had finished.</div>; }
  const st = gate.status;
  const message = gate.kind === 'waiting' ? gate.message : undefined;
  return (
    <div class="progress" data-testid="job-status" role="status">
      <div class="bar"><div style={{ width: `${st && st.shards.total ? ((100 * st.shards.done) / st.shards.total).toFixed(1) : 0}%` }} /></div>
      <span>Job <code>{id}</code>: {st ? `${st.state}, ${count(st.shards.done)} of ${plural(st.shards.total, 'shard')} done${st.retries ? `, ${plural(st.retries, 'retry', 'retries')}` : ''}` : 'asking the Worker…'}{message ? ` (${message}; asking again)` : ''}</span>
    </div>
  );
}

function Welcome() {
  return (
    <div class="welcome">
      <p>Open a pcap or pcapng capture (or drop it here); several files at once are one capture, merged by time stamp (rotated files, one capture per node). tracecap translates it in this tab into pcap-sidecar's Cloud Logging records and links HTTP exchanges, and the packets around them, to their traces.</p>
      <p class="muted">Nothing leaves this machine: the capture is read by a worker in this page, and the records are kept in this browser's private storage until the tab closes.</p>
    </div>
  );
}

function ProgressBar({ p }: { p: Progress }) {
  if (p.expected !== undefined) {
    const pct = p.expected ? (100 * p.records) / p.expected : 0;
    return (
      <div class="progress" data-testid="progress">
        <div class="bar"><div style={{ width: `${pct.toFixed(1)}%` }} /></div>
        <span>Streaming the job's records from the Worker: {count(p.records)} of {plural(p.expected, 'record')} · {size(p.bytes)} received; the views show what is loaded so far</span>
      </div>
    );
  }
  const pct = p.total ? (100 * p.bytes) / p.total : 0;
  return (
    <div class="progress" data-testid="progress">
      <div class="bar"><div style={{ width: `${pct.toFixed(1)}%` }} /></div>
      <span>Loading: {size(p.bytes)} of {size(p.total)} read · {plural(p.packets, 'packet')}; the views show what is loaded so far</span>
    </div>
  );
}

function Settings({ options, job, onApply, onClose }: { options: AppOptions; job: boolean; onApply(o: AppOptions): void; onClose(): void }) {
  const [o, setO] = useState(options);
  const [index, setIndex] = useState(options.ifaceIndex === undefined ? '' : String(options.ifaceIndex));
  const [addrs, setAddrs] = useState(options.ifaceAddrs?.join(', ') ?? '');
  const [memory, setMemory] = useState(options.memoryMiB === undefined ? '' : String(options.memoryMiB));
  const submit = (e: globalThis.Event) => {
    e.preventDefault();
    const next: AppOptions = { verbosity: o.verbosity };
    if (o.project) next.project = o.project;
    if (o.ifaceName) next.ifaceName = o.ifaceName;
    if (/^\d+$/.test(index)) next.ifaceIndex = Number(index);
    const list = addrs.split(',').map((a) => a.trim()).filter(Boolean);
    if (list.length) next.ifaceAddrs = list;
    if (o.threads !== undefined) next.threads = o.threads;
    if (/^\d+$/.test(memory)) next.memoryMiB = Math.min(MAX_MEMORY_MIB, Math.max(MIN_MEMORY_MIB, Number(memory)));
    onApply(next);
  };
  return (
    <form class="settings" onSubmit={submit} data-testid="settings">
      {job && <p class="muted" data-testid="job-settings">This job's records were translated by the Worker with the job's own options: verbosity, project, interface and addresses apply to captures opened here, not to the job. The index memory applies to both.</p>}
      <label>Verbosity <select value={o.verbosity} onChange={(e) => setO({ ...o, verbosity: (e.target as HTMLSelectElement).value as 'info' | 'debug' })}><option value="debug">DEBUG (HTTP, traces)</option><option value="info">INFO</option></select></label>
      <label>Project id <input value={o.project ?? ''} onInput={(e) => setO({ ...o, project: (e.target as HTMLInputElement).value })} placeholder="my-project" /></label>
      <label>Interface name <input value={o.ifaceName ?? ''} onInput={(e) => setO({ ...o, ifaceName: (e.target as HTMLInputElement).value })} placeholder="from the capture, else any" /></label>
      <label>Interface index <input value={index} onInput={(e) => setIndex((e.target as HTMLInputElement).value)} inputMode="numeric" placeholder="from the capture" /></label>
      <label>Interface addresses <input value={addrs} onInput={(e) => setAddrs((e.target as HTMLInputElement).value)} placeholder="10.0.0.2, fe80::1" /></label>
      <label>Index memory without storage (MiB) <input value={memory} onInput={(e) => setMemory((e.target as HTMLInputElement).value)} inputMode="numeric" placeholder={`${MEMORY_SEGMENT_BYTES / 1048576} (when the browser's storage is full or missing)`} /></label>
      <button type="submit">Apply and reopen</button> <button type="button" onClick={onClose}>Cancel</button>
    </form>
  );
}

takeTokenFromHash();
render(<App />, document.getElementById('app')!);
