// A tiny instrumented application for the README's span tree (issue 24: "the README shows a
// trace from a capture as a span tree next to the application's own spans"), run on 127.0.0.1
// inside the namespace scripts/traffic/record-traced.sh creates, while tcpdump records it:
//   node scripts/traffic/record-traced.mjs <inventory|shop|client> <spans.jsonl>
// Three services, one process each (as deployed: no service's event loop delays another's
// timestamps), each with its own resource (service.name):
//   client     calls GET /checkout on shop with a CLIENT span, sending its traceparent
//   shop       (SHOP_PORT) its handler for GET /checkout makes a SERVER span under that parent,
//              then calls inventory twice, GET /items/42 and POST /reserve, a CLIENT span each,
//              sending traceparent 00-<trace>-<client span>-01 (one keep-alive connection)
//   inventory  (INVENTORY_PORT) a SERVER span per request; waits INVENTORY_WAIT_MS (its "database")
// The spans come from the minimal tracer below (no SDK: random ids from crypto, times from the
// clock) and are written by each service itself, at its exit, as one OTLP/JSON line (a
// TracesData) to <spans.jsonl>, which the shell script concatenates: the shape `tracecap --format
// otlp` writes (lowercase hex ids, int64 as decimal strings, kind 2 SERVER / 3 CLIENT), so both
// files go to the same collector (README "OpenTelemetry spans").
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** Ports the capture filter names (record-traced.sh). */
const SHOP_PORT = 18311;
const INVENTORY_PORT = 18312;
/** The inventory's wait before answering, in ms: server time the CLIENT span holds but the network does not. */
const INVENTORY_WAIT_MS = 3;

const SERVER = 2, CLIENT = 3; // SpanKind, opentelemetry/proto/trace/v1/trace.proto
// SpanFlags (trace.proto): bits 0–7 the W3C trace flags (01 sampled), bit 8 "has is_remote",
// bit 9 "is_remote" (the parent came from another process, i.e. from a traceparent header).
const SAMPLED = 0x01, HAS_IS_REMOTE = 0x100, IS_REMOTE = 0x200;

/** Unix time in ns as a decimal string, µs precision: performance.timeOrigin is the wall clock at start (µs), now() the monotonic time since. */
const nowNano = () => String(BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n);
// W3C Trace Context §3.2.2.3/4: random ids, never all zeros.
const id = (bytes) => { for (;;) { const h = randomBytes(bytes).toString('hex'); if (!/^0+$/.test(h)) return h; } };
const str = (s) => ({ stringValue: s });
const int = (n) => ({ intValue: String(n) });

/** W3C traceparent (§3.2) → { traceId, spanId }, or undefined when absent or malformed (then a new trace starts). */
function parseTraceparent(v) {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(v ?? '');
  return m && !/^0+$/.test(m[1]) && !/^0+$/.test(m[2]) ? { traceId: m[1], spanId: m[2] } : undefined;
}

/** A minimal tracer for one service: spans kept until flush, then one TracesData line. */
function tracer(service) {
  const done = [];
  return {
    service,
    /** Starts a span under `parent` ({traceId, spanId, remote}), or a new trace. */
    start(name, kind, parent, attributes = {}) {
      const span = {
        traceId: parent?.traceId ?? id(16), spanId: id(8), name, kind,
        flags: SAMPLED | (parent ? HAS_IS_REMOTE | (parent.remote ? IS_REMOTE : 0) : 0),
        startTimeUnixNano: nowNano(), attributes,
      };
      if (parent) span.parentSpanId = parent.spanId;
      return {
        context: { traceId: span.traceId, spanId: span.spanId, remote: false },
        traceparent: `00-${span.traceId}-${span.spanId}-01`,
        set(k, v) { attributes[k] = v; },
        end() {
          span.endTimeUnixNano = nowNano();
          span.attributes = Object.entries(attributes).map(([key, v]) => ({ key, value: typeof v === 'number' ? int(v) : str(v) }));
          done.push(span);
        },
      };
    },
    line() {
      // Field order as tracecap writes a span, for readers that compare the two files by eye.
      const spans = done.map((s) => ({ traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
        flags: s.flags, name: s.name, kind: s.kind, startTimeUnixNano: s.startTimeUnixNano, endTimeUnixNano: s.endTimeUnixNano, attributes: s.attributes }));
      return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: str(service) }] },
        scopeSpans: [{ scope: { name: 'record-traced' }, spans }] }] });
    },
  };
}

