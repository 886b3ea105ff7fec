#!/usr/bin/env node
// Uploads a capture of any size to tracecap's Worker (runtimes/workers/edge):
//   node scripts/upload.mjs URL NAME FILE [--token T] [--part-size MiB]
// The token is --token or the TRACECAP_TOKEN environment variable. The Worker's GET /limits says
// its request body limit (its Cloudflare plan's, or a smaller TRACECAP_BODY_LIMIT): a file up to
// it goes in one streamed PUT; a larger one in parts (R2 multipart through the Worker), each part
// --part-size MiB (default 64, or the body limit when smaller; at least 5, R2's minimum). The
// parts' etags are recorded after each part in a state file in the OS temp directory
// (tracecap-upload-*.json, by URL, name and file): run the same command again after an
// interruption and it resumes with the parts not yet uploaded. A failed request is tried again
// (5 attempts, backoff 1, 2, 4, 8 s; TRACECAP_UPLOAD_BACKOFF_MS sets the first wait) when the
// network or the server failed (5xx, 408, 429), never when the server refused (4xx).
// Progress: one line on stderr (redrawn on a terminal; a line per part otherwise). On success the
// stored capture's JSON ({name, size, etag, uploaded}) is printed on stdout.
// Exit codes: 0 uploaded; 1 usage; 2 the file cannot be read (or changed during the upload);
// 3 the Worker refused (its one-line reason is printed: token, name, size, part); 4 the network or
// the Worker failed after every attempt; 130 interrupted (the state file stays: rerun to resume).
import { createHash } from 'node:crypto';
import { createReadStream, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const MiB = 1 << 20;
const DEFAULT_PART_MIB = 64;
const ATTEMPTS = 5;
const BACKOFF_MS = Number(process.env.TRACECAP_UPLOAD_BACKOFF_MS ?? 1000);
const IDLE_TIMEOUT_MS = 120_000;

/** A failure with its exit code; main() prints the message and exits. */
class Exit extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

function usage(message) {
  return new Exit(1, `${message}\nusage: node scripts/upload.mjs URL NAME FILE [--token T] [--part-size MiB]`);
}

function parseArgs(argv) {
  const positional = [];
  let token = process.env.TRACECAP_TOKEN ?? '';
  let partMiB;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--token' || a === '--part-size') {
      const v = argv[++i];
      if (v === undefined) throw usage(`${a} needs a value`);
      if (a === '--token') token = v;
      else if (!/^\d{1,5}$/.test(v) || Number(v) < 1) throw usage(`--part-size must be a whole number of MiB, not ${JSON.stringify(v)}`);
      else partMiB = Number(v);
    } else if (a === '-h' || a === '--help') throw new Exit(0, usage('').message.trim());
    else if (a.startsWith('--')) throw usage(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 3) throw usage('URL, NAME and FILE are required');
  const [rawUrl, name, file] = positional;
  let base;
  try {
    base = new URL(rawUrl.endsWith('/') ? rawUrl : `${rawUrl}/`);
  } catch { throw usage(`not a URL: ${rawUrl}`); }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw usage(`URL must be http or https: ${rawUrl}`);
  if (!token) throw usage('no token: give --token T or set TRACECAP_TOKEN');
  return { base, name, file: resolve(file), token, partMiB };
}

// ───────────── HTTP ─────────────

/**
 * One request. `body` is a function giving a fresh Readable (a part, the file) or a string;
 * `onBytes` counts what was sent. Resolves to {status, text}; rejects on a network failure.
 */
function request(method, url, { token, body, length, contentType, onBytes } = {}) {
  return new Promise((resolvePromise, reject) => {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (length !== undefined) headers['content-length'] = String(length);
    if (contentType) headers['content-type'] = contentType;
    const req = (url.protocol === 'https:' ? https : http).request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no progress for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    if (body === undefined) { req.end(); return; }
    if (typeof body === 'string') { req.end(body); return; }
    const stream = body();
    stream.on('error', (e) => req.destroy(new Exit(2, `reading ${e.path ?? 'the file'}: ${e.message}`)));
    if (onBytes) stream.on('data', (c) => onBytes(c.length));
    stream.pipe(req);
  });
}

