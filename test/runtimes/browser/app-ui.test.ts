// The browser app's page (issue 20) in Debian's Chromium: history (Back and Forward move between
// views, traces and the open packet; typing a filter is one entry), the keyboard in every list,
// a trace's packet opened among the filtered packets, the time setting in tables, detail,
// waterfall and chart axes and legends (checked against times computed here from the CLI's
// records, in a context whose local zone is UTC+05:30), no "no capture is open" while a large
// generated capture loads, counts and plurals, the filter bar's error underline, completion and
// help, every view asking again when the filter changes, and dark mode. Saves a screenshot of
// each view to build/test-artifacts/app/ui-*.png. Needs `npm run build` (build/app/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { applyFilter, filterSettled, haveChromium, launch, openFile, shown } from './app-page.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'build', 'app');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const H1 = join(CORPUS, 'h1-keepalive-mtu1500.pcap');
const EXAMPLE = join(ROOT, 'examples', 'http-keepalive.pcap');
const ARTIFACTS = join(ROOT, 'build', 'test-artifacts', 'app');
const TRACE_KEY = 'logging.googleapis.com/trace';
if (!existsSync(join(APP, 'index.html'))) throw new Error(`${APP}/index.html is missing: run \`npm run build\` first`);

type Rec = Record<string, any>;
/** The CLI's records of a capture (DEBUG, as the app), parsed, each with its NDJSON line (`line`, not enumerable). */
const cli = (file: string): Rec[] => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean).map((l) => Object.defineProperty(JSON.parse(l) as Rec, 'line', { value: l }));
};
/** A record's time in ms since the epoch, from its timestamp (seconds, nanos). */
const msOf = (r: Rec) => Number(r.timestamp.seconds) * 1000 + Number(r.timestamp.nanos) / 1e6;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Time of day with microseconds at `offsetMin` minutes from UTC, computed here independently of format.ts. */
function hms(ms: number, offsetMin = 0): string {
  const t = Math.floor(ms) + offsetMin * 60_000;
  const d = new Date(t);
  const us = Math.round((ms - Math.floor(ms)) * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${pad(us, 3)}`;
}
/** Seconds of the day of a "HH:MM:SS(.fff)" label. */
const secondsOfDay = (s: string) => { const [h, m, x] = s.split(':'); return Number(h) * 3600 + Number(m) * 60 + Number(x); };
/** India Standard Time: UTC+05:30 all year (no daylight saving), the context's local zone. */
const ZONE = 'Asia/Kolkata', OFFSET_MIN = 330;

let server: AppServer;
let example: AppServer;
let browser: Browser;
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'tracecap-app-ui-'));
  server = await serveApp({ root: APP, port: 0 });
  example = await serveApp({ root: APP, port: 0, file: EXAMPLE });
  if (haveChromium) browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close(); await server?.close(); await example?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(url: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(url);
  return p;
}
/** The example capture, opened with ?url= (so a reload opens it again). */
async function examplePage(options: BrowserContextOptions = {}, hash = ''): Promise<Page> {
  const p = await newPage(`${example.url}${hash}`, options);
  await p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
  await filterSettled(p);
  return p;
}
const hashOf = (p: Page) => new URLSearchParams(new URL(p.url()).hash.slice(1));
/** The row index the list's cursor is on (-1: none). */
const cursorOf = (p: Page, testid: string) => p.evaluate((t) => Number(document.querySelector(`[data-testid=${t}] [role=row][aria-selected=true]`)?.getAttribute('data-index') ?? -1), testid);
const detailNum = (p: Page) => p.evaluate(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') ?? null);
const focusedTestid = (p: Page) => p.evaluate(() => (document.activeElement?.closest('[data-testid]') as HTMLElement | null)?.dataset.testid ?? null);
const tabSelected = (p: Page) => p.evaluate(() => document.querySelector('[role=tab][aria-selected=true]')?.getAttribute('data-testid'));
const historyLength = (p: Page) => p.evaluate(() => history.length);

describe.skipIf(!haveChromium)('browser app page', () => {
  it('history: Back and Forward move between views, traces and the open packet, a typed filter is one entry, Back never leaves the app', async () => {
    const p = await newPage(server.url);
    await openFile(p, H1);
    const start = p.url();
    const h0 = await historyLength(p);
    for (const tab of ['http', 'conns', 'traces']) { await p.click(`[data-testid=tab-${tab}]`); expect(hashOf(p).get('view')).toBe(tab); }
    await p.click('[data-testid=traces-row] >> nth=0');
    const a = (await p.getAttribute('[data-testid=waterfall]', 'data-trace'))!;
    await p.click('text=← Traces');
    await p.click('[data-testid=traces-row] >> nth=1');
    await p.waitForFunction((a) => { const t = document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace'); return t && t !== a; }, a);
    const b = (await p.getAttribute('[data-testid=waterfall]', 'data-trace'))!;
    expect(await historyLength(p)).toBe(h0 + 6);
    // Back: the list, the previous trace, the list, Connections, HTTP; Forward: Connections.
    await p.goBack();
    await p.waitForSelector('[data-testid=traces-row]');
    expect(await tabSelected(p)).toBe('tab-traces');
    await p.goBack();
    await p.waitForFunction((a) => document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace') === a, a);
    expect(hashOf(p).get('trace')).toBe(a.slice(a.lastIndexOf('/') + 1));
    await p.goForward(); await p.goForward();
    await p.waitForFunction((b) => document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace') === b, b);
    for (let i = 0; i < 4; i++) await p.goBack();
    await p.waitForSelector('[data-testid=conn-row]');
    expect(await tabSelected(p)).toBe('tab-conns');
    await p.goBack();
    await p.waitForSelector('[data-testid=http-row]');
    expect(await tabSelected(p)).toBe('tab-http');
    await p.goForward();
    await p.waitForSelector('[data-testid=conn-row]');
    await p.click('[data-testid=tab-packets]');
    // Typing a filter key by key, slowly enough for the texts on the way to be applied (the
    // valid ones replace the entry) but without the pause that ends a session: one entry.
    const before = await historyLength(p);
    await p.evaluate(() => {
      const replaced: string[] = [];
      (window as unknown as { replaced: string[] }).replaced = replaced;
      const replace = history.replaceState.bind(history);
      history.replaceState = (data, unused, url) => { replaced.push(String(url)); replace(data, unused, url); };
    });
    await p.click('[data-testid=filter]');
    await p.keyboard.type('HTTP.code >= 200', { delay: 300 });
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied === 'HTTP.code >= 200');
    expect(hashOf(p).get('q')).toBe('HTTP.code >= 200');
    expect(await historyLength(p)).toBe(before + 1);
    // The texts applied on the way ("HTTP", "HTTP.code") replaced the entry the first one pushed.
    const replaced = await p.evaluate(() => (window as unknown as { replaced: string[] }).replaced.map((u) => new URLSearchParams(u.split('#')[1] ?? '').get('q')));
    expect(replaced).toContain('HTTP.code >= 200');
    expect(replaced.length).toBeGreaterThan(1);
    await p.keyboard.press('Enter');
    expect(await historyLength(p)).toBe(before + 1);
    await p.goBack();
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied === '' && document.querySelector<HTMLElement>('.filterbar')!.dataset.filterState === 'ok');
    expect(await p.inputValue('[data-testid=filter]')).toBe('');
    // The open packet: each one opened is an entry; Back reopens the one before, then none.
    await p.click('[data-testid=packet-row] >> nth=5');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '5');
    await p.click('[data-testid=packet-row] >> nth=8');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '8');
    expect(hashOf(p).get('pkt')).toBe('8');
    await p.goBack();
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '5');
    await p.goBack();
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]') === null);
    // As many Backs as entries the app made: still the app, at the start.
    const entries = (await historyLength(p)) - h0;
    for (let i = 0; i < entries + 2; i++) { if (p.url() === start) break; await p.goBack(); }
    expect(p.url()).toBe(start);
    expect(await p.evaluate(() => document.body.dataset.state)).toBe('ready');
    await p.context().close();
  }, 120_000);

  it('reload keeps the view, the trace, the open packet and the time setting', async () => {
    const p = await examplePage();
    await p.selectOption('[data-testid=time-mode]', 'rel');
    await p.click('[data-testid=packet-row] >> nth=7');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '7');
    await p.reload();
    await p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '7');
    expect(await cursorOf(p, 'packets')).toBe(7);
    expect(await p.inputValue('[data-testid=time-mode]')).toBe('rel');
    expect(await p.textContent('[data-testid=packets] [role=columnheader] >> nth=1')).toBe('Time (s since first)');
    await p.click('[data-testid=tab-traces]');
    await p.click('[data-testid=traces-row]');
    const t = await p.getAttribute('[data-testid=waterfall]', 'data-trace');
    await p.reload();
    await p.waitForFunction((t) => document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace') === t, t, { timeout: 60_000 });
    await p.context().close();
    // ?time= in a link sets it (over what this browser kept).
    const q = await newPage(`${example.url}&time=delta`);
    await q.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    expect(await q.inputValue('[data-testid=time-mode]')).toBe('delta');
    expect(await q.textContent('[data-testid=packets] [role=columnheader] >> nth=1')).toBe('Time (s since previous)');
    await q.context().close();
  }, 60_000);

  it('keyboard: in every list ArrowDown puts the cursor on row 0 without opening it, Enter opens, Esc closes, / focuses the filter', async () => {
    const p = await newPage(server.url);
    await openFile(p, H1);
    const records = cli(H1);
    // Packets: the cursor moves alone until Enter opens; with the detail open it follows the cursor (in place of the entry).
    await p.focus('[data-testid=packets] .vbody');
    await p.keyboard.press('ArrowDown');
    await p.waitForFunction(() => document.querySelector('[data-testid=packets] [aria-selected=true]')?.getAttribute('data-index') === '0');
    expect(await detailNum(p)).toBe(null);
    expect(hashOf(p).get('pkt')).toBe(null);
    await p.keyboard.press('ArrowDown');
    await p.waitForFunction(() => document.querySelector('[data-testid=packets] [aria-selected=true]')?.getAttribute('data-index') === '1');
    expect(await detailNum(p)).toBe(null);
    const h = await historyLength(p);
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '1');
    expect(await p.textContent('[data-testid=record-text]')).toBe(records[1]!.line);
    await p.keyboard.press('ArrowDown');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '2');
    expect(await historyLength(p)).toBe(h + 1);
    await p.keyboard.press('End');
    await p.waitForFunction((n) => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === String(n), records.length - 1);
    expect(await cursorOf(p, 'packets')).toBe(records.length - 1);
    await p.keyboard.press('PageUp');
    await p.waitForFunction((n) => Number(document.querySelector('[data-testid=packets] [aria-selected=true]')?.getAttribute('data-index')) < n, records.length - 10);
    await p.keyboard.press('Home');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === '0');
    await p.keyboard.press('Escape');
    await p.waitForFunction(() => document.querySelector('[data-testid=detail]') === null);
    expect(hashOf(p).get('pkt')).toBe(null);
    // / focuses the filter; typed in the filter it is a character; Esc there gives the keyboard back to the list.
    await p.keyboard.press('/');
    expect(await focusedTestid(p)).toBe('filter');
    await p.keyboard.type('L3/');
    expect(await p.inputValue('[data-testid=filter]')).toBe('L3/');
    await p.fill('[data-testid=filter]', '');
    await p.keyboard.press('Escape');
    expect(await focusedTestid(p)).toBe('packets');
    // Connections, HTTP, Traces: the first ArrowDown stays in the list.
    for (const [tab, testid, row] of [['conns', 'conns', 'conn-row'], ['http', 'http', 'http-row'], ['traces', 'traces', 'traces-row']] as const) {
      await p.click(`[data-testid=tab-${tab}]`);
      await p.waitForSelector(`[data-testid=${row}]`);
      await p.focus(`[data-testid=${testid}] .vbody`);
      const url = p.url();
      await p.keyboard.press('ArrowDown');
      await p.waitForFunction((t) => document.querySelector(`[data-testid=${t}] [aria-selected=true]`)?.getAttribute('data-index') === '0', testid);
      // The second moves to row 1, or stays on row 0 when it is the only one.
      const second = Math.min(1, Number(await p.getAttribute(`[data-testid=${testid}]`, 'aria-rowcount')) - 1);
      await p.keyboard.press('ArrowDown');
      await p.waitForFunction(([t, i]) => document.querySelector(`[data-testid=${t}] [aria-selected=true]`)?.getAttribute('data-index') === String(i), [testid, second] as const);
      expect(p.url()).toBe(url);
      expect(await tabSelected(p)).toBe(`tab-${tab}`);
      if (tab === 'conns') {
        await p.keyboard.press('Enter');
        await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied!.startsWith('flow == '));
        expect(await tabSelected(p)).toBe('tab-packets');
        await p.goBack();
        await applyFilter(p, '');
      }
      if (tab === 'http') {
        const trace = (await p.textContent('[data-testid=http] [aria-selected=true] [role=gridcell]:last-child'))!;
        await p.keyboard.press('Enter');
        if (trace) await p.waitForFunction((t) => document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace')?.endsWith(t), trace);
        else await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied!.startsWith('flow == '));
        await p.goBack();
        await applyFilter(p, '');
      }
    }
    // Traces: Enter opens the cursor's trace; in the waterfall the cursor moves alone, Esc goes back to the list, Enter opens the packet.
    const short = (await p.textContent('[data-testid=traces] [aria-selected=true] [role=gridcell]:first-child'))!;
    await p.keyboard.press('Enter');
    await p.waitForFunction((t) => document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace')?.endsWith(t), short);
    await p.focus('.wf-list');
    await p.keyboard.press('ArrowDown');
    expect(await p.getAttribute('.wf-list [aria-selected=true]', 'data-row')).toBe('0');
    expect(hashOf(p).get('trace')).toBe(short);
    await p.keyboard.press('Escape');
    await p.waitForSelector('[data-testid=traces-row]');
    await p.goBack();
    await p.focus('.wf-list');
    await p.keyboard.press('End');
    const last = await p.getAttribute('.wf-list [aria-selected=true]', 'data-num');
    await p.keyboard.press('Enter');
    await p.waitForFunction((n) => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === n, last);
    expect(await focusedTestid(p)).toBe('packets');
    // Esc closes the help popover before anything else.
    await p.keyboard.press('?');
    await p.waitForSelector('[data-testid=filter-help]');
    await p.keyboard.press('Escape');
    expect(await p.locator('[data-testid=filter-help]').count()).toBe(0);
    expect(await detailNum(p)).toBe(last);
    await p.context().close();
  }, 120_000);

  it('a trace\'s packet opens among the filtered packets with its neighbours, the filter kept; one the filter leaves out shows anyway, with a way to all packets', async () => {
    const records = cli(H1);
    const http = records.filter((r) => r.HTTP).map((r) => Number(r.pcap.num));
    // A trace with an HTTP packet well below the first screen of the filter `HTTP` (and above its
    // last one, so that it can be scrolled to the middle), and a packet without HTTP, which that filter leaves out.
    const traces = new Map<string, Rec[]>();
    for (const r of records) if (r[TRACE_KEY]) { const l = traces.get(r[TRACE_KEY]) ?? []; l.push(r); traces.set(r[TRACE_KEY], l); }
    const httpIndex = (rs: Rec[]) => http.indexOf(Number(rs.find((r) => r.HTTP)?.pcap.num));
    const [id, carriers] = [...traces].find(([, rs]) => httpIndex(rs) > 50 && httpIndex(rs) < http.length - 20 && rs.some((r) => !r.HTTP))!;
    const inView = Number(carriers.find((r) => r.HTTP)!.pcap.num);
    const outside = Number(carriers.find((r) => !r.HTTP)!.pcap.num);
    const index = http.indexOf(inView);
    const p = await newPage(server.url);
    await openFile(p, H1);
    expect((await applyFilter(p, 'HTTP')).count).toBe(http.length);
    const short = id.slice(id.lastIndexOf('/') + 1);
    // A link to the trace with the filter (the hash is the page's state).
    await p.evaluate((h) => { location.hash = `q=HTTP&trace=${h}`; }, short);
    await p.waitForSelector(`[data-testid=trace-row][data-num="${inView}"]`);
    await p.click(`[data-testid=trace-row][data-num="${inView}"]`);
    await p.waitForFunction((n) => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === String(n), inView);
    expect(await p.textContent('[data-testid=record-text]')).toBe(records[inView]!.line);
    expect(hashOf(p).get('q')).toBe('HTTP');
    expect(await p.inputValue('[data-testid=filter]')).toBe('HTTP');
    expect(await shown(p)).toBe(http.length);
    expect(await cursorOf(p, 'packets')).toBe(index);
    expect(await p.locator('[data-testid=outside-filter]').count()).toBe(0);
    // In sight with the rows around it.
    const sight = await p.evaluate((i) => {
      const body = document.querySelector('[data-testid=packets] .vbody')!.getBoundingClientRect();
      const row = (k: number) => document.querySelector(`[data-testid=packets] [data-index="${k}"]`)?.getBoundingClientRect();
      const inside = (r: DOMRect | undefined) => !!r && r.top >= body.top - 1 && r.bottom <= body.bottom + 1;
      const mid = (row(i)!.top - body.top) / body.height;
      return [inside(row(i - 1)), inside(row(i)), inside(row(i + 1)), mid > 0.3 && mid < 0.7];
    }, index);
    expect(sight).toEqual([true, true, true, true]); // the neighbours in sight, the packet in the middle
    expect(Number(await p.textContent(`[data-testid=packets] [data-index="${index - 1}"] [role=gridcell]`))).toBe(http[index - 1]);
    // Back to the waterfall; the packet the filter leaves out.
    await p.goBack();
    await p.waitForSelector(`[data-testid=trace-row][data-num="${outside}"]`);
    await p.click(`[data-testid=trace-row][data-num="${outside}"]`);
    await p.waitForFunction((n) => document.querySelector('[data-testid=detail]')?.getAttribute('data-num') === String(n), outside);
    expect(await p.textContent('[data-testid=record-text]')).toBe(records[outside]!.line);
    expect(await p.textContent('[data-testid=outside-filter]')).toContain(`The filter leaves packet #${outside} out of the ${http.length} packets shown.`);
    expect(await p.getAttribute('.filterbar', 'data-applied')).toBe('HTTP');
    await p.click('[data-testid=show-all]');
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied === '' && document.querySelector<HTMLElement>('.filterbar')!.dataset.filterState === 'ok');
    await p.waitForFunction((n) => document.querySelector('[data-testid=packets] [aria-selected=true]')?.getAttribute('data-index') === String(n), outside);
    expect(await detailNum(p)).toBe(String(outside));
    expect(await p.locator('[data-testid=outside-filter]').count()).toBe(0);
    await p.context().close();
  }, 120_000);

  it('time display: UTC, local, since the first packet, since the previous row, in tables, the detail, the waterfall and the timeline axis and legend', async () => {
    const records = cli(EXAMPLE);
    const times = records.map(msOf);
    const first = times[0]!, last = Math.max(...times);
    const p = await examplePage({ timezoneId: ZONE });
    const header = () => p.textContent('[data-testid=packets] [role=columnheader] >> nth=1');
    const cells = () => p.$$eval('[data-testid=packet-row]', (rows) => rows.slice(0, 12).map((r) => [Number(r.children[0]!.textContent), r.children[1]!.textContent]));
    const expectCells = async (want: (i: number) => string) => {
      await p.waitForFunction((w) => document.querySelector('[data-testid=packet-row] [role=gridcell]:nth-child(2)')?.textContent === w, want(0));
      for (const [num, text] of await cells()) expect(text, `packet ${num}`).toBe(want(num as number));
    };
    /** The timeline's x tick labels (as drawn) and, with the pointer on the chart, the legend's time. */
    const chart = async () => {
      await p.click('[data-testid=tab-timeline]');
      await p.waitForSelector('[data-testid=timeline-packets] canvas');
      const ticks = JSON.parse((await p.getAttribute('[data-testid=timeline-packets]', 'data-x-ticks'))!) as string[];
      const box = (await p.locator('[data-testid=timeline-packets] .u-over').boundingBox())!;
      await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const legend = (await p.textContent('[data-testid=timeline-packets] .u-legend .u-series:first-child .u-value'))!;
      const label = (await p.textContent('[data-testid=timeline-packets] .u-legend .u-series:first-child .u-label'))!;
      await p.mouse.move(0, 0);
      await p.click('[data-testid=tab-packets]');
      return { ticks: ticks.filter(Boolean), legend, label };
    };
    const sod = (ms: number, off = 0) => (((Math.floor(ms / 1000) + off * 60) % 86400) + 86400) % 86400 + (ms % 1000) / 1000;
    const inDay = (s: number, off: number) => s >= sod(first, off) - 1 && s <= sod(last, off) + 1;

    // UTC (the default).
    expect(await header()).toBe('Time (UTC)');
    await expectCells((i) => hms(times[i]!));
    let c = await chart();
    expect(c.ticks.length).toBeGreaterThan(2);
    for (const t of c.ticks) { expect(t).toMatch(/^\d\d:\d\d:\d\d(\.\d{1,6})?$/); expect(inDay(secondsOfDay(t), 0), t).toBe(true); }
    expect(c.label).toMatch(/^Time \(UTC\)/);
    expect(c.legend).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
    expect(inDay(secondsOfDay(c.legend), 0)).toBe(true);
    await p.click('[data-testid=packet-row] >> nth=3');
    const d = new Date(Math.floor(times[3]!)).toISOString().slice(0, 10);
    await p.waitForFunction((w) => document.querySelector('[data-testid=detail-time]')?.textContent === w, `${d} ${hms(times[3]!)} UTC`);
    const utcTicks = c.ticks;

    // Local time: UTC+05:30 in this context.
    await p.selectOption('[data-testid=time-mode]', 'local');
    expect(await header()).toBe('Time (local)');
    await expectCells((i) => hms(times[i]!, OFFSET_MIN));
    await p.waitForFunction((w) => document.querySelector('[data-testid=detail-time]')?.textContent?.endsWith(w), `${hms(times[3]!, OFFSET_MIN)} local (UTC+05:30)`);
    c = await chart();
    expect(c.ticks).not.toEqual(utcTicks);
    for (const t of c.ticks) expect(inDay(secondsOfDay(t), OFFSET_MIN), t).toBe(true);
    expect(c.label).toMatch(/^Time \(local\)/);
    expect(inDay(secondsOfDay(c.legend), OFFSET_MIN)).toBe(true);

    // Seconds since the first packet.
    await p.selectOption('[data-testid=time-mode]', 'rel');
    expect(await header()).toBe('Time (s since first)');
    await expectCells((i) => ((times[i]! - first) / 1000).toFixed(6));
    await p.waitForFunction((w) => document.querySelector('[data-testid=detail-time]')?.textContent === w, `+${((times[3]! - first) / 1000).toFixed(6)} s after the first packet`);
    c = await chart();
    for (const t of c.ticks) { expect(t).toMatch(/^-?\d+(\.\d+)? s$/); const v = parseFloat(t); expect(v).toBeGreaterThanOrEqual(-0.001); expect(v).toBeLessThanOrEqual((last - first) / 1000 + 0.001); }
    expect(c.label).toMatch(/^Time \(s since first\)/);
    expect(c.legend).toMatch(/^\d+\.\d{6}$/);

    // Seconds since the previous row: of the rows as shown (here the filter's).
    await p.selectOption('[data-testid=time-mode]', 'delta');
    expect(await header()).toBe('Time (s since previous)');
    await expectCells((i) => (i === 0 ? '0.000000' : ((times[i]! - times[i - 1]!) / 1000).toFixed(6)));
    const http = records.map((r, i) => [i, r] as const).filter(([, r]) => r.HTTP).map(([i]) => i);
    await applyFilter(p, 'HTTP');
    const rows = await cells();
    expect(rows[0]![1]).toBe('0.000000');
    for (let k = 1; k < rows.length; k++) expect(rows[k]![1]).toBe(((times[http[k]!]! - times[http[k - 1]!]!) / 1000).toFixed(6));
    await applyFilter(p, '');
    // The waterfall in delta mode: its first packet 0, then from the row above.
    await p.click('[data-testid=tab-traces]');
    await p.click('[data-testid=traces-row]');
    await p.waitForSelector('[data-testid=trace-row]');
    const wf = await p.$$eval('[data-testid=trace-row]', (rs) => rs.map((r) => [Number(r.getAttribute('data-num')), r.querySelector('.wf-time')!.textContent]));
    expect(wf[0]![1]).toBe('0.000000');
    for (let k = 1; k < wf.length; k++) expect(wf[k]![1]).toBe(((times[wf[k]![0] as number]! - times[wf[k - 1]![0] as number]!) / 1000).toFixed(6));
    await p.screenshot({ path: join(ARTIFACTS, 'ui-waterfall-delta.png') });
    await p.selectOption('[data-testid=time-mode]', 'utc');
    await p.context().close();
  }, 120_000);

  it('loading a large capture: never "no capture is open", the filter counts what is loaded so far, progress shown, counts with separators', async () => {
    const big = join(dir, 'large.pcap');
    const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen.js'), 'http', big, String(40 << 20)], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Samples the page on every change while it loads.
    await context.addInitScript(() => {
      const seen = { noCapture: 0, errorWhileLoading: 0, counts: [] as string[], progress: 0 };
      (window as unknown as { seen: typeof seen }).seen = seen;
      const check = () => {
        if (!document.body) return;
        if (document.body.textContent?.includes('no capture is open')) seen.noCapture++;
        if (document.body.dataset.state !== 'loading') return;
        if (document.querySelector<HTMLElement>('.filterbar')?.dataset.filterState === 'error' || document.querySelector('[data-testid=filter-error]')) seen.errorWhileLoading++;
        if (document.querySelector('[data-testid=progress]')) seen.progress++;
        const t = document.querySelector('[data-testid=filter-count]')?.textContent;
        if (t && seen.counts[seen.counts.length - 1] !== t) seen.counts.push(t);
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    type Seen = { noCapture: number; errorWhileLoading: number; counts: string[]; progress: number };
    const sample = async (): Promise<Seen> => {
      const seen = await p.evaluate(() => { const w = window as unknown as { seen: Seen }; const s = { ...w.seen }; w.seen.counts = []; w.seen.noCapture = w.seen.errorWhileLoading = w.seen.progress = 0; return s; });
      expect(seen.noCapture).toBe(0);
      expect(seen.errorWhileLoading).toBe(0);
      expect(seen.progress).toBeGreaterThan(0);
      return seen;
    };
    const p = await context.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    // No filter: the page asks for the view as loading starts, before the worker has a capture
    // open (it answers "no capture is open"): asked again as loading goes on, never an error.
    await p.goto(server.url);
    await openFile(p, big);
    // (The last sample may be the final text: the body's data-state follows the render.)
    const unfiltered = (await sample()).counts;
    for (const t of unfiltered) expect(t).toMatch(/^\d{1,3}(,\d{3})* packets(, loaded so far)?$/);
    expect(unfiltered.filter((t) => t.endsWith(', loaded so far')).length).toBeGreaterThan(1);
    // A filter in place: it applies while the capture loads again (the same file chosen again opens again).
    await applyFilter(p, 'HTTP.code >= 200');
    await openFile(p, big);
    const seen = await sample();
    // The filter's count over what was loaded so far, before loading ended (how often depends on
    // how soon the worker answers a filter while it loads), never going down.
    const loading = seen.counts.map((t) => /^([\d,]+) of ([\d,]+) packets match the filter, loaded so far$/.exec(t)).filter((m) => m !== null);
    expect(loading.length).toBeGreaterThan(0);
    const nums = loading.map((m) => Number(m![1]!.replace(/,/g, '')));
    expect(nums.some((n) => n > 0)).toBe(true);
    for (let k = 1; k < nums.length; k++) expect(nums[k]).toBeGreaterThanOrEqual(nums[k - 1]!);
    // Once loaded: every count with separators.
    const total = Number(spawnSync('capinfos', ['-M', '-c', '-T', '-r', big], { encoding: 'utf8' }).stdout.trim().split('\t').pop());
    expect(total).toBeGreaterThan(100_000);
    const text = (await p.textContent('[data-testid=filter-count]'))!;
    expect(text).toMatch(/^\d{1,3}(,\d{3})* of \d{1,3}(,\d{3})* packets match the filter$/);
    expect(text).toContain(`of ${total.toLocaleString('en')} packets`);
    await applyFilter(p, '');
    expect(await p.textContent('[data-testid=filter-count]')).toBe(`${total.toLocaleString('en')} packets`);
    await p.click('[data-testid=tab-http]');
    await p.waitForSelector('[data-testid=latency-histogram] canvas');
    expect(await p.textContent('[data-testid=view-count]')).toMatch(/^\d{1,3}(,\d{3})+ exchanges$/);
    await p.screenshot({ path: join(ARTIFACTS, 'ui-http-large.png') });
    // More exchanges than one HAR holds (MAX_HAR_EXCHANGES): the file has the first 20,000 and
    // says how many there were, and so does the page.
    const exchanges = Number(((await p.textContent('[data-testid=view-count]')) ?? '').replace(/[^\d]/g, ''));
    expect(exchanges).toBeGreaterThan(20_000);
    const [download] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.click('[data-testid=export-har]')]);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: unknown[]; comment?: string } };
    expect(har.log.entries.length).toBe(20_000);
    const said = `the first 20,000 of ${exchanges.toLocaleString('en-US')} exchanges (MAX_HAR_EXCHANGES)`;
    expect(har.log.comment).toContain(said);
    await p.waitForSelector('[data-testid=export-note]');
    expect(await p.textContent('[data-testid=export-note]')).toContain(`The HAR holds ${said}`);
    await context.close();
  }, 180_000);

  it('a small storage quota: a capture past it loads whole with the index in memory, or, past the memory setting too, says exactly which packets it kept; the views agree', async () => {
    const big = join(dir, 'quota.pcap');
    const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen.js'), 'http', big, String(40 << 20)], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const total = Number(spawnSync('capinfos', ['-M', '-c', '-T', '-r', big], { encoding: 'utf8' }).stdout.trim().split('\t').pop());
    expect(total).toBeGreaterThan(3 * 65536);
    // A quota smaller than the index of this capture (Chromium's DevTools protocol sets it for
    // the origin, as a private window or a full disk would have it).
    const open = async (query: string) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(`${server.url}${query}`);
      const cdp = await context.newCDPSession(p);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: 6_000_000 });
      await openFile(p, big);
      expect(await p.evaluate(() => document.body.dataset.state)).toBe('ready');
      return { p, context, notices: (await p.textContent('[data-testid=notices]')) ?? '' };
    };
    // 1. The default memory setting holds this index: every packet, and one line saying where the index went.
    {
      const { p, context, notices } = await open('');
      expect(notices).toMatch(/^The packet index is kept in memory \(the browser's storage refused more \(QuotaExceededError/);
      expect(await shown(p)).toBe(total);
      await p.screenshot({ path: join(ARTIFACTS, 'ui-quota-memory.png') });
      // The NDJSON export goes to an OPFS file until the quota, the rest in memory: the CLI's bytes all the same.
      const [download] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.getByRole('button', { name: 'Export NDJSON' }).click()]);
      const got = spawnSync('sha256sum', [(await download.path())!], { encoding: 'utf8' }).stdout.split(' ')[0];
      const want = spawnSync('sh', ['-c', `node "${join(ROOT, 'bin', 'tracecap.js')}" "${big}" | sha256sum`], { encoding: 'utf8' }).stdout.split(' ')[0];
      expect(got).toBe(want);
      await context.close();
    }
    // 2. A memory setting smaller than the rest of the index: loading stops at a segment's end and
    // the line says how many packets are kept; every view shows those and no others.
    {
      const { p, context, notices } = await open('?memory=16');
      const m = /the first ([\d,]+) packets are shown/.exec(notices);
      expect(m, notices).not.toBeNull();
      expect(notices).toContain('16 MiB');
      expect(notices).toContain("the browser's storage refused more");
      const kept = Number(m![1]!.replace(/,/g, ''));
      expect(kept % 65536).toBe(0);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(total);
      expect(await shown(p)).toBe(kept);
      await p.screenshot({ path: join(ARTIFACTS, 'ui-quota-stopped.png') });
      // The app's memory account: the index in memory stays within the setting.
      const account = await p.evaluate(() => (window as unknown as { __tracecap: { memory(): Promise<Record<string, number>> } }).__tracecap.memory());
      expect(account.indexSegmentsInMemory).toBeGreaterThan(0);
      expect(account.indexSegmentsInMemory).toBeLessThanOrEqual(16 << 20);
      expect(account.exchangeColumns).toBeGreaterThan(0);
      // The CLI's first `kept` records are the app's packets: a filter counts alike.
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), '-c', String(kept), big], { maxBuffer: 1 << 30, encoding: 'utf8' });
      const lines = r.stdout.split('\n').filter(Boolean);
      expect(lines.length).toBe(kept);
      const syns = lines.map((l) => JSON.parse(l) as Rec).filter((x) => x.L4?.dst === 8080 && !String(x.L4?.flags?.str ?? '').includes('ACK')).length;
      expect((await applyFilter(p, 'L4.dst == 8080 and not L4.flags.str ~ ACK')).count).toBe(syns);
      expect((await applyFilter(p, `pcap.num >= ${kept}`)).count).toBe(0);
      await applyFilter(p, '');
      // Connections and exchanges: only those with a packet among the kept ones.
      await p.click('[data-testid=tab-conns]');
      await p.waitForSelector('[data-testid=conn-row]');
      const conns = Number(((await p.textContent('[data-testid=view-count]')) ?? '').replace(/[^\d]/g, ''));
      const flows = new Set(lines.map((l) => (JSON.parse(l) as Rec).flow).filter(Boolean));
      expect(conns).toBeGreaterThan(0);
      expect(conns).toBeLessThanOrEqual(flows.size);
      await p.click('[data-testid=tab-http]');
      await p.waitForSelector('[data-testid=http-row]');
      await context.close();
    }
  }, 240_000);

  it('texts: one exchange, no "projects//traces/" without a project, the full name with one', async () => {
    const p = await examplePage();
    await p.click('[data-testid=tab-traces]');
    await p.click('[data-testid=traces-row]');
    await p.waitForSelector('[data-testid=trace-row]');
    const summary = (await p.textContent('[data-testid=trace-summary]'))!;
    const n = await p.locator('[data-testid=trace-exchange]').count();
    const k = await p.locator('[data-testid=trace-row]').count();
    expect(summary).toContain(`${k} packet${k === 1 ? '' : 's'} · ${n} exchange${n === 1 ? '' : 's'} ·`);
    expect(n).toBe(1);
    expect(summary).toContain('· 1 exchange ·');
    const id = (await p.getAttribute('[data-testid=waterfall]', 'data-trace'))!;
    expect(id.startsWith('projects//traces/')).toBe(true);
    expect(await p.textContent('[data-testid=trace-id]')).toBe(id.slice('projects//traces/'.length));
    expect(await p.evaluate(() => document.body.innerText.includes('projects//traces/'))).toBe(false);
    await p.click('[data-testid=tab-http]');
    expect(await p.textContent('[data-testid=view-count]')).toMatch(/^\d+ exchanges$/);
    await p.context().close();
    // With a project the name is the whole one.
    const q = await newPage(`${example.url}&project=p-1#trace=${id.slice(id.lastIndexOf('/') + 1)}`);
    await q.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    await q.waitForSelector('[data-testid=trace-id]');
    expect(await q.textContent('[data-testid=trace-id]')).toMatch(/^projects\/p-1\/traces\/[0-9a-f]+$/);
    await q.context().close();
  }, 60_000);

  it('the filter bar: the error underlined where it is, field names completed from the capture, the help popover', async () => {
    const records = cli(H1);
    const p = await newPage(server.url);
    await openFile(p, H1);
    // Errors: the underline covers what the error is about, and sits under those characters.
    for (const [q, from, to] of [['HTTP.code >= ', 13, 14], ['L3.src == 10.0.0.1 or or', 22, 24], ['HTTP.url =~ 5', 12, 13]] as const) {
      const r = await applyFilter(p, q);
      expect(r.ok, q).toBe(false);
      expect(r.error).toMatch(new RegExp(`at ${from}$`));
      const mark = p.locator('[data-testid=filter-error-mark]');
      expect([Number(await mark.getAttribute('data-from')), Number(await mark.getAttribute('data-to'))], q).toEqual([from, to]);
      const offset = await p.evaluate(({ q, from }) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid=filter]')!;
        const cs = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = cs.font;
        const x = input.getBoundingClientRect().left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft) + ctx.measureText(q.slice(0, from)).width - input.scrollLeft;
        return document.querySelector('[data-testid=filter-error-mark]')!.getBoundingClientRect().left - x;
      }, { q, from });
      expect(Math.abs(offset), q).toBeLessThan(1.5);
      if (from === 22) await p.screenshot({ path: join(ARTIFACTS, 'ui-filter-error.png') });
    }
    // Completion: once a word is begun, from the capture's fields first; arrows move, Tab accepts,
    // Enter accepts only a proposal chosen with the arrows (else it applies what was typed), Esc closes.
    await p.fill('[data-testid=filter]', '');
    await p.focus('[data-testid=filter]');
    await p.keyboard.type('L');
    await p.waitForSelector('[data-testid=completions]');
    const items = await p.$$eval('[data-testid=completion] .c-label', (e) => e.map((x) => x.textContent));
    expect(items.slice(0, 3)).toEqual(['L2', 'L3', 'L4']);
    expect(items).toContain('local');
    await p.screenshot({ path: join(ARTIFACTS, 'ui-completion.png') });
    await p.keyboard.press('ArrowDown');
    expect(await p.textContent('[data-testid=completion][aria-selected=true] .c-label')).toBe('L3');
    await p.keyboard.press('Tab');
    expect(await p.inputValue('[data-testid=filter]')).toBe('L3');
    await p.keyboard.type('.src == 127.0.0.1 and ');
    // Between words no list is open (the list renders after the input event: on a loaded machine a
    // moment later than the keystroke).
    await p.waitForSelector('[data-testid=completions]', { state: 'detached', timeout: 5000 });
    await p.keyboard.type('HT');
    await p.waitForSelector('[data-testid=completions]');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Enter');
    expect(await p.inputValue('[data-testid=filter]')).toBe('L3.src == 127.0.0.1 and HTTP');
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied === 'L3.src == 127.0.0.1 and HTTP');
    expect(await shown(p)).toBe(records.filter((r) => r.L3?.src === '127.0.0.1' && r.HTTP).length);
    await p.keyboard.type(' and not H');
    await p.waitForSelector('[data-testid=completions]');
    await p.keyboard.press('Escape');
    expect(await p.locator('[data-testid=completions]').count()).toBe(0);
    expect(await p.inputValue('[data-testid=filter]')).toBe('L3.src == 127.0.0.1 and HTTP and not H');
    // Enter with proposals open but none chosen: applied as typed (here an unknown field, an error).
    await p.fill('[data-testid=filter]', '');
    await p.keyboard.type('HTTP.c');
    await p.waitForSelector('[data-testid=completions]');
    expect(await p.$$eval('[data-testid=completion] .c-label', (e) => e.map((x) => x.textContent))).toContain('HTTP.code');
    await p.keyboard.press('Enter');
    expect(await p.inputValue('[data-testid=filter]')).toBe('HTTP.c');
    expect(await p.locator('[data-testid=completions]').count()).toBe(0);
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.filterState === 'error');
    await p.fill('[data-testid=filter]', 'HTTP.code == 2');
    await p.keyboard.type('0');
    expect(await p.locator('[data-testid=completions]').count()).toBe(0);
    // Help: the "?" button, and "?" typed into an empty filter; an example fills the filter.
    await p.click('[data-testid=filter-help-button]');
    await p.waitForSelector('[data-testid=filter-help]');
    const help = (await p.textContent('[data-testid=filter-help]'))!;
    for (const op of ['==', '!=', '>=', '~', '=~', 'and', 'or', 'not']) expect(help).toContain(op);
    await p.screenshot({ path: join(ARTIFACTS, 'ui-help.png') });
    await p.click('[data-testid=filter-help-button]');
    expect(await p.locator('[data-testid=filter-help]').count()).toBe(0);
    await p.fill('[data-testid=filter]', '');
    await p.focus('[data-testid=filter]');
    await p.keyboard.press('?');
    await p.waitForSelector('[data-testid=filter-help]');
    expect(await p.inputValue('[data-testid=filter]')).toBe('');
    await p.click('[data-testid=filter-help] button.link >> nth=0');
    expect(await p.locator('[data-testid=filter-help]').count()).toBe(0);
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied === 'HTTP.code >= 400');
    // "?" in a filter that has text is a character.
    await p.keyboard.type('?');
    expect(await p.inputValue('[data-testid=filter]')).toBe('HTTP.code >= 400?');
    await p.context().close();
  }, 120_000);

  it('every view asks again when the filter changes; the exports say they follow it', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Counts the page's requests to its worker by op.
    await context.addInitScript(() => {
      const asked: string[] = [];
      (window as unknown as { asked: string[] }).asked = asked;
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (this: Worker, m: unknown, t?: unknown) {
        const op = (m as { req?: { op?: string } } | null)?.req?.op;
        if (op) asked.push(op);
        return post.call(this, m, t as Transferable[]);
      } as typeof Worker.prototype.postMessage;
    });
    const p = await context.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(example.url);
    await p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    await filterSettled(p);
    const asked = (op: string) => p.evaluate((op) => (window as unknown as { asked: string[] }).asked.filter((x) => x === op).length, op);
    expect(await p.getAttribute('[data-testid=export-filtered]', 'disabled')).not.toBe(null);
    expect(await p.textContent('[data-testid=export-har]')).toBe('Export HAR');
    let q = 0;
    for (const [tab, op, ready] of [['conns', 'conns', 'conn-row'], ['http', 'http', 'http-row'], ['traces', 'traces', 'traces-row'], ['timeline', 'timeline', 'timeline-packets']] as const) {
      await p.click(`[data-testid=tab-${tab}]`);
      await p.waitForSelector(`[data-testid=${ready}]`);
      // The filter bar is above every view and says what it counts.
      expect(await p.isVisible('[data-testid=filter]')).toBe(true);
      expect(await p.textContent('[data-testid=filter-count]')).toMatch(/packets/);
      const before = await asked(op);
      const r = await applyFilter(p, q++ % 2 ? 'HTTP' : 'L4.src == 28091');
      expect(r.ok).toBe(true);
      await p.waitForFunction(({ op, n }) => (window as unknown as { asked: string[] }).asked.filter((x) => x === op).length > n, { op, n: before });
      expect(await p.textContent('[data-testid=filter-count]')).toMatch(/^\d+ of 60 packets match the filter$/);
    }
    const n = await shown(p);
    expect(await p.textContent('[data-testid=export-filtered]')).toBe(`Export filtered (${n})`);
    expect(await p.getAttribute('[data-testid=export-filtered]', 'title')).toBe(`The ${n} record${n === 1 ? '' : 's'} the filter selects`);
    expect(await p.textContent('[data-testid=export-har]')).toBe('Export HAR (filtered)');
    expect(await p.getAttribute('[data-testid=export-har]', 'title')).toMatch(/the filter selects/);
    await context.close();
  }, 60_000);

  it('dark mode follows prefers-color-scheme, charts included; screenshots of every view', async () => {
    // The y axis labels' pixels of the packets/s chart: their mean luminance (light text on dark, dark on light).
    const axisLuminance = (p: Page) => p.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=timeline-packets] canvas')!;
      const over = document.querySelector('[data-testid=timeline-packets] .u-over')!.getBoundingClientRect();
      const box = canvas.getBoundingClientRect();
      const scale = canvas.width / box.width;
      const w = Math.floor((over.left - box.left - 12) * scale), h = Math.floor((over.bottom - box.top) * scale);
      const px = canvas.getContext('2d')!.getImageData(0, 0, w, h).data;
      let sum = 0, n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 200) { sum += 0.2126 * px[i]! + 0.7152 * px[i + 1]! + 0.0722 * px[i + 2]!; n++; }
      return n ? sum / n : NaN;
    });
    const bodyLuminance = (p: Page) => p.evaluate(() => { const m = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number); return 0.2126 * m[0]! + 0.7152 * m[1]! + 0.0722 * m[2]!; });
    for (const scheme of ['light', 'dark'] as const) {
      const p = await examplePage({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      const suffix = scheme === 'dark' ? '-dark' : '';
      if (scheme === 'dark') expect(await bodyLuminance(p)).toBeLessThan(60); else expect(await bodyLuminance(p)).toBeGreaterThan(200);
      await p.click('[data-testid=packet-row] >> nth=3');
      await p.waitForSelector('[data-testid=detail]');
      await p.screenshot({ path: join(ARTIFACTS, `ui-packets${suffix}.png`) });
      for (const [tab, ready] of [['conns', 'conn-row'], ['http', 'latency-histogram'], ['traces', 'traces-row'], ['timeline', 'timeline-packets']] as const) {
        await p.click(`[data-testid=tab-${tab}]`);
        await p.waitForSelector(`[data-testid=${ready}]`);
        if (tab === 'http') await p.waitForSelector('[data-testid=latency-histogram] canvas');
        if (tab === 'timeline') await p.waitForSelector('[data-testid=timeline-packets] canvas');
        await p.screenshot({ path: join(ARTIFACTS, `ui-${tab}${suffix}.png`) });
      }
      const lum = await axisLuminance(p);
      if (scheme === 'dark') expect(lum).toBeGreaterThan(150); else expect(lum).toBeLessThan(100);
      // The scheme changing under an open chart: it is drawn again in the other colours.
      await p.emulateMedia({ colorScheme: scheme === 'dark' ? 'light' : 'dark' });
      if (scheme === 'dark') await expect.poll(() => axisLuminance(p)).toBeLessThan(100); else await expect.poll(() => axisLuminance(p)).toBeGreaterThan(150);
      await p.emulateMedia({ colorScheme: scheme });
      await p.click('[data-testid=tab-traces]');
      await p.click('[data-testid=traces-row]');
      await p.waitForSelector('[data-testid=trace-row]');
      await p.screenshot({ path: join(ARTIFACTS, `ui-waterfall${suffix}.png`) });
      await p.context().close();
    }
  }, 120_000);

  it('no uncaught error in any page', () => { expect(errors).toEqual([]); });
});
