/** @module tracecap/workers/edge/auth — the bearer token of every write and job endpoint, compared in constant time. */
import { fail, type Result } from './http.js';

const encoder = new TextEncoder();

/**
 * Checks `Authorization: Bearer TOKEN` against the configured token. Never open by default: no
 * token configured is 503. Both tokens are hashed with SHA-256 first, so the comparison runs over
 * 32 bytes whatever the lengths, and the loop looks at every byte (no early exit to time).
 */
export async function authorize(request: Request, configured: string | undefined): Promise<Result<true>> {
  if (!configured) return fail(503, 'TRACECAP_TOKEN is not configured: this endpoint stays closed until it is (`wrangler secret put TRACECAP_TOKEN`, or TRACECAP_TOKEN for `npm run worker:dev`)');
  const header = request.headers.get('authorization');
  const challenge = { 'www-authenticate': 'Bearer realm="tracecap"' };
  if (!header) return fail(401, 'authorization required: send Authorization: Bearer TOKEN', challenge);
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) return fail(401, 'authorization must be Bearer TOKEN', challenge);
  if (!(await sameSecret(m[1]!, configured))) return fail(401, 'the bearer token is wrong', challenge);
  return { ok: true, value: true };
}

/** Constant-time equality of two secrets (through their SHA-256 digests). */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([crypto.subtle.digest('SHA-256', encoder.encode(a)), crypto.subtle.digest('SHA-256', encoder.encode(b))]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