/** An HTTP call with a CLIENT span (HTTP semantic conventions, stable: client span attributes). */
function call(t, parent, agent, port, method, path, template, body) {
  const url = `http://127.0.0.1:${port}${path}`;
  const span = t.start(`${method} ${template}`, CLIENT, parent, {
    'http.request.method': method, 'url.full': url, 'server.address': '127.0.0.1', 'server.port': port,
  });
  return new Promise((resolve, reject) => {
    const headers = { traceparent: span.traceparent };
    if (body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(body); }
    const req = http.request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => { span.set('http.response.status_code', res.statusCode); span.end(); resolve(text); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A server whose every request gets a SERVER span under the request's traceparent. */
function serve(t, port, handler) {
  const server = http.createServer((req, res) => {
    const remote = parseTraceparent(req.headers.traceparent);
    const path = new URL(req.url, 'http://x').pathname;
    const route = path.replace(/\/\d+$/, '/{id}');
    const span = t.start(`${req.method} ${route}`, SERVER, remote && { ...remote, remote: true }, {
      'http.request.method': req.method, 'url.path': path, 'url.scheme': 'http', 'http.route': route,
    });
    // The span ends when the handler's res.end() returns, as OpenTelemetry's Node HTTP
    // instrumentation does (it wraps response.end), not at 'finish', a later event-loop turn.
    const end = res.end;
    res.end = function (...args) {
      const r = end.apply(this, args);
      span.set('http.response.status_code', res.statusCode);
      span.end();
      return r;
    };
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => handler(req, res, span.context, body).catch((e) => { res.statusCode = 500; res.end(String(e)); }));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const json = (res, status, o) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(o)); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Serves `count` requests, then closes (the recording ends when the client is done). */
function closeAfter(server, count) {
  let seen = 0;
  server.on('request', (req, res) => res.on('finish', () => { if (++seen === count) server.close(); }));
  return new Promise((r) => server.on('close', r));
}

const ROLES = {
  async inventory(t) {
    const server = await serve(t, INVENTORY_PORT, async (req, res, _ctx, body) => {
      await sleep(INVENTORY_WAIT_MS);
      if (req.method === 'GET' && req.url === '/items/42') return json(res, 200, { id: 42, name: 'teapot', stock: 7 });
      if (req.method === 'POST' && req.url === '/reserve') return json(res, 201, { reserved: JSON.parse(body), left: 6 });
      json(res, 404, { error: 'not found' });
    });
    console.log('listening');
    await closeAfter(server, 2);
  },
  async shop(t) {
    const toInventory = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const server = await serve(t, SHOP_PORT, async (req, res, ctx) => {
      if (req.method !== 'GET' || req.url !== '/checkout') return json(res, 404, { error: 'not found' });
      const item = JSON.parse(await call(t, ctx, toInventory, INVENTORY_PORT, 'GET', '/items/42', '/items/{id}'));
      const reserved = JSON.parse(await call(t, ctx, toInventory, INVENTORY_PORT, 'POST', '/reserve', '/reserve', JSON.stringify({ id: item.id, qty: 1 })));
      json(res, 200, { ok: true, item: item.name, left: reserved.left });
    });
    console.log('listening');
    await closeAfter(server, 1);
    toInventory.destroy();
  },
  async client(t) {
    console.log(`checkout answered ${await call(t, undefined, false, SHOP_PORT, 'GET', '/checkout', '/checkout')}`);
  },
};

const [role, out] = process.argv.slice(2);
if (!ROLES[role] || !out) { console.error('usage: node scripts/traffic/record-traced.mjs <inventory|shop|client> <spans.jsonl>'); process.exit(1); }
const t = tracer(role);
await ROLES[role](t);
// The service's exporter writes its batch at shutdown.
writeFileSync(out, t.line() + '\n');
