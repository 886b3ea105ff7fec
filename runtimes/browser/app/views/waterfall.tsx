/**
 * A trace as a waterfall: its exchanges as bars, then every packet carrying it as a tick on one
 * time axis. A list like the others: arrows move, Enter or a click opens the packet (an exchange
 * opens its request's packet) in the Packets view, the filter kept.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Engine } from '../client.js';
import type { TraceDetail } from '../protocol.js';
import { duration, plural, traceLabel, type TimeFormat } from '../format.js';

/** Rows the waterfall draws at most (the rest are counted). */
const WATERFALL_ROWS = 5000;

/** Props of Waterfall. */
export interface WaterfallProps { engine: Engine; id: string; version: string; tf: TimeFormat; loading: boolean; onClose(): void; onPacket(num: number): void }

/** The waterfall of trace `id`. */
export function Waterfall({ engine, id, version, tf, loading, onClose, onPacket }: WaterfallProps) {
  const [t, setT] = useState<TraceDetail | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => { engine.ask<TraceDetail>({ op: 'trace', id }).then((d) => { setT(d); setErr(null); }, (e: Error) => setErr(e.message)); }, [id, version]);
  useEffect(() => setCursor(null), [id]);
  useEffect(() => { if (cursor !== null) list.current?.querySelector(`[data-row="${cursor}"]`)?.scrollIntoView({ block: 'nearest' }); }, [cursor]);
  // While loading the trace may not be there yet (it is asked again once loaded): not an error.
  if (err && !loading) return <div class="banner error">{err}</div>;
  if (!t) return <div class="muted stack">{loading ? 'Loading…' : '…'}</div>;
  const span = Math.max(t.end - t.start, 0.001);
  const x = (ms: number) => `${(100 * (ms - t.start)) / span}%`;
  const packets = t.packets.slice(0, WATERFALL_ROWS);
  // Rows in order: the exchanges, then the packets; what each opens.
  const targets = [...t.exchanges.map((e) => e.reqNum), ...packets.map((p) => p.num)];
  const onKey = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey || targets.length === 0) return;
    const cur = cursor ?? -1;
    if (e.key === 'Enter') { if (cur >= 0) { e.preventDefault(); onPacket(targets[cur]!); } return; }
    const page = 20;
    const to = e.key === 'ArrowDown' ? cur + 1 : e.key === 'ArrowUp' ? cur - 1 : e.key === 'PageDown' ? cur + page : e.key === 'PageUp' ? cur - page : e.key === 'Home' ? 0 : e.key === 'End' ? targets.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    setCursor(Math.max(0, Math.min(targets.length - 1, to)));
  };
  const row = (i: number) => ({ 'data-row': i, role: 'option' as const, 'aria-selected': i === cursor });
  const sel = (i: number) => (i === cursor ? 'selected' : '');
  const ex = t.exchanges.length;
  return (
    <div class="waterfall" data-testid="waterfall" data-trace={t.id}>
      <div class="wf-head">
        <button onClick={onClose}>← Traces</button> <strong data-testid="trace-id">{traceLabel(t.id)}</strong>
        {' · '}<span data-testid="trace-summary">{plural(t.packets.length, 'packet')} · {plural(ex, 'exchange')} · {duration(t.end - t.start)} from {tf.label(t.start)}</span>
      </div>
      {t.packets.length === 0 && <div class="muted" data-testid="trace-empty">No packet carries this trace.</div>}
      <div class="wf-list" ref={list} tabIndex={0} role="listbox" aria-label="Exchanges and packets of the trace" data-list="" onKeyDown={onKey}>
        {t.exchanges.map((e, i) => (
          <div {...row(i)} class={`wf-row exchange ${sel(i)}`} data-testid="trace-exchange" onClick={() => { setCursor(i); onPacket(e.reqNum); }}>
            <span class="wf-label">{e.method} {e.url} → {e.status ?? '—'} {e.latency !== undefined ? `(${duration(e.latency)})` : ''}</span>
            <span class="wf-track"><span class="wf-bar" style={{ left: x(e.reqTime), width: `max(2px, ${(100 * ((e.respTime ?? e.reqTime) - e.reqTime)) / span}%)` }} /></span>
          </div>
        ))}
        {packets.map((p, k) => {
          const i = ex + k;
          const time = tf.row(p.time, k === 0 ? null : packets[k - 1]!.time);
          return (
            <div {...row(i)} class={`wf-row packet k-${p.kind} ${sel(i)}`} data-testid="trace-row" data-num={p.num} title={p.message} onClick={() => { setCursor(i); onPacket(p.num); }}>
              <span class="wf-label">#{p.num} <span class="wf-time">{time}</span> {p.src} → {p.dst} {p.proto} {p.flags ? `[${p.flags}]` : ''} {p.len} B</span>
              <span class="wf-track"><span class="wf-tick" style={{ left: x(p.time) }} /></span>
            </div>
          );
        })}
      </div>
      {t.packets.length > WATERFALL_ROWS && <div class="muted">{plural(t.packets.length - WATERFALL_ROWS, 'more packet')} not drawn</div>}
    </div>
  );
}
