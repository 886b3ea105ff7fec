// Real loopback HTTP traffic for tracecap's HTTP and trace-correlation tests.
// Each scenario runs a real server and a real client on 127.0.0.1 (run it while tcpdump listens,
// see record.sh) and writes the ground truth — every HTTP exchange as the client sent it — to a
// JSON file as it runs.
//
//   node scripts/traffic/scenarios.mjs <scenario> <port> [exchanges.json]
//
// Scenarios: h1-pipeline, h1-mixed, h2c-upgrade, h2-many, grpc, h1-keepalive-long.
// Node 20, ESM, built-in modules only.
//
// Trace headers (deterministic, see traceFor()): requests are numbered n = 0, 1, 2… in the order
// the client creates them. A few positions per scenario are "extra" requests (both headers with
// different trace ids, or a malformed value); all other ("regular") requests cycle, by their
// regular index r, through X-Cloud-Trace-Context (r%3==0), traceparent (r%3==1) and nothing
// (r%3==2), so exactly one third of the regular requests carry each. The sampled flag alternates
// within each kind: sampled = floor(r/3) % 2 == 0.
//   trace id  = a1b2c3d4 + <scenario id, 8 hex> + <variant, 4 hex> + <n, 12 hex>
//   span (hex, traceparent parent-id) = 5ba0 + <scenario id, 2 hex> + <variant, 2 hex> + <n, 8 hex>
//   span (decimal, X-Cloud-Trace-Context) = the same 64-bit value written in decimal
// variant 1 = the request's (first) header, 2 = the second header of a "both" request,
// 0x5e = a trace the server itself puts on responses (h1-mixed only).
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const [scenario, portArg, outArg] = process.argv.slice(2);
const port = Number(portArg);
if (!scenario || !port) {
  console.error('usage: node scenarios.mjs <scenario> <port> [exchanges.json]');
  process.exit(1);
}
const HOST = '127.0.0.1';
const SCENARIO_ID = { 'h1-pipeline': 1, 'h1-mixed': 2, 'h2c-upgrade': 3, 'h2-many': 4, grpc: 5, 'h1-keepalive-long': 6 };
const sid = SCENARIO_ID[scenario];
if (!sid) throw new Error('unknown scenario ' + scenario);

const hx = (v, w) => v.toString(16).padStart(w, '0');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pad = (n, ch = 'x') => ch.repeat(n);

// ---------------------------------------------------------------- trace headers and ground truth
export const traceId = (s, n, variant = 1) => 'a1b2c3d4' + hx(s, 8) + hx(variant, 4) + hx(n, 12);
export const spanHex = (s, n, variant = 1) => '5ba0' + hx(s, 2) + hx(variant, 2) + hx(n, 8);
export const spanDec = (s, n, variant = 1) => BigInt('0x' + spanHex(s, n, variant)).toString();

const XCTC_H1 = 'X-Cloud-Trace-Context';
const TP = 'traceparent';

// Malformed values: every scenario uses the first two; later ones rotate (see makeTracer).
const MALFORMED = [
  (n) => [TP, 'garbage'],
  (n) => [XCTC_H1, '/1'],
  (n) => [TP, `00-${'0'.repeat(32)}-${spanHex(sid, n)}-01`], // all-zero trace id is invalid
  (n) => [XCTC_H1, `${traceId(sid, n).slice(0, 31)}/12;o=1`], // 31 hex digits
  (n) => [TP, `00-${traceId(sid, n)}-${spanHex(sid, n)}`], // flags field missing
  (n) => [TP, `ff-${traceId(sid, n)}-${spanHex(sid, n)}-01`], // version ff is forbidden
];

// kinds: an array, one entry per request n: 'regular' | 'both' | 'malformed'
function makeTracer(total, extras) {
  const kinds = Array.from({ length: total }, (_, n) => extras[n] ?? 'regular');
  const regularIndex = [];
  let r = 0, m = 0;
  const malformedIndex = [];
  for (const k of kinds) { regularIndex.push(k === 'regular' ? r++ : -1); malformedIndex.push(k === 'malformed' ? m++ : -1); }
  if (r % 3 !== 0) throw new Error(`${scenario}: ${r} regular requests is not a multiple of 3`);
  return {
    total,
    // h2: lower-case header names (HTTP/2 requires it)
    at(n, { h2 = false } = {}) {
      if (n >= total) throw new Error(`${scenario}: request ${n} beyond plan of ${total}`);
      const kind = kinds[n];
      let headers = [], parsed = [], traceKind;
      if (kind === 'regular') {
        const ri = regularIndex[n];
        const sampled = Math.floor(ri / 3) % 2 === 0;
        if (ri % 3 === 0) {
          traceKind = 'x-cloud-trace-context';
          headers = [[XCTC_H1, `${traceId(sid, n)}/${spanDec(sid, n)};o=${sampled ? 1 : 0}`]];
          parsed = [{ header: 'x-cloud-trace-context', traceId: traceId(sid, n), spanId: spanDec(sid, n), spanIdHex: spanHex(sid, n), sampled }];
        } else if (ri % 3 === 1) {
          traceKind = 'traceparent';
          headers = [[TP, `00-${traceId(sid, n)}-${spanHex(sid, n)}-${sampled ? '01' : '00'}`]];
          parsed = [{ header: 'traceparent', traceId: traceId(sid, n), spanId: spanHex(sid, n), spanIdHex: spanHex(sid, n), sampled }];
        } else traceKind = 'none';
      } else if (kind === 'both') {
        traceKind = 'both';
        const sampled = n % 2 === 0;
        headers = [
          [XCTC_H1, `${traceId(sid, n, 1)}/${spanDec(sid, n, 1)};o=${sampled ? 1 : 0}`],
          [TP, `00-${traceId(sid, n, 2)}-${spanHex(sid, n, 2)}-${sampled ? '00' : '01'}`],
        ];
        parsed = [
          { header: 'x-cloud-trace-context', traceId: traceId(sid, n, 1), spanId: spanDec(sid, n, 1), spanIdHex: spanHex(sid, n, 1), sampled },
          { header: 'traceparent', traceId: traceId(sid, n, 2), spanId: spanHex(sid, n, 2), spanIdHex: spanHex(sid, n, 2), sampled: !sampled },
        ];
      } else {
        traceKind = 'malformed';
        // the first two always; further ones rotate by scenario so all variants occur somewhere
        const m = malformedIndex[n];
        headers = [MALFORMED[m < 2 ? m : 2 + ((m - 2 + sid) % (MALFORMED.length - 2))](n)];
      }
      if (h2) headers = headers.map(([k, v]) => [k.toLowerCase(), v]);
      return { n, traceKind, headers, parsed };
    },
  };
}