const retryable = (status) => status >= 500 || status === 408 || status === 429;
const firstLine = (text) => text.split('\n')[0].trim() || '(no reason given)';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A request tried up to ATTEMPTS times with exponential backoff while the network or the server
 * fails. `what` names it in messages. Resolves to the final {status, text}; a 4xx is returned, for
 * the caller to judge.
 */
async function withRetries(what, send, progress) {
  let wait = BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    let reason;
    try {
      const r = await send();
      if (!retryable(r.status)) return r;
      reason = `HTTP ${r.status}: ${firstLine(r.text)}`;
    } catch (e) {
      if (e instanceof Exit) throw e;
      reason = e.message;
    }
    if (attempt === ATTEMPTS) throw new Exit(4, `${what} failed after ${ATTEMPTS} attempts: ${reason}`);
    progress.note(`${what} failed (${reason}); attempt ${attempt + 1} of ${ATTEMPTS} in ${(wait / 1000).toFixed(1)} s`);
    await sleep(wait);
    wait = Math.min(wait * 2, 30_000);
  }
}

/** The Worker's 4xx as an exit: its one-line reason, and what to do about a token problem. */
function refused(what, r) {
  const hint = r.status === 401 ? ' (check --token or TRACECAP_TOKEN)' : r.status === 503 ? ' (the Worker has no TRACECAP_TOKEN set)' : '';
  return new Exit(3, `${what}: HTTP ${r.status}: ${firstLine(r.text)}${hint}`);
}

function parseJson(what, r) {
  try {
    return JSON.parse(r.text);
  } catch { throw new Exit(4, `${what}: HTTP ${r.status} with a body that is not JSON: ${firstLine(r.text).slice(0, 200)}`); }
}

// ───────────── progress ─────────────

function fmtMiB(n) { return `${(n / MiB).toFixed(1)} MiB`; }

/** The one-line progress display on stderr: redrawn in place on a terminal, a line per step otherwise. */
function createProgress(label, total, alreadyDone) {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let done = alreadyDone;
  let sent = 0;
  let lastDraw = 0;
  let drawn = false;
  const line = (extra) => {
    const secs = Math.max((Date.now() - started) / 1000, 0.001);
    const pct = total ? ((100 * done) / total).toFixed(0) : '100';
    return `${label}: ${fmtMiB(done)} of ${fmtMiB(total)} (${pct}%), ${fmtMiB(sent / secs)}/s${extra ? `, ${extra}` : ''}`;
  };
  return {
    add(n) {
      done += n; sent += n;
      if (tty && Date.now() - lastDraw > 200) { lastDraw = Date.now(); process.stderr.write(`\r\x1b[K${line()}`); drawn = true; }
    },
    undo(n) { done -= n; sent -= n; },
    step(extra) { if (tty) { process.stderr.write(`\r\x1b[K${line(extra)}`); drawn = true; } else process.stderr.write(`${line(extra)}\n`); },
    note(text) { if (drawn) process.stderr.write('\n'); drawn = false; process.stderr.write(`${label}: ${text}\n`); },
    end() { if (drawn) process.stderr.write('\n'); drawn = false; },
  };
}

// ───────────── uploads ─────────────

/** Fails with exit 2 when the file changed since the upload began (its parts would not fit). */
function checkUnchanged(file, size, mtimeMs) {
  const s = statSync(file);
  if (s.size !== size || s.mtimeMs !== mtimeMs) throw new Exit(2, `${file} changed during the upload (size or time); run again to start over`);
}

