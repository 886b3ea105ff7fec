/**
 * @module tracecap/workers/edge/captures — captures of any size into R2, streamed, never buffered
 * (a Worker has 128 MB): one PUT up to the plan's body limit, R2 multipart through the Worker above it.
 *
 *   GET    /captures                              list (?cursor=, ?limit=)
 *   PUT    /captures/NAME                         the body into R2 (Content-Length required)
 *   GET    /captures/NAME, HEAD                   size and etag
 *   DELETE /captures/NAME                         remove it
 *   POST   /captures/NAME/uploads                 start a multipart upload → {uploadId}
 *   PUT    /captures/NAME/uploads/ID/PART         one part, 1..10000 → {part, etag}
 *   POST   /captures/NAME/uploads/ID/complete     {"parts":[{"part":1,"etag":"…"},…]} → 201 {name, size}
 *   DELETE /captures/NAME/uploads/ID              abort
 *
 * R2 stores a stream only when its length is known in advance ("Provided readable stream must
 * have a known length"): a request body with Content-Length is, a chunked one is not, hence 411.
 */
import type { Env, R2ObjectLike } from './env.js';
import { bytes, fail, json, type Problem, type Result } from './http.js';
import { COMPLETE_BODY_MAX_BYTES, LIST_PAGE_MAX, NAME_MAX_CHARS, R2_MAX_PARTS, type Limits } from './limits.js';

/** Where captures live in the bucket; jobs' records and checkpoints live under `jobs/ID/` (expired by the README's lifecycle rule). */
export const CAPTURE_PREFIX = 'captures/';

const NAME_RE = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${NAME_MAX_CHARS - 1}}$`);

/** A capture name: 1..128 of A-Z a-z 0-9 . _ -, starting with a letter or digit (so no `..`, no `/`, no hidden names). */
export function parseName(raw: string): Result<string> {
  if (NAME_RE.test(raw)) return { ok: true, value: raw };
  const shown = raw.length > 80 ? `${JSON.stringify(raw.slice(0, 80))}…` : JSON.stringify(raw);
  return fail(400, `bad capture name ${shown}: 1 to ${NAME_MAX_CHARS} characters of A-Z a-z 0-9 . _ -, starting with a letter or digit`);
}

/** The declared body length: required (R2 streams only a known length), within `max`, not empty. */
function bodyLength(request: Request, max: number, what: string, hint: string): Result<number> {
  const h = request.headers.get('content-length');
  if (h === null) return fail(411, `${what} needs a Content-Length: R2 stores a stream only when its length is known (send the file, not a chunked stream)`);
  if (!/^\d{1,15}$/.test(h)) return fail(400, `bad Content-Length ${JSON.stringify(h)}`);
  const n = Number(h);
  if (n === 0) return fail(400, `${what} is empty`);
  if (n > max) return fail(413, `${what} of ${bytes(n)} is above this Worker's limit of ${bytes(max)}${hint}`);
  return { ok: true, value: n };
}

/** R2's error codes (in its messages as `(NNNNN)`) as problems a client can act on. */
function r2Problem(err: unknown, what: string): Problem {
  const message = err instanceof Error ? err.message : String(err);
  const code = /\((\d{5,6})\)\s*$/.exec(message)?.[1];
  switch (code) {
    case '10024': return { status: 404, message: `${what}: no such upload (completed, aborted, expired after 7 days, or never started)` };
    case '10025': return { status: 400, message: `${what}: a part's etag does not match an uploaded part (upload it again, or send the etag its PUT returned)` };
    case '10011': return { status: 400, message: `${what}: every part but the last must be at least 5 MiB` };
    case '10048': return { status: 400, message: `${what}: every part but the last must be the same size, and the last no larger` };
    case '100100': return { status: 413, message: `${what}: larger than R2 allows` };
    default: return { status: 502, message: `${what}: R2 failed: ${message}` };
  }
}

/** Runs one R2 call; its failure becomes a problem value. */
async function r2<T>(what: string, call: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, problem: r2Problem(err, what) };
  }
}

const described = (name: string, o: R2ObjectLike) => ({ name, size: o.size, etag: o.etag, uploaded: o.uploaded.toISOString() });

/** Method not allowed, with the ones that are. */
const methods = (allow: string, method: string): Result<Response> => fail(405, `method ${method} not allowed here; allowed: ${allow}`, { allow });