const manifest = { scenario, scenarioId: sid, serverPort: port, serverAddress: HOST, connections: [], exchanges: [], notes: [] };
const save = () => { if (outArg) writeFileSync(outArg, JSON.stringify(manifest, null, 2) + '\n'); };
const TRACE_NAMES = /^(x-cloud-trace-context|traceparent|tracestate|grpc-trace-bin)$/i;

function addConnection(kind, clientPort) {
  const c = { index: manifest.connections.length, clientPort, kind };
  manifest.connections.push(c);
  save();
  return c;
}
// one exchange as the client sent it; response fields are filled in when the response arrives
function addExchange(conn, tr, fields) {
  const e = {
    seq: tr.n,
    connection: conn.index,
    clientPort: conn.clientPort,
    httpVersion: fields.httpVersion,
    streamId: fields.streamId ?? null,
    method: fields.method,
    path: fields.path,
    traceKind: tr.traceKind,
    traceHeaders: tr.headers,
    trace: tr.parsed,
    ...(fields.extra ?? {}),
    status: null,
    responseTraceHeaders: [],
  };
  manifest.exchanges.push(e);
  save();
  return e;
}
function finish(e, status, responseHeaders = [], extra = {}) {
  e.status = status;
  e.responseTraceHeaders = responseHeaders.filter(([k]) => TRACE_NAMES.test(k));
  Object.assign(e, extra);
  save();
}

// ---------------------------------------------------------------- raw HTTP/1.x client pieces
function h1Request(method, path, headers, body, { version = '1.1', host = `${HOST}:${port}` } = {}) {
  let s = `${method} ${path} HTTP/${version}\r\nHost: ${host}\r\n`;
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  s += '\r\n';
  return Buffer.concat([Buffer.from(s, 'latin1'), body ? Buffer.from(body) : Buffer.alloc(0)]);
}

// writes to a raw socket, returning the [start, end) byte offsets of the data in the
// client-to-server TCP stream (0 = the first byte after the handshake)
function send(sock, data) {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  const start = sock.sentBytes ?? 0;
  sock.sentBytes = start + b.length;
  sock.write(b);
  return [start, sock.sentBytes];
}
function connectRaw() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, HOST, () => resolve(s));
    s.once('error', reject);
  });
}

// Incremental HTTP/1.x response reader: Content-Length, chunked, no-body (HEAD/204/304/1xx),
// and bodies delimited by connection close.
class H1Reader {
  constructor(sock) {
    this.buf = Buffer.alloc(0);
    this.consumed = 0; // bytes of the server-to-client stream already parsed
    this.ended = false;
    this.queue = [];
    sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.pump(); });
    sock.on('end', () => { this.ended = true; this.pump(); });
    sock.on('error', (err) => { for (const w of this.queue.splice(0)) w.reject(err); });
  }
  // opts: { method, onInterim(status) }
  read(opts = {}) {
    return new Promise((resolve, reject) => { this.queue.push({ opts, resolve, reject, interim: [], head: null }); this.pump(); });
  }
  pump() {
    while (this.queue.length) {
      const w = this.queue[0];
      let r;
      try { r = this.parse(w); } catch (err) { this.queue.shift(); w.reject(err); continue; }
      if (!r) {
        if (this.ended) { this.queue.shift(); w.reject(new Error('connection ended before a complete response')); continue; }
        return;
      }
      this.queue.shift();
      w.resolve(r);
    }
  }
  take(k) { this.buf = this.buf.subarray(k); this.consumed += k; }
  parse(w) {
    for (;;) {
      if (!w.head) {
        const i = this.buf.indexOf('\r\n\r\n');
        if (i < 0) return null;
        const lines = this.buf.subarray(0, i).toString('latin1').split('\r\n');
        if (w.start === undefined) w.start = this.consumed;
        this.take(i + 4);
        const m = /^HTTP\/(\d\.\d) (\d{3})/.exec(lines[0]);
        if (!m) throw new Error('bad status line ' + lines[0]);
        const headers = lines.slice(1).map((l) => { const c = l.indexOf(':'); return [l.slice(0, c), l.slice(c + 1).trim()]; });
        const status = Number(m[2]);
        if (status >= 100 && status < 200 && status !== 101) { w.interim.push(status); w.opts.onInterim?.(status); continue; }
        w.head = { version: m[1], status, headers, get: (n) => headers.find(([k]) => k.toLowerCase() === n)?.[1] };
      }
      const { head } = w;
      const done = (body, framing) => ({ ...head, body, framing, interim: w.interim, bytes: [w.start, this.consumed] });
      if (w.opts.method === 'HEAD' || head.status === 204 || head.status === 304 || head.status === 101) return done(Buffer.alloc(0), 'none');
      if (/chunked/i.test(head.get('transfer-encoding') ?? '')) {
        let off = 0; const parts = [];
        for (;;) {
          const e = this.buf.indexOf('\r\n', off);
          if (e < 0) return null;
          const size = parseInt(this.buf.subarray(off, e).toString('latin1').split(';')[0], 16);
          off = e + 2;
          if (size === 0) {
            const t = this.buf.indexOf('\r\n', off); // no trailers expected: just the final CRLF
            if (t < 0) return null;
            this.take(t + 2);
            return done(Buffer.concat(parts), 'chunked');
          }
          if (this.buf.length < off + size + 2) return null;
          parts.push(this.buf.subarray(off, off + size));
          off += size + 2;
        }
      }
      const cl = head.get('content-length');
      if (cl !== undefined) {
        const n = Number(cl);
        if (this.buf.length < n) return null;
        const body = this.buf.subarray(0, n);
        this.take(n);
        return done(body, 'content-length');
      }
      if (!this.ended) return null; // delimited by close
      const body = this.buf; this.take(body.length);
      return done(body, 'close');
    }
  }
}

