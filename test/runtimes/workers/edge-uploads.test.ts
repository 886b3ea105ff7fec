// The deployable Worker (runtimes/workers/edge) in workerd through miniflare, with its R2 bucket
// simulated for real: uploads by PUT and by multipart read back byte for byte from the bucket,
// abort, bad names, the bearer token, the anonymous POST / against the CLI, scripts/upload.mjs
// (single PUT, multipart, resume after a kill), and `npm run worker:dev` once through wrangler.
// Needs `npm run build` (build/tracecap.wasm, dist/ for the CLI, build/app for worker:dev).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without type declarations
import { buildRuntimes, edgeDir, root } from '../../../scripts/build-runtimes.mjs';

const ROOT = root as string;
const MiB = 1 << 20;
const TOKEN = 'test-token-7f3a';
/** The body limit the Worker is given here (TRACECAP_BODY_LIMIT): 6 MiB, so 5 MiB parts fit and 13 MiB needs parts. */
const BODY_LIMIT = 6 * MiB;
const CORPUS_PCAP = join(ROOT, '..', 'shared', 'corpus', 'http', 'h1-keepalive-mtu1500.pcap');
const UPLOAD = join(ROOT, 'scripts', 'upload.mjs');

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const auth = { authorization: `Bearer ${TOKEN}` };

let mf: Miniflare;
let url: URL;
let work: string;

/** A Miniflare running build/edge/edge.js with the given vars. */
function startEdge(bindings: Record<string, string>): Miniflare {
  const edge = join(edgeDir as string, 'edge.js');
  const wasm = join(edgeDir as string, 'tracecap.wasm');
  return new Miniflare({
    modulesRoot: edgeDir as string,
    modules: [
      { type: 'ESModule', path: edge, contents: readFileSync(edge, 'utf8') },
      { type: 'CompiledWasm', path: wasm, contents: readFileSync(wasm) },
    ],
    compatibilityDate: '2025-09-01',
    r2Buckets: ['CAPTURES'],
    durableObjects: { JOBS: 'Job' },
    queueProducers: { SHARDS: 'tracecap-shards' },
    bindings,
    host: '127.0.0.1',
    port: 0,
  });
}

beforeAll(async () => {
  await buildRuntimes();
  mf = startEdge({ TRACECAP_TOKEN: TOKEN, TRACECAP_BODY_LIMIT: String(BODY_LIMIT) });
  url = await mf.ready;
  work = mkdtempSync(join(tmpdir(), 'tracecap-edge-'));
});

