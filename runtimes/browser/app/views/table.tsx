/** A virtual table over rows the worker serves page by page (@tanstack/virtual-core draws only what is visible). */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';

/** A column: header, width (CSS), cell renderer, and a sort key when sortable. */
export interface Column<T> { title: string; width: string; cell(row: T): ComponentChildren; sort?: string; className?: string }

/** Fetches rows [start, start + count) and the total. */
export type Fetch<T> = (start: number, count: number) => Promise<{ total: number; rows: T[] }>;

const PAGE = 200;
const ROW = 22;

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
  const pages = useRef(new Map<number, T[] | 'pending'>());
  const version = useRef(p.version);
  if (version.current !== p.version) { version.current = p.version; pages.current = new Map(); }

  const v = useMemo(() => new Virtualizer<HTMLDivElement, Element>({
    count: p.total, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20,
    observeElementRect, observeElementOffset, scrollToFn: elementScroll,
    onChange: () => setTick((t) => t + 1),
  }), []);
  v.setOptions({ ...v.options, count: p.total });
  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => { v._willUpdate(); });

  const items = v.getVirtualItems();
  // Fetch the pages the visible rows are on.
  useEffect(() => {
    const want = new Set(items.map((i) => Math.floor(i.index / PAGE)));
    const ver = version.current;
    for (const pg of want) {
      if (pages.current.has(pg)) continue;
      pages.current.set(pg, 'pending');
      p.fetch(pg * PAGE, PAGE).then((r) => { if (version.current === ver) { pages.current.set(pg, r.rows); setTick((t) => t + 1); } }, (err: Error) => { pages.current.delete(pg); console.error('rows', err.message); });
    }
  });
  const rowAt = (i: number): T | undefined => { const pg = pages.current.get(Math.floor(i / PAGE)); return pg && pg !== 'pending' ? pg[i % PAGE] : undefined; };

  const move = (to: number) => {
    if (p.total === 0) return;
    const i = Math.max(0, Math.min(p.total - 1, to));
    v.scrollToIndex(i, { align: 'auto' });
    const row = rowAt(i);
    if (row && p.onSelect) p.onSelect(i, row);
    else if (p.onSelect) p.fetch(i, 1).then((r) => { const x = r.rows[0]; if (x) p.onSelect!(i, x); });
  };
  const onKey = (e: KeyboardEvent) => {
    const cur = p.selected ?? -1;
    const pageRows = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW) - 1);
    const to = e.key === 'ArrowDown' ? cur + 1 : e.key === 'ArrowUp' ? cur - 1 : e.key === 'PageDown' ? cur + pageRows : e.key === 'PageUp' ? cur - pageRows : e.key === 'Home' ? 0 : e.key === 'End' ? p.total - 1 : null;
    if (to === null) return;
    e.preventDefault();
    move(to);
  };
  const template = p.columns.map((c) => c.width).join(' ');
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
        <div style={{ height: `${v.getTotalSize()}px`, position: 'relative' }}>
          {items.map((it) => {
            const row = rowAt(it.index);
            return (
              <div key={it.index} role="row" aria-rowindex={it.index + 1} data-testid={row ? p.rowTestid : undefined}
                class={`vrow ${it.index === p.selected ? 'selected' : ''} ${row && p.rowClass ? p.rowClass(row) : ''}`}
                style={{ transform: `translateY(${it.start}px)`, height: `${ROW}px`, gridTemplateColumns: template }}
                onClick={() => row && p.onSelect?.(it.index, row)}>
                {row ? p.columns.map((c) => <div class={`cell ${c.className ?? ''}`}>{c.cell(row)}</div>) : <div class="cell muted">…</div>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
