// Memory of a Chromium browser and its processes, read from /proc (Linux), for bench/app.js.
// The renderers are the browser's descendants with --type=renderer on their command line (under
// the zygote). A dedicated worker is a thread of its page's renderer, so the renderer's figure
// includes the app's workers. PSS (/proc/PID/smaps_rollup) splits pages shared between processes,
// so figures of several processes add up; VmRSS when smaps_rollup is unreadable. The tab's
// renderer is taken to be the non-UI renderer with the largest peak: the others (the browser's
// UI, a spare) stay small. The browser process itself (which holds Blob data and the storage
// service's buffers) and the other helpers (GPU, network, storage) are sampled too, as a check
// on what the tab's figure leaves out.
import { readFileSync, readdirSync } from 'node:fs';

/** Parent pid -> child pids, from /proc/PID/stat. */
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

/** Chromium rewrites its argv into one space-separated string (as setproctitle does). */
const argsOf = (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);

/** The browser's descendants: { pid, kind: 'renderer' | 'ui' | 'other' }. */
function descendants(browserPid) {
  const children = processTable();
  const out = [];
  const stack = [browserPid];
  while (stack.length) {
    const pid = stack.pop();
    for (const c of children.get(pid) ?? []) {
      stack.push(c);
      try {
        const args = argsOf(c);
        const kind = !args.includes('--type=renderer') ? 'other' : args.includes('--top-chrome-webui') ? 'ui' : 'renderer';
        out.push({ pid: c, kind });
      } catch { /* gone meanwhile */ }
    }
  }
  return out;
}

/** Kilobytes of PSS (or RSS) of one process; 0 once it is gone. */
export function memoryKb(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    try { return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
  }
}

/** The browser process of a profile directory: the Chromium process with that --user-data-dir and no --type=. */
export function browserPidOf(profile) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = argsOf(d);
      if (args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) return Number(d);
    } catch { /* gone meanwhile */ }
  }
  throw new Error(`no Chromium process with --user-data-dir=${profile}`);
}

/**
 * Samples every `intervalMs` until stopped, peaks per phase: each renderer's, the browser
 * process's, and the sum of every Chromium process in one sample. `phase` names the phase the
 * next samples belong to (setting it takes a sample first, so a phase's peak includes its start).
 */
export function memorySampler(browserPid, intervalMs) {
  const renderers = new Map(); // pid -> { ui, byPhase: {phase: kb} }
  const browser = {}; // phase -> kb
  const all = {}; // phase -> kb (sum over the processes of one sample)
  const order = [];
  let phase = 'loading';
  let samples = 0;
  const sample = () => {
    samples++;
    if (!order.includes(phase)) order.push(phase);
    const b = memoryKb(browserPid);
    let sum = b;
    browser[phase] = Math.max(browser[phase] ?? 0, b);
    for (const { pid, kind } of descendants(browserPid)) {
      const kb = memoryKb(pid);
      sum += kb;
      if (kind === 'other') continue;
      const p = renderers.get(pid) ?? { ui: kind === 'ui', byPhase: {} };
      p.byPhase[phase] = Math.max(p.byPhase[phase] ?? 0, kb);
      renderers.set(pid, p);
    }
    all[phase] = Math.max(all[phase] ?? 0, sum);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  let result = null;
  return {
    get phase() { return phase; },
    set phase(p) { sample(); phase = p; sample(); },
    /** Stops (once) and returns { tabPid, tab: {phase: kb}, browser: {phase: kb}, all: {phase: kb}, phases, othersKb, renderers, samples }. */
    stop() {
      if (result) return result;
      clearInterval(timer);
      sample();
      const peakOf = (p) => Math.max(0, ...Object.values(p.byPhase));
      const candidates = [...renderers.entries()].filter(([, p]) => !p.ui);
      const [tabPid, tab] = candidates.sort((a, b) => peakOf(b[1]) - peakOf(a[1]))[0] ?? [0, { byPhase: {} }];
      const othersKb = [...renderers.entries()].filter(([pid]) => pid !== tabPid).reduce((s, [, p]) => s + peakOf(p), 0);
      result = { tabPid, tab: tab.byPhase, browser, all, phases: order, othersKb, renderers: renderers.size, samples };
      return result;
    },
  };
}