afterAll(async () => {
  await mf?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A request to the Worker over real HTTP, the reply's body read as text. Not dispatchFetch: it
 * forwards a large buffer without its Content-Length, which R2 needs and the Worker checks.
 */
async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: Uint8Array | string | ReadableStream<Uint8Array> } = {}) {
  const extra = init.body instanceof ReadableStream ? { duplex: 'half' } : {};
  const res = await fetch(new URL(path, url), { method, headers: init.headers, body: init.body as never, ...extra } as RequestInit);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** What the bucket holds under `key`, read through the simulator's own R2 (not through the Worker). */
async function stored(key: string): Promise<Uint8Array | null> {
  const bucket = await mf.getR2Bucket('CAPTURES');
  const o = await bucket.get(key);
  return o ? new Uint8Array(await o.arrayBuffer()) : null;
}

describe('PUT /captures/NAME', () => {
  it('streams the body into R2: read back byte for byte; GET/HEAD say size and etag; GET /captures lists it', async () => {
    const body = new Uint8Array(randomBytes(2 * MiB + 17));
    const put = await call('PUT', '/captures/one.pcap', { headers: auth, body });
    expect(put.status).toBe(201);
    const meta = JSON.parse(put.text);
    expect(meta).toMatchObject({ name: 'one.pcap', size: body.length });
    expect(sha256((await stored('captures/one.pcap'))!)).toBe(sha256(body));
    const get = await call('GET', '/captures/one.pcap', { headers: auth });
    expect(get.status).toBe(200);
    expect(JSON.parse(get.text)).toEqual(meta);
    const head = await call('HEAD', '/captures/one.pcap', { headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-capture-size')).toBe(String(body.length));
    expect(head.headers.get('etag')).toBe(`"${meta.etag}"`);
    const list = JSON.parse((await call('GET', '/captures', { headers: auth })).text);
    expect(list.captures).toContainEqual(meta);
    expect(list.cursor).toBeNull();
  });

  it('above the body limit: 413 naming both byte counts and the multipart route', async () => {
    const r = await call('PUT', '/captures/big.pcap', { headers: auth, body: new Uint8Array(BODY_LIMIT + 1) });
    expect(r.status).toBe(413);
    expect(r.text).toBe(`capture big.pcap of ${BODY_LIMIT + 1} bytes (6.0 MiB) is above this Worker's limit of ${BODY_LIMIT} bytes (6.0 MiB) (free plan): upload it in parts, POST /captures/big.pcap/uploads (scripts/upload.mjs does)\n`);
    expect(await stored('captures/big.pcap')).toBeNull();
  });

  it('a body without Content-Length (chunked): 411, R2 needs the length', async () => {
    const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new Uint8Array(100)); c.close(); } });
    const r = await call('PUT', '/captures/chunked.pcap', { headers: auth, body: stream });
    expect(r.status).toBe(411);
    expect(r.text).toMatch(/^capture chunked\.pcap needs a Content-Length: R2 stores a stream only when its length is known/);
  });

  it('an empty body, a missing capture, a wrong method: 400, 404, 405', async () => {
    expect((await call('PUT', '/captures/empty.pcap', { headers: auth, body: new Uint8Array(0) })).text).toBe('capture empty.pcap is empty\n');
    const missing = await call('GET', '/captures/nothing-here', { headers: auth });
    expect([missing.status, missing.text]).toEqual([404, 'no capture named nothing-here\n']);
    const post = await call('POST', '/captures/x.pcap', { headers: auth });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
  });

  it.each([
    ['%2E%2E%2Fetc', '"../etc"'],
    ['.hidden', '".hidden"'],
    ['a%20b', '"a b"'],
    ['x'.repeat(129), `"${'x'.repeat(80)}"…`],
    ['caf%C3%A9', '"café"'],
  ])('bad name %s: 400 saying what a name may be', async (raw, shown) => {
    const r = await call('PUT', `/captures/${raw}`, { headers: auth, body: 'abc' });
    expect(r.status).toBe(400);
    expect(r.text).toBe(`bad capture name ${shown}: 1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit\n`);
  });

  it('a bad escape in the path: 400, not a stack trace', async () => {
    const r = await call('GET', '/captures/%E0%A4%A', { headers: auth });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^bad escape in path segment/);
  });
});

