// npm run bench:app — the browser app (build/app) on large captures, in Debian's Chromium
// (/usr/bin/chromium, driven by playwright-core; never a downloaded browser). A benchmark, not a
// timed test: it measures and reports each of issue 20's goals, met or not, and fails only when
// it cannot measure (a page that crashes or does not answer fails the run, with the reason).
// For each size (default 1,000,000 and 5,000,000 packets):
//   1. a capture of N packets cut from bench/gen.js's http kind (kept in bench/data/)
//   2. the CLI's DEBUG run on it (`node bin/tracecap.js FILE > /dev/null`, default options and
//      threads), median of 3; one more run counts the bytes of its output (the NDJSON export's
//      reference)
//   3. `serveApp` with that capture; the page opened at its ?url= on a fresh profile, and its
//      phases one after the other, each with its own peak memory (the tab's renderer, PSS, its
//      workers included, sampled every 250 ms) and its own long main-thread tasks:
//        loading    navigation start → body[data-state=ready]
//        scrolling  the packet table, by the wheel and the keyboard
//        detail     a click on a row near the start, the middle and the end of the table, each
//                   timed until the detail pane ([data-testid=detail]) shows that packet
//        filter …   each of FILTERS typed into [data-testid=filter], timed from the last key until
//                   the app answered for that text (the filter bar's data-filter-state)
//        export …   "Export NDJSON" (its size against the CLI's output), "Export HAR", and
//                   "Export filtered" after EXPORT_FILTER: each timed from the click until the
//                   download is written; the downloaded files are deleted
//   4. a markdown report on stdout, also written into bench/results.md under its own heading
// Long main-thread tasks come from a PerformanceObserver('longtask') installed before the app's
// scripts run; Chromium reports only tasks of 50 ms or more, so "none" means every task was shorter.
//   node bench/app.js [--packets N[,N…]] [--root DIR]
//     --packets N,…  the sizes (default 1000000,5000000); e.g. 100000 for a quick run
//     --root DIR     serve DIR instead of build/app (development: a stand-in page checks this
//                    harness); results.md is then left alone
import { spawnSync, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.js';
import { browserPidOf, memorySampler } from './chromium-memory.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({ options: { packets: { type: 'string' }, root: { type: 'string' } } });
const SIZES = [...new Set((opts.packets ?? '1000000,5000000').split(',').map((s) => Number(s.trim())))].sort((a, b) => a - b);
for (const n of SIZES) if (!Number.isSafeInteger(n) || n < 1) fail(`--packets needs positive integers separated by commas, not ${JSON.stringify(opts.packets)}`);
const appDir = opts.root ?? join(root, 'build', 'app');
const writeResults = opts.root === undefined;
const dataDir = join(root, 'bench', 'data');
const cli = join(root, 'bin', 'tracecap.js');
const CHROMIUM = '/usr/bin/chromium';
// ForceEagerMeasureMemory: performance.measureUserAgentSpecificMemory() answers at once instead
// of at the next garbage collection (up to 20 s), so each phase's end can be measured.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-blink-features=ForceEagerMeasureMemory'];
const HEADING = '## Browser app (npm run bench:app)';
/**
 * Typed into the filter after opening details, each from the whole capture. In gen.js's http
 * traffic the clients are 10.0.x.y and the server 10.100.0.1 (port 8080), it answers 200 only,
 * and every packet has TTL 64. `L3.ttl` is not in the app's index: that filter renders every
 * record again. `bpf`: the same packets as a tcpdump filter, which the CLI applies (through the
 * machine's libpcap) to count what the app should show.
 */
const FILTERS = [
  { q: 'HTTP.code >= 500', about: 'none (every answer is 200)' },
  { q: 'L4.dst == 8080 and not L4.flags.str ~ ACK', about: "the clients' SYNs", bpf: 'tcp dst port 8080 and tcp[tcpflags] & tcp-ack == 0' },
  { q: 'HTTP.method == GET', about: 'the requests, HTTP/1.1 and h2c' },
  { q: 'L3.src == 10.0.0.0/16', about: "the clients' packets, not the server's (CIDR)", bpf: 'src net 10.0.0.0/16' },
  { q: '"GET"', about: 'free text' },
  { q: 'L3.ttl == 64', about: 'every packet; a field the index does not hold', bpf: 'ip[8] == 64' },
];
/** The filter before "Export filtered" (one of FILTERS, so its count is known). */
const EXPORT_FILTER = FILTERS[1].q;
const FILTER_GOAL_MS = 2000;
const READY_GOAL = 2; // × the CLI's time
const MEMORY_GOAL = 400e6; // bytes
const TASK_GOAL_MS = 50;
const SAMPLE_MS = 250;
const SCROLL_MS = 4000;
const KEY_DELAY_MS = 20;

function fail(message) { process.stderr.write(`bench/app.js: ${message}\n`); process.exit(1); }
const log = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load1 = () => fmt(loadavg()[0], 1);

if (!existsSync(join(appDir, 'index.html'))) fail(`${join(appDir, 'index.html')} is missing: the browser app is not built (run \`npm run build\`)`);
const appModule = join(root, 'dist', 'runtimes', 'node', 'app.js');
if (!existsSync(appModule)) fail(`${appModule} is missing: run \`npm run build\``);
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing (apt-get install chromium); this bench uses the system's Chromium only`);
const { serveApp } = await import(appModule);
// What the CLI's default (--threads auto) means on this machine: defaultThreads() threads for a
// file of PARALLEL_MIN_BYTES or more (every capture here), one below.
const { defaultThreads } = await import(join(root, 'dist', 'runtimes', 'node', 'parallel.js'));
const { PARALLEL_MIN_BYTES } = await import(join(root, 'dist', 'runtimes', 'node', 'cli.js'));
const { chromium } = await import('playwright-core');

// As in bench/run.js: child Node processes without NODE_EXTRA_CA_CERTS / NODE_OPTIONS, which
// would add their start-up cost to the CLI's time; without PROJECT_ID, which the CLI (not the
// app) would write into trace names, so the NDJSON export and the CLI's output compare.
const childEnv = { ...process.env };
delete childEnv.NODE_EXTRA_CA_CERTS; delete childEnv.NODE_OPTIONS; delete childEnv.PROJECT_ID;

const packetsOf = (file) => Number(execFileSync(process.execPath, [join(root, 'bench', 'walk.js'), file]).toString().trim());
const labelOf = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const rel = (p) => p.slice(root.length + 1);
const startedAt = new Date();
const loadAtStart = load1();

// ---- cleanup -------------------------------------------------------------------------------------
// What the run has open (a server, a browser, a profile directory): closed on the way out, also
// on Ctrl-C or a kill.
const openThings = new Set();
async function cleanupAll() { for (const c of [...openThings].reverse()) { openThings.delete(c); await c().catch((e) => log(`cleanup: ${e.message}`)); } }
// An interrupted run reports nothing (results.md is left alone).
let interrupted = null;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => { interrupted = sig; log(`${sig}: cleaning up, no report`); void cleanupAll().finally(() => process.exit(130)); });

