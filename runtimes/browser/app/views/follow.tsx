/**
 * Follow stream: one connection's bytes both ways, reassembled (follow.ts), as text or hex with a
 * colour per direction as Wireshark shows them, its HTTP/1 messages with decoded bodies, and for
 * HTTP/2 the per-stream view (streams.ts). Text and hex are virtualised: only the rows on screen
 * are drawn, from a row index of typed arrays.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Engine } from '../client.js';
import type { FollowResult, FollowMessage } from '../follow.js';
import type { H2Connection, H2Stream } from '../streams.js';
import { count, plural, size, type TimeFormat } from '../format.js';

/** Height of a text or hex row (px); the view's height is rows × this. */
const ROW_PX = 16;
/** Characters of a text row before it wraps onto the next. */
const TEXT_COLS = 160;
/** HTTP messages drawn at once; "more" adds this many. */
const MESSAGES_PAGE = 200;
/** Bytes of a body drawn as text or hex (the worker sends at most MAX_FOLLOW_BODY). */
const BODY_SHOWN = 64 << 10;

type Mode = 'text' | 'hex' | 'http' | 'streams';

/** Props of FollowView. */
export interface FollowProps { engine: Engine; flow: string; tf: TimeFormat; onClose(): void; onPacket(num: number): void }

/** A row index: the direction, the start in that direction's bytes and the length of each row (gap rows: length of the gap, flagged). */
interface Rows { n: number; dir: Uint8Array; start: Float64Array; len: Uint32Array; gap: Uint8Array }

function rowIndex(f: FollowResult, hex: boolean): Rows {
  let cap = 1024;
  let r: Rows = { n: 0, dir: new Uint8Array(cap), start: new Float64Array(cap), len: new Uint32Array(cap), gap: new Uint8Array(cap) };
  const push = (dir: number, start: number, len: number, gap: boolean) => {
    if (r.n === cap) {
      cap *= 2;
      const g = (a: Uint8Array) => { const b = new Uint8Array(cap); b.set(a); return b; };
      const s = new Float64Array(cap); s.set(r.start);
      const l = new Uint32Array(cap); l.set(r.len);
      r = { n: r.n, dir: g(r.dir), start: s, len: l, gap: g(r.gap) };
    }
    r.dir[r.n] = dir; r.start[r.n] = start; r.len[r.n] = len; r.gap[r.n] = gap ? 1 : 0; r.n++;
  };
  for (const c of f.chunks) {
    const kept = f.dirs[c.dir]!.bytes.length;
    if (c.gap) { push(c.dir, c.start, c.end - c.start, true); continue; }
    const end = Math.min(c.end, kept);
    if (hex) { for (let o = c.start; o < end; o += 16) push(c.dir, o, Math.min(16, end - o), false); continue; }
    const b = f.dirs[c.dir]!.bytes;
    let from = c.start;
    for (let i = c.start; i < end; i++) {
      if (b[i] === 10 || i - from + 1 >= TEXT_COLS) { push(c.dir, from, i - from + 1, false); from = i + 1; }
    }
    if (from < end) push(c.dir, from, end - from, false);
  }
  return r;
}

const printable = (b: number) => (b >= 32 && b < 127 ? String.fromCharCode(b) : b === 9 ? '\t' : '.');
function textOf(b: Uint8Array): string { let s = ''; for (const x of b) s += x === 10 || x === 13 ? '' : printable(x); return s; }
function hexOf(b: Uint8Array, at: number): string {
  let h = '', a = '';
  for (let i = 0; i < 16; i++) { h += i < b.length ? b[i]!.toString(16).padStart(2, '0') + ' ' : '   '; if (i === 7) h += ' '; a += i < b.length ? printable(b[i]!) : ''; }
  return `${at.toString(16).padStart(8, '0')}  ${h} ${a}`;
}

