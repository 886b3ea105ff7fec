// Endpoint folding rules and exact percentiles of the latency statistics (endpoints.ts), and the
// collector against an independent computation on random exchanges.
import { describe, it, expect } from 'vitest';
import { foldPath, isIdSegment, endpointKey, percentile, EndpointCollector, OTHER_ENDPOINTS, LONG_SEGMENT } from '../../../../runtimes/browser/app/endpoints.js';

describe('foldPath', () => {
  it.each([
    ['/api/v1/items/42', '/api/v1/items/{id}'],
    ['http://example.test:8080/api/v1/items/42?x=1#f', '/api/v1/items/{id}'],
    ['/users/550e8400-e29b-41d4-a716-446655440000/orders/7', '/users/{id}/orders/{id}'],
    ['/blobs/0123456789abcdef0123', '/blobs/{id}'],
    ['/objects/507f1f77bcf86cd799439011', '/objects/{id}'], // a Mongo ObjectId: 24 hex digits
    ['/ulid/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/ulid/{id}'],
    ['/img/123.png', '/img/{id}.png'],
    ['/prices/-3.50', '/prices/{id}'],
    ['/v2/healthz', '/v2/healthz'], // a version and a word stay
    ['/api/v1/items', '/api/v1/items'],
    ['/beef', '/beef'], // short hex is a word
    ['/abc123', '/abc123'], // short mixed is a route (a slug)
    ['/t/' + 'a'.repeat(LONG_SEGMENT + 1), '/t/{id}'],
    ['/session/a1b2c3d4e5f6g7h8i9j0k1', '/session/{id}'],
    ['', '/'],
    ['http://example.test', '/'],
    ['/', '/'],
  ])('%s → %s', (url, want) => expect(foldPath(url)).toBe(want));

  it('keeps empty segments (a trailing slash is another route)', () => expect(foldPath('/items/42/')).toBe('/items/{id}/'));
  it('isIdSegment says no to words and an empty segment', () => { for (const s of ['', 'items', 'v1', 'index.html', 'README']) expect(isIdSegment(s)).toBe(false); });
  it('endpointKey: method and folded path, host first when given', () => {
    expect(endpointKey('GET', '/a/1')).toBe('GET /a/{id}');
    expect(endpointKey('GET', '/a/1', 'h.test')).toBe('h.test GET /a/{id}');
    expect(endpointKey('', '/a/1')).toBe('(no request) /a/{id}');
  });
});

describe('percentile (nearest rank)', () => {
  it('on small lists', () => {
    const l = Float64Array.from([15, 20, 35, 40, 50]);
    expect(percentile(l, 0.05)).toBe(15);
    expect(percentile(l, 0.3)).toBe(20);
    expect(percentile(l, 0.4)).toBe(20);
    expect(percentile(l, 0.5)).toBe(35);
    expect(percentile(l, 1)).toBe(50);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
  it('on 1..100: p50 = 50, p95 = 95, p99 = 99 (an exact rank needs no rounding up)', () => {
    const l = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(l, 0.5), percentile(l, 0.95), percentile(l, 0.99)]).toEqual([50, 95, 99]);
  });
  it('on 1..1000 and 1..101', () => {
    const a = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    expect([percentile(a, 0.5), percentile(a, 0.95), percentile(a, 0.99)]).toEqual([500, 950, 990]);
    const b = Float64Array.from({ length: 101 }, (_, i) => i + 1);
    expect([percentile(b, 0.5), percentile(b, 0.95), percentile(b, 0.99)]).toEqual([51, 96, 100]);
  });
});

describe('EndpointCollector', () => {
  it('counts, errors and percentiles equal an independent computation', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const c = new EndpointCollector(false);
    const want = new Map<string, { n: number; err: number; lat: number[] }>();
    for (let i = 0; i < 5000; i++) {
      const method = rnd() < 0.7 ? 'GET' : 'POST';
      const path = rnd() < 0.5 ? `/api/items/${Math.floor(rnd() * 1e6)}` : rnd() < 0.5 ? '/api/health' : `/api/users/${Math.floor(rnd() * 100)}/orders`;
      const r = rnd();
      const status = r < 0.05 ? 0 : r < 0.1 ? 503 : r < 0.2 ? 404 : 200;
      const latency = status === 0 ? undefined : Math.round(rnd() * 100000) / 1000;
      const reset = status === 200 && rnd() < 0.02;
      c.add({ method, url: `http://h${path}`, status, latency, reset });
      const key = `${method} ${path.replace(/\/\d+/g, '/{id}')}`;
      const w = want.get(key) ?? { n: 0, err: 0, lat: [] };
      w.n++; if (status === 0 || status >= 500 || reset) w.err++; if (latency !== undefined) w.lat.push(latency);
      want.set(key, w);
    }
    const rows = c.rows();
    expect(rows.map((r) => r.key).sort()).toEqual([...want.keys()].sort());
    for (const r of rows) {
      const w = want.get(r.key)!;
      const l = [...w.lat].sort((a, b) => a - b);
      const nr = (q: number) => l[Math.ceil(q * l.length) - 1];
      expect(r.count).toBe(w.n);
      expect(r.errors).toBe(w.err);
      expect(r.errorRate).toBeCloseTo(w.err / w.n, 12);
      expect([r.p50, r.p95, r.p99, r.max]).toEqual([nr(0.5), nr(0.95), nr(0.99), l[l.length - 1]]);
    }
  });
  it('an exchange both 5xx and reset is one error; the host is part of the key when asked', () => {
    const c = new EndpointCollector(true);
    c.add({ method: 'GET', url: '/a', host: 'x', status: 502, latency: 1, reset: true });
    c.add({ method: 'GET', url: '/a', host: 'y', status: 200, latency: 2, reset: false });
    const rows = c.rows().sort((a, b) => a.key.localeCompare(b.key));
    expect(rows.map((r) => [r.key, r.count, r.errors, r.status5xx, r.resets])).toEqual([['x GET /a', 1, 1, 1, 1], ['y GET /a', 1, 0, 0, 0]]);
  });
  it('past the endpoint limit, the rest are counted under one row that says so', () => {
    const c = new EndpointCollector(false, 3);
    for (const p of ['/a', '/b', '/c', '/d', '/e']) c.add({ method: 'GET', url: p, status: 200, latency: 1, reset: false });
    const rows = c.rows();
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.key === OTHER_ENDPOINTS)?.count).toBe(2);
  });
});
