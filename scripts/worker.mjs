// The deployable Worker (runtimes/workers/wrangler.jsonc), locally and on Cloudflare:
//   node scripts/worker.mjs dev [WRANGLER_DEV_ARGS…]     npm run worker:dev -- --port 8787
//   node scripts/worker.mjs deploy [WRANGLER_ARGS…]      npm run worker:deploy
// Both build what is stale first: the core (npm run build:wasm) when assembly/ is newer than
// build/tracecap.wasm, the app (npm run build:app) when its sources are newer than build/app, and
// always the Worker bundle build/edge/ (esbuild, a second).
// dev runs `wrangler dev --local` (every binding simulated, no account; state in
// runtimes/workers/.wrangler/) and prints "tracecap Worker: URL" on stdout once it answers.
// Its secret comes from the environment: TRACECAP_TOKEN (and, when set, TRACECAP_PLAN and
// TRACECAP_BODY_LIMIT) are written to runtimes/workers/.dev.vars (gitignored, mode 600), which
// wrangler dev reads; without TRACECAP_TOKEN the write endpoints answer 503.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRuntimes, root } from './build-runtimes.mjs';

const workerDir = join(root, 'runtimes', 'workers');
const config = join(workerDir, 'wrangler.jsonc');
const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** The newest modification time under `dir` (0 when missing). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  const s = statSync(dir);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(dir).map((f) => newest(join(dir, f))));
}

/** Runs an npm script, failing the whole command when it fails. */
function npmRun(script) {
  console.error(`tracecap: npm run ${script}`);
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
  if (r.status !== 0) { console.error(`tracecap: npm run ${script} failed`); process.exit(r.status ?? 1); }
}

async function buildStale() {
  const wasm = join(root, 'build', 'tracecap.wasm');
  if (!existsSync(wasm) || newest(join(root, 'assembly')) > statSync(wasm).mtimeMs) npmRun('build:wasm');
  const app = join(root, 'build', 'app', 'index.html');
  const appSources = Math.max(newest(join(root, 'runtimes', 'browser')), newest(join(root, 'src')), statSync(wasm).mtimeMs);
  if (!existsSync(app) || appSources > statSync(app).mtimeMs) npmRun('build:app');
  await buildRuntimes();
}

/** Writes the dev secrets file from the environment (never from a default: no token, no writes). */
function writeDevVars() {
  const lines = ['# Written by scripts/worker.mjs from the environment for `wrangler dev`; not committed.'];
  for (const name of ['TRACECAP_TOKEN', 'TRACECAP_PLAN', 'TRACECAP_BODY_LIMIT']) {
    const v = process.env[name];
    if (v === undefined || v === '') continue;
    if (/[\r\n"\\]/.test(v)) { console.error(`tracecap: ${name} may not contain quotes, backslashes or line breaks`); process.exit(1); }
    lines.push(`${name}="${v}"`);
  }
  if (!process.env.TRACECAP_TOKEN) console.error('tracecap: TRACECAP_TOKEN is not set: /captures and /jobs will answer 503 (set it to the bearer token clients must send)');
  const file = join(workerDir, '.dev.vars');
  rmSync(file, { force: true });
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

function dev(args) {
  writeDevVars();
  // wrangler runs miniflare in its own process: keep its loopback connections open there
  // (scripts/loopback-keepalive.mjs: else a shard running over 5 s can stall the local queue).
  const preload = `--import=${pathToFileURL(join(root, 'scripts', 'loopback-keepalive.mjs')).href}`;
  env.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
  const extra = args.includes('--ip') ? [] : ['--ip', '127.0.0.1'];
  const child = spawn(wrangler, ['dev', '-c', config, '--local', '--show-interactive-dev-session=false', ...extra, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  let announced = false;
  child.stdout.on('data', (d) => {
    process.stderr.write(d);
    if (announced) return;
    pending += d.toString();
    // wrangler prints "Ready on http://127.0.0.1:PORT" (with colour codes around it) when it answers.
    const m = /Ready on (https?:\/\/[^\s\x1b]+)/.exec(pending);
    if (m) { announced = true; process.stdout.write(`tracecap Worker: ${m[1]}\n`); }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

function deploy(args) {
  const r = spawnSync(wrangler, ['deploy', '-c', config, ...args], { cwd: root, env, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const [command, ...args] = process.argv.slice(2);
if (command !== 'dev' && command !== 'deploy') {
  console.error('usage: node scripts/worker.mjs dev|deploy [WRANGLER_ARGS…]  (npm run worker:dev / worker:deploy)');
  process.exit(1);
}
try {
  await buildStale();
} catch (e) {
  console.error(`tracecap: building the Worker failed: ${e.message}`);
  process.exit(1);
}
if (command === 'dev') dev(args); else deploy(args);