async function singlePut({ base, name, file, token }, size, mtimeMs) {
  const url = new URL(`captures/${encodeURIComponent(name)}`, base);
  const progress = createProgress(name, size, 0);
  // Each attempt's bytes count while they go, and are taken back when it ends: the display
  // shows what is on its way now, and the whole file once the Worker has stored it.
  const r = await withRetries(`PUT ${name}`, () => {
    let counted = 0;
    return request('PUT', url, {
      token, length: size, contentType: 'application/octet-stream',
      body: () => createReadStream(file),
      onBytes: (n) => { counted += n; progress.add(n); },
    }).finally(() => progress.undo(counted));
  }, progress);
  if (r.status !== 201) throw refused(`PUT ${name}`, r);
  progress.add(size);
  checkUnchanged(file, size, mtimeMs);
  progress.step('stored');
  progress.end();
  return parseJson(`PUT ${name}`, r);
}

/** Where the parts' etags are kept between runs: by URL, name and absolute file path. */
function statePath(base, name, file) {
  const id = createHash('sha256').update(`${base.href}\0${name}\0${file}`).digest('hex').slice(0, 24);
  return join(tmpdir(), `tracecap-upload-${id}.json`);
}

function readState(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch { return null; }
}

/** Writes the state atomically (a rename), so a kill mid-write never leaves half a file. */
function saveState(path, state) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}

