// npm run bench:app — the browser app (build/app) on a large capture, in Debian's Chromium
// (/usr/bin/chromium, driven by playwright-core; never a downloaded browser). A benchmark, not a
// timed test: it measures and reports, and fails only when it cannot measure.
//   1. a capture of N packets (default 1,000,000) cut from bench/gen.js's http kind (bench/data/)
//   2. the CLI's DEBUG run on it (`node bin/tracecap.js FILE > /dev/null`), median of 3
//   3. `serveApp` with that capture; the page opened at its ?url=; time from navigation start to
//      body[data-state=ready]; the tab's renderer memory (PSS, its workers included) every 250 ms
//   4. after ready: scroll the packet table, then type three filter expressions
//   5. a markdown table on stdout, also written into bench/results.md under its own heading
// Long main-thread tasks come from a PerformanceObserver('longtask') installed before the app's
// scripts run; Chromium reports only tasks of 50 ms or more, so "none" means every task was shorter.
//   node bench/app.js [--packets N] [--root DIR]
//     --packets N   a smaller capture for a quicker run (e.g. 100000)
//     --root DIR    serve DIR instead of build/app (development: a stand-in page checks this
//                   harness); results.md is then left alone
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './gen.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({ options: { packets: { type: 'string' }, root: { type: 'string' } } });
const PACKETS = opts.packets === undefined ? 1_000_000 : Number(opts.packets);
if (!Number.isSafeInteger(PACKETS) || PACKETS < 1) fail(`--packets needs a positive integer, not ${JSON.stringify(opts.packets)}`);
const appDir = opts.root ?? join(root, 'build', 'app');
const writeResults = opts.root === undefined;
const dataDir = join(root, 'bench', 'data');
const cli = join(root, 'bin', 'tracecap.js');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HEADING = '## Browser app (npm run bench:app)';
/** Typed into the filter after scrolling. The generated traffic answers 200 on port 8080 only: the first matches nothing, the second the SYNs, the third the HTTP/1.1 requests' packets. */
const FILTERS = ['HTTP.code >= 500', 'L4.dst == 8080 and not L4.flags.str ~ ACK', '"GET"'];
const SAMPLE_MS = 250;
const SCROLL_MS = 4000;
/** How long one filter may take to change the packet count before it is reported as no change. */
const FILTER_TIMEOUT_MS = 120_000;

function fail(message) { process.stderr.write(`bench/app.js: ${message}\n`); process.exit(1); }
const log = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!existsSync(join(appDir, 'index.html'))) fail(`${join(appDir, 'index.html')} is missing: the browser app is not built (run \`npm run build\`)`);
const appModule = join(root, 'dist', 'runtimes', 'node', 'app.js');
if (!existsSync(appModule)) fail(`${appModule} is missing: run \`npm run build\``);
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing (apt-get install chromium); this bench uses the system's Chromium only`);
const { serveApp } = await import(appModule);
const { chromium } = await import('playwright-core');

// As in bench/run.js: child Node processes without NODE_EXTRA_CA_CERTS / NODE_OPTIONS, which
// would add their start-up cost to the CLI's time.
const childEnv = { ...process.env };
delete childEnv.NODE_EXTRA_CA_CERTS; delete childEnv.NODE_OPTIONS;

const packetsOf = (file) => Number(execFileSync(process.execPath, [join(root, 'bench', 'walk.js'), file]).toString().trim());

// ---- 1. the capture ----------------------------------------------------------------------------
// The http kind is keep-alive HTTP/1.1 (12 connections in 13) and prior-knowledge h2c with HPACK
// (1 in 13, with 4 times the exchanges: a quarter of them), trace headers on two requests in three. gen.js sizes by bytes, so a prefix of it is cut to
// exactly N packets with editcap; the generator is deterministic, so this is the start of
// bench/run.js's captures too (its http-200k.pcap is this script's --packets 200000).
const label = PACKETS % 1_000_000 === 0 ? `${PACKETS / 1_000_000}m` : PACKETS % 1000 === 0 ? `${PACKETS / 1000}k` : String(PACKETS);
const capture = join(dataDir, `http-${label}.pcap`);
mkdirSync(dataDir, { recursive: true });
if (!existsSync(capture) || packetsOf(capture) !== PACKETS) {
  const big = join(dataDir, 'http-1g.pcap');
  let src = big;
  if (!existsSync(big) || packetsOf(big) < PACKETS) {
    src = join(dataDir, 'http-app-prefix.pcap');
    // About 180 bytes a packet on average; generate more until there are enough.
    for (let bytes = PACKETS * 200; ; bytes *= 2) {
      log(`generating ${bytes / 1e6} MB of HTTP traffic (${src})`);
      if (generate('http', src, bytes).packets >= PACKETS) break;
    }
  }
  log(`cutting ${fmt(PACKETS)} packets into ${capture}`);
  execFileSync('editcap', ['-F', 'pcap', '-r', src, capture, `1-${PACKETS}`]);
  if (src !== big) unlinkSync(src);
}
const captureSize = statSync(capture).size;