/** Decodes a path segment; a bad escape is a 400, not a URIError. */
function segment(raw: string): Result<string> {
  try {
    return { ok: true, value: decodeURIComponent(raw) };
  } catch {
    return fail(400, `bad escape in path segment ${JSON.stringify(raw.slice(0, 80))}`);
  }
}

/**
 * Answers a request under /captures (already authorized): `rest` are the path's segments after
 * `captures`. Resolves to the response, or the problem that stopped it.
 */
export async function handleCaptures(request: Request, env: Env, limits: Limits, rest: string[]): Promise<Result<Response>> {
  const method = request.method.toUpperCase();
  if (rest.length === 0) return method === 'GET' ? list(request, env) : methods('GET', method);
  const decoded: string[] = [];
  for (const raw of rest) {
    const s = segment(raw);
    if (!s.ok) return s;
    decoded.push(s.value);
  }
  const named = parseName(decoded[0]!);
  if (!named.ok) return named;
  const name = named.value;
  const key = CAPTURE_PREFIX + name;
  const [, sub, uploadId, last] = decoded;

  if (decoded.length === 1) {
    if (method === 'PUT') return put(request, env, limits, name, key);
    if (method === 'GET' || method === 'HEAD') return describe(env, name, key, method === 'HEAD');
    if (method === 'DELETE') return remove(env, name, key);
    return methods('GET, HEAD, PUT, DELETE', method);
  }
  if (sub !== 'uploads' || decoded.length > 4) return fail(404, `no such route: ${new URL(request.url).pathname}`);
  if (decoded.length === 2) {
    if (method !== 'POST') return methods('POST', method);
    const upload = await r2(`starting an upload of ${name}`, () => env.CAPTURES.createMultipartUpload(key));
    if (!upload.ok) return upload;
    return { ok: true, value: json(201, { name, uploadId: upload.value.uploadId, partMin: limits.partMin, partMax: limits.partMax, maxParts: limits.maxParts }) };
  }
  if (!uploadId || uploadId.length > 1024) return fail(400, 'bad upload id: 1 to 1024 characters');
  if (decoded.length === 3) {
    if (method !== 'DELETE') return methods('DELETE', method);
    const aborted = await r2(`aborting upload ${uploadId} of ${name}`, () => env.CAPTURES.resumeMultipartUpload(key, uploadId).abort());
    return aborted.ok ? { ok: true, value: new Response(null, { status: 204 }) } : aborted;
  }
  if (last === 'complete') return method === 'POST' ? complete(request, env, name, key, uploadId) : methods('POST', method);
  if (method !== 'PUT') return methods('PUT', method);
  return putPart(request, env, limits, name, key, uploadId, last!);
}

async function list(request: Request, env: Env): Promise<Result<Response>> {
  const params = new URL(request.url).searchParams;
  const limitParam = params.get('limit') ?? String(LIST_PAGE_MAX);
  if (!/^\d{1,4}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > LIST_PAGE_MAX) return fail(400, `limit must be 1 to ${LIST_PAGE_MAX}, not ${JSON.stringify(limitParam)}`);
  const cursor = params.get('cursor') ?? undefined;
  const page = await r2('listing captures', () => env.CAPTURES.list({ prefix: CAPTURE_PREFIX, limit: Number(limitParam), ...(cursor ? { cursor } : {}) }));
  if (!page.ok) return page;
  const captures = page.value.objects.map((o) => described(o.key.slice(CAPTURE_PREFIX.length), o));
  return { ok: true, value: json(200, { captures, cursor: page.value.truncated ? page.value.cursor ?? null : null }) };
}

async function put(request: Request, env: Env, limits: Limits, name: string, key: string): Promise<Result<Response>> {
  const length = bodyLength(request, limits.singlePutMax, `capture ${name}`, ` (${limits.plan} plan): upload it in parts, POST /captures/${name}/uploads (scripts/upload.mjs does)`);
  if (!length.ok) return length;
  // Streams straight through: request.body has a known length, so R2 takes it without a copy.
  const stored = await r2(`storing ${name}`, () => env.CAPTURES.put(key, request.body));
  if (!stored.ok) return stored;
  if (!stored.value) return fail(502, `storing ${name}: R2 returned no object`);
  return { ok: true, value: json(201, described(name, stored.value)) };
}