// ---- 1. the captures -----------------------------------------------------------------------------
// The http kind is keep-alive HTTP/1.1 (12 connections in 13) and prior-knowledge h2c with HPACK
// (1 in 13, with 4 times the exchanges: a quarter of them), trace headers on two requests in
// three. gen.js sizes by bytes, so a prefix of it is cut to exactly N packets with editcap; the
// generator is deterministic, so every capture is the start of the same traffic, and of
// bench/run.js's captures too (its http-200k.pcap is this script's --packets 200000; its
// http-1g.pcap, when present, is cut from rather than generating anew).
mkdirSync(dataDir, { recursive: true });
const captures = new Map(SIZES.map((n) => [n, join(dataDir, `http-${labelOf(n)}.pcap`)]));
let generation = null; // { ms, bytes, packets } when this run generated traffic
{
  const missing = SIZES.filter((n) => !existsSync(captures.get(n)) || packetsOf(captures.get(n)) !== n);
  if (missing.length) {
    const most = Math.max(...missing);
    const big = join(dataDir, 'http-1g.pcap');
    let src = big;
    if (!existsSync(big) || packetsOf(big) < most) {
      src = join(dataDir, 'http-app-prefix.pcap');
      const t0 = performance.now();
      // About 180 bytes a packet on average; generate more until there are enough.
      for (let bytes = most * 200; ; bytes *= 2) {
        log(`generating ${fmt(bytes / 1e6)} MB of HTTP traffic (${rel(src)})`);
        const g = generate('http', src, bytes);
        if (g.packets >= most) { generation = { ms: performance.now() - t0, bytes: statSync(src).size, packets: g.packets }; break; }
      }
      log(`generated ${fmt(generation.packets)} packets in ${fmt(generation.ms / 1000, 1)} s`);
    }
    for (const n of missing) {
      log(`cutting ${fmt(n)} packets into ${rel(captures.get(n))}`);
      execFileSync('editcap', ['-F', 'pcap', '-r', src, captures.get(n), `1-${n}`]);
    }
    if (src !== big) unlinkSync(src);
  }
}

