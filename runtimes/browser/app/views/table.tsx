/**
 * A virtual table over rows the worker serves page by page: only the visible rows are in the
 * DOM. Rows have one fixed height, so the visible range is arithmetic on scrollTop — O(1) memory
 * whatever the row count (a general virtualizer keeps a measurement per row: 100 MB at 1M rows).
 * Past MAX_SCROLL_PX (browsers cap an element's height) the scrollbar maps proportionally.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/**
 * A column: header, width (CSS), cell renderer, and a sort key when sortable. The renderer gets
 * the row before (null: this is the first row; undefined: not read yet), for deltas.
 */
export interface Column<T> { title: string; width: string; cell(row: T, prev: T | null | undefined): ComponentChildren; sort?: string; className?: string }

/** Fetches rows [start, start + count) and the total. */
export type Fetch<T> = (start: number, count: number) => Promise<{ total: number; rows: T[] }>;

const PAGE = 200;
const ROW = 22;
/** Tallest scroll area used: Chromium caps an element near 33.5M px (1.36M rows of 22 px fit). */
const MAX_SCROLL_PX = 30_000_000;
const OVERSCAN = 10;

/** Props of VTable. */
export interface TableProps<T> {
  columns: Column<T>[];
  fetch: Fetch<T>;
  /** Changes whenever the rows change (a new filter, another sort). */
  version: string;
  total: number;
  /** The keyboard's row (arrows move it); the table shows it and keeps it in sight. */
  cursor?: number | null;
  /** The cursor moved to row `index` (arrows, Page Up/Down, Home, End): nothing opens. */
  onCursor?(index: number, row: T): void;
  /** Row `index` is opened: clicked, or Enter on the cursor's row. */
  onOpen?(index: number, row: T): void;
  /** Scrolls row `index` into the middle of the view when it is out of sight; each new `seq` asks again. */
  reveal?: { index: number; seq: number };
  rowClass?(row: T): string;
  sort?: { key: string; desc: boolean };
  onSort?(key: string): void;
  testid?: string;
  rowTestid?: string;
  /** Names the list for assistive technology. */
  label?: string;
}

type Page<T> = { rows: T[]; total: number } | 'pending';