// ---------------------------------------------------------------- shared HTTP/1.1 server handler
function readBody(req) {
  return new Promise((resolve) => { const parts = []; req.on('data', (c) => parts.push(c)); req.on('end', () => resolve(Buffer.concat(parts))); });
}
const qp = (url, k, d) => { const v = new URL(url, 'http://h').searchParams.get(k); return v === null ? d : v; };

// ================================================================ 1. h1-pipeline
async function h1Pipeline() {
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const size = Number(qp(req.url, 'size', 64));
    const status = req.url.startsWith('/missing') ? 404 : 200;
    const payload = JSON.stringify({ path: req.url, method: req.method, received: body.length, pad: pad(size) });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  });
  await new Promise((r) => server.listen(port, HOST, r));
  const batchesPerConn = [[3, 5, 4], [4, 3, 3], [5, 5], [3, 4, 3]];
  const total = batchesPerConn.flat().reduce((a, b) => a + b, 0); // 42
  const tracer = makeTracer(total, { 7: 'both', 12: 'malformed', 20: 'both', 26: 'malformed', 33: 'malformed', 39: 'malformed' });
  let n = 0;
  for (const batches of batchesPerConn) {
    const sock = await connectRaw();
    const conn = addConnection('tcp', sock.localPort);
    const reader = new H1Reader(sock);
    for (const size of batches) {
      const reqs = [];
      for (let k = 0; k < size; k++, n++) {
        const tr = tracer.at(n);
        const post = n % 3 === 2;
        const rsize = [40, 900, 2600, 150][n % 4];
        const path = n % 11 === 5 ? `/missing/${n}` : `/pipe/${n}?size=${rsize}`;
        const body = post ? JSON.stringify({ n, note: pad((n * 97) % 1800, 'b') }) : null;
        const headers = [['User-Agent', 'tracecap-corpus/2'], ['Accept', 'application/json'], ...tr.headers];
        if (post) headers.push(['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]);
        const method = post ? 'POST' : 'GET';
        reqs.push({ buf: h1Request(method, path, headers, body), e: addExchange(conn, tr, { httpVersion: '1.1', method, path, extra: { pipelineBatch: reqs.length === 0 ? 'first' : 'pipelined' } }), method });
      }
      const [start] = send(sock, Buffer.concat(reqs.map((r) => r.buf))); // 3–5 requests in one write
      let off = start;
      for (const r of reqs) { r.e.requestBytes = [off, off + r.buf.length]; off += r.buf.length; }
      for (const r of reqs) { const res = await reader.read({ method: r.method }); finish(r.e, res.status, res.headers, { responseBytes: res.bytes }); }
      await sleep(5);
    }
    sock.end();
    await new Promise((r) => sock.on('close', r));
  }
  server.close();
}

// ================================================================ 2. h1-mixed
async function h1Mixed() {
  const bigHeaders = (tag) => Array.from({ length: 6 }, (_, k) => [`X-Pad-${tag}-${k}`, pad(480, String.fromCharCode(97 + k))]);
  const server = http.createServer(async (req, res) => {
    const n = Number(qp(req.url, 'n', -1));
    const body = await readBody(req);
    // the server adds its OWN, different X-Cloud-Trace-Context to some responses
    const own = n % 4 === 1 ? { 'X-Cloud-Trace-Context': `${traceId(sid, n, 0x5e)}/${spanDec(sid, n, 0x5e)};o=1` } : {};
    const path = req.url.split('?')[0];
    const json = (status, obj, extraHeaders = {}) => {
      const payload = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...own, ...extraHeaders });
      res.end(req.method === 'HEAD' ? undefined : payload);
    };
    if (path === '/mixed/stream') { // chunked response, several chunks over time
      res.writeHead(200, { 'content-type': 'text/plain', ...own });
      for (let k = 0; k < 4; k++) { res.write(`chunk ${k} of n=${n} ${pad(300 + k * 400, 'c')}\n`); await sleep(3); }
      res.end();
    } else if (path === '/mixed/big') { // Content-Length larger than the MTU
      const b = pad(20000, 'B');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': b.length, ...own });
      res.end(req.method === 'HEAD' ? undefined : b);
    } else if (path.startsWith('/mixed/item')) { // 204
      res.writeHead(204, own); res.end();
    } else if (path === '/mixed/etag') { // 304 when the client has it
      if (req.headers['if-none-match'] === '"v1"') { res.writeHead(304, { etag: '"v1"', ...own }); res.end(); } else json(200, { n }, { etag: '"v1"' });
    } else if (path === '/mixed/expect') {
      json(201, { n, received: body.length });
    } else if (path === '/mixed/bigheaders') { // ~3 KB of response headers too
      json(200, { n }, Object.fromEntries(bigHeaders('Resp')));
    } else if (path === '/mixed/until-close' || path === '/mixed/legacy') { // no Content-Length, ended by close
      res.useChunkedEncodingByDefault = false;
      res.writeHead(200, { 'content-type': 'text/plain', ...own });
      res.write(`response without content-length n=${n}\n`);
      await sleep(3);
      res.end(pad(2500, 'z') + '\n');
    } else if (path === '/mixed/missing') {
      json(404, { n, error: 'not found' });
    } else json(200, { n, method: req.method, received: body.length, chunked: req.headers['transfer-encoding'] === 'chunked' });
  });
  await new Promise((r) => server.listen(port, HOST, r));

  const total = 24;
  const tracer = makeTracer(total, { 5: 'both', 9: 'malformed', 17: 'malformed' });
  let n = 0;
  const base = [['User-Agent', 'tracecap-corpus/2'], ['Accept', '*/*']];

  // one exchange on a keep-alive raw connection; spec: { method, path, headers, body, chunks, expect }
  async function exchange(sock, reader, conn, spec) {
    const tr = tracer.at(n);
    const path = `${spec.path}?n=${n}`;
    n++;
    const headers = [...base, ...(spec.headers ?? []), ...tr.headers];
    const e = addExchange(conn, tr, { httpVersion: spec.version ?? '1.1', method: spec.method, path, extra: spec.note ? { note: spec.note } : {} });
    let res, reqStart, reqEnd;
    if (spec.chunks) { // chunked request body, each chunk in its own write
      headers.push(['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']);
      const p = reader.read({ method: spec.method });
      [reqStart] = send(sock, h1Request(spec.method, path, headers, null));
      for (const c of spec.chunks) { await sleep(3); send(sock, `${c.length.toString(16)}\r\n${c}\r\n`); }
      await sleep(3); [, reqEnd] = send(sock, '0\r\n\r\n');
      res = await p;
    } else if (spec.expect) { // Expect: 100-continue, body only after the interim response
      headers.push(['Content-Type', 'application/octet-stream'], ['Content-Length', String(spec.body.length)], ['Expect', '100-continue']);
      const p = reader.read({ method: spec.method, onInterim: (st) => { if (st === 100) [, reqEnd] = send(sock, spec.body); } });
      [reqStart, reqEnd] = send(sock, h1Request(spec.method, path, headers, null));
      res = await p;
    } else {
      if (spec.body) headers.push(['Content-Type', 'application/octet-stream'], ['Content-Length', String(Buffer.byteLength(spec.body))]);
      const p = reader.read({ method: spec.method });
      [reqStart, reqEnd] = send(sock, h1Request(spec.method, path, headers, spec.body, { version: spec.version ?? '1.1' }));
      res = await p;
    }
    finish(e, res.status, res.headers, { interimStatus: res.interim, responseFraming: res.framing, responseBodyBytes: res.body.length, requestBytes: [reqStart, reqEnd], responseBytes: res.bytes });
    await sleep(4);
  }
  async function connection(specs) {
    const sock = await connectRaw();
    const conn = addConnection('tcp', sock.localPort);
    const reader = new H1Reader(sock);
    for (const spec of specs) await exchange(sock, reader, conn, spec);
    if (!sock.readableEnded) sock.end();
    await new Promise((r) => (sock.destroyed ? r() : sock.on('close', r)));
  }

  // connection A: keep-alive, one of everything
  await connection([
    { method: 'GET', path: '/mixed/small' },
    { method: 'POST', path: '/mixed/upload', chunks: ['first chunk;', pad(1200, 'q'), 'last'], note: 'chunked request body' },
    { method: 'GET', path: '/mixed/stream', note: 'chunked response' },
    { method: 'GET', path: '/mixed/big', note: '20000-byte Content-Length body' },
    { method: 'HEAD', path: '/mixed/big', note: 'HEAD: Content-Length 20000, no body' },
    { method: 'DELETE', path: '/mixed/item', note: '204' },
    { method: 'GET', path: '/mixed/etag', headers: [['If-None-Match', '"v1"']], note: '304' },
    { method: 'PUT', path: '/mixed/expect', expect: true, body: Buffer.alloc(5000, 0x45), note: 'Expect: 100-continue' },
    { method: 'GET', path: '/mixed/bigheaders', headers: bigHeaders('Req'), note: '~3 KB request and response headers' },
    { method: 'PUT', path: '/mixed/upload-big', body: pad(20000, 'U'), note: '20000-byte request body' },
  ]);
  // connection B: keep-alive, the same kinds again in another order
  await connection([
    { method: 'GET', path: '/mixed/etag', note: '200 with ETag' },
    { method: 'GET', path: '/mixed/etag', headers: [['If-None-Match', '"v1"']], note: '304' },
    { method: 'GET', path: '/mixed/stream', note: 'chunked response' },
    { method: 'POST', path: '/mixed/upload', chunks: [pad(800, 'r'), pad(900, 's')], note: 'chunked request body' },
    { method: 'HEAD', path: '/mixed/small', note: 'HEAD' },
    { method: 'GET', path: '/mixed/missing', note: '404' },
    { method: 'POST', path: '/mixed/expect', expect: true, body: Buffer.alloc(1200, 0x46), note: 'Expect: 100-continue' },
    { method: 'DELETE', path: '/mixed/item', note: '204' },
    { method: 'GET', path: '/mixed/bigheaders', headers: bigHeaders('Req'), note: '~3 KB request and response headers' },
    { method: 'GET', path: '/mixed/big', note: '20000-byte Content-Length body' },
  ]);
  // connection C: HTTP/1.0 request, Connection: close; the response has no Content-Length and ends by close
  await connection([{ method: 'GET', path: '/mixed/legacy', version: '1.0', headers: [['Connection', 'close']], note: 'HTTP/1.0, response ended by close' }]);
  // connection D: HTTP/1.1 keep-alive request, one small exchange, then a response without Content-Length ended by close
  await connection([
    { method: 'GET', path: '/mixed/small' },
    { method: 'POST', path: '/mixed/upload', body: pad(300, 'd') },
    { method: 'GET', path: '/mixed/until-close', note: 'HTTP/1.1 response without Content-Length, ended by close' },
  ]);
  if (n !== total) throw new Error(`h1-mixed planned ${total} requests, sent ${n}`);
  server.close();
}