// ---- 2. the CLI ----------------------------------------------------------------------------------
const cliRuns = [];
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, capture], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv });
  cliRuns.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0) fail(`the CLI exited ${r.status} on ${capture}: ${r.stderr.toString().slice(-300)}`);
}
const cliMs = median(cliRuns);
log(`CLI DEBUG: ${fmt(cliMs)} ms (median of ${cliRuns.map((t) => fmt(t)).join(', ')})`);

// ---- renderer memory -----------------------------------------------------------------------------
// The renderers are the browser's descendants with --type=renderer on their command line (under
// the zygote). A dedicated worker is a thread of its page's renderer, so the renderer's figure
// includes the app's workers. PSS (/proc/PID/smaps_rollup) splits pages shared between processes,
// so the renderers' figures add up; VmRSS when smaps_rollup is unreadable. The tab's renderer is
// taken to be the one with the largest peak: the others (the browser's UI, a spare) stay small;
// their sum is reported beside it.
function processTable() {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone meanwhile */ }
  }
  return children;
}

function rendererPids(browserPid) {
  const children = processTable();
  const out = [];
  const stack = [browserPid];
  while (stack.length) {
    const pid = stack.pop();
    for (const c of children.get(pid) ?? []) {
      stack.push(c);
      try {
        // Chromium rewrites its argv into one space-separated string (as setproctitle does).
        const args = readFileSync(`/proc/${c}/cmdline`, 'utf8').split(/[\0 ]/);
        if (args.includes('--type=renderer')) out.push({ pid: c, ui: args.includes('--top-chrome-webui') });
      } catch { /* gone meanwhile */ }
    }
  }
  return out;
}

/** Kilobytes of PSS (or RSS) of one process; 0 once it is gone. */
function memoryKb(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    try { return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
  }
}

/** Samples the renderers every SAMPLE_MS until stopped; peaks per process and phase. */
function memorySampler(browserPid) {
  const peaks = new Map(); // pid -> { ui, byPhase: {phase: kb} }
  let phase = 'loading';
  let samples = 0;
  const sample = () => {
    samples++;
    for (const { pid, ui } of rendererPids(browserPid)) {
      const kb = memoryKb(pid);
      const p = peaks.get(pid) ?? { ui, byPhase: {} };
      p.byPhase[phase] = Math.max(p.byPhase[phase] ?? 0, kb);
      peaks.set(pid, p);
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    set phase(p) { phase = p; sample(); },
    stop() {
      clearInterval(timer);
      sample();
      const peakOf = (p) => Math.max(0, ...Object.values(p.byPhase));
      const candidates = [...peaks.entries()].filter(([, p]) => !p.ui);
      const [tabPid, tab] = candidates.sort((a, b) => peakOf(b[1]) - peakOf(a[1]))[0] ?? [0, { byPhase: {} }];
      const others = [...peaks.entries()].filter(([pid]) => pid !== tabPid).reduce((s, [, p]) => s + peakOf(p), 0);
      return { tabPid, loadingKb: tab.byPhase.loading ?? 0, peakKb: peakOf(tab), othersKb: others, renderers: peaks.size, samples };
    },
  };
}

// ---- 3. the page ---------------------------------------------------------------------------------
// Installed before any of the app's scripts: long tasks (with buffered: true, also those before
// the observer), and the moment body[data-state] turns ready or error, on the page's clock
// (performance.now(), 0 = navigation start).
function instrument() {
  const bench = { longtasks: [], readyAt: null, errorAt: null };
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
}

const countOf = (page) => page.evaluate(() => {
  const t = document.querySelector('[data-testid=packet-count]')?.textContent ?? '';
  return t.replace(/\D/g, '') === '' ? null : Number(t.replace(/\D/g, ''));
});

/** Waits until the packet count differs from `from` and then holds still for 300 ms; null on timeout, or once the app shows a filter error for 300 ms. */
async function settledCount(page, from, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last = await countOf(page), since = Date.now(), errorSince = null;
  while (Date.now() < end) {
    await sleep(50);
    if (await page.$('[data-testid=filter-error]')) {
      errorSince ??= Date.now();
      if (Date.now() - errorSince >= 300) return null;
    } else errorSince = null;
    const c = await countOf(page);
    if (c !== last) { last = c; since = Date.now(); continue; }
    if (c !== from && Date.now() - since >= 300) return c;
  }
  return null;
}

/** The browser process of a profile directory: the Chromium process with that --user-data-dir and no --type=. */
function browserPidOf(profile) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split(/[\0 ]/);
      if (args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) return Number(d);
    } catch { /* gone meanwhile */ }
  }
  throw new Error(`no Chromium process with --user-data-dir=${profile}`);
}