// ---- 2. the CLI ----------------------------------------------------------------------------------
/** Milliseconds of one whole CLI process, output to /dev/null. */
function cliRun(capture) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, capture], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv });
  if (r.status !== 0) fail(`the CLI exited ${r.status} on ${capture}: ${r.stderr.toString().slice(-300)}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
/** Bytes the CLI writes on the capture (counted by wc -c through a pipe, not stored). */
function cliBytes(capture) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', '"$0" "$1" "$2" | wc -c', process.execPath, cli, capture], { env: childEnv, maxBuffer: 1 << 20 });
  if (r.status !== 0) fail(`the CLI | wc -c exited ${r.status} on ${capture}: ${r.stderr.toString().slice(-300)}`);
  return Number(r.stdout.toString().trim());
}

/** Records the CLI writes at INFO for the packets a tcpdump filter selects (one line each). */
function cliCount(capture, bpf) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', '"$0" "$1" --verbosity info "$2" "$3" | wc -l', process.execPath, cli, capture, bpf], { env: childEnv, maxBuffer: 1 << 20 });
  if (r.status !== 0) fail(`the CLI with ${bpf} | wc -l exited ${r.status} on ${capture}: ${r.stderr.toString().slice(-300)}`);
  return Number(r.stdout.toString().trim());
}

// ---- 3. the page ---------------------------------------------------------------------------------
// Installed before any of the app's scripts: long tasks (with buffered: true, also those before
// the observer), the moment body[data-state] turns ready or error, and the times of the last key
// and the last click, all on the page's clock (performance.now(), 0 = navigation start).
function instrument() {
  const bench = { longtasks: [], readyAt: null, errorAt: null, keyAt: null, clickAt: null };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    const state = document.body?.dataset.state;
    if (state === 'ready' && bench.readyAt === null) bench.readyAt = performance.now();
    if (state === 'error' && bench.errorAt === null) bench.errorAt = performance.now();
  };
  // Attributes only: a childList observer would run on every row the table renders.
  new MutationObserver(check).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  document.addEventListener('DOMContentLoaded', check);
  addEventListener('keydown', (e) => { bench.keyAt = e.timeStamp; }, true);
  addEventListener('click', (e) => { bench.clickAt = e.timeStamp; }, true);
}

/**
 * In the page: waits until `selector` matches (or the filter bar answered for `text`: its
 * data-filter-text is the text and data-filter-state ok or error), and returns the page's time
 * then, the count shown and the filter error, or null after timeoutMs.
 */
function waitInPage({ selector, text, timeoutMs }) {
  const bar = () => document.querySelector('.filterbar');
  const done = () => {
    if (selector !== undefined) return document.querySelector(selector) !== null;
    const b = bar();
    return b !== null && b.dataset.filterText === text && (b.dataset.filterState === 'ok' || b.dataset.filterState === 'error');
  };
  const answer = () => ({
    at: performance.now(),
    count: Number((document.querySelector('[data-testid=packet-count]')?.textContent ?? '').replace(/\D/g, '') || NaN),
    state: bar()?.dataset.filterState ?? null,
    error: document.querySelector('[data-testid=filter-error]')?.textContent ?? null,
  });
  return new Promise((resolve) => {
    if (done()) { resolve(answer()); return; }
    const mo = new MutationObserver(() => { if (done()) { mo.disconnect(); clearTimeout(timer); resolve(answer()); } });
    mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    const timer = setTimeout(() => { mo.disconnect(); resolve(null); }, timeoutMs);
  });
}

/** Newlines in a file, read in chunks. */
function countLines(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(8 << 20);
  let n = 0;
  try {
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0;) for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
  } finally { closeSync(fd); }
  return n;
}

/**
 * One size in the browser: a server, a fresh profile, the phases. Returns what it measured; a
 * crash or a timeout ends the phases early and is kept in `failure`.
 */
async function measureApp(size, capture, cliMs) {
  const r = { size, phases: [], details: [], filters: [], exports: [], failure: null, shown: null, timings: null, accounts: [] };
  // Long enough for a slow, busy machine (at 100k packets a filter rendering every record took
  // 5× the CLI's whole run); what does not finish in time is a failure with its reason.
  const longMs = Math.max(300_000, cliMs * 120);
  const server = await serveApp({ root: appDir, port: 0, file: capture });
  const closeServer = () => server.close();
  openThings.add(closeServer);
  // A persistent context on a throwaway profile, as a user's window: a fresh context of
  // browser.newPage() is incognito-like, and its in-memory storage quota is far below a
  // profile's on disk. Its browser process is found by the profile directory; playwright-core's
  // Browser has no process().
  const profile = mkdtempSync(join(tmpdir(), 'tracecap-bench-app-'));
  const removeProfile = async () => rmSync(profile, { recursive: true, force: true });
  openThings.add(removeProfile);
  let context = null, browserPid = 0, memory = null, page = null;
  let lost = new Promise(() => {}); // replaced once the page exists
  const closeBrowser = async () => {
    if (!context) return;
    // A browser that does not close within 30 s is killed (only this run's own browser process).
    const closed = await Promise.race([context.close().then(() => true, () => true), sleep(30_000).then(() => false)]);
    if (!closed && browserPid) { log('the browser did not close: killing it'); try { process.kill(browserPid, 'SIGKILL'); } catch { /* gone */ } }
  };
  openThings.add(closeBrowser);
  /** Resolves as `p`, or rejects when the page crashes or closes first. */
  const guard = (p) => Promise.race([p, lost]);
  const marks = []; // { name, at }: the phases' starts on the page's clock
  // Where the memory is at the end of a phase: the app's own account of its structures (its
  // workers' `memory` op) and Chromium's heap of each context (page, worker.js, http-worker.js…).
  const account = async (after) => {
    const a = await guard(Promise.race([page.evaluate(async () => {
      const app = await window.__tracecap?.memory?.().catch(() => null) ?? null;
      let heap = null;
      try {
        const m = await performance.measureUserAgentSpecificMemory();
        heap = { total: m.bytes };
        for (const b of m.breakdown) {
          const at = b.attribution[0];
          const k = at ? (at.scope === 'Window' ? 'page' : (at.url || at.scope).split('/').pop()) : 'shared';
          heap[k] = (heap[k] ?? 0) + b.bytes;
        }
      } catch { /* not cross-origin isolated, or not offered */ }
      return { app, heap };
    }), sleep(30_000).then(() => null)])).catch(() => null);
    if (a) r.accounts.push({ after, ...a });
  };
  const phase = async (name) => {
    if (memory.phase) await account(memory.phase);
    const at = await guard(page.evaluate(() => performance.now()));
    marks.push({ name, at });
    memory.phase = name;
    log(`  ${name}`);
  };
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    browserPid = browserPidOf(profile);
    r.chromium = context.browser()?.version() ?? execFileSync(CHROMIUM, ['--version']).toString().match(/[\d.]+/)?.[0];
    page = context.pages()[0] ?? await context.newPage();
    lost = new Promise((_, reject) => {
      page.on('crash', () => reject(new Error('the page crashed (its renderer process died; its memory in the phase is below)')));
      page.on('close', () => reject(new Error('the page closed')));
    });
    lost.catch(() => {});
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.addInitScript(instrument);
    memory = memorySampler(browserPid, SAMPLE_MS);
    marks.push({ name: 'loading', at: 0 });

    // ---- loading ----
    log(`  loading ${server.url}`);
    await guard(page.goto(server.url, { waitUntil: 'commit' }));
    const state = await guard(page.waitForFunction(() => window.__bench !== undefined && (window.__bench.readyAt !== null || window.__bench.errorAt !== null), null, { polling: 100, timeout: longMs })
      .then(() => page.evaluate(() => window.__bench), (e) => { if (/crash|closed/i.test(e.message)) throw e; return null; }));
    if (!state) throw new Error(`the page was not ready after ${fmt(longMs / 1000)} s (body[data-state] = ${await guard(page.evaluate(() => document.body?.dataset.state))})`);
    if (state.errorAt !== null && state.readyAt === null) throw new Error(`the page went to state error after ${fmt(state.errorAt)} ms: ${await guard(page.evaluate(() => document.body.innerText.slice(0, 300)))}`);
    r.readyMs = state.readyAt;
    r.phases.push({ name: 'loading', took: `ready after ${fmt(r.readyMs)} ms` });
    const body = await guard(page.evaluate(() => ({ ...document.body.dataset })));
    r.timings = body.timings ? JSON.parse(body.timings) : null;
    r.store = body.store ?? null;
    r.threads = body.threads ?? null;
    r.shown = await guard(page.evaluate(() => Number((document.querySelector('[data-testid=packet-count]')?.textContent ?? '').replace(/\D/g, '') || NaN)));
    log(`  ready after ${fmt(r.readyMs)} ms, ${fmt(r.shown)} packets shown`);

    // ---- scrolling ----
    await phase('scrolling');
    const grid = await guard(page.$('[role=grid]'));
    r.scrolled = grid ? 'the [role=grid] element' : 'the page (no [role=grid])';
    const box = (grid && await guard(grid.boundingBox())) ?? { x: 0, y: 0, width: 1400, height: 900 };
    await guard(page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height, 900) / 2));
    const scrollEnd = Date.now() + SCROLL_MS / 2;
    while (Date.now() < scrollEnd) { await guard(page.mouse.wheel(0, 900)); await sleep(16); }
    // The keyboard on the table (focused without a click, which could select a row).
    if (grid) await guard(grid.evaluate((el) => el.focus()));
    for (const key of ['End', 'Home', ...Array(12).fill('PageDown'), 'End']) { await guard(page.keyboard.press(key)); await sleep(SCROLL_MS / 2 / 15); }
    r.phases.push({ name: 'scrolling', took: `${fmt(SCROLL_MS / 1000)} s of wheel and keys` });

    // ---- a packet's detail: a row near the start, the middle and the end ----
    await phase('detail');
    const scroller = await guard(page.$('[data-testid=packets] .vbody'));
    if (!scroller) log('  no [data-testid=packets] .vbody: details not measured');
    else for (const [where, fraction] of [['start', 0], ['middle', 0.5], ['end', 1]]) {
      await guard(scroller.evaluate((el, f) => { el.scrollTop = f * (el.scrollHeight - el.clientHeight); }, fraction));
      // The row under the table's centre once its page of rows has arrived.
      // The row under the table's centre once its page of rows has arrived (the next one down
      // when the detail shows that packet already).
      const target = await guard(page.waitForFunction(() => {
        const el = document.querySelector('[data-testid=packets] .vbody');
        const b = el.getBoundingClientRect();
        const shown = document.querySelector('[data-testid=detail]')?.dataset.pos;
        for (let y = b.top + b.height / 2; y < b.bottom; y += 10) {
          const row = document.elementFromPoint(b.left + 40, y)?.closest('[role=row]');
          if (!row || row.dataset.testid !== 'packet-row') return null;
          const num = row.querySelector('.cell')?.textContent ?? '';
          if (num !== shown) return { x: b.left + 40, y, num };
        }
        return null;
      }, null, { polling: 'raf', timeout: longMs }).then((h) => h.jsonValue()));
      await guard(page.mouse.click(target.x, target.y));
      const seen = await guard(page.evaluate(waitInPage, { selector: `[data-testid=detail][data-pos="${target.num}"]`, timeoutMs: longMs }));
      if (!seen) throw new Error(`the detail of packet ${target.num} (near the ${where}) did not show in ${fmt(longMs / 1000)} s`);
      const clickAt = await guard(page.evaluate(() => window.__bench.clickAt));
      r.details.push({ where, num: Number(target.num), ms: seen.at - clickAt });
      log(`  detail of packet ${target.num}: ${fmt(seen.at - clickAt)} ms`);
    }
    r.phases.push({ name: 'detail', took: r.details.map((d) => `#${fmt(d.num)} ${fmt(d.ms)} ms`).join(', ') || 'not measured' });

    // ---- filters ----
    const filter = page.locator('[data-testid=filter]');
    const hasFilter = await guard(filter.count()) > 0 && await guard(page.$('.filterbar[data-filter-state]')) !== null;
    if (!hasFilter) log('  no [data-testid=filter] with .filterbar[data-filter-state]: filtering not measured');
    /** Types `q` from an empty filter; the app's answer for it, timed from the last key. */
    const applyFilter = async (q) => {
      await guard(filter.fill(''));
      if (!await guard(page.evaluate(waitInPage, { text: '', timeoutMs: longMs }))) throw new Error(`the empty filter got no answer in ${fmt(longMs / 1000)} s`);
      await guard(filter.click());
      await guard(filter.pressSequentially(q, { delay: KEY_DELAY_MS }));
      const seen = await guard(page.evaluate(waitInPage, { text: q, timeoutMs: longMs }));
      if (!seen) throw new Error(`the filter ${q} got no answer in ${fmt(longMs / 1000)} s`);
      const keyAt = await guard(page.evaluate(() => window.__bench.keyAt));
      return { q, ms: seen.at - keyAt, count: seen.state === 'ok' ? seen.count : null, error: seen.state === 'error' ? (seen.error ?? 'an error (no text)') : null };
    };
    if (hasFilter) for (const { q, about } of FILTERS) {
      await phase(`filter ${q}`);
      const f = { ...await applyFilter(q), about };
      r.filters.push(f);
      r.phases.push({ name: `filter ${q}`, took: `${fmt(f.ms)} ms` });
      log(`  → ${f.error ? `error: ${f.error}` : `${fmt(f.count)} packets`} in ${fmt(f.ms)} ms`);
    }

    // ---- exports ----
    /** Clicks the button (after prepare()), waits for the download to be written, measures it, deletes it. */
    const exportOne = async (name, button, check, prepare) => {
      await phase(`export ${name}`);
      if (prepare && !await prepare()) return null;
      const t0 = performance.now();
      const [download] = await guard(Promise.all([page.waitForEvent('download', { timeout: longMs }), button.click()]));
      const path = await guard(download.path());
      const ms = performance.now() - t0;
      const failure = await download.failure();
      if (failure) throw new Error(`the ${name} download failed: ${failure}`);
      const e = { name, ms, bytes: statSync(path).size, file: download.suggestedFilename() };
      try { Object.assign(e, check?.(path) ?? {}); } finally { await download.delete(); }
      r.exports.push(e);
      r.phases.push({ name: `export ${name}`, took: `${fmt(ms)} ms, ${fmt(e.bytes)} bytes` });
      log(`  → ${fmt(e.bytes)} bytes in ${fmt(ms)} ms`);
      return e;
    };
    if (hasFilter) {
      await guard(filter.fill(''));
      if (!await guard(page.evaluate(waitInPage, { text: '', timeoutMs: longMs }))) throw new Error('the empty filter got no answer before the exports');
    }
    await exportOne('NDJSON', page.getByRole('button', { name: 'Export NDJSON' }));
    await exportOne('HAR', page.locator('[data-testid=export-har]'), (path) => {
      if (statSync(path).size > 512e6) return {};
      const har = JSON.parse(readFileSync(path, 'utf8'));
      return { entries: har.log?.entries?.length ?? null, comment: har.log?.comment ?? null };
    });
    if (hasFilter) {
      let f = null;
      const e = await exportOne('filtered', page.getByRole('button', { name: 'Export filtered' }), (path) => ({ lines: countLines(path) }), async () => {
        f = await applyFilter(EXPORT_FILTER);
        if (f.error) log(`  the filter before "Export filtered" is an error (${f.error}): export filtered not measured`);
        return !f.error;
      });
      if (e) { e.filter = EXPORT_FILTER; e.shown = f.count; }
    }
    await account(memory.phase);
  } catch (e) {
    r.failure = e.message.split('\n')[0];
    log(`  FAILED: ${r.failure}`);
  } finally {
    // Long tasks, unless the page is gone.
    if (page && !page.isClosed()) {
      const end = await Promise.race([page.evaluate(() => ({ now: performance.now(), longtasks: window.__bench?.longtasks ?? [] })), sleep(10_000).then(() => null), lost]).catch(() => null);
      if (end) {
        r.tasks = {};
        marks.forEach((m, i) => {
          const to = marks[i + 1]?.at ?? end.now + 1;
          const ts = end.longtasks.filter((t) => t.start >= m.at && t.start < to);
          r.tasks[m.name] = { max: Math.max(0, ...ts.map((t) => t.duration)), n: ts.length };
        });
      }
    }
    r.memory = memory?.stop() ?? null;
    for (const c of [closeBrowser, closeServer, removeProfile]) { openThings.delete(c); await c().catch((e) => log(`cleanup: ${e.message}`)); }
  }
  return r;
}

