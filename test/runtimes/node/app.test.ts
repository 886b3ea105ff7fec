// `tracecap app` as a user runs it: the CLI spawned on a throwaway root (so the test does not
// need the browser app built), then requests against the URL it prints: headers, content
// types, traversal attempts, methods, the capture route with ranges, and the one-line errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CONTENT_SECURITY_POLICY, parseRange } from '../../../runtimes/node/app.js';

const BIN = 'bin/tracecap.js';
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-app-'));
const root = join(tmp, 'site');
const CAPTURE = join(tmp, 'my capture.pcap');
// 256 distinct bytes: every range has a known content.
const captureBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

interface Running { child: ChildProcess; url: string; base: string; exit: Promise<{ code: number | null; signal: string | null }>; err: () => string }

/** Spawns `tracecap app ARGS` and resolves once it has printed its URL line. */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'app', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('\n')) return;
      const url = out.split('\n')[0]!;
      resolve({ child, url, base: url.replace(/\?.*$/, ''), exit, err: () => err });
    });
    void exit.then((e) => reject(new Error(`exited ${e.code} before printing a URL: ${err}`)));
  });
}

/** A request with the target sent byte for byte (fetch would normalise `..` away). */
function raw(base: string, target: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: target, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tracecap app', () => {
  let app: Running;
  beforeAll(async () => {
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'worker.js'), 'self.onmessage = () => {};');
    writeFileSync(join(root, 'app.css'), 'body {}');
    writeFileSync(join(root, 'x.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    writeFileSync(join(root, 'sub', 'a.txt'), 'a');
    writeFileSync(join(tmp, 'secret.txt'), 'secret');
    symlinkSync(join(tmp, 'secret.txt'), join(root, 'link.txt'));
    writeFileSync(CAPTURE, captureBytes);
    app = await start(['--port', '0', '--root', root, CAPTURE]);
  });
  afterAll(async () => {
    if (app.child.exitCode === null) { app.child.kill('SIGTERM'); await app.exit; }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('several files: the URL names each (/capture/<k>/<name>), opened as one capture; each is served', async () => {
    const second = join(tmp, 'two.pcap');
    writeFileSync(second, captureBytes.subarray(0, 100));
    const both = await start(['--port', '0', '--root', root, CAPTURE, second]);
    try {
      expect(new URL(both.url).searchParams.getAll('url')).toEqual(['/capture/0/my%20capture.pcap', '/capture/1/two.pcap']);
      expect((await raw(both.base, '/capture/0/my%20capture.pcap')).body).toEqual(captureBytes);
      expect((await raw(both.base, '/capture/1/two.pcap')).body).toEqual(captureBytes.subarray(0, 100));
      expect((await raw(both.base, '/capture/2/two.pcap')).status).toBe(404);
    } finally { both.child.kill('SIGTERM'); await both.exit; }
  });

  it('prints one line, the URL of the app opening the capture', () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?url=\/capture\/my%2520capture\.pcap$/);
    // What the app reads with URLSearchParams is the capture's path, percent-encoded once.
    expect(new URL(app.url).searchParams.get('url')).toBe('/capture/my%20capture.pcap');
  });
  it('serves index.html at / with the security headers', async () => {
    const r = await fetch(app.base);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>t</title>');
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('cache-control')).toBe('no-cache');
  });
  it('gives each file its Content-Type', async () => {
    for (const [path, type] of [['worker.js', 'text/javascript; charset=utf-8'], ['x.wasm', 'application/wasm'], ['app.css', 'text/css; charset=utf-8'], ['index.html', 'text/html; charset=utf-8']]) {
      const r = await fetch(app.base + path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toBe(type);
    }
    expect(Buffer.from(await (await fetch(app.base + 'x.wasm')).arrayBuffer())).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  });
  it('answers every traversal attempt with 404, headers included', async () => {
    for (const target of ['/../package.json', '/%2e%2e/package.json', '/%2E%2E/package.json', '/..%2fpackage.json', '/sub/../../secret.txt', '/sub/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/link.txt', '/%00']) {
      const r = await raw(app.base, target);
      expect(r.status, target).toBe(404);
      expect(r.body.toString(), target).not.toContain('secret');
      expect(r.headers['content-security-policy'], target).toBe(CONTENT_SECURITY_POLICY);
    }
  });
  it('lists no directory, and 404s what is missing', async () => {
    expect((await raw(app.base, '/sub/')).status).toBe(404);
    expect((await raw(app.base, '/sub')).status).toBe(404);
    expect((await raw(app.base, '/sub/a.txt')).status).toBe(200);
    expect((await raw(app.base, '/nope.js')).status).toBe(404);
    expect((await raw(app.base, '/capture/other.pcap')).status).toBe(404);
  });
  it('allows GET and HEAD only (405 with Allow)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await raw(app.base, '/', { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });
  it('serves the capture whole, by HEAD, and by byte ranges', async () => {
    const path = new URL(app.url).searchParams.get('url')!;
    const whole = await fetch(app.base.slice(0, -1) + path);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('application/vnd.tcpdump.pcap');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(captureBytes);

    const head = await raw(app.base, path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('256');
    expect(head.body.length).toBe(0);

    const cases: [string, number, number][] = [['bytes=10-19', 10, 19], ['bytes=250-', 250, 255], ['bytes=-6', 250, 255], ['bytes=200-999', 200, 255], ['bytes=0-0', 0, 0]];
    for (const [range, start, end] of cases) {
      const r = await raw(app.base, path, { headers: { Range: range } });
      expect(r.status, range).toBe(206);
      expect(r.headers['content-range'], range).toBe(`bytes ${start}-${end}/256`);
      expect(r.headers['content-length'], range).toBe(String(end - start + 1));
      expect(r.body, range).toEqual(captureBytes.subarray(start, end + 1));
    }
    const headRange = await raw(app.base, path, { method: 'HEAD', headers: { Range: 'bytes=100-' } });
    expect(headRange.status).toBe(206);
    expect(headRange.headers['content-range']).toBe('bytes 100-255/256');
    expect(headRange.body.length).toBe(0);

    for (const range of ['bytes=256-', 'bytes=1000-2000', 'bytes=-0']) {
      const r = await raw(app.base, path, { headers: { Range: range } });
      expect(r.status, range).toBe(416);
      expect(r.headers['content-range'], range).toBe('bytes */256');
    }
    // Malformed and multiple ranges are ignored (RFC 9110 section 14.2): the whole file.
    for (const range of ['bytes=5-1', 'items=0-1', 'bytes=0-1,5-6']) {
      const r = await raw(app.base, path, { headers: { Range: range } });
      expect(r.status, range).toBe(200);
      expect(r.body.length, range).toBe(256);
    }
  });
  it('parseRange: suffixes, open ends, and an empty file', () => {
    expect(parseRange('bytes=0-', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange(' bytes = 2 - 3 ', 10)).toEqual({ start: 2, end: 3 });
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-1', 0)).toBe('unsatisfiable');
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=-', 10)).toBeNull();
  });
  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    expect((await raw(app.base, '/', { headers: { Host: 'attacker.example:80' } })).status).toBe(421);
    expect((await raw(app.base, '/', { headers: { Host: `localhost:${new URL(app.base).port}` } })).status).toBe(200);
  });
  it('exits 0 on SIGINT, with nothing on standard error', async () => {
    const other = await start(['--port', '0', '--root', root]);
    expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    other.child.kill('SIGINT');
    expect(await other.exit).toEqual({ code: 0, signal: null });
    expect(other.err()).toBe('');
  });
  it('exits 0 on SIGTERM while a keep-alive connection is open', async () => {
    const other = await start(['--port', '0', '--root', root]);
    const u = new URL(other.base);
    await new Promise<void>((resolve) => request({ host: u.hostname, port: u.port, path: '/', headers: { Connection: 'keep-alive' } }, (res) => { res.resume(); res.on('end', resolve); }).end());
    other.child.kill('SIGTERM');
    expect((await other.exit).code).toBe(0);
  });
});