const server = await serveApp({ root: appDir, port: 0, file: capture });
// A persistent context on a throwaway profile, as a user's window: a fresh context of
// browser.newPage() is incognito-like, and its in-memory storage quota is far below a profile's
// on disk (the app keeps the records in OPFS). Its browser process is found by the profile
// directory; playwright-core's Browser has no process().
const profile = mkdtempSync(join(tmpdir(), 'tracecap-bench-app-'));
const result = { filters: [] };
let context;
try {
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
  result.chromium = context.browser()?.version() ?? execFileSync(CHROMIUM, ['--version']).toString().match(/[\d.]+/)?.[0];
  const page = context.pages()[0] ?? await context.newPage();
  let crashed = false;
  page.on('crash', () => { crashed = true; });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.addInitScript(instrument);
  const memory = memorySampler(browserPidOf(profile));
  log(`opening ${server.url}`);
  const readyTimeout = Math.max(120_000, cliMs * 30);
  await page.goto(server.url, { waitUntil: 'commit' });
  const state = await page.waitForFunction(() => window.__bench !== undefined && (window.__bench.readyAt !== null || window.__bench.errorAt !== null), null, { polling: 100, timeout: readyTimeout })
    .then(() => page.evaluate(() => window.__bench), () => null);
  if (crashed) throw new Error('the page crashed while loading (out of memory?)');
  if (!state) throw new Error(`the page was not ready after ${readyTimeout / 1000} s (body[data-state] = ${await page.evaluate(() => document.body?.dataset.state)})`);
  if (state.errorAt !== null && state.readyAt === null) throw new Error(`the page went to state error after ${fmt(state.errorAt)} ms: ${await page.evaluate(() => document.body.innerText.slice(0, 300))}`);
  result.readyMs = state.readyAt;
  result.shown = await countOf(page);
  log(`ready after ${fmt(result.readyMs)} ms, ${result.shown ?? 'no'} packets shown`);
  // The app's own account of its loading (worker.ts `timings`, in ms), when it gives one.
  result.timings = await page.evaluate(() => document.body.dataset.timings ?? null).then((t) => (t ? JSON.parse(t) : null), () => null);

  // ---- 4. scrolling, then filtering ----
  memory.phase = 'scrolling';
  const grid = await page.$('[role=grid]');
  result.scrolled = grid ? 'the [role=grid] element' : 'the page (no [role=grid])';
  const box = (grid && await grid.boundingBox()) ?? { x: 0, y: 0, width: 1400, height: 900 };
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height, 900) / 2);
  const scrollEnd = Date.now() + SCROLL_MS / 2;
  while (Date.now() < scrollEnd) { await page.mouse.wheel(0, 900); await sleep(16); }
  // The keyboard on the table (focused without a click, which could select a row).
  if (grid) await grid.evaluate((el) => el.focus());
  for (const key of ['End', 'Home', ...Array(12).fill('PageDown'), 'End']) { await page.keyboard.press(key); await sleep(SCROLL_MS / 2 / 15); }
  const scrolledAt = await page.evaluate(() => performance.now());

  memory.phase = 'filtering';
  const filter = page.locator('[data-testid=filter]');
  if (await filter.count() === 0) log('no [data-testid=filter] input: filtering not measured');
  else for (const expression of FILTERS) {
    const before = await countOf(page);
    await filter.fill('');
    if (before !== result.shown) await settledCount(page, before, FILTER_TIMEOUT_MS);
    await filter.click();
    await filter.pressSequentially(expression, { delay: 20 });
    const t0 = Date.now();
    const count = await settledCount(page, result.shown, FILTER_TIMEOUT_MS);
    // settledCount waits 300 ms of stillness after the last change.
    // When the count does not move, the page may say why (the app's [data-testid=filter-error]).
    const error = count === null ? await page.evaluate(() => document.querySelector('[data-testid=filter-error]')?.textContent ?? null) : null;
    result.filters.push({ expression, count, error, ms: count === null ? null : Date.now() - t0 - 300 });
    log(`filter ${expression}: ${count ?? `no change${error ? `: ${error}` : ''}`}`);
  }
  await sleep(500); // a long task that ends the last filter still reaches the observer
  const end = await page.evaluate(() => ({ now: performance.now(), longtasks: window.__bench.longtasks }));
  const longest = (from, to) => {
    const ts = end.longtasks.filter((t) => t.start >= from && t.start < to);
    return { max: Math.max(0, ...ts.map((t) => t.duration)), n: ts.length };
  };
  result.tasks = { loading: longest(0, result.readyMs), scrolling: longest(result.readyMs, scrolledAt), filtering: longest(scrolledAt, end.now + 1) };
  result.memory = memory.stop();
} finally {
  await context?.close().catch(() => {});
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}

