// The OTLP/HTTP sender on its own, with a fetch the test answers: the queue's byte bound, which
// answers are retried (OTLP spec: 429, 502, 503, 504, network errors) and which are not,
// Retry-After, a partial success, the URL rule, and the one line that says what was lost.
import { describe, it, expect } from 'vitest';
import { OtlpExporter, tracesUrl, exportSummary, retryAfterMs } from '../../src/otlpexport.js';

/** A fetch answering call n (from 0) with answer(n); records the URLs, bodies and content types. */
function fakeFetch(answer: (n: number) => Response | Error) {
  const calls: { url: string; body: string; type: string | null }[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    const n = calls.length;
    calls.push({ url: String(url), body: new TextDecoder().decode(init?.body as Uint8Array), type: new Headers(init?.headers).get('content-type') });
    const a = answer(n);
    if (a instanceof Error) throw a;
    return a;
  }) as typeof fetch;
  return { f, calls };
}
const fast = { backoffMs: 1, maxBackoffMs: 5 };

describe('OtlpExporter', () => {
  it('posts each batch once to …/v1/traces as application/json', async () => {
    const { f, calls } = fakeFetch(() => new Response('{}', { status: 200 }));
    const x = new OtlpExporter('http://c:4318', { fetch: f, ...fast });
    expect(x.offer('{"a":1}', 2)).toBe(true);
    expect(x.offer('{"b":2}', 3)).toBe(true);
    const s = await x.close();
    expect(calls).toEqual([{ url: 'http://c:4318/v1/traces', body: '{"a":1}', type: 'application/json' }, { url: 'http://c:4318/v1/traces', body: '{"b":2}', type: 'application/json' }]);
    expect(s).toMatchObject({ sentBatches: 2, sentSpans: 5, failedBatches: 0, droppedFullBatches: 0, retries: 0 });
    expect(exportSummary(x.url, s)).toBeNull();
  });

  it('bounds the queue in bytes too: a batch that does not fit is dropped and counted', async () => {
    const { f } = fakeFetch(() => new Response('', { status: 200 }));
    const x = new OtlpExporter('http://c/v1/traces', { fetch: f, maxBytes: 100, ...fast });
    expect(x.offer('x'.repeat(60), 1)).toBe(true);
    expect(x.offer('y'.repeat(60), 4)).toBe(false);
    const s = await x.close();
    expect(s).toMatchObject({ sentBatches: 1, droppedFullBatches: 1, droppedFullSpans: 4 });
    expect(exportSummary(x.url, s, 64)).toBe('OTLP endpoint http://c/v1/traces: 1 batch (4 spans) dropped: the queue of 64 batches was full; 1 span delivered');
  });

  it('retries 429, 502, 503, 504 and network errors, not 400 or 500', async () => {
    for (const status of [429, 502, 503, 504]) {
      const { f, calls } = fakeFetch((n) => new Response('', { status: n === 0 ? status : 200 }));
      const s = await (() => { const x = new OtlpExporter('http://c', { fetch: f, ...fast }); x.offer('{}', 1); return x.close(); })();
      expect([status, calls.length, s.sentBatches, s.retries]).toEqual([status, 2, 1, 1]);
    }
    const net = fakeFetch((n) => (n < 2 ? new TypeError('fetch failed') : new Response('', { status: 200 })));
    const xn = new OtlpExporter('http://c', { fetch: net.f, ...fast });
    xn.offer('{}', 1);
    expect(await xn.close()).toMatchObject({ sentBatches: 1, retries: 2 });
    for (const status of [400, 500]) {
      const { f, calls } = fakeFetch(() => new Response('bad', { status }));
      const x = new OtlpExporter('http://c', { fetch: f, ...fast });
      x.offer('{}', 7);
      const s = await x.close();
      expect([calls.length, s.failedBatches, s.failedSpans, s.lastError]).toEqual([1, 1, 7, `HTTP ${status}`]);
    }
  });

  it('waits what Retry-After says', async () => {
    const { f } = fakeFetch((n) => new Response('', n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const x = new OtlpExporter('http://c', { fetch: f, backoffMs: 1, maxBackoffMs: 5_000 });
    const t0 = Date.now();
    x.offer('{}', 1);
    await x.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('reports a partial success', async () => {
    const { f } = fakeFetch(() => new Response(JSON.stringify({ partialSuccess: { rejectedSpans: '2', errorMessage: 'bad span' } }), { status: 200 }));
    const x = new OtlpExporter('http://c', { fetch: f, ...fast });
    x.offer('{}', 5);
    const s = await x.close();
    expect(s.rejectedSpans).toBe(2);
    expect(exportSummary(x.url, s)).toBe('OTLP endpoint http://c/v1/traces: 2 spans rejected by the receiver (partial success: bad span); 5 spans delivered');
  });

  it('takes a URL ending in /v1/traces as it is, appends it to another, refuses non-http(s)', () => {
    expect(tracesUrl('https://telemetry.googleapis.com')).toBe('https://telemetry.googleapis.com/v1/traces');
    expect(tracesUrl('http://c:4318/base/')).toBe('http://c:4318/base/v1/traces');
    expect(tracesUrl('http://c:4318/v1/traces')).toBe('http://c:4318/v1/traces');
    expect(() => tracesUrl('ftp://c/')).toThrow('not an http(s) URL: ftp://c/');
    expect(() => tracesUrl('not a url')).toThrow(TypeError);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