// ================================================================ HTTP/2 frame helpers (h2c-upgrade)
const FT = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };
const FL = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8, PRIORITY: 0x20 };
function frame(type, flags, stream, payload = Buffer.alloc(0)) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3); h[3] = type; h[4] = flags; h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}
const settingsPayload = (pairs) => { const b = Buffer.alloc(6 * pairs.length); pairs.forEach(([id, v], i) => { b.writeUInt16BE(id, 6 * i); b.writeUInt32BE(v, 6 * i + 2); }); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
// HPACK, no Huffman, no dynamic-table insertions (static-table indexed fields, or literals without indexing)
function hpInt(value, prefix, first) {
  const max = (1 << prefix) - 1;
  if (value < max) return [first | value];
  const out = [first | max]; value -= max;
  while (value >= 128) { out.push((value % 128) + 128); value = Math.floor(value / 128); }
  out.push(value); return out;
}
const hpStr = (s) => { const b = Buffer.from(s, 'latin1'); return Buffer.concat([Buffer.from(hpInt(b.length, 7, 0)), b]); };
const STATIC_FULL = { ':method GET': 2, ':method POST': 3, ':path /': 4, ':scheme http': 6, ':status 200': 8, ':status 204': 9, ':status 206': 10, ':status 304': 11, ':status 400': 12, ':status 404': 13, ':status 500': 14 };
const STATIC_NAME = { ':authority': 1, ':method': 2, ':path': 4, ':scheme': 6, ':status': 8, accept: 19, 'content-length': 28, 'content-type': 31, date: 33, server: 54, 'user-agent': 58 };
const STATUS_OF_INDEX = { 8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500 };
function hpackEncode(list) {
  const parts = [];
  for (const [k, v] of list) {
    const full = STATIC_FULL[`${k} ${v}`];
    if (full) parts.push(Buffer.from(hpInt(full, 7, 0x80)));
    else if (STATIC_NAME[k]) parts.push(Buffer.from(hpInt(STATIC_NAME[k], 4, 0)), hpStr(v));
    else parts.push(Buffer.from([0]), hpStr(k), hpStr(v));
  }
  return Buffer.concat(parts);
}
// the response's :status from the first field of a header block (always static-indexed: every
// status used here is in the HPACK static table, and nghttp2 encodes exact matches as indexed)
function statusOfBlock(block) {
  if (block[0] & 0x80) { const idx = block[0] & 0x7f; return STATUS_OF_INDEX[idx] ?? null; }
  return null;
}
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

// ================================================================ 3. h2c-upgrade
// Node's http2 module has no h2c-upgrade server (nghttp2_session_upgrade2 is not exposed), so:
// the http.Server 'upgrade' handler answers 101 Switching Protocols, hands the socket to an
// http2.Server with emit('connection'), and, once that session's SETTINGS are acknowledged,
// writes the HTTP/2 response for stream 1 (the upgraded request) itself: a HEADERS frame
// (HPACK static index + literals without indexing, so the session's HPACK state is untouched)
// and a DATA frame. Streams 3, 5, … are answered by node:http2. The client is a raw socket that
// speaks HTTP/2 by hand (HPACK literals, no Huffman).
async function h2cUpgrade() {
  const h2 = http2.createServer();
  h2.on('stream', async (stream, headers) => {
    const path = headers[':path'];
    let received = 0;
    stream.on('data', (c) => (received += c.length));
    await new Promise((r) => stream.on('end', r));
    const size = Number(qp(path, 'size', 64));
    const payload = JSON.stringify({ path, method: headers[':method'], stream: stream.id, received, pad: pad(size) });
    stream.respond({ ':status': path.startsWith('/missing') ? 404 : 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    stream.end(payload);
  });
  const server = http.createServer((req, res) => { res.writeHead(400); res.end(); });
  server.on('upgrade', (req, socket, head) => {
    if (String(req.headers.upgrade).toLowerCase() !== 'h2c' || !req.headers['http2-settings']) { socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); return; }
    if (head.length) throw new Error('client sent data before 101');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    h2.once('session', (session) => {
      session.once('localSettings', () => {
        const payload = Buffer.from(JSON.stringify({ path: req.url, method: req.method, stream: 1, upgraded: true, pad: pad(400) }));
        const block = hpackEncode([[':status', '200'], ['content-type', 'application/json'], ['content-length', String(payload.length)], ['x-upgraded', 'h2c']]);
        socket.write(Buffer.concat([frame(FT.HEADERS, FL.END_HEADERS, 1, block), frame(FT.DATA, FL.END_STREAM, 1, payload)]));
      });
    });
    h2.emit('connection', socket);
  });
  await new Promise((r) => server.listen(port, HOST, r));

  const total = 12; // stream 1 (the upgrade) + streams 3..23
  const tracer = makeTracer(total, { 4: 'both', 6: 'malformed', 9: 'malformed' });
  const sock = await connectRaw();
  const conn = addConnection('tcp', sock.localPort);
  const clientSettings = [[2, 0], [3, 100], [4, 65535]]; // ENABLE_PUSH 0, MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE
  const tr0 = tracer.at(0);
  const upPath = '/h2c/upgrade?n=0';
  const e0 = addExchange(conn, tr0, { httpVersion: '1.1', streamId: 1, method: 'GET', path: upPath, extra: { upgrade: 'h2c', responseHttpVersion: '2' } });
  sock.write(h1Request('GET', upPath, [
    ['Connection', 'Upgrade, HTTP2-Settings'], ['Upgrade', 'h2c'],
    ['HTTP2-Settings', settingsPayload(clientSettings).toString('base64url')],
    ['User-Agent', 'tracecap-corpus/2'], ...tr0.headers,
  ], null));

  // read the 101, then frames
  let buf = Buffer.alloc(0);
  const streams = new Map(); // id -> { resolve, status, headerBlocks, data }
  let gotGoaway = null;
  let upgraded = false; let resolveUp;
  const upPromise = new Promise((r) => (resolveUp = r));
  const ensure = (id) => { if (!streams.has(id)) { let resolve; const p = new Promise((r) => (resolve = r)); streams.set(id, { p, resolve, status: null, data: 0, headers: 0 }); } return streams.get(id); };
  ensure(1);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (!upgraded) {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      const line = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101/.test(line)) throw new Error('no upgrade: ' + line);
      buf = buf.subarray(i + 4);
      upgraded = true; resolveUp();
      // the client connection preface goes first, before anything answers the server's frames
      sock.write(Buffer.concat([PREFACE, frame(FT.SETTINGS, 0, 0, settingsPayload(clientSettings))]));
    }
    while (buf.length >= 9) {
      const len = buf.readUIntBE(0, 3); if (buf.length < 9 + len) break;
      const type = buf[3], flags = buf[4], id = buf.readUInt32BE(5) & 0x7fffffff;
      const p = buf.subarray(9, 9 + len);
      buf = buf.subarray(9 + len);
      if (type === FT.SETTINGS && !(flags & FL.ACK)) sock.write(frame(FT.SETTINGS, FL.ACK, 0));
      else if (type === FT.PING && !(flags & FL.ACK)) sock.write(frame(FT.PING, FL.ACK, 0, p));
      else if (type === FT.GOAWAY) gotGoaway = { lastStreamId: p.readUInt32BE(0) & 0x7fffffff, error: p.readUInt32BE(4) };
      else if (type === FT.HEADERS) {
        const s = ensure(id);
        let block = p;
        if (flags & FL.PADDED) block = p.subarray(1, p.length - p[0]);
        if (flags & FL.PRIORITY) block = block.subarray(5);
        if (s.headers++ === 0) s.status = statusOfBlock(block);
        if (flags & FL.END_STREAM) s.resolve();
      } else if (type === FT.DATA) {
        const s = ensure(id);
        s.data += len;
        if (len) sock.write(Buffer.concat([frame(FT.WINDOW_UPDATE, 0, 0, u32(len)), flags & FL.END_STREAM ? Buffer.alloc(0) : frame(FT.WINDOW_UPDATE, 0, id, u32(len))]));
        if (flags & FL.END_STREAM) s.resolve();
      } else if (type === FT.RST_STREAM) ensure(id).resolve();
    }
  });
  await upPromise;
  await streams.get(1).p;
  finish(e0, streams.get(1).status, [], { responseDataBytes: streams.get(1).data });

  let next = 3;
  const one = async (n) => {
    const tr = tracer.at(n, { h2: true });
    const id = next; next += 2;
    const post = n % 3 === 2;
    const path = n === 5 ? `/missing/${n}` : `/h2c/items/${n}?size=${[100, 1500, 3000][n % 3]}`;
    const body = post ? Buffer.from(JSON.stringify({ n, note: pad(200 + n * 50, 'p') })) : null;
    const e = addExchange(conn, tr, { httpVersion: '2', streamId: id, method: post ? 'POST' : 'GET', path });
    const fields = [[':method', post ? 'POST' : 'GET'], [':scheme', 'http'], [':authority', `${HOST}:${port}`], [':path', path],
      ['user-agent', 'tracecap-corpus/2'], ['accept', 'application/json'], ...tr.headers];
    if (post) fields.push(['content-type', 'application/json'], ['content-length', String(body.length)]);
    const s = ensure(id);
    const frames = [frame(FT.HEADERS, FL.END_HEADERS | (post ? 0 : FL.END_STREAM), id, hpackEncode(fields))];
    if (post) frames.push(frame(FT.DATA, FL.END_STREAM, id, body));
    sock.write(Buffer.concat(frames));
    await s.p;
    finish(e, s.status, [], { responseDataBytes: s.data });
  };
  await Promise.all([one(1), one(2)]); // streams 3 and 5 concurrently
  for (let n = 3; n < total; n++) { await one(n); await sleep(3); }
  // client GOAWAY (no server-initiated streams were accepted), then close
  sock.write(frame(FT.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(0)])));
  await sleep(20);
  sock.end();
  await new Promise((r) => sock.on('close', r));
  if (gotGoaway) manifest.notes.push(`server GOAWAY last-stream-id ${gotGoaway.lastStreamId} error ${gotGoaway.error}`);
  save();
  server.close(); h2.close();
}