// ---- the sizes, one after the other ---------------------------------------------------------------
const runs = [];
for (const n of SIZES) {
  const capture = captures.get(n);
  const run = { n, capture, captureSize: statSync(capture).size, loadBefore: load1() };
  const times = [0, 1, 2].map(() => cliRun(capture));
  run.cliMs = median(times);
  log(`${fmt(n)} packets: CLI DEBUG ${fmt(run.cliMs)} ms (median of ${times.map((t) => fmt(t)).join(', ')})`);
  run.cliBytes = cliBytes(capture);
  log(`  the CLI writes ${fmt(run.cliBytes)} bytes`);
  run.expected = new Map(FILTERS.filter((f) => f.bpf).map((f) => [f.q, cliCount(capture, f.bpf)]));
  Object.assign(run, await measureApp(n, capture, run.cliMs));
  if (interrupted) await new Promise(() => {}); // the signal handler exits
  runs.push(run);
}
const loadAtEnd = load1();

// ---- 4. the report -------------------------------------------------------------------------------
const mb = (kb) => `${fmt(kb * 1024 / 1e6, 1)} MB`;
const md = (s) => String(s).replace(/\|/g, '\\|');
const code = (q) => `\`${md(q)}\``;
const peakEntry = (byPhase) => Object.entries(byPhase ?? {}).sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
const lines = [HEADING, ''];
const sizesArg = SIZES.join(',') === '1000000,5000000' ? '' : ` --packets ${SIZES.join(',')}`;
const chromiumVersion = runs.find((x) => x.chromium)?.chromium ?? '?';
lines.push(`Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node bench/app.js${sizesArg}\`: Chromium ${chromiumVersion} (${CHROMIUM}, headless, through playwright-core, a fresh profile on disk for each size), Node ${process.version}, ${cpus().length} cores; load average (1 minute) ${loadAtStart} at the start, ${loadAtEnd} at the end (other work on the machine counts in it). One run of each phase: a benchmark, not a timed test.`, '');
lines.push(`Captures: ${runs.map((x) => `${rel(x.capture)} (${fmt(x.n)} packets, ${fmt(x.captureSize / 1048576, 1)} MiB)`).join(', ')}, cut from bench/gen.js's http traffic (keep-alive HTTP/1.1 and some h2c, trace headers)${generation ? `; this run generated ${fmt(generation.packets)} packets (${fmt(generation.bytes / 1048576, 1)} MiB) for them in ${fmt(generation.ms / 1000, 1)} s` : ''}. The CLI: \`node bin/tracecap.js FILE > /dev/null\` with its default options (DEBUG; --threads auto: ${defaultThreads()} thread(s) on this machine for files of ${fmt(PARALLEL_MIN_BYTES / 1048576)} MiB or more), median of 3 whole processes; one more run's output counted by \`wc -c\`.`, '');
lines.push(`Memory: PSS of the tab's renderer process (/proc/PID/smaps_rollup; the app's dedicated workers are threads in it), sampled every ${SAMPLE_MS} ms, the peak of each phase; beside it the browser process (Blob data and storage buffers live there, not in the tab) and every Chromium process together, for comparison. MB = 10⁶ bytes. Long tasks: PerformanceObserver \`longtask\` (Chromium reports tasks ≥ 50 ms only). Filters: typed into \`[data-testid=filter]\` (${KEY_DELAY_MS} ms a key) from an empty filter, timed from the last key until the filter bar shows the app's answer for that text (200 ms of it is the app's debounce). Details: a click on the row at the table's centre after scrolling to the start, middle and end, timed until \`[data-testid=detail]\` shows that packet. Exports: from the click until the download is written (then deleted).`, '');