describe('multipart', () => {
  const name = 'multi.pcapng';
  const parts = [new Uint8Array(randomBytes(5 * MiB)), new Uint8Array(randomBytes(5 * MiB)), new Uint8Array(randomBytes(1_234_567))];

  async function start(n = name): Promise<string> {
    const r = await call('POST', `/captures/${n}/uploads`, { headers: auth });
    expect(r.status).toBe(201);
    const { uploadId, partMin, partMax, maxParts } = JSON.parse(r.text);
    expect([partMin, partMax, maxParts]).toEqual([5 * MiB, BODY_LIMIT, 10_000]);
    return uploadId as string;
  }
  const partPath = (n: string, id: string, p: number | string) => `/captures/${n}/uploads/${encodeURIComponent(id)}/${p}`;

  it('parts of the 5 MiB minimum and a smaller last one: complete gives the bytes back exactly', async () => {
    const id = await start();
    const receipts = [];
    // Out of order on purpose: R2 orders by part number.
    for (const p of [2, 1, 3]) {
      const r = await call('PUT', partPath(name, id, p), { headers: auth, body: parts[p - 1] });
      expect(r.status).toBe(200);
      const receipt = JSON.parse(r.text);
      expect(receipt).toMatchObject({ part: p, size: parts[p - 1]!.length });
      receipts.push({ part: receipt.part, etag: receipt.etag });
    }
    const done = await call('POST', `/captures/${name}/uploads/${encodeURIComponent(id)}/complete`, { headers: auth, body: JSON.stringify({ parts: receipts }) });
    expect(done.status).toBe(201);
    const total = parts.reduce((n, p) => n + p.length, 0);
    expect(JSON.parse(done.text)).toMatchObject({ name, size: total });
    const whole = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { whole.set(p, o); o += p.length; }
    expect(sha256((await stored(`captures/${name}`))!)).toBe(sha256(whole));
  });

  it('abort: 204, then the upload is gone (its parts 404) and no object was made', async () => {
    const id = await start('aborted.pcap');
    expect((await call('PUT', partPath('aborted.pcap', id, 1), { headers: auth, body: parts[0] })).status).toBe(200);
    expect((await call('DELETE', `/captures/aborted.pcap/uploads/${encodeURIComponent(id)}`, { headers: auth })).status).toBe(204);
    const late = await call('PUT', partPath('aborted.pcap', id, 2), { headers: auth, body: parts[2] });
    expect(late.status).toBe(404);
    expect(late.text).toBe('part 2 of aborted.pcap: no such upload (completed, aborted, expired after 7 days, or never started)\n');
    expect(await stored('captures/aborted.pcap')).toBeNull();
  });

  it('R2 refusals at complete are 400s that say which rule: small part, unequal parts, wrong etag', async () => {
    const small = new Uint8Array(MiB);
    const cases: [string, Uint8Array[], RegExp][] = [
      ['small.pcap', [small, small], /every part but the last must be at least 5 MiB/],
      ['unequal.pcap', [parts[0]!, new Uint8Array(BODY_LIMIT)], /every part but the last must be the same size, and the last no larger/],
    ];
    for (const [n, bodies, message] of cases) {
      const id = await start(n);
      const receipts = [];
      for (const [i, b] of bodies.entries()) receipts.push({ part: i + 1, etag: JSON.parse((await call('PUT', partPath(n, id, i + 1), { headers: auth, body: b })).text).etag });
      const r = await call('POST', `/captures/${n}/uploads/${encodeURIComponent(id)}/complete`, { headers: auth, body: JSON.stringify({ parts: receipts }) });
      expect(r.status, n).toBe(400);
      expect(r.text).toMatch(message);
      if (n === 'small.pcap') {
        const wrong = await call('POST', `/captures/${n}/uploads/${encodeURIComponent(id)}/complete`, { headers: auth, body: JSON.stringify({ parts: [{ part: 1, etag: 'f'.repeat(32) }] }) });
        expect(wrong.status).toBe(400);
        expect(wrong.text).toMatch(/a part's etag does not match an uploaded part/);
      }
    }
  });

  it.each([
    ['part 0', (id: string) => call('PUT', partPath('p.pcap', id, 0), { headers: auth, body: 'x' }), 400, 'part number must be 1 to 10000, not "0"\n'],
    ['part 10001', (id: string) => call('PUT', partPath('p.pcap', id, 10001), { headers: auth, body: 'x' }), 400, 'part number must be 1 to 10000, not "10001"\n'],
    ['a part above the body limit', (id: string) => call('PUT', partPath('p.pcap', id, 1), { headers: auth, body: new Uint8Array(BODY_LIMIT + 1) }), 413, /^part 1 of p\.pcap of 6291457 bytes \(6\.0 MiB\) is above this Worker's limit of 6291456 bytes/],
    ['complete without JSON', (id: string) => call('POST', `/captures/p.pcap/uploads/${encodeURIComponent(id)}/complete`, { headers: auth, body: 'parts' }), 400, /^complete needs a JSON body/],
    ['a part listed twice', (id: string) => call('POST', `/captures/p.pcap/uploads/${encodeURIComponent(id)}/complete`, { headers: auth, body: JSON.stringify({ parts: [{ part: 1, etag: 'a' }, { part: 1, etag: 'a' }] }) }), 400, 'part 1 is listed more than once\n'],
  ] as const)('%s: a clear 4xx', async (_what, send, status, message) => {
    const id = await start('p.pcap');
    const r = await send(id);
    expect(r.status).toBe(status);
    if (typeof message === 'string') expect(r.text).toBe(message); else expect(r.text).toMatch(message);
  });
});

describe('the bearer token', () => {
  it.each([
    ['no Authorization', {}, 'authorization required: send Authorization: Bearer TOKEN\n'],
    ['a wrong token', { authorization: 'Bearer not-the-token' }, 'the bearer token is wrong\n'],
    ['a token one character short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 'the bearer token is wrong\n'],
    ['Basic auth', { authorization: `Basic ${btoa(`u:${TOKEN}`)}` }, 'authorization must be Bearer TOKEN\n'],
  ])('%s: 401 with one line, nothing stored', async (_what, headers, message) => {
    for (const [method, path] of [['PUT', '/captures/secret.pcap'], ['POST', '/captures/secret.pcap/uploads'], ['GET', '/captures']] as const) {
      const r = await call(method, path, { headers, body: method === 'PUT' ? 'abc' : undefined });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.text).toBe(message);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="tracecap"');
    }
    expect(await stored('captures/secret.pcap')).toBeNull();
  });

  it('no TRACECAP_TOKEN configured: 503, never open', async () => {
    const open = startEdge({});
    try {
      const u = await open.ready;
      const r = await open.dispatchFetch(new URL('/captures/x.pcap', u).href, { method: 'PUT', headers: auth, body: 'abc' });
      expect(r.status).toBe(503);
      expect(await r.text()).toMatch(/^TRACECAP_TOKEN is not configured: this endpoint stays closed until it is/);
    } finally {
      await open.dispose();
    }
  });
});

describe('anonymous POST /', () => {
  it('translates the corpus capture to the CLI\'s bytes, without a token', async () => {
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), CORPUS_PCAP], { maxBuffer: 256 << 20 });
    expect(cli.status, cli.stderr?.toString()).toBe(0);
    const r = await fetch(new URL('/', url), { method: 'POST', body: readFileSync(CORPUS_PCAP) });
    expect(r.status).toBe(200);
    const got = new Uint8Array(await r.arrayBuffer());
    expect(got.length).toBe(cli.stdout.length);
    expect(sha256(got)).toBe(sha256(cli.stdout));
  });

  it('above the body limit: 413 before translating', async () => {
    const r = await call('POST', '/', { body: new Uint8Array(BODY_LIMIT + 1) });
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/^a capture of 6291457 bytes \(6\.0 MiB\) is above this Worker's body limit of 6291456 bytes/);
  });

  it('GET /limits says the limits in force; /jobs needs the token, and an unknown job is 404', async () => {
    expect(JSON.parse((await call('GET', '/limits')).text)).toEqual({ plan: 'free', bodyLimit: BODY_LIMIT, partMin: 5 * MiB, partMax: BODY_LIMIT, maxParts: 10_000, singlePutMax: BODY_LIMIT, captureMax: 10_000 * BODY_LIMIT });
    expect((await call('GET', '/jobs/1')).status).toBe(401);
    expect((await call('GET', '/jobs/1', { headers: auth })).status).toBe(404);
  });
});