// ================================================================ 4. h2-many
async function h2Many() {
  const server = http2.createServer({ settings: { maxConcurrentStreams: 100 } });
  let serverSession;
  server.on('session', (s) => (serverSession = s));
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    const size = Number(qp(path, 'size', 64));
    const common = { 'content-type': 'application/json', 'cache-control': 'private, max-age=0', 'x-served-by': 'tracecap-corpus-backend-7', 'x-region': 'europe-west1' };
    stream.on('error', () => {});
    let received = 0;
    stream.on('data', (c) => (received += c.length));
    stream.on('end', async () => {
      if (path.startsWith('/slow')) { // headers + a first chunk, then the client cancels (RST_STREAM)
        stream.respond({ ':status': 200, ...common });
        stream.write(pad(1000, 's'));
        await sleep(300);
        if (!stream.destroyed) stream.end(pad(1000, 's'));
        return;
      }
      const payload = JSON.stringify({ path, stream: stream.id, received, pad: pad(size) });
      stream.respond({ ':status': path.startsWith('/missing') ? 404 : 200, ...common, 'content-length': Buffer.byteLength(payload) });
      stream.end(payload);
    });
  });
  await new Promise((r) => server.listen(port, HOST, r));

  const batches = [24, 24];
  const total = batches[0] + batches[1];
  const tracer = makeTracer(total, { 10: 'both', 17: 'malformed', 27: 'malformed', 33: 'malformed', 38: 'both', 44: 'malformed' });
  const client = http2.connect(`http://${HOST}:${port}`);
  await new Promise((r) => client.once('connect', r));
  const conn = addConnection('h2c-prior-knowledge', client.socket.localPort);
  const CANCEL_AT = 30;
  const one = (n) => new Promise((resolve, reject) => {
    const tr = tracer.at(n, { h2: true });
    const post = n % 5 === 1;
    const big = n % 16 === 7; // n = 7, 23, 39: ~24 KB responses
    const path = n === CANCEL_AT ? `/slow/${n}` : n % 13 === 4 ? `/missing/${n}` : `/v1/items/${n}?size=${big ? 24000 : [30, 400, 1200][n % 3]}`;
    const method = post ? 'POST' : 'GET';
    const e = addExchange(conn, tr, { httpVersion: '2', method, path });
    const req = client.request({
      ':method': method, ':path': path,
      'user-agent': 'tracecap-corpus/2 (h2-many)', accept: 'application/json', 'accept-language': 'en-GB,en;q=0.8',
      'x-tenant-id': 'tenant-0042', 'x-client-version': '7.3.1', 'x-feature-flags': 'alpha,beta,gamma',
      ...Object.fromEntries(tr.headers),
      ...(post ? { 'content-type': 'application/json' } : {}),
    });
    const setId = () => { if (req.id !== undefined && e.streamId === null) { e.streamId = req.id; save(); } };
    setId(); req.on('ready', setId); req.on('response', setId);
    let status = null, headers = [], bytes = 0;
    req.on('response', (h) => {
      status = h[':status'];
      headers = Object.entries(h).map(([k, v]) => [k, String(v)]);
      if (n === CANCEL_AT) { req.close(http2.constants.NGHTTP2_CANCEL); }
    });
    req.on('data', (c) => (bytes += c.length));
    req.on('close', () => {
      finish(e, status, headers, n === CANCEL_AT ? { clientReset: 'CANCEL', note: 'client cancelled with RST_STREAM after the response headers', responseDataBytes: bytes } : { responseDataBytes: bytes });
      resolve();
    });
    req.on('error', (err) => (n === CANCEL_AT ? null : reject(err)));
    if (post) req.end(JSON.stringify({ n, note: pad(100 + n * 20, 'p') })); else req.end();
  });
  let n = 0;
  for (const size of batches) { // 24 concurrent streams per batch
    const ps = [];
    for (let k = 0; k < size; k++) ps.push(one(n++));
    await Promise.all(ps);
    await sleep(60); // a quiet gap between batches (the -mid cut starts at batch 2)
  }
  // GOAWAY at the end: the server closes its session gracefully (GOAWAY NO_ERROR), then the client closes
  const goaway = new Promise((r) => client.once('goaway', (code, last) => r({ code, last })));
  serverSession.close();
  const g = await Promise.race([goaway, sleep(1000).then(() => null)]);
  if (g) manifest.notes.push(`server GOAWAY error ${g.code} last-stream-id ${g.last}`);
  client.close();
  await sleep(50);
  save();
  server.close();
}