for (const x of runs) {
  lines.push(`### ${fmt(x.n)} packets`, '');
  if (x.failure) lines.push(`**The run failed: ${md(x.failure)}** (what was measured before is below).`, '');
  lines.push(`Load average (1 minute) before this size: ${x.loadBefore}. CLI DEBUG: ${fmt(x.cliMs)} ms, ${fmt(x.cliBytes)} bytes of NDJSON. The app: store ${x.store ?? '?'}, ${x.threads ?? '?'} thread(s); ${x.shown === null || Number.isNaN(x.shown) ? 'no packet count' : `${fmt(x.shown)} packets`} shown when ready.`, '');
  const rows = [];
  if (x.readyMs !== undefined) rows.push([`ready (navigation start → body[data-state=ready]) ≤ ${READY_GOAL}× the CLI's DEBUG run (${fmt(x.cliMs)} ms)`, `${fmt(x.readyMs)} ms = ${fmt(x.readyMs / x.cliMs, 2)}× the CLI`, `≤ ${READY_GOAL}× (${fmt(READY_GOAL * x.cliMs)} ms)`, x.readyMs <= READY_GOAL * x.cliMs ? 'yes' : 'no']);
  if (x.memory) {
    const [ph, kb] = peakEntry(x.memory.tab);
    rows.push([`tab memory (renderer with its workers, PSS), every phase${x.failure ? ' until the failure' : ''}`, `${mb(kb)} (peak in ${ph ?? '—'})`, '≤ 400 MB', kb * 1024 <= MEMORY_GOAL ? 'yes' : 'no']);
  }
  for (const f of x.filters) {
    const want = x.expected.get(f.q);
    const check = want === undefined || f.error ? '' : want === f.count ? ' (as the CLI with its BPF twin)' : ` — **the CLI with its BPF twin selects ${fmt(want)}**`;
    rows.push([`filter ${code(f.q)}`, f.error ? `error: ${md(f.error)} (${fmt(f.ms)} ms)` : `${fmt(f.ms)} ms, ${fmt(f.count)} packets${check}`, `≤ ${FILTER_GOAL_MS / 1000} s${x.n === 1_000_000 ? '' : ' (the goal is stated at 1M)'}`, f.error ? '— (an error)' : f.ms <= FILTER_GOAL_MS ? 'yes' : 'no']);
  }
  if (x.tasks) {
    const all = Object.entries(x.tasks);
    const worst = all.sort((a, b) => b[1].max - a[1].max)[0];
    const n = all.reduce((s, [, t]) => s + t.n, 0);
    rows.push(['longest main-thread task, every phase', n === 0 ? 'none ≥ 50 ms' : `${fmt(worst[1].max)} ms (in ${worst[0]}); ${n} task${n === 1 ? '' : 's'} ≥ 50 ms in all`, `≤ ${TASK_GOAL_MS} ms`, n === 0 ? 'yes' : 'no']);
  }
  const nd = x.exports.find((e) => e.name === 'NDJSON');
  if (nd) rows.push(['NDJSON export = the CLI\'s output, bytes', `${fmt(nd.bytes)} against ${fmt(x.cliBytes)}`, 'equal', nd.bytes === x.cliBytes ? 'yes' : 'no']);
  const fe = x.exports.find((e) => e.name === 'filtered');
  if (fe) rows.push([`filtered export (${code(fe.filter)}): a line per packet shown`, `${fmt(fe.lines)} lines, ${fmt(fe.shown)} shown`, 'equal', fe.lines === fe.shown ? 'yes' : 'no']);
  lines.push('| goal | measured | goal | met |', '|---|---:|---:|:---:|');
  for (const [what, value, goal, ok] of rows) lines.push(`| ${what} | ${value} | ${goal} | ${ok} |`);
  lines.push('');
  if (x.memory) {
    lines.push('Per phase (peaks of the phase; memory PSS):', '', '| phase | took | tab renderer | browser process | all Chromium | longest task (≥ 50 ms) |', '|---|---|---:|---:|---:|---:|');
    for (const ph of x.memory.phases) {
      const t = x.tasks?.[ph];
      const took = x.phases.find((p) => p.name === ph)?.took ?? (x.failure ? 'failed' : '—');
      lines.push(`| ${md(ph)} | ${md(took)} | ${mb(x.memory.tab[ph] ?? 0)} | ${mb(x.memory.browser[ph] ?? 0)} | ${mb(x.memory.all[ph] ?? 0)} | ${t ? (t.n === 0 ? 'none' : `${fmt(t.max)} ms (${t.n})`) : '—'} |`);
    }
    lines.push('', `${x.memory.samples} samples; the tab's renderer is the largest of ${x.memory.renderers} renderer(s), the others (the browser's own UI page among them) peaked at ${mb(x.memory.othersKb)} together.`);
  }
  if (x.accounts.length) {
    // The structures at the end of the phases where memory is highest: loading, the filters, the exports.
    const cols = x.accounts.filter((a, i) => a.after === 'loading' || a.after.startsWith('filter L3.ttl') || i === x.accounts.length - 1);
    const keys = [...new Set(cols.flatMap((a) => Object.keys(a.app ?? {})))].sort((p, q) => Math.max(...cols.map((a) => a.app?.[q] ?? 0)) - Math.max(...cols.map((a) => a.app?.[p] ?? 0)));
    const hk = [...new Set(cols.flatMap((a) => Object.keys(a.heap ?? {})))].filter((k) => k !== 'total');
    const m6 = (b) => (b === undefined ? '—' : `${fmt(b / 1e6, 1)}`);
    lines.push('', 'Where the memory goes, at the end of a phase (MB): the app\'s own account of its structures (`op: memory`, protocol.ts MemoryAccount; typed arrays exact, texts estimated) and Chromium\'s JavaScript and wasm heap of each context (`performance.measureUserAgentSpecificMemory`).', '');
    lines.push(`| structure | ${cols.map((a) => `after ${md(a.after)}`).join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`);
    for (const k of keys) lines.push(`| ${k} | ${cols.map((a) => m6(a.app?.[k])).join(' | ')} |`);
    lines.push(`| **the app's structures together** | ${cols.map((a) => m6(Object.values(a.app ?? {}).reduce((s, v) => s + v, 0))).join(' | ')} |`);
    for (const k of hk) lines.push(`| heap of ${md(k)} | ${cols.map((a) => m6(a.heap?.[k])).join(' | ')} |`);
    lines.push(`| **heaps together** | ${cols.map((a) => m6(a.heap?.total)).join(' | ')} |`);
  }
  const har = x.exports.find((e) => e.name === 'HAR');
  if (har && har.entries !== undefined) lines.push('', `The HAR holds ${har.entries === null ? 'no' : fmt(har.entries)} entries${har.comment ? ` (its comment: "${md(har.comment)}")` : ''}.`);
  if (x.filters.length) lines.push('', `What the filters select in the generated traffic: ${x.filters.map((f) => `${code(f.q)} ${f.about}${x.expected.has(f.q) ? ` (its BPF twin \`${md(FILTERS.find((g) => g.q === f.q).bpf)}\`: ${fmt(x.expected.get(f.q))} packets)` : ''}`).join('; ')}.`);
  lines.push('');
}