describe('tracecap app errors', () => {
  const site = mkdtempSync(join(tmpdir(), 'tracecap-app-err-'));
  writeFileSync(join(site, 'index.html'), 'x');
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'app', ...args], { timeout: 20_000 });
    return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
  };
  let busy: Server;
  beforeAll(() => new Promise<void>((resolve) => { busy = createServer().listen(0, '127.0.0.1', () => resolve()); }));
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('a busy port: one line, exit 1, no stack trace', () => {
    const port = (busy.address() as AddressInfo).port;
    const r = run(['--port', String(port), '--root', site]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`tracecap: 127.0.0.1:${port} is in use (choose another port with --port, or --port 0 for any free one)\n`);
  });
  it('a FILE that does not exist: one line, exit 1, before serving', () => {
    const r = run(['--port', '0', '--root', site, join(site, 'missing.pcap')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`tracecap: ${join(site, 'missing.pcap')}: no such file\n`);
  });
  it('a --root without the app names --root (the packaged one, when not built, says to run npm run build)', () => {
    const r = run(['--port', '0', '--root', join(site, 'nothing')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^tracecap: --root .*nothing: no index\.html there \(the app's directory, as npm run build writes build\/app\)\n$/);
  });
  it('usage errors: a bad port, options of other commands; files that do not exist', () => {
    expect(run(['--port', 'x']).err).toMatch(/^tracecap: --port needs a non-negative integer, not "x"\n/);
    expect(run(['--port', '70000']).err).toMatch(/^tracecap: --port must be at most 65535/);
    expect(run(['-w', 'out', '--root', site]).err).toMatch(/^tracecap: -w is not an option of `tracecap app`\n/);
    expect(run(['--root', site, 'a.pcap', 'b.pcap'])).toMatchObject({ code: 1, err: 'tracecap: a.pcap: no such file\n' });
    const r = spawnSync(process.execPath, [BIN, '--port', '1', 'x.pcap']);
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/^tracecap: --port is for `tracecap app`\n/);
  });
  it('--help documents the app command', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('tracecap app [--port N] [--host ADDR] [FILE ...]');
    expect(r.out).toContain('--root DIR');
  });
});