// ---- 5. the report -------------------------------------------------------------------------------
const mb = (kb) => `${fmt(kb * 1024 / 1e6, 1)} MB`;
const task = (t) => (t.n === 0 ? 'none ≥ 50 ms' : `${fmt(t.max)} ms (${t.n} task${t.n === 1 ? '' : 's'} ≥ 50 ms)`);
const m = result.memory;
const rows = [
  [`time to ready (navigation start → body[data-state=ready]) vs 2× the CLI's DEBUG run (${fmt(cliMs)} ms)`, `${fmt(result.readyMs)} ms = ${fmt(result.readyMs / cliMs, 2)}× CLI`, '≤ 2×', result.readyMs <= 2 * cliMs],
  ['peak memory of the tab\'s renderer, workers included (PSS)', `${mb(m.peakKb)} (${mb(m.loadingKb)} while loading)`, '≤ 400 MB', m.peakKb * 1024 <= 400e6],
  ['longest main-thread task while loading', task(result.tasks.loading), '≤ 50 ms', result.tasks.loading.n === 0],
  [`longest main-thread task while scrolling (${result.scrolled})`, task(result.tasks.scrolling), '≤ 50 ms', result.tasks.scrolling.n === 0],
  ['longest main-thread task while filtering', task(result.tasks.filtering), '≤ 50 ms', result.tasks.filtering.n === 0],
];
const lines = [HEADING, ''];
lines.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node bench/app.js${PACKETS === 1_000_000 ? '' : ` --packets ${PACKETS}`}\`: Chromium ${result.chromium} (${CHROMIUM}, headless, through playwright-core, on a fresh profile on disk), Node ${process.version}, ${cpus().length} cores. Capture: ${capture.slice(root.length + 1)}, ${fmt(PACKETS)} packets, ${fmt(captureSize / 1048576, 1)} MiB (bench/gen.js http: keep-alive HTTP/1.1 and some h2c, trace headers), served by \`tracecap app\`'s server; the app showed ${result.shown === null ? 'no packet count' : `${fmt(result.shown)} packets`} when ready.`, '');
lines.push(`Memory: PSS of Chromium's renderer processes (\`--type=renderer\` descendants of the browser), sampled every ${SAMPLE_MS} ms (${m.samples} samples); the tab's renderer is the largest, its dedicated workers are threads in it; the other ${m.renderers - 1} renderer(s) (the browser's own UI page among them) peaked at ${mb(m.othersKb)} together. MB = 10⁶ bytes. Long tasks: PerformanceObserver \`longtask\` (Chromium reports tasks ≥ 50 ms only).`, '');
lines.push('| measure | measured | goal | met |', '|---|---:|---:|:---:|');
for (const [what, value, goal, ok] of rows) lines.push(`| ${what} | ${value} | ${goal} | ${ok ? 'yes' : 'no'} |`);
if (result.timings) {
  const t = result.timings;
  lines.push('', `Where the app's main worker spent the loading (its own timings): the core ${fmt(t.core)} ms, indexing ${fmt(t.index)} ms, the record store (OPFS) ${fmt(t.store)} ms, handing HTTP values to the HTTP worker and waiting for it ${fmt(t.http)} ms, reading the capture ${fmt(t.read)} ms; ${fmt(t.total)} ms in all from the worker's start.`);
}
if (result.filters.length) {
  lines.push('', 'Filters typed into `[data-testid=filter]` (20 ms a key), each from the whole capture; time from the last key until the packet count stopped changing:', '');
  lines.push('| filter | packets shown | time |', '|---|---:|---:|');
  for (const f of result.filters) lines.push(`| \`${f.expression.replace(/\|/g, '\\|')}\` | ${f.count === null ? (f.error ? `none: the page says ${f.error.replace(/\|/g, '\\|')}` : `no change in ${FILTER_TIMEOUT_MS / 1000} s`) : fmt(f.count)} | ${f.ms === null ? '—' : `${fmt(f.ms)} ms`} |`);
}
const section = lines.join('\n') + '\n';
process.stdout.write(section);

if (writeResults) {
  const path = join(root, 'bench', 'results.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, replaceSection(old, section));
  log(`written into ${path}`);
} else log('--root: bench/results.md left alone');

/** The text with the section under HEADING replaced by `section` (or appended); the rest kept. */
function replaceSection(text, section) {
  const start = text.indexOf(`${HEADING}\n`);
  if (start < 0) return (text === '' ? '' : text.trimEnd() + '\n\n') + section;
  const next = text.slice(start + HEADING.length).search(/^## /m);
  const end = next < 0 ? text.length : start + HEADING.length + next;
  return text.slice(0, start) + section + (end < text.length ? '\n' + text.slice(end) : '');
}