// ================================================================ 5. grpc
// gRPC-like: POST, content-type application/grpc, te: trailers, 5-byte length-prefixed messages
// (a hand-encoded protobuf: field 1, string), grpc-status/grpc-message in trailers.
function pbEncode(s) { // field 1 (wire type 2) with a varint length
  const b = Buffer.from(s); const len = []; let v = b.length;
  while (v >= 128) { len.push((v & 127) | 128); v >>= 7; } len.push(v);
  return Buffer.concat([Buffer.from([0x0a, ...len]), b]);
}
const grpcFrame = (msg) => { const h = Buffer.alloc(5); h[0] = 0; h.writeUInt32BE(msg.length, 1); return Buffer.concat([h, msg]); };
async function grpc() {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    const parts = [];
    stream.on('data', (c) => parts.push(c));
    stream.on('error', () => {});
    stream.on('end', async () => {
      const reqBody = Buffer.concat(parts);
      const msg = reqBody.subarray(5);
      const base = { ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': 'identity' };
      if (path.endsWith('/TrailersOnly')) { // Trailers-Only: a single HEADERS frame with END_STREAM
        stream.respond({ ...base, 'grpc-status': '3', 'grpc-message': 'invalid%20argument%3A%20name%20is%20empty' }, { endStream: true });
        return;
      }
      stream.respond(base, { waitForTrailers: true });
      if (path.endsWith('/Lookup') && msg.toString().includes('unknown')) { // error status after headers, no message
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'item%20not%20found' }));
        stream.end();
      } else if (path.endsWith('/Watch')) { // server streaming: 5 messages in separate DATA frames
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' }));
        for (let k = 0; k < 5; k++) { stream.write(grpcFrame(pbEncode(`event ${k} ${pad(150 + k * 300, 'e')}`))); await sleep(5); }
        stream.end();
      } else { // unary echo
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' }));
        stream.end(grpcFrame(pbEncode(`echo: ${msg.subarray(2).toString()}`)));
      }
    });
  });
  await new Promise((r) => server.listen(port, HOST, r));
  const total = 12;
  const tracer = makeTracer(total, { 4: 'both', 8: 'malformed', 10: 'malformed' });
  const client = http2.connect(`http://${HOST}:${port}`);
  await new Promise((r) => client.once('connect', r));
  const conn = addConnection('h2c-prior-knowledge', client.socket.localPort);
  const call = (n, method, text) => new Promise((resolve, reject) => {
    const tr = tracer.at(n, { h2: true });
    const path = `/tracecap.corpus.v1.Items/${method}`;
    const e = addExchange(conn, tr, { httpVersion: '2', method: 'POST', path, extra: { grpc: method === 'Watch' ? 'server-streaming' : 'unary' } });
    const req = client.request({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
      'grpc-timeout': '5S', 'grpc-accept-encoding': 'identity', 'user-agent': 'grpc-node-corpus/1.0', ...Object.fromEntries(tr.headers),
    });
    const setId = () => { if (req.id !== undefined && e.streamId === null) { e.streamId = req.id; save(); } };
    setId(); req.on('ready', setId); req.on('response', setId);
    let status = null, headers = [], trailers = null, messages = 0, buf = Buffer.alloc(0);
    req.on('response', (h) => {
      status = h[':status']; headers = Object.entries(h).map(([k, v]) => [k, String(v)]);
      if (h['grpc-status'] !== undefined) trailers = { 'grpc-status': h['grpc-status'], 'grpc-message': h['grpc-message'], trailersOnly: true };
    });
    req.on('trailers', (t) => (trailers = { 'grpc-status': t['grpc-status'], 'grpc-message': t['grpc-message'] }));
    req.on('data', (c) => { buf = Buffer.concat([buf, c]); while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) { buf = buf.subarray(5 + buf.readUInt32BE(1)); messages++; } });
    req.on('close', () => { finish(e, status, headers, { grpcStatus: trailers?.['grpc-status'] ?? null, grpcMessage: trailers?.['grpc-message'] ?? null, trailersOnly: !!trailers?.trailersOnly, responseMessages: messages }); resolve(); });
    req.on('error', reject);
    req.end(grpcFrame(pbEncode(text)));
  });
  let n = 0;
  for (let k = 0; k < 4; k++) await call(n++, 'Get', `item-${k}`);                  // 0-3 unary
  await call(n++, 'Watch', 'feed-1');                                               // 4 server streaming (both headers)
  await call(n++, 'Lookup', 'unknown-item');                                        // 5 grpc-status 5
  await Promise.all([call(n++, 'Get', 'item-a'), call(n++, 'Get', 'item-b')]);      // 6, 7 concurrent
  await call(n++, 'TrailersOnly', '');                                              // 8 trailers-only grpc-status 3
  await call(n++, 'Get', pad(3000, 'L'));                                           // 9 larger request message
  await call(n++, 'Lookup', 'item-9');                                              // 10
  await call(n++, 'Get', 'last');                                                   // 11
  client.close();
  await sleep(50);
  server.close();
}

