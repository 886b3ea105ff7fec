/**
 * A virtual table over rows the worker serves page by page: only the visible rows are in the
 * DOM. Rows have one fixed height, so the visible range is arithmetic on scrollTop — O(1) memory
 * whatever the row count (a general virtualizer keeps a measurement per row: 100 MB at 1M rows).
 * Past MAX_SCROLL_PX (browsers cap an element's height) the scrollbar maps proportionally.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/** A column: header, width (CSS), cell renderer, and a sort key when sortable. */
export interface Column<T> { title: string; width: string; cell(row: T): ComponentChildren; sort?: string; className?: string }

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
  /** Changes whenever the rows change (a new filter, more records loaded). */
  version: string;
  total: number;
  selected?: number;
  onSelect?(index: number, row: T): void;
  rowClass?(row: T): string;
  sort?: { key: string; desc: boolean };
  onSort?(key: string): void;
  testid?: string;
  rowTestid?: string;
}

/** The virtual table; arrow keys, Page Up/Down, Home and End move the selection. */
export function VTable<T>(p: TableProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, setTick] = useState(0);
  const [view, setView] = useState({ top: 0, height: 600 });
  const pages = useRef(new Map<number, T[] | 'pending'>());
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

  // Fetch the pages the visible rows are on.
  useEffect(() => {
    const ver = version.current;
    for (let pg = Math.floor(start / PAGE); pg <= Math.floor(Math.max(start, end - 1) / PAGE) && start < end; pg++) {
      if (pages.current.has(pg)) continue;
      pages.current.set(pg, 'pending');
      p.fetch(pg * PAGE, PAGE).then((r) => { if (version.current === ver) { pages.current.set(pg, r.rows); setTick((t) => t + 1); } }, () => pages.current.delete(pg));
    }
  });
  const rowAt = (i: number): T | undefined => { const pg = pages.current.get(Math.floor(i / PAGE)); return pg && pg !== 'pending' ? pg[i % PAGE] : undefined; };

  const scrollTo = (i: number) => {
    const el = scroller.current;
    if (!el) return;
    if (fullPx <= MAX_SCROLL_PX) {
      if (i * ROW < el.scrollTop) el.scrollTop = i * ROW;
      else if ((i + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * ROW - el.clientHeight;
    } else if (i < first || i >= first + visible - 1) el.scrollTop = (i / Math.max(1, p.total - visible + 1)) * maxTop;
  };
  const move = (to: number) => {
    if (p.total === 0) return;
    const i = Math.max(0, Math.min(p.total - 1, to));
    scrollTo(i);
    const row = rowAt(i);
    if (row && p.onSelect) p.onSelect(i, row);
    else if (p.onSelect) p.fetch(i, 1).then((r) => { const x = r.rows[0]; if (x) p.onSelect!(i, x); }, () => { /* the row is gone (a new filter) */ });
  };
  const onKey = (e: KeyboardEvent) => {
    const cur = p.selected ?? -1;
    const pageRows = Math.max(1, Math.floor(view.height / ROW) - 1);
    const to = e.key === 'ArrowDown' ? cur + 1 : e.key === 'ArrowUp' ? cur - 1 : e.key === 'PageDown' ? cur + pageRows : e.key === 'PageUp' ? cur - pageRows : e.key === 'Home' ? 0 : e.key === 'End' ? p.total - 1 : null;
    if (to === null) return;
    e.preventDefault();
    move(to);
  };
  const template = p.columns.map((c) => c.width).join(' ');
  const rows = [];
  for (let i = start; i < end; i++) {
    const row = rowAt(i);
    rows.push(
      <div key={i} role="row" aria-rowindex={i + 1} data-testid={row ? p.rowTestid : undefined}
        class={`vrow ${i === p.selected ? 'selected' : ''} ${row && p.rowClass ? p.rowClass(row) : ''}`}
        style={{ transform: `translateY(${offset(i)}px)`, height: `${ROW}px`, gridTemplateColumns: template }}
        onClick={() => row && p.onSelect?.(i, row)}>
        {row ? p.columns.map((c) => <div class={`cell ${c.className ?? ''}`}>{c.cell(row)}</div>) : <div class="cell muted">…</div>}
      </div>,
    );
  }
  return (
    <div class="vtable" data-testid={p.testid} role="grid" aria-rowcount={p.total}>
      <div class="vhead" style={{ gridTemplateColumns: template }} role="row">
        {p.columns.map((c) => (
          <div role="columnheader" class={`cell ${c.sort ? 'sortable' : ''}`} onClick={() => c.sort && p.onSort?.(c.sort)}
            aria-sort={p.sort?.key === c.sort && c.sort ? (p.sort!.desc ? 'descending' : 'ascending') : undefined}>
            {c.title}{p.sort?.key === c.sort && c.sort ? (p.sort!.desc ? ' ▼' : ' ▲') : ''}
          </div>
        ))}
      </div>
      <div class="vbody" ref={scroller} tabIndex={0} onKeyDown={onKey}>
        <div style={{ height: `${scrollPx}px`, position: 'relative' }}>{rows}</div>
      </div>
    </div>
  );
}