/** The follow view of connection `flow`. */
export function FollowView({ engine, flow, tf, onClose, onPacket }: FollowProps) {
  const [f, setF] = useState<FollowResult | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('text');
  useEffect(() => {
    setF(null); setErr(null);
    let live = true; // another connection asked for meanwhile: this answer is dropped
    engine.ask<FollowResult>({ op: 'follow', flow }).then((r) => { if (!live) return; setF(r); if (r.http2) setMode('streams'); else if (r.messages.length) setMode('http'); }, (e: Error) => { if (live) setErr(e.message); });
    return () => { live = false; };
  }, [flow]);
  if (err) return <div class="stack"><div class="banner error" role="alert" data-testid="follow-error">{err}</div><button onClick={onClose}>Close</button></div>;
  if (!f) return <div class="muted stack" data-testid="follow-loading">Reassembling connection {flow}…</div>;
  const notes: string[] = [];
  f.dirs.forEach((d, i) => {
    const who = i === 0 ? 'client → server' : 'server → client';
    if (d.cut) notes.push(`${who}: the first ${size(f.limit)} (${plural(f.limit, 'byte')}) are kept (MAX_FOLLOW_BYTES); ${plural(d.cut, 'byte')} more are not shown`);
    if (d.missing) notes.push(`${who}: ${plural(d.missing, 'byte')} missing in the capture (shown as gaps)`);
  });
  return (
    <div class="follow stack" data-testid="follow">
      <div class="follow-head">
        <strong>Follow stream</strong>
        <span><span class="dir0">{f.client}</span> → <span class="dir1">{f.server}</span></span>
        <span class="muted" data-testid="follow-summary">{plural(f.packets, 'packet')}; {size(f.dirs[0]!.total)} →, {size(f.dirs[1]!.total)} ←{f.dirs[0]!.retransmitted + f.dirs[1]!.retransmitted ? `; ${size(f.dirs[0]!.retransmitted + f.dirs[1]!.retransmitted)} retransmitted (first copy kept)` : ''}{f.dirs[0]!.rst || f.dirs[1]!.rst ? `; reset by the ${f.dirs[0]!.rst ? 'client' : 'server'}` : ''}</span>
        <span class="spacer" />
        <div class="seg" role="tablist">
          {(['text', 'hex', ...(f.http2 ? ['streams'] : ['http'])] as Mode[]).map((m) => (
            <button role="tab" aria-selected={mode === m} data-testid={`follow-${m}`} onClick={() => setMode(m)}>{m === 'text' ? 'Text' : m === 'hex' ? 'Hex' : m === 'http' ? `HTTP (${count(f.messages.length)})` : 'HTTP/2 streams'}</button>
          ))}
        </div>
        <button onClick={onClose} data-testid="follow-close">Close</button>
      </div>
      {notes.length > 0 && <div class="banner notice" role="status" data-testid="follow-notes">{notes.map((n) => <div>{n}</div>)}</div>}
      {(mode === 'text' || mode === 'hex') && <StreamRows f={f} hex={mode === 'hex'} />}
      {mode === 'http' && <Messages f={f} tf={tf} onPacket={onPacket} />}
      {mode === 'streams' && <Streams engine={engine} flow={flow} tf={tf} onPacket={onPacket} />}
    </div>
  );
}