// ================================================================ 6. h1-keepalive-long
async function h1KeepaliveLong() {
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const n = Number(qp(req.url, 'n', -1));
    const status = req.url.startsWith('/missing') ? 404 : req.url.startsWith('/fail') ? 500 : 200;
    const payload = JSON.stringify({ n, path: req.url, method: req.method, received: body.length, pad: pad([60, 700, 2100, 300, 3400][n % 5]) });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  });
  server.keepAliveTimeout = 30000;
  await new Promise((r) => server.listen(port, HOST, r));
  const total = 48;
  const tracer = makeTracer(total, { 13: 'both', 20: 'malformed', 29: 'malformed', 35: 'both', 38: 'malformed', 44: 'malformed' });
  const sock = await connectRaw();
  const conn = addConnection('tcp', sock.localPort);
  const reader = new H1Reader(sock);
  for (let n = 0; n < total; n++) {
    const tr = tracer.at(n);
    const post = n % 4 === 3;
    const path = n % 9 === 4 ? `/missing/${n}?n=${n}` : n === 23 ? `/fail/${n}?n=${n}` : `/session/step/${n}?n=${n}`;
    const body = post ? JSON.stringify({ n, note: pad(80 + n * 40, 'k') }) : null;
    const headers = [['User-Agent', 'tracecap-corpus/2'], ['Accept', 'application/json'], ...tr.headers];
    if (post) headers.push(['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]);
    const method = post ? 'POST' : 'GET';
    const e = addExchange(conn, tr, { httpVersion: '1.1', method, path });
    const p = reader.read({ method });
    const requestBytes = send(sock, h1Request(method, path, headers, body));
    const res = await p;
    finish(e, res.status, res.headers, { responseBodyBytes: res.body.length, requestBytes, responseBytes: res.bytes });
    await sleep(5);
  }
  sock.end();
  await new Promise((r) => sock.on('close', r));
  server.close();
}

const run = { 'h1-pipeline': h1Pipeline, 'h1-mixed': h1Mixed, 'h2c-upgrade': h2cUpgrade, 'h2-many': h2Many, grpc, 'h1-keepalive-long': h1KeepaliveLong }[scenario];
const timer = setTimeout(() => { console.error(`${scenario}: timed out`); save(); process.exit(3); }, 30000);
await run();
clearTimeout(timer);
save();
const missing = manifest.exchanges.filter((e) => e.status === null);
console.error(`${scenario}: ${manifest.exchanges.length} exchanges on ${manifest.connections.length} connection(s)` + (missing.length ? `, ${missing.length} without a response status` : ''));
process.exit(0);
