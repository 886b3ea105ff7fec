// The HTTP worker's waterfall and statistics paging (exchange-views.ts) on the corpus exchanges:
// pages cover the selection once in order, the text filter and the endpoint selection keep what
// they say, the axis spans the bars, and the statistics' rows sort with missing values last.
import { describe, it, expect } from 'vitest';
import { ExchangeBuilder } from '../../../../src/exchanges.js';
import { ExchangeTable } from '../../../../runtimes/browser/app/exchanges.js';
import { ExchangeViews } from '../../../../runtimes/browser/app/exchange-views.js';
import { foldPath } from '../../../../runtimes/browser/app/endpoints.js';
import { CAPTURES, packets, records } from './corpus.js';

const all = { text: '', endpoint: '', host: false };

describe.each(CAPTURES)('ExchangeViews on $name', ({ file }) => {
  const table = new ExchangeTable();
  const b = new ExchangeBuilder({}, table);
  for (const p of packets(records(file))) b.add(p);
  const views = new ExchangeViews(table);

  it('pages of the waterfall cover every exchange once, in time order; the axis spans every bar', () => {
    const seen: number[] = [];
    for (let start = 0; ; start += 7) {
      const page = views.waterfall({ op: 'waterfall', sort: 'reqTime', desc: false, start, count: 7, ...all }, null, 'all');
      expect(page.total).toBe(table.count);
      if (page.rows.length === 0) break;
      seen.push(...page.rows.map((r) => r.id));
      for (const r of page.rows) { expect(r.begin).toBeGreaterThanOrEqual(page.span[0]); expect(r.end).toBeLessThanOrEqual(page.span[1]); }
    }
    const want = Array.from({ length: table.count }, (_, i) => i).sort((x, y) => table.reqTimeOf(x) - table.reqTimeOf(y) || x - y);
    expect(seen).toEqual(want);
  });

  it('the text filter and an endpoint keep exactly their exchanges; a selection narrows them', () => {
    const ids = Array.from({ length: table.count }, (_, i) => i);
    const text = 'GET';
    const t = views.waterfall({ op: 'waterfall', sort: 'reqTime', desc: false, start: 0, count: 1e6, text: text.toLowerCase(), endpoint: '', host: false }, null, 'all');
    expect(t.rows.map((r) => r.id).sort((x, y) => x - y)).toEqual(ids.filter((id) => table.methodOf(id).includes(text) || table.url(id).toLowerCase().includes('get') || String(table.statusOf(id) || '').includes('get')));
    const key = `${table.methodOf(0) || '(no request)'} ${foldPath(table.url(0))}`;
    const e = views.waterfall({ op: 'waterfall', sort: 'url', desc: true, start: 0, count: 1e6, text: '', endpoint: key, host: false }, null, 'all');
    expect(e.rows.map((r) => r.id).sort((x, y) => x - y)).toEqual(ids.filter((id) => views.endpointOf(id, false) === key));
    expect(e.rows.length).toBeGreaterThan(0);
    const sel = Uint32Array.from(ids.filter((id) => id % 2 === 0));
    const s = views.waterfall({ op: 'waterfall', sort: 'reqTime', desc: false, start: 0, count: 1e6, ...all }, sel, 'even');
    expect(s.total).toBe(sel.length);
    expect(s.rows.every((r) => r.id % 2 === 0)).toBe(true);
  });

  it('statistics: every exchange counted once; sorted by p99 with endpoints without answers last both ways', () => {
    const st = views.endpoints({ op: 'endpoints', sort: 'count', desc: true, start: 0, count: 1e6, host: false }, null, 'all');
    expect(st.exchanges).toBe(table.count);
    expect(st.rows.reduce((n, r) => n + r.count, 0)).toBe(table.count);
    for (const desc of [false, true]) {
      const r = views.endpoints({ op: 'endpoints', sort: 'p99', desc, start: 0, count: 1e6, host: false }, null, 'all').rows;
      const known = r.filter((x) => x.p99 !== undefined).map((x) => x.p99!);
      expect(known).toEqual([...known].sort((a, b) => (desc ? b - a : a - b)));
      expect(r.slice(known.length).every((x) => x.p99 === undefined)).toBe(true);
    }
    const byHost = views.endpoints({ op: 'endpoints', sort: 'count', desc: true, start: 0, count: 1e6, host: true }, null, 'all');
    expect(byHost.rows.reduce((n, r) => n + r.count, 0)).toBe(table.count);
  });
});