/** The virtual table; arrow keys, Page Up/Down, Home and End move the cursor, Enter opens its row. */
export function VTable<T>(p: TableProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, setTick] = useState(0);
  const [view, setView] = useState({ top: 0, height: 600 });
  const pages = useRef(new Map<number, Page<T>>());
  const version = useRef(p.version);
  if (version.current !== p.version) { version.current = p.version; pages.current = new Map(); }

  const fullPx = p.total * ROW;
  const scrollPx = Math.min(fullPx, MAX_SCROLL_PX);
  const visible = Math.ceil(view.height / ROW) + 1;
  // First visible row: exact below the cap, proportional above it.
  const maxTop = Math.max(1, scrollPx - view.height);
  const first = fullPx <= MAX_SCROLL_PX ? Math.floor(view.top / ROW) : Math.floor((Math.min(view.top, maxTop) / maxTop) * Math.max(0, p.total - visible + 1));
  const start = Math.max(0, first - OVERSCAN), end = Math.min(p.total, first + visible + OVERSCAN);
  const offset = (i: number) => (fullPx <= MAX_SCROLL_PX ? i * ROW : view.top + (i - first) * ROW);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const on = () => setView({ top: el.scrollTop, height: el.clientHeight });
    on();
    el.addEventListener('scroll', on, { passive: true });
    const ro = new ResizeObserver(on);
    ro.observe(el);
    return () => { el.removeEventListener('scroll', on); ro.disconnect(); };
  }, []);

  // Fetch the pages the visible rows are on (and the row before them, for deltas). A page read
  // while it was short (the capture still loading) is read again once the total grew past it.
  useEffect(() => {
    const ver = version.current;
    const from = Math.max(0, start - 1);
    for (let pg = Math.floor(from / PAGE); pg <= Math.floor(Math.max(from, end - 1) / PAGE) && from < end; pg++) {
      const have = pages.current.get(pg);
      if (have === 'pending' || (have && (have.rows.length === PAGE || p.total <= have.total))) continue;
      pages.current.set(pg, 'pending');
      // The total the page is good for: at least the one asked with (the worker may lag behind
      // the count the page was given), so a short answer is not asked again until it grows.
      const asked = p.total;
      p.fetch(pg * PAGE, PAGE).then((r) => { if (version.current === ver) { pages.current.set(pg, { rows: r.rows, total: Math.max(r.total, asked) }); setTick((t) => t + 1); } }, () => pages.current.delete(pg));
    }
  });
  const rowAt = (i: number): T | undefined => { const pg = pages.current.get(Math.floor(i / PAGE)); return pg && pg !== 'pending' ? pg.rows[i % PAGE] : undefined; };

  /** Scrolls so that row i is in sight: at the nearest edge, or (`centre`) in the middle. */
  const scrollTo = (i: number, centre = false) => {
    const el = scroller.current;
    if (!el) return;
    if (fullPx <= MAX_SCROLL_PX) {
      const inSight = i * ROW >= el.scrollTop && (i + 1) * ROW <= el.scrollTop + el.clientHeight;
      if (inSight) return;
      if (centre) el.scrollTop = Math.max(0, i * ROW - (el.clientHeight - ROW) / 2);
      else if (i * ROW < el.scrollTop) el.scrollTop = i * ROW;
      else el.scrollTop = (i + 1) * ROW - el.clientHeight;
    } else if (i < first || i >= first + visible - 1) el.scrollTop = (Math.max(0, centre ? i - visible / 2 : i) / Math.max(1, p.total - visible + 1)) * maxTop;
  };
  useEffect(() => { if (p.reveal && p.reveal.index >= 0) scrollTo(p.reveal.index, true); }, [p.reveal?.seq]);

  /** The row at i, read first when it is not at hand. */
  const withRow = (i: number, then: (row: T) => void) => {
    const row = rowAt(i);
    if (row) then(row);
    else p.fetch(i, 1).then((r) => { const x = r.rows[0]; if (x) then(x); }, () => { /* the row is gone (a new filter) */ });
  };
  const move = (to: number) => {
    if (p.total === 0) return;
    const i = Math.max(0, Math.min(p.total - 1, to));
    scrollTo(i);
    if (p.onCursor) withRow(i, (row) => p.onCursor!(i, row));
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const cur = p.cursor ?? -1;
    if (e.key === 'Enter') {
      if (cur < 0 || cur >= p.total || !p.onOpen) return;
      e.preventDefault();
      withRow(cur, (row) => p.onOpen!(cur, row));
      return;
    }
    const pageRows = Math.max(1, Math.floor(view.height / ROW) - 1);
    const to = e.key === 'ArrowDown' ? cur + 1 : e.key === 'ArrowUp' ? Math.max(0, cur - 1) : e.key === 'PageDown' ? cur + pageRows : e.key === 'PageUp' ? cur - pageRows : e.key === 'Home' ? 0 : e.key === 'End' ? p.total - 1 : null;
    if (to === null) return;
    e.preventDefault();
    move(to);
  };
  const template = p.columns.map((c) => c.width).join(' ');
  const rows = [];
  for (let i = start; i < end; i++) {
    const row = rowAt(i);
    const prev = i === 0 ? null : rowAt(i - 1);
    const isCursor = i === p.cursor;
    rows.push(
      <div key={i} role="row" aria-rowindex={i + 1} aria-selected={isCursor} data-testid={row ? p.rowTestid : undefined} data-index={i}
        class={`vrow ${isCursor ? 'selected' : ''} ${row && p.rowClass ? p.rowClass(row) : ''}`}
        style={{ transform: `translateY(${offset(i)}px)`, height: `${ROW}px`, gridTemplateColumns: template }}
        onClick={() => row && p.onOpen?.(i, row)}>
        {row ? p.columns.map((c) => <div class={`cell ${c.className ?? ''}`} role="gridcell">{c.cell(row, prev)}</div>) : <div class="cell muted">…</div>}
      </div>,
    );
  }
  return (
    <div class="vtable" data-testid={p.testid} role="grid" aria-rowcount={p.total} aria-label={p.label}>
      <div class="vhead" style={{ gridTemplateColumns: template }} role="row">
        {p.columns.map((c) => (
          <div role="columnheader" class={`cell ${c.sort ? 'sortable' : ''}`} onClick={() => c.sort && p.onSort?.(c.sort)}
            aria-sort={p.sort?.key === c.sort && c.sort ? (p.sort!.desc ? 'descending' : 'ascending') : undefined}>
            {c.title}{p.sort?.key === c.sort && c.sort ? (p.sort!.desc ? ' ▼' : ' ▲') : ''}
          </div>
        ))}
      </div>
      <div class="vbody" ref={scroller} tabIndex={0} onKeyDown={onKey} data-list="">
        <div style={{ height: `${scrollPx}px`, position: 'relative' }}>{rows}</div>
      </div>
    </div>
  );
}
