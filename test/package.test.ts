// What the npm package (and so the image, which installs the same tarball) contains: the project
// is packed with `npm pack`, the tarball installed into an empty directory, and the installed
// `tracecap` run as a user runs it — on a file, on standard input, on a file large enough for
// the threads (which load build/tracecap-shared.wasm), `tracecap app`, the sidecar mode and the
// WASI command. A file missing from package.json `files` fails here. Runs after `npm run build`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, exited, waitFor } from './helpers/netns.js';

const ROOT = new URL('../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/dns.pcap');
const GOLDEN = readFileSync(join(ROOT, 'examples/dns.ndjson'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-package-'));
const prefix = join(tmp, 'installed');
let bin = '';
let pkg = '';

// The environment without what `npm test` / `npx` set for the project (npm_config_*, npm_package_*,
// node_modules/.bin first on PATH, where a dependency's old npm may sit): the machine's npm, as a
// user installing the package has it.
const ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
ENV.PATH = (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules')).join(':');

function sh(cmd: string, args: string[], cwd: string, input?: Uint8Array | string) {
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...ENV, TRACECAP_SIDECAR: '', npm_config_update_notifier: 'false' } });
  if (r.error) throw r.error;
  return r;
}

beforeAll(() => {
  const packed = sh('npm', ['pack', '--pack-destination', tmp, '--json', '--ignore-scripts'], ROOT);
  expect(packed.status, packed.stderr).toBe(0);
  const tgz = join(tmp, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  // Offline: the dependencies come from npm's cache (npm ci filled it); pcap, an optional native
  // addon, is left out (the tcpdump engine stands in for it).
  const inst = sh('npm', ['install', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--omit=optional', tgz], tmp);
  expect(inst.status, `${inst.stdout}\n${inst.stderr}`).toBe(0);
  bin = join(prefix, 'node_modules/.bin/tracecap');
  pkg = join(prefix, 'node_modules/tracecap');
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the installed npm package', () => {
  it('tracecap FILE: the golden records', () => {
    const r = sh(bin, ['--project', 'my-project', EXAMPLE], tmp);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(GOLDEN);
  });

  it('tracecap - < FILE (standard input, on threads): the golden records', () => {
    const r = sh(bin, ['--project', 'my-project', '-'], tmp, readFileSync(EXAMPLE));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(GOLDEN);
  });

  it('a file of 4 MiB or more (threads, build/tracecap-shared.wasm): the same bytes as one thread', () => {
    const big = join(tmp, 'big.pcap');
    const gen = sh(process.execPath, [join(ROOT, 'bench/gen.js'), 'http', big, String(5 << 20)], ROOT);
    expect(gen.status, gen.stderr).toBe(0);
    expect(statSync(big).size).toBeGreaterThanOrEqual(4 << 20);
    const auto = sh(bin, ['--verbosity', 'info', big], tmp);
    expect(auto.stderr).toBe('');
    expect(auto.status).toBe(0);
    const one = sh(bin, ['--verbosity', 'info', '--threads', '1', big], tmp);
    expect(one.status).toBe(0);
    expect(auto.stdout.length).toBeGreaterThan(1 << 20);
    expect(auto.stdout === one.stdout, 'threads and one thread give the same bytes').toBe(true);
    const two = sh(bin, ['--verbosity', 'info', '--threads', '2', '-'], tmp, readFileSync(big));
    expect(two.stderr).toBe('');
    expect(two.stdout === one.stdout, 'standard input on 2 threads').toBe(true);
  });

  it('TRACECAP_SIDECAR=1 (the image\'s mode) with -r FILE and with -: the golden records', () => {
    for (const args of [['-r', EXAMPLE], ['-']]) {
      const r = spawnSync(bin, args, { input: readFileSync(EXAMPLE), encoding: 'utf8', env: { ...ENV, TRACECAP_SIDECAR: '1', PROJECT_ID: 'my-project' } });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.stdout, args.join(' ')).toBe(GOLDEN);
    }
  });

  it('tracecap app FILE serves the page, the core and the capture', async () => {
    const app = spawn(bin, ['app', '--port', '0', EXAMPLE], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    const io = collect(app);
    try {
      await waitFor(app.stdout!, '\n', 20_000);
      const url = new URL(io.out().toString('utf8').trim());
      const page = await fetch(new URL('/', url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script');
      for (const file of readdirSync(join(pkg, 'build/app'))) {
        const r = await fetch(new URL(`/${file}`, url));
        expect(r.status, file).toBe(200);
        await r.arrayBuffer();
      }
      const capture = await fetch(new URL(url.searchParams.get('url')!, url));
      expect(Buffer.from(await capture.arrayBuffer()).equals(readFileSync(EXAMPLE))).toBe(true);
    } finally {
      app.kill('SIGTERM');
      expect((await exited(app, 10_000)).code, io.err()).toBe(0);
    }
  });

  it('the WASI command (scripts/run-wasi.mjs and build/tracecap-wasi.wasm)', () => {
    const r = sh(process.execPath, ['--no-warnings', join(pkg, 'scripts/run-wasi.mjs'), '--project', 'my-project'], tmp, readFileSync(EXAMPLE));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(GOLDEN);
  });

  it('the modules: tracecap, tracecap/node (with its dependencies) and tracecap/tracecap.wasm resolve', () => {
    const script = `
      const core = await import('tracecap');
      const node = await import('tracecap/node');
      const t = await node.createNodeTranslator({ project: 'my-project' });
      const out = Buffer.concat([t.push(require('node:fs').readFileSync(${JSON.stringify(EXAMPLE)})), t.finish()]);
      const s = node.parseSchedule('*/5 * * * * *', 'UTC');
      process.stdout.write(JSON.stringify({ same: out.toString() === ${JSON.stringify(GOLDEN)}, api: typeof core.createTranslator, cron: s.next(0) === 5000, wasm: require.resolve('tracecap/tracecap.wasm').endsWith('build/tracecap.wasm') }));`;
    const r = sh(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(join(prefix, 'x.js'))}); ${script}`], prefix);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ same: true, api: 'function', cron: true, wasm: true });
  });
});
