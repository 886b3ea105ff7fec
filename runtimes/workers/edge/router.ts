/**
 * @module tracecap/workers/edge/router — the deployable Worker's routes, runtime-agnostic: the
 * translate handler comes in by injection (edge.ts gives it the core as a module import).
 *
 *   GET /, HEAD /        the browser app (static assets), or the usage text without them
 *   POST /               anonymous translate: a capture in, NDJSON out (runtimes/workers/index.ts),
 *                        up to the plan's body limit
 *   GET /usage           the translate usage text
 *   GET /limits          the limits in force (JSON), for clients choosing PUT or multipart
 *   /captures…           uploads into R2 (captures.ts), bearer token required
 *   /jobs…               jobs split by connection over Queues (jobs.ts), bearer token required
 */
import type { TracecapHandler } from '../index.js';
import { authorize } from './auth.js';
import { handleJobs, type JobsEnv } from './jobs.js';
import { handleCaptures } from './captures.js';
import type { Env } from './env.js';
import { bytes, fail, json, problemResponse, type Result } from './http.js';
import { limitsFrom } from './limits.js';

/** The Worker's fetch handler around a translate handler (createHandler's). */
export function createEdgeHandler(translate: TracecapHandler): { fetch(request: Request, env: Env): Promise<Response> } {
  return {
    async fetch(request: Request, env: Env): Promise<Response> {
      const answer = await route(request, env, translate);
      return answer.ok ? answer.value : problemResponse(request, answer.problem);
    },
  };
}

async function route(request: Request, env: Env, translate: TracecapHandler): Promise<Result<Response>> {
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const configured = limitsFrom(env);
  if (!configured.ok) return fail(500, `this Worker is misconfigured: ${configured.message}`);
  const limits = configured.limits;

  if (segments.length === 0) {
    if ((method === 'GET' || method === 'HEAD') && env.ASSETS) return { ok: true, value: await env.ASSETS.fetch(request) };
    if (method === 'POST') {
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > limits.bodyLimit) {
        return fail(413, `a capture of ${bytes(Number(declared))} is above this Worker's body limit of ${bytes(limits.bodyLimit)} (${limits.plan} plan): upload it (PUT /captures/NAME, or scripts/upload.mjs) and translate it as a job`);
      }
    }
    return { ok: true, value: await translate.fetch(request) };
  }
  const [head, ...rest] = segments;
  if (head === 'usage' && segments.length === 1) {
    return method === 'GET' || method === 'HEAD' ? { ok: true, value: await translate.fetch(new Request(new URL('/', url), { method })) } : fail(405, `method ${method} not allowed here; allowed: GET`, { allow: 'GET, HEAD' });
  }
  if (head === 'limits' && segments.length === 1) {
    return method === 'GET' ? { ok: true, value: json(200, limits) } : fail(405, `method ${method} not allowed here; allowed: GET`, { allow: 'GET' });
  }
  if (head === 'captures') {
    const auth = await authorize(request, env.TRACECAP_TOKEN);
    if (!auth.ok) return auth;
    return handleCaptures(request, env, limits, rest);
  }
  if (head === 'jobs') {
    const auth = await authorize(request, env.TRACECAP_TOKEN);
    if (!auth.ok) return auth;
    // POST /jobs, GET /jobs/ID, GET /jobs/ID/records (jobs.ts); null: no jobs route.
    const answer = await handleJobs(request, env as unknown as JobsEnv);
    if (answer) return { ok: true, value: answer };
  }
  return fail(404, `no such route: ${method} ${url.pathname}`);
}