describe('scripts/upload.mjs against the Worker', () => {
  interface Run { code: number | null; stdout: string; stderr: string }

  /** Runs upload.mjs; `until` (a stderr pattern) kills it with SIGKILL as soon as it matches. */
  function upload(args: string[], env: Record<string, string> = {}, until?: RegExp): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [UPLOAD, ...args], { env: { ...process.env, TMPDIR: work, TRACECAP_UPLOAD_BACKOFF_MS: '50', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; if (until && until.test(stderr)) child.kill('SIGKILL'); });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const stateFiles = () => readdirSync(work).filter((f) => f.startsWith('tracecap-upload-'));

  it('a file under the limit: one PUT, the bytes in R2', async () => {
    const file = join(work, 'small.pcap');
    const bytes = new Uint8Array(randomBytes(3 * MiB));
    writeFileSync(file, bytes);
    const r = await upload([url.href, 'small-client.pcap', file, '--token', TOKEN]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'small-client.pcap', size: bytes.length });
    expect(r.stderr).toMatch(/small-client\.pcap: 3\.0 MiB of 3\.0 MiB \(100%\), [\d.]+ MiB\/s, stored/);
    expect(sha256((await stored('captures/small-client.pcap'))!)).toBe(sha256(bytes));
  });

  it('a file above the limit: multipart; killed after its first part, the rerun resumes and the bytes are exact', async () => {
    const file = join(work, 'large.pcap');
    const bytes = new Uint8Array(randomBytes(13 * MiB + 12_345));
    writeFileSync(file, bytes);
    const args = [url.href, 'large-client.pcap', file, '--part-size', '5'];
    const first = await upload(args, { TRACECAP_TOKEN: TOKEN }, /part 1\/3 done/);
    expect(first.code).toBeNull(); // killed
    expect(first.stderr).toMatch(/large-client\.pcap: 5\.0 MiB of 13\.0 MiB \(38%\), [\d.]+ MiB\/s, part 1\/3 done/);
    expect(stateFiles()).toHaveLength(1);
    const recorded = JSON.parse(readFileSync(join(work, stateFiles()[0]!), 'utf8'));
    expect(Object.keys(recorded.parts).length).toBeGreaterThanOrEqual(1);
    expect(await stored('captures/large-client.pcap')).toBeNull();

    const second = await upload(args, { TRACECAP_TOKEN: TOKEN });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`large-client.pcap: resuming upload ${recorded.uploadId}: ${Object.keys(recorded.parts).length} of 3 parts already uploaded`);
    expect(second.stderr).not.toMatch(/part 1\/3 done/);
    expect(second.stderr).toMatch(/part 3\/3 done/);
    expect(JSON.parse(second.stdout)).toMatchObject({ name: 'large-client.pcap', size: bytes.length });
    expect(sha256((await stored('captures/large-client.pcap'))!)).toBe(sha256(bytes));
    expect(stateFiles()).toHaveLength(0);
  });

  it('the default part size is the body limit when that is smaller than 64 MiB', async () => {
    const file = join(work, 'default-parts.pcap');
    const bytes = new Uint8Array(randomBytes(BODY_LIMIT * 2 + 5));
    writeFileSync(file, bytes);
    const r = await upload([url.href, 'default-parts.pcap', file, '--token', TOKEN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/part 3\/3 done/);
    expect(sha256((await stored('captures/default-parts.pcap'))!)).toBe(sha256(bytes));
  });

  it.each([
    ['a wrong token', ['--token', 'wrong'], 3, /checking the token: HTTP 401: the bearer token is wrong \(check --token or TRACECAP_TOKEN\)/],
    ['a bad name', ['--token', TOKEN], 3, /HTTP 400: bad capture name/],
    ['a part size below 5 MiB', ['--token', TOKEN, '--part-size', '4'], 1, /--part-size 4 is below R2's minimum part of 5\.0 MiB/],
    ['no token', [], 1, /no token: give --token T or set TRACECAP_TOKEN/],
  ])('%s: its exit code and a one-line reason', async (what, extra, code, message) => {
    const file = join(work, 'tiny.pcap');
    writeFileSync(file, what === 'a part size below 5 MiB' ? randomBytes(BODY_LIMIT + 1) : randomBytes(1000));
    const name = what === 'a bad name' ? '.bad' : 'x.pcap';
    const r = await upload([url.href, name, file, ...extra], { TRACECAP_TOKEN: '' });
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
  });

  it('nothing listening: exit 4 after the retries', async () => {
    const file = join(work, 'tiny.pcap');
    writeFileSync(file, randomBytes(10));
    const r = await upload(['http://127.0.0.1:9/', 'x.pcap', file, '--token', TOKEN]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/GET \/limits failed after 5 attempts: .*ECONNREFUSED/);
  });
});