async function describe(env: Env, name: string, key: string, headOnly: boolean): Promise<Result<Response>> {
  const found = await r2(`reading ${name}`, () => env.CAPTURES.head(key));
  if (!found.ok) return found;
  if (!found.value) return fail(404, `no capture named ${name}`);
  const o = found.value;
  const headers = { etag: o.httpEtag, 'x-capture-size': String(o.size), 'last-modified': o.uploaded.toUTCString() };
  if (headOnly) return { ok: true, value: new Response(null, { status: 200, headers: { 'cache-control': 'no-store', ...headers } }) };
  return { ok: true, value: json(200, described(name, o), headers) };
}

async function remove(env: Env, name: string, key: string): Promise<Result<Response>> {
  const found = await r2(`reading ${name}`, () => env.CAPTURES.head(key));
  if (!found.ok) return found;
  if (!found.value) return fail(404, `no capture named ${name}`);
  const deleted = await r2(`deleting ${name}`, () => env.CAPTURES.delete(key));
  return deleted.ok ? { ok: true, value: new Response(null, { status: 204 }) } : deleted;
}

async function putPart(request: Request, env: Env, limits: Limits, name: string, key: string, uploadId: string, rawPart: string): Promise<Result<Response>> {
  if (!/^\d{1,5}$/.test(rawPart) || Number(rawPart) < 1 || Number(rawPart) > R2_MAX_PARTS) return fail(400, `part number must be 1 to ${R2_MAX_PARTS}, not ${JSON.stringify(rawPart.slice(0, 80))}`);
  const part = Number(rawPart);
  const length = bodyLength(request, limits.partMax, `part ${part} of ${name}`, ` (${limits.plan} plan): use smaller parts (at least 5 MiB each but the last)`);
  if (!length.ok) return length;
  const uploaded = await r2(`part ${part} of ${name}`, () => env.CAPTURES.resumeMultipartUpload(key, uploadId).uploadPart(part, request.body!));
  if (!uploaded.ok) return uploaded;
  return { ok: true, value: json(200, { part, etag: uploaded.value.etag, size: length.value }) };
}

/** The `complete` body: every part's number and etag, each number once, in any order. */
function parseParts(text: string): Result<{ partNumber: number; etag: string }[]> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail(400, 'complete needs a JSON body {"parts":[{"part":1,"etag":"…"},…]}');
  }
  const parts = (body as { parts?: unknown } | null)?.parts;
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > R2_MAX_PARTS) return fail(400, `complete needs "parts": a list of 1 to ${R2_MAX_PARTS} {"part","etag"}`);
  const seen = new Set<number>();
  const out: { partNumber: number; etag: string }[] = [];
  for (const [i, p] of parts.entries()) {
    const { part, etag } = (p ?? {}) as { part?: unknown; etag?: unknown };
    if (typeof part !== 'number' || !Number.isInteger(part) || part < 1 || part > R2_MAX_PARTS) return fail(400, `parts[${i}].part must be 1 to ${R2_MAX_PARTS}`);
    if (typeof etag !== 'string' || etag === '' || etag.length > 256) return fail(400, `parts[${i}].etag must be the etag part ${part}'s PUT returned`);
    if (seen.has(part)) return fail(400, `part ${part} is listed more than once`);
    seen.add(part);
    out.push({ partNumber: part, etag });
  }
  return { ok: true, value: out.sort((a, b) => a.partNumber - b.partNumber) };
}

async function complete(request: Request, env: Env, name: string, key: string, uploadId: string): Promise<Result<Response>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > COMPLETE_BODY_MAX_BYTES) return fail(413, `the parts list of ${bytes(Number(declared))} is above ${bytes(COMPLETE_BODY_MAX_BYTES)}`);
  const text = await readCapped(request, COMPLETE_BODY_MAX_BYTES);
  if (text === null) return fail(413, `the parts list is above ${bytes(COMPLETE_BODY_MAX_BYTES)}`);
  const parts = parseParts(text);
  if (!parts.ok) return parts;
  const done = await r2(`completing ${name}`, () => env.CAPTURES.resumeMultipartUpload(key, uploadId).complete(parts.value));
  if (!done.ok) return done;
  return { ok: true, value: json(201, described(name, done.value)) };
}

/** The body as text, or null past `max` bytes (a chunked body has no Content-Length to check first). */
async function readCapped(request: Request, max: number): Promise<string | null> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) { await reader.cancel('too large'); return null; }
    chunks.push(value);
  }
  const all = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.byteLength; }
  return new TextDecoder().decode(all);
}
