// `tracecap app`: serves the browser app (build/app, a static site) and, optionally, one capture
// file to it, on a local HTTP server (node:http only). Contract: GET and HEAD only; a path that
// names anything outside the root (`..` in any spelling, an encoded slash, a symlink out) is 404,
// as a missing file is; no directory listings; every response carries the security headers
// below, which also make the page cross-origin isolated (COOP + COEP) for the app's worker.
// Files are streamed, and byte ranges (RFC 9110 section 14) are honoured, so a capture of any
// size can be read in slices.
import { createServer, type IncomingMessage, type ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

/** The built browser app shipped with the package (`npm run build` writes it). */
export const appRoot = fileURLToPath(new URL('../../../build/app/', import.meta.url));

/** Where the served capture lives in the app's URL space. */
export const CAPTURE_PREFIX = '/capture/';

/** The Content-Security-Policy of every response: the app's own scripts, worker and wasm only. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers sent on every response, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  // With COEP require-corp, this keeps other origins from embedding the capture or the app.
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.cap': 'application/vnd.tcpdump.pcap',
};

/** The Content-Type for a file name; unknown extensions are plain bytes. */
export function contentType(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** What `serveApp` serves, and where. */
export interface AppServerOptions {
  /** Directory of the static site (default: appRoot). */
  root?: string;
  /** TCP port; 0 picks a free one (default 8080). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** A capture file to serve at /capture/<name>, or null. */
  file?: string | null;
  /**
   * Capture files the app opens as one capture (merged by time stamp), each served at
   * /capture/<k>/<name> (k its position); with one, as `file`.
   */
  files?: readonly string[];
}

/** A running app server. */
export interface AppServer {
  /** The URL to open: the app, with ?url= naming the capture when one is served. */
  url: string;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** Why the server cannot start, in one line (a port in use, a missing root or file). */
export class AppServerError extends Error {}

// Addresses a browser on this machine reaches the server by; 0.0.0.0 and :: are not one.
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/i;

/** Host header values accepted for a loopback bind: another name resolving here is DNS rebinding. */
function allowedHosts(host: string, port: number): Set<string> | null {
  if (!LOOPBACK.test(host)) return null;
  const names = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${urlHost(host)}:${port}`]);
  // Port 80 may be left out of the Host header (RFC 9110 section 7.2).
  if (port === 80) for (const n of [...names]) names.add(n.slice(0, -3));
  return names;
}

/** Splits a request target into decoded path segments; null when one would leave its directory. */
export function safeSegments(target: string): string[] | null {
  const path = target.split(/[?#]/, 1)[0]!;
  if (!path.startsWith('/')) return null;
  const segments: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    let s: string;
    try { s = decodeURIComponent(raw); } catch { return null; }
    // An encoded slash or backslash would make one segment two on the file system.
    if (s === '..' || s === '.' || s.includes('/') || s.includes('\\') || s.includes('\0')) return null;
    segments.push(s);
  }
  return segments;
}

type Range = { start: number; end: number } | 'unsatisfiable' | null;

/** Reads a single `bytes=` range against a size; null: serve the whole file (absent, malformed or multiple ranges). */
export function parseRange(header: string | undefined, size: number): Range {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  // Several ranges would need multipart/byteranges; RFC 9110 section 14.2 lets a server ignore Range.
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function plain(res: ServerResponse, status: number, text: string, extra: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Sends one file (its current size), whole or one range of it, streamed. */
async function sendFile(req: IncomingMessage, res: ServerResponse, path: string, type: string): Promise<void> {
  let size: number;
  try {
    const st = await fsp.stat(path);
    if (!st.isFile()) { plain(res, 404, 'not found\n'); return; }
    size = st.size;
  } catch { plain(res, 404, 'not found\n'); return; }
  // If-Range needs a validator to compare; there is none, so a conditional range gets the whole file.
  const range = req.headers['if-range'] === undefined ? parseRange(req.headers.range, size) : null;
  if (range === 'unsatisfiable') { plain(res, 416, 'range not satisfiable\n', { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' }); return; }
  const headers: OutgoingHttpHeaders = { ...SECURITY_HEADERS, 'Content-Type': type, 'Accept-Ranges': 'bytes' };
  let start = 0, end = size - 1;
  if (range) {
    ({ start, end } = range);
    headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['Content-Length'] = size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) { res.end(); return; }
  const stream = createReadStream(path, { start, end });
  // A file that vanished after the stat, or a client that went away: end the response, no crash.
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** Starts the server; resolves once it listens. Throws AppServerError for a missing root or file, or a port that cannot be bound. */
export async function serveApp(options: AppServerOptions = {}): Promise<AppServer> {
  const root = options.root ?? appRoot;
  const host = options.host ?? '127.0.0.1';
  const files = options.files?.length ? options.files : options.file ? [options.file] : [];
  const file = files.length === 1 ? files[0]! : null;
  let realRoot: string;
  try {
    realRoot = await fsp.realpath(root);
    await fsp.access(join(realRoot, 'index.html'));
  } catch {
    throw new AppServerError(options.root === undefined
      ? `the browser app is not built (${join(root, 'index.html')} is missing): run \`npm run build\``
      : `--root ${root}: no index.html there (the app's directory, as npm run build writes build/app)`);
  }
  for (const f of files) {
    const st = await fsp.stat(f).catch(() => null);
    if (!st) throw new AppServerError(`${f}: no such file`);
    if (!st.isFile()) throw new AppServerError(`${f}: not a regular file`);
  }
  const captureName = file === null ? null : basename(file);
  // Several files: /capture/<k>/<name>, so that two of the same name stay apart.
  const capturePaths = files.length > 1 ? files.map((f, k) => `${k}/${basename(f)}`) : [];
  let hosts: Set<string> | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (hosts && !hosts.has((req.headers.host ?? '').toLowerCase())) { plain(res, 421, 'unknown host\n'); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { plain(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' }); return; }
    const segments = safeSegments(req.url ?? '');
    if (!segments) { plain(res, 404, 'not found\n'); return; }
    if (file !== null && segments.length === 2 && segments[0] === 'capture' && segments[1] === captureName) {
      await sendFile(req, res, file, contentType(captureName));
      return;
    }
    const k = segments.length === 3 && segments[0] === 'capture' ? capturePaths.indexOf(`${segments[1]}/${segments[2]}`) : -1;
    if (k >= 0) { await sendFile(req, res, files[k]!, contentType(files[k]!)); return; }
    // A directory gets its index.html, never a listing.
    if (segments.length === 0 || segments[segments.length - 1] === '') segments.push('index.html');
    let path: string;
    try {
      path = await fsp.realpath(join(realRoot, ...segments));
    } catch { plain(res, 404, 'not found\n'); return; }
    // realpath follows symlinks, so one pointing out of the root is caught here.
    if (!path.startsWith(realRoot + sep)) { plain(res, 404, 'not found\n'); return; }
    await sendFile(req, res, path, contentType(path));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.headersSent) plain(res, 500, 'internal error\n'); else res.destroy(); });
  });
  const port = options.port ?? 8080;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${urlHost(host)}:${port}`;
      if (e.code === 'EADDRINUSE') reject(new AppServerError(`${where} is in use (choose another port with --port, or --port 0 for any free one)`));
      else if (e.code === 'EACCES') reject(new AppServerError(`${where}: permission denied (ports below 1024 need privileges; try --port 0)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new AppServerError(`${host}: not an address of this machine`));
      else reject(new AppServerError(`cannot listen on ${where}: ${e.message}`));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, bound);
  const base = `http://${urlHost(host)}:${bound}/`;
  // The query value is the capture's path, itself percent-encoded; its '%' are escaped once more
  // so that URLSearchParams hands the app the path exactly (slashes stay readable).
  const query = (path: string) => `url=${(CAPTURE_PREFIX + path).replace(/%/g, '%25')}`;
  const url = captureName !== null ? `${base}?${query(encodeURIComponent(captureName))}`
    : capturePaths.length ? `${base}?${capturePaths.map((p) => query(p.split('/').map(encodeURIComponent).join('/'))).join('&')}` : base;
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections (a browser's) would hold close() open.
      server.closeAllConnections();
    }),
  };
}