async function multipart({ base, name, file, token, partMiB }, size, mtimeMs, limits) {
  let partSize;
  if (partMiB !== undefined) {
    partSize = partMiB * MiB;
    if (partSize < limits.partMin) throw new Exit(1, `--part-size ${partMiB} is below R2's minimum part of ${fmtMiB(limits.partMin)}`);
    if (partSize > limits.partMax) throw new Exit(1, `--part-size ${partMiB} is above this Worker's body limit of ${limits.partMax} bytes (${limits.plan} plan): use at most ${Math.floor(limits.partMax / MiB)}`);
    if (Math.ceil(size / partSize) > limits.maxParts) throw new Exit(1, `--part-size ${partMiB} makes ${Math.ceil(size / partSize)} parts; R2 takes at most ${limits.maxParts}: use at least ${Math.ceil(size / limits.maxParts / MiB)}`);
  } else {
    partSize = Math.max(limits.partMin, Math.min(DEFAULT_PART_MIB * MiB, limits.partMax));
    if (Math.ceil(size / partSize) > limits.maxParts) partSize = Math.ceil(size / limits.maxParts / MiB) * MiB;
    if (partSize > limits.partMax) throw new Exit(3, `${file} has ${size} bytes: above the ${limits.maxParts} parts of ${limits.partMax} bytes this Worker takes (${limits.plan} plan)`);
  }
  const count = Math.ceil(size / partSize);
  const stateFile = statePath(base, name, file);
  const uploads = new URL(`captures/${encodeURIComponent(name)}/uploads`, base);
  const uploadUrl = (id, tail = '') => new URL(`captures/${encodeURIComponent(name)}/uploads/${encodeURIComponent(id)}${tail}`, base);

  let state = readState(stateFile);
  if (state && (state.size !== size || state.mtimeMs !== mtimeMs || state.partSize !== partSize || state.name !== name)) {
    process.stderr.write(`${name}: the recorded upload ${state.uploadId} was of another file version or part size: starting over\n`);
    await request('DELETE', uploadUrl(state.uploadId), { token }).catch(() => {});
    state = null;
  }
  if (state) {
    process.stderr.write(`${name}: resuming upload ${state.uploadId}: ${Object.keys(state.parts).length} of ${count} parts already uploaded (${stateFile})\n`);
  } else {
    const progress = createProgress(name, size, 0);
    const r = await withRetries(`starting the upload of ${name}`, () => request('POST', uploads, { token }), progress);
    if (r.status !== 201) throw refused(`starting the upload of ${name}`, r);
    state = { name, file, size, mtimeMs, partSize, uploadId: parseJson('starting the upload', r).uploadId, parts: {} };
    saveState(stateFile, state);
  }

  const doneBytes = Object.keys(state.parts).reduce((n, p) => n + Math.min(partSize, size - (Number(p) - 1) * partSize), 0);
  const progress = createProgress(name, size, doneBytes);
  for (let part = 1; part <= count; part++) {
    if (state.parts[part]) continue;
    const start = (part - 1) * partSize;
    const length = Math.min(partSize, size - start);
    const what = `part ${part} of ${count} of ${name}`;
    const r = await withRetries(what, () => {
      let counted = 0;
      return request('PUT', uploadUrl(state.uploadId, `/${part}`), {
        token, length, contentType: 'application/octet-stream',
        body: () => createReadStream(file, { start, end: start + length - 1 }),
        onBytes: (n) => { counted += n; progress.add(n); },
      }).finally(() => progress.undo(counted));
    }, progress);
    if (r.status === 404) {
      rmSync(stateFile, { force: true });
      throw new Exit(3, `${what}: the upload ${state.uploadId} no longer exists on the Worker (${firstLine(r.text)}); its state file is removed: run again to start over`);
    }
    if (r.status !== 200) throw refused(what, r);
    checkUnchanged(file, size, mtimeMs);
    state.parts[part] = parseJson(what, r).etag;
    saveState(stateFile, state);
    progress.add(length);
    progress.step(`part ${part}/${count} done`);
  }
  progress.end();
  const parts = Object.entries(state.parts).map(([p, etag]) => ({ part: Number(p), etag }));
  const r = await withRetries(`completing ${name}`, () => request('POST', uploadUrl(state.uploadId, '/complete'), { token, body: JSON.stringify({ parts }), contentType: 'application/json' }), progress);
  if (r.status !== 201) throw refused(`completing ${name}`, r);
  const stored = parseJson(`completing ${name}`, r);
  if (stored.size !== size) throw new Exit(4, `completing ${name}: the Worker stored ${stored.size} bytes, the file has ${size}`);
  rmSync(stateFile, { force: true });
  return stored;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let size, mtimeMs;
  try {
    const s = statSync(args.file);
    if (!s.isFile()) throw new Exit(2, `${args.file} is not a file`);
    closeSync(openSync(args.file, 'r'));
    ({ size, mtimeMs } = s);
  } catch (e) {
    throw e instanceof Exit ? e : new Exit(2, `cannot read ${args.file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  if (size === 0) throw new Exit(2, `${args.file} is empty`);
  process.on('SIGINT', () => {
    process.stderr.write(`\n${args.name}: interrupted; uploaded parts are recorded: run the same command again to resume\n`);
    process.exit(130);
  });

  const progress = createProgress(args.name, size, 0);
  const lr = await withRetries('GET /limits', () => request('GET', new URL('limits', args.base)), progress);
  if (lr.status !== 200) throw refused(`GET /limits from ${args.base.href} (is this tracecap's Worker?)`, lr);
  const limits = parseJson('GET /limits', lr);
  // The token is checked before any body is sent: a Worker answering 401 to a large PUT reads at
  // most 16 MiB of it first, and past that the client would see a reset, not the reason.
  const ar = await withRetries('checking the token', () => request('GET', new URL('captures?limit=1', args.base), { token: args.token }), progress);
  if (ar.status !== 200) throw refused('checking the token', ar);
  const stored = size <= limits.singlePutMax ? await singlePut(args, size, mtimeMs) : await multipart(args, size, mtimeMs, limits);
  process.stdout.write(`${JSON.stringify(stored)}\n`);
}

main().catch((e) => {
  if (e instanceof Exit) {
    if (e.message) (e.code === 0 ? process.stdout : process.stderr).write(`${e.code === 0 ? '' : `${basename(process.argv[1] ?? 'upload.mjs')}: `}${e.message}\n`);
    process.exit(e.code);
  }
  process.stderr.write(`upload.mjs: ${e.message}\n`);
  process.exit(4);
});