// Same bound at every size: the peaks side by side.
const measured = runs.filter((x) => x.memory);
if (measured.length > 1) {
  const [a, b] = [measured[0], measured[measured.length - 1]];
  const pa = peakEntry(a.memory.tab)[1], pb = peakEntry(b.memory.tab)[1];
  const la = a.memory.tab.loading ?? 0, lb = b.memory.tab.loading ?? 0;
  lines.push(`**Same bound at ${fmt(b.n)} as at ${fmt(a.n)} packets:** the tab's peak is ${mb(pb)} against ${mb(pa)}: ${pb >= pa ? '+' : '−'}${mb(Math.abs(pb - pa))} (while loading ${mb(lb)} against ${mb(la)}: ${lb >= la ? '+' : '−'}${mb(Math.abs(lb - la))}).`, '');
}
const timed = runs.filter((x) => x.timings);
if (timed.length) {
  lines.push('The app\'s own account of its loading (its main worker\'s `timings`, ms):', '');
  lines.push(`| | ${timed.map((x) => `${fmt(x.n)} packets`).join(' | ')} |`, `|---|${timed.map(() => '---:').join('|')}|`);
  for (const [k, what] of [['read', 'reading the capture'], ['core', 'the core'], ['index', 'indexing'], ['http', 'the HTTP worker'], ['store', 'the store'], ['total', 'total, from the worker\'s start']]) {
    lines.push(`| ${k} (${what}) | ${timed.map((x) => (typeof x.timings[k] === 'number' ? fmt(x.timings[k]) : '—')).join(' | ')} |`);
  }
  lines.push('');
}
const section = lines.join('\n');
process.stdout.write(section);

if (writeResults) {
  const path = join(root, 'bench', 'results.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, replaceSection(old, section));
  log(`written into ${path}`);
} else log('--root: bench/results.md left alone');
const failed = runs.filter((x) => x.failure);
if (failed.length) fail(failed.map((x) => `${fmt(x.n)} packets: ${x.failure}`).join('; '));

/** The text with the section under HEADING replaced by `section` (or appended); the rest kept. */
function replaceSection(text, section) {
  const start = text.indexOf(`${HEADING}\n`);
  if (start < 0) return (text === '' ? '' : text.trimEnd() + '\n\n') + section;
  const next = text.slice(start + HEADING.length).search(/^## /m);
  const end = next < 0 ? text.length : start + HEADING.length + next;
  return text.slice(0, start) + section + (end < text.length ? '\n' + text.slice(end) : '');
}