/** The bytes as rows, only those on screen drawn. */
function StreamRows({ f, hex }: { f: FollowResult; hex: boolean }) {
  const rows = useMemo(() => rowIndex(f, hex), [f, hex]);
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => { const el = box.current; if (el) setHeight(el.clientHeight || 600); }, []);
  const first = Math.max(0, Math.floor(top / ROW_PX) - 10);
  const last = Math.min(rows.n, Math.ceil((top + height) / ROW_PX) + 10);
  const out = [];
  for (let i = first; i < last; i++) {
    const dir = rows.dir[i]!, start = rows.start[i]!, len = rows.len[i]!;
    const text = rows.gap[i] ? `[${plural(len, 'byte')} missing in capture file]`
      : hex ? hexOf(f.dirs[dir]!.bytes.subarray(start, start + len), start) : textOf(f.dirs[dir]!.bytes.subarray(start, start + len));
    out.push(<div class={`frow dir${dir}${rows.gap[i] ? ' gap' : ''}`} style={{ top: `${i * ROW_PX}px` }} data-row={i}>{text || '\u00a0'}</div>);
  }
  return (
    <div class="follow-rows" ref={box} tabIndex={0} data-testid={hex ? 'follow-hex-rows' : 'follow-text-rows'} data-rows={rows.n}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <div style={{ height: `${rows.n * ROW_PX}px`, position: 'relative' }}>{out}</div>
    </div>
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** What Body shows: an HTTP/1 message's body, or an HTTP/2 stream's one way. */
type BodyLike = Pick<FollowMessage, 'body' | 'size' | 'rawSize' | 'codings' | 'note'> & { framing?: FollowMessage['framing'] };

/** A body as text when it is UTF-8 without control bytes, else as hex rows. */
function Body({ m }: { m: BodyLike }) {
  if (m.body === null) return <div class="muted">{m.rawSize ? `${size(m.rawSize)} on the wire${m.codings.length ? ` (${m.codings.join(', ')})` : ''}, not decoded: ${m.note ?? 'incomplete'}` : 'no body'}</div>;
  if (m.size === 0) return <div class="muted">empty body</div>;
  const shown = m.body.subarray(0, BODY_SHOWN);
  let text: string | null = null;
  try { text = utf8.decode(shown); if (/[\x00-\x08\x0e-\x1f]/.test(text)) text = null; } catch { text = null; }
  const more = (m.size ?? 0) - shown.length;
  const rows: string[] = [];
  if (text === null) for (let o = 0; o < shown.length; o += 16) rows.push(hexOf(shown.subarray(o, o + 16), o));
  return (
    <div>
      <div class="muted" data-testid="body-info">{size(m.size ?? 0)} {m.codings.length ? `decoded from ${m.codings.join(', ')} (${size(m.rawSize)} on the wire)` : ''}{m.framing === 'chunked' ? ' de-chunked' : ''}{more > 0 ? `; the first ${size(shown.length)} shown` : ''}</div>
      <pre class="body" data-testid="body">{text ?? rows.join('\n')}</pre>
    </div>
  );
}

/** The HTTP/1 messages, a page at a time. */
function Messages({ f, tf, onPacket }: { f: FollowResult; tf: TimeFormat; onPacket(num: number): void }) {
  const [shown, setShown] = useState(MESSAGES_PAGE);
  const chunkAt = (m: FollowMessage) => f.chunks.find((c) => c.dir === m.dir && c.start <= m.start && m.start < c.end);
  return (
    <div class="follow-http" data-testid="follow-http">
      {f.stopped.map((s, i) => s && <div class="banner notice">{i === 0 ? 'Client' : 'Server'} bytes: HTTP/1 splitting stopped at {s}.</div>)}
      {f.messages.length === 0 && <div class="muted">No HTTP/1 message in this connection.</div>}
      {f.messages.slice(0, shown).map((m) => {
        const c = chunkAt(m);
        return (
          <details class={`msg dir${m.dir}`} open data-testid="http-message">
            <summary><code>{m.line}</code> {c && <button class="link" onClick={() => onPacket(c.packet)}>#{c.packet}</button>} {c && <span class="muted">{tf.at(c.time)}</span>} {!m.complete && <span class="warn">{m.error}</span>}</summary>
            <table class="kv">{m.headers.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}</table>
            <Body m={m} />
          </details>
        );
      })}
      {f.messages.length > shown && <button onClick={() => setShown(shown + MESSAGES_PAGE)}>{count(f.messages.length - shown)} more messages</button>}
    </div>
  );
}

/** HTTP/2: the connection's streams, one opened with its frames. */
function Streams({ engine, flow, tf, onPacket }: { engine: Engine; flow: string; tf: TimeFormat; onPacket(num: number): void }) {
  const [c, setC] = useState<H2Connection | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    engine.ask<H2Connection>({ op: 'h2streams', flow }).then((r) => { if (!live) return; setC(r); setOpen(r.streams.find((s) => s.id > 0)?.id ?? null); }, (e: Error) => { if (live) setErr(e.message); });
    return () => { live = false; };
  }, [flow]);
  if (err) return <div class="banner error" role="alert">{err}</div>;
  if (!c) return <div class="muted">Reading the connection's records…</div>;
  const stops = (c.dataStopped ?? [null, null]).map((x, i) => x && `${i === 0 ? 'Client' : 'Server'} frames: reading stopped at ${x}; bodies after it are not shown.`).filter(Boolean);
  const s = c.streams.find((x) => x.id === open);
  return (
    <div class="h2" data-testid="h2-streams">
      <div class="h2-list" role="listbox" aria-label="Streams">
        {c.streams.map((x) => (
          <div role="option" aria-selected={x.id === open} class="h2-stream" data-testid="h2-stream" onClick={() => setOpen(x.id)}>
            <strong>{x.id === 0 ? 'connection (0)' : `stream ${x.id}`}</strong> {x.method ?? ''} {x.path ?? ''} {x.status ? <span class="status">{x.status}</span> : null}
            {x.reset && <span class="warn"> RST by the {x.reset}</span>}
            <div class="muted">{plural(x.frames.length, 'frame')}; data {size(x.data[0])} → {size(x.data[1])} ←{x.trailers ? '; trailers' : ''}</div>
          </div>
        ))}
        {stops.map((x) => <div class="banner notice">{x}</div>)}
        {c.more > 0 && <div class="banner notice">{plural(c.more, 'frame')} more than the {count(c.frames)} shown (MAX_H2_FRAMES)</div>}
      </div>
      {s && <StreamFrames s={s} tf={tf} onPacket={onPacket} />}
    </div>
  );
}

function StreamFrames({ s, tf, onPacket }: { s: H2Stream; tf: TimeFormat; onPacket(num: number): void }) {
  return (
    <div class="h2-frames" data-testid="h2-frames">
      {s.bodies?.map((b, dir) => b && (
        <details class={`h2-frame dir${dir}`} open data-testid="h2-body" data-dir={dir}>
          <summary><strong>{dir === 0 ? 'Request body' : 'Response body'}</strong> <span class="muted">(the stream's DATA frames, reassembled)</span></summary>
          <Body m={b} />
        </details>
      ))}
      {s.frames.map((fr) => (
        <div class={`h2-frame dir${fr.dir}`} data-testid="h2-frame" data-type={fr.type}>
          <div><button class="link" onClick={() => onPacket(fr.num)}>#{fr.num}</button> <span class="muted">{tf.at(fr.time)}</span> {fr.dir === 0 ? '→' : '←'} <strong>{fr.type}</strong>{fr.kind ? ` (${fr.kind})` : ''} <code>{fr.raw}</code>{fr.note ? <span class="warn"> {fr.note}</span> : null}</div>
          {fr.headers && <table class="kv">{fr.headers.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}</table>}
          {fr.data !== undefined && <div class="muted">{plural(fr.data, 'data byte')}{fr.sample !== undefined ? ':' : ''}</div>}
          {fr.sample !== undefined && <pre class="body">{fr.sample}</pre>}
        </div>
      ))}
    </div>
  );
}