// ───────────── npm run worker:dev, once ─────────────

// Not skipped when build/app is missing: worker:dev builds what is stale itself.
describe('npm run worker:dev (wrangler dev --local)', () => {
  let child: ChildProcess | undefined;
  let persist: string;

  afterAll(() => {
    // wrangler starts workerd: end the whole process group this test started.
    if (child?.pid) try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    if (persist) rmSync(persist, { recursive: true, force: true });
  });

  it('starts, prints its URL, serves the app on GET / and answers 401 to an unauthenticated PUT', async () => {
    persist = mkdtempSync(join(tmpdir(), 'tracecap-wrangler-'));
    child = spawn('npm', ['run', 'worker:dev', '--', '--port', '0', '--persist-to', persist], {
      cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRACECAP_TOKEN: TOKEN, WRANGLER_SEND_METRICS: 'false' },
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    const base = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /^tracecap Worker: (http:\/\/\S+)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child!.on('exit', (code) => reject(new Error(`worker:dev exited ${code} before printing its URL:\n${out}\n${err.slice(-3000)}`)));
    });
    const app = await fetch(`${base}/`);
    expect(app.status).toBe(200);
    expect(await app.text()).toMatch(/<!doctype html>/i);
    const put = await fetch(`${base}/captures/dev.pcap`, { method: 'PUT', body: 'abc' });
    expect(put.status).toBe(401);
    expect(await put.text()).toBe('authorization required: send Authorization: Bearer TOKEN\n');
    const ok = await fetch(`${base}/captures/dev.pcap`, { method: 'PUT', body: 'abc', headers: auth });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ name: 'dev.pcap', size: 3 });
  });
});
