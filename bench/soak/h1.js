// HTTP/1.x connections of the soak generator and what their records must show.
//
// h1Script(c, g) is a connection's script: keep-alive exchanges (1-50), some pipelined (2-8
// requests at once, a few 33-48), every method, Content-Length and chunked bodies up to ~200 KB,
// `Expect: 100-continue`, 204/304/HEAD, slow responses (2 s to 5 min), idle gaps of minutes,
// heads over 16 KiB, HTTP/1.0 with a body ended by close, and endings by FIN, RST in a response,
// abandonment (sometimes with a request waiting), or a last ACK 11-20 s late.
//
// H1Observer mirrors the analysis as the README documents it and flow/conn.ts,
// http/h1exchange.ts and trace/pick.ts implement it, with no resource limit. Requests take
// positions in order; an exchange's request bytes run from the first byte of its head to the
// first byte of the next request's head (so the segments of a request head not yet complete
// belong to no exchange); its response bytes run from the first byte of its response head (the
// oldest unanswered request's: no capture gaps here) to the first byte of the next response's
// head, an interim 1xx and the final response sharing the range. A segment with payload gets
// the exchange whose range holds its first byte; one without payload the exchange of the other
// side's last acknowledged byte, else of its own last byte sent. A connection keeps its
// exchanges still waiting for a final response head and the 32 that got one last; bytes of an
// older exchange get no trace. The segment completing a head shows it (the first one when
// several complete) and gets its exchange's trace. Heads over 16 KiB show the lines the core
// keeps (http/h1.ts: those that fit, then the framing, host and trace lines that follow).
import { CLIENT, SERVER } from './tcp.js';
import { drawTrace, canonical } from './trace.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'];
const RESOURCES = ['items', 'users', 'orders', 'carts', 'search', 'assets', 'reports'];
const MAX_URL = 256;

/** One request/response pair as planned: what is sent and what its records must show. */
function planExchange(g, c, i) {
  const rng = g.rng;
  const method = METHODS[rng.weighted([60, 20, 7, 5, 8])];
  const target = `/api/v${rng.int(1, 2)}/${rng.pick(RESOURCES)}/${rng.int(1, 99999)}?page=${rng.int(0, 50)}&c=${c.id}.${i}`;
  const tr = drawTrace(rng);
  const ex = { method, target, url: `${c.host}${target}`.slice(0, MAX_URL), trace: tr.trace, proto: c.http10 ? 'HTTP/1.0' : 'HTTP/1.1' };
  const reqHeaders = [['Host', c.host], ['User-Agent', rng.pick(['soak/1.0', 'curl/8.5.0', 'Go-http-client/1.1'])], ['Accept', '*/*'],
    ['X-Request-Id', rng.hex(16)], ...tr.headers];
  let reqBody = null;
  if (method === 'POST' || method === 'PUT') {
    reqBody = { size: bodySize(rng), chunked: !c.http10 && rng.chance(0.3) };
    reqHeaders.push(['Content-Type', 'application/json']);
    reqHeaders.push(reqBody.chunked ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(reqBody.size)]);
    ex.expect100 = !reqBody.chunked && reqBody.size > 1024 && rng.chance(g.p.expect100);
    if (ex.expect100) { reqHeaders.push(['Expect', '100-continue']); g.mark('h1.expect_100'); }
    if (reqBody.chunked) g.mark('h1.chunked_request');
  }
  if (c.http10) reqHeaders.push(['Connection', 'close']);
  else if (rng.chance(0.3)) reqHeaders.push(['Connection', 'keep-alive']);
  if (rng.chance(g.p.bigHead)) { reqHeaders.push(...bigHeaders(rng, 'Cookie')); ex.reqBig = true; g.mark('h1.big_request_head'); }
  let code = 200;
  if (method === 'POST') code = rng.chance(0.5) ? 201 : 200;
  if (method === 'DELETE' && rng.chance(0.5)) code = 204;
  if (method === 'GET' && rng.chance(0.05)) { code = 304; reqHeaders.push(['If-None-Match', `"${rng.hex(8)}"`]); }
  if (rng.chance(0.04)) code = rng.pick([404, 500, 503]);
  const resHeaders = [['Content-Type', rng.pick(['application/json', 'text/html; charset=utf-8', 'text/plain'])],
    ['Date', 'Tue, 14 Nov 2023 22:13:20 GMT'], ['Server', 'soak']];
  let resBody = null;
  if (code !== 204 && code !== 304) {
    const size = method === 'HEAD' ? rng.int(0, 50000) : bodySize(rng);
    if (c.http10) { resBody = { size, untilClose: true }; resHeaders.push(['Connection', 'close']); }
    else {
      resBody = { size, chunked: method !== 'HEAD' && rng.chance(0.3) };
      resHeaders.push(resBody.chunked ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(size)]);
    }
    if (method === 'HEAD') resBody.none = true;
  }
  if (rng.chance(g.p.bigHead * 2)) { resHeaders.push(...bigHeaders(rng, rng.pick(['Set-Cookie', 'Content-Security-Policy']))); ex.resBig = true; g.mark('h1.big_response_head'); }
  ex.code = code;
  g.mark(`h1.${method}`);
  if (code === 204 || code === 304) g.mark(`h1.${code}`);
  if (resBody?.chunked) g.mark('h1.chunked_response');
  ex.slow = rng.chance(g.p.slow) ? rng.logUniform(2, 300) : 0;
  if (ex.slow) g.mark('h1.slow_response');
  ex.req = { line: `${method} ${target} ${ex.proto}`, headers: reqHeaders, body: reqBody };
  ex.res = { line: `${ex.proto} ${code} ${REASONS[code]}`, headers: resHeaders, body: resBody };
  return ex;
}
const REASONS = { 100: 'Continue', 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function bodySize(rng) {
  const k = rng.weighted([35, 55, 9, 1]);
  return k === 0 ? 0 : k === 1 ? rng.int(1, 2000) : k === 2 ? rng.int(2000, 30000) : rng.int(30000, 200000);
}

// Header lines that push a head past 16 KiB: several long values of one name.
function bigHeaders(rng, name) {
  const out = [];
  let total = 0;
  const want = rng.int(17000, 40000);
  while (total < want) { const v = `k${rng.hex(6)}=${rng.hex(rng.int(2000, 6000))}`; out.push([name, v]); total += v.length + name.length + 4; }
  return out;
}

function headBytes(line, headers) {
  return Buffer.from(`${line}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1');
}

// A body as sent: Content-Length bytes, or chunked coding with chunks of random sizes.
function bodyBytes(rng, body) {
  if (!body || body.none || body.size === 0 && !body.chunked) return Buffer.alloc(0);
  const data = Buffer.alloc(body.size, 0x61 + (body.size % 26));
  if (!body.chunked) return data;
  const parts = [];
  for (let o = 0; o < data.length;) {
    const n = Math.min(data.length - o, rng.int(1, 20000));
    parts.push(Buffer.from(`${n.toString(16)}\r\n`), data.subarray(o, o + n), Buffer.from('\r\n'));
    o += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** The headers a record must show: Go canonical names, Host and Transfer-Encoding removed, values in order. */
export function expectedHeaders(headers) {
  const m = {};
  for (const [n, v] of headers) {
    const k = canonical(n);
    if (k === 'Host' || k === 'Transfer-Encoding') continue;
    (m[k] ||= []).push(v);
  }
  return m;
}

// Sends messages of one side in one go (pipelined requests or responses); a head is sometimes
// split so that it completes in a later segment.
function sendMessages(c, g, dir, items, stopAt) {
  const bufs = [], cuts = [];
  let off = c.sent[dir];
  for (const it of items) {
    const m = { kind: it.kind, ex: it.ex, start: off, headEnd: off + it.head.length, end: it.untilClose ? Infinity : off + it.head.length + it.body.length };
    c.observer.msgs[dir].push(m);
    // A head is sometimes cut; the connection's first one sometimes after only a few bytes, too
    // few to tell the protocol ("GE" | "T /…"), and sometimes a second time just after.
    if (off === 0 && g.rng.chance(g.p.shortFirst)) {
      const k = g.rng.int(1, 6);
      cuts.push(k);
      if (g.rng.chance(0.3)) cuts.push(k + g.rng.int(1, 4));
      g.mark('h1.short_first_segment');
    } else if (g.rng.chance(g.p.headCut) && it.head.length > 2) cuts.push(off + g.rng.int(1, it.head.length - 1));
    bufs.push(it.head, it.body);
    off += it.head.length + it.body.length;
  }
  return c.send(dir, Buffer.concat(bufs), { cuts, stopAt, gap: g.rng.chance(0.1) ? 0.002 : 0.00002 });
}

function requestItem(g, ex, withBody = true) {
  return { kind: 'req', ex, head: headBytes(ex.req.line, ex.req.headers), body: withBody ? bodyBytes(g.rng, ex.req.body) : Buffer.alloc(0) };
}
function responseItem(g, ex) {
  return { kind: 'res', ex, head: headBytes(ex.res.line, ex.res.headers), body: bodyBytes(g.rng, ex.res.body), untilClose: ex.res.body?.untilClose };
}

/** The script of one HTTP/1.x connection (a generator: each yield lets the clock run). */
export function* h1Script(c, g) {
  const rng = g.rng;
  c.observer = new H1Observer(c);
  c.http10 = rng.chance(g.p.http10);
  c.host = rng.pick(['api.example.com', 'shop.example.net', `svc${rng.int(1, 9)}.internal:${c.port[SERVER]}`]);
  // A deep pipeline: more than 32 requests in flight at once (the core keeps every waiting exchange, and the 32 finished last).
  const deep = !c.http10 && rng.chance(g.p.deepPipeline);
  const n = c.http10 ? 1 : deep ? rng.int(33, 48) : [() => rng.int(1, 3), () => rng.int(4, 12), () => rng.int(13, 50)][rng.weighted([65, 28, 7])]();
  const pipelined = deep || !c.http10 && rng.chance(g.p.pipeline);
  const ending = rng.weighted([85, g.p.reset * 100, g.p.abandon * 100, 3]); // close, reset, abandon, late ACK
  const life = g.lifetime();
  if (c.http10) g.mark('h1.http10_close');
  if (pipelined) g.mark('h1.pipelined');
  if (deep) g.mark('h1.deep_pipeline');
  g.mark(['h1.close', 'h1.reset', 'h1.abandoned', 'h1.late_ack'][ending]);
  c.open();
  yield;
  let i = 0;
  while (i < n) {
    const batch = deep ? n : pipelined ? Math.min(n - i, rng.int(2, 8)) : 1;
    const exs = [];
    for (let k = 0; k < batch; k++) exs.push(planExchange(g, c, i + k));
    i += batch;
    const last = i >= n;
    if (last && ending === 2 && rng.chance(0.5)) { // abandoned with a request waiting
      g.mark('h1.abandoned_waiting');
      sendMessages(c, g, CLIENT, exs.map((ex) => requestItem(g, ex)));
      c.done = true; return;
    }
    let arrive;
    if (batch === 1 && exs[0].expect100) {
      const ex = exs[0];
      arrive = sendMessages(c, g, CLIENT, [requestItem(g, ex, false)]);
      c.until(arrive + 0.001);
      arrive = sendMessages(c, g, SERVER, [{ kind: 'interim', ex, head: headBytes(`${ex.proto} 100 Continue`, []), body: Buffer.alloc(0) }]);
      c.until(arrive + 0.0005);
      const body = bodyBytes(rng, ex.req.body);
      c.observer.msgs[CLIENT].at(-1).end += body.length; // the body follows its head
      arrive = c.send(CLIENT, body);
    } else arrive = sendMessages(c, g, CLIENT, exs.map((ex) => requestItem(g, ex)));
    yield;
    const slow = Math.max(...exs.map((e) => e.slow));
    c.until(arrive + 0.0003 + rng.exp(0.01) + slow);
    yield;
    const items = exs.map((ex) => responseItem(g, ex));
    if (last && ending === 1) {
      const all = items.reduce((s, it) => s + it.head.length + it.body.length, 0);
      sendMessages(c, g, SERVER, items, c.sent[SERVER] + rng.int(1, Math.max(1, all - 1)));
      c.wait(rng.exp(0.01));
      const by = rng.chance(0.5) ? SERVER : CLIENT;
      c.reset(by);
      // Sometimes a straggler 11-20 s later (the ended connection is released by then).
      if (rng.chance(g.p.straggler)) { g.mark('h1.late_after_reset'); c.straggler(1 - by, rng.int(11, 20)); }
      return;
    }
    arrive = sendMessages(c, g, SERVER, items);
    if (c.http10) { c.close(SERVER); return; }
    yield;
    if (last) break;
    const idle = rng.chance(g.p.idle) ? (g.mark('h1.idle_minutes'), rng.logUniform(60, 400)) : rng.exp(life / n);
    c.until(arrive + Math.min(idle, 500));
    yield;
  }
  if (ending === 2) { c.done = true; return; }
  c.until(c.now + rng.exp(0.5));
  yield;
  c.close(rng.chance(0.6) ? CLIENT : SERVER, ending === 3 ? rng.int(11, 20) : 0);
  // Port reuse: a later connection may take these addresses and ports a few seconds from now.
  if (ending !== 3 && rng.chance(g.p.reuse)) c.reusable = [c.now + rng.int(1, 5), c.clientIndex, c.port[CLIENT], 'h1', c.port[SERVER]];
}

/** Works out, packet by packet, what the records of one HTTP/1.x connection must show. */
export class H1Observer {
  constructor(c) {
    this.c = c;
    this.msgs = [[], []];     // per side, messages whose head or body is still to come
    this.kept = [];           // the exchanges the connection keeps, by position: [count - kept.length, count)
    this.count = 0;           // requests whose head is complete (the next position)
    this.unanswered = 0;      // position of the oldest request without its final response head
  }

  pending() { return this.unanswered < this.count; }

  at(pos) { const i = pos - (this.count - this.kept.length); return i >= 0 && i < this.kept.length ? this.kept[i] : null; }

  // A message's first byte: it closes the previous message's range of its side; a response's
  // range starts here, its request being the oldest unanswered one (an interim response's final
  // one goes on in the same range).
  start(m) {
    if (m.kind === 'req') {
      const last = this.kept.at(-1);
      if (last && last.reqEnd === Infinity) last.reqEnd = m.start;
      return;
    }
    const r = this.at(this.unanswered);
    let prev = null;
    for (let i = this.kept.length - 1; i >= 0 && !prev; i--) if (this.kept[i].hasRes) prev = this.kept[i];
    if (prev && prev !== r && prev.resEnd === Infinity) prev.resEnd = m.start;
    if (r && !r.hasRes) { r.hasRes = true; r.resStart = m.start; }
  }

  // A complete head: a request takes the next position; a final response answers the oldest
  // unanswered one, which then counts among the 32 finished last.
  head(m) {
    if (m.kind === 'req') {
      this.kept.push({ ex: m.ex, reqStart: m.start, reqEnd: Infinity, hasRes: false, resStart: 0, resEnd: Infinity });
      this.count++;
      return;
    }
    const r = this.at(this.unanswered);
    if (!r || r.ex !== m.ex || !r.hasRes) throw new Error(`h1: connection ${this.c.id}: a response without its request in the model`);
    if (m.kind === 'interim') return;
    this.unanswered++;
    // HTTP/1 exchanges finish in position order: the kept ones are the waiting ones and the 32 before them.
    const drop = this.kept.length - (this.count - this.unanswered) - 32;
    if (drop > 0) this.kept.splice(0, drop);
  }

  // The exchange whose request (client side) or response (server side) range holds offset o.
  find(server, o) {
    for (let i = this.kept.length - 1; i >= 0; i--) {
      const r = this.kept[i];
      if (server ? r.hasRes && r.resStart <= o : r.reqStart <= o) return o < (server ? r.resEnd : r.reqEnd) ? r.ex : null;
    }
    return null;
  }

  /** The truth item of a packet about to be written (p settled: offsets, acknowledgement and tick known). */
  segment(p) {
    const c = this.c;
    c.beforePacket(p.tick);
    let rendered = null;
    const a = p.off, b = p.off + p.payload.length;
    if (p.payload.length && !c.released) {
      const list = this.msgs[p.dir];
      const events = [];
      // In stream order; at one offset a head completes, then its message ends, then the next one starts.
      for (const m of list) {
        if (m.start >= b) break;
        if (m.start >= a) events.push([m.start, 2, m]);
        if (m.headEnd > a && m.headEnd <= b) events.push([m.headEnd, 0, m]);
        if (m.end > a && m.end <= b) events.push([m.end, 1, m]);
      }
      events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      for (const [, kind, m] of events) {
        if (kind === 2) this.start(m);
        else if (kind === 0) { this.head(m); if (!rendered) rendered = m; }
        else c.scheduleUntrack(p.tick, this.pending());
      }
      while (list.length && list[0].end <= b) list.shift();
    }
    c.afterPacket(p, this.pending());
    const tr = this.pick(p, rendered);
    if (rendered) return { k: rendered.kind === 'req' ? 'req' : 'res', ...headTruth(rendered), tr };
    return c.released && p.payload.length ? { k: 'seg', tr, released: true } : { k: 'seg', tr };
  }

  pick(p, rendered) {
    const c = this.c;
    if (c.untracked || p.flags & 0x02) return null;
    if (rendered) return rendered.ex.trace;
    const server = p.dir === SERVER;
    let ex = null;
    if (p.payload.length) ex = this.find(server, p.off);
    else {
      // The other side's last acknowledged data byte (a FIN takes no byte); only when none is
      // acknowledged, this side's last sent byte (trace/pick.ts). Acknowledged bytes of an
      // exchange no longer kept give no trace: never this side's last request's.
      if (p.ackOff > 0) ex = this.find(!server, p.ackOff - 1);
      else if (p.seqOff > 0) ex = this.find(server, p.seqOff - 1);
    }
    return ex ? ex.trace : null;
  }
}

// The head limit and what a head over it keeps (config.ts MAX_HEAD, HEAD_EXTRA, HEAD_OVER_LINE;
// http/h1.ts): the lines that fit in 16 KiB, then of the lines after them those that frame the
// body or carry the host and trace, each at most 512 bytes, while they fit in 1 KiB more.
const HEAD_LIMIT = 16384, HEAD_CAP = 16384 + 1024, OVER_LINE = 512;
const OVER_NAMES = new Set(['content-length', 'transfer-encoding', 'host', 'traceparent', 'x-cloud-trace-context']);

/** A head's bytes in all, and the header lines the core keeps of it. */
function keptLines(line, headers) {
  let len = line.length + 2, over = false;
  const kept = [];
  for (const [n, v] of headers) {
    const l = n.length + v.length + 4;
    if (!over && len + l <= HEAD_LIMIT) { kept.push([n, v]); len += l; continue; }
    over = true;
    if (OVER_NAMES.has(n.toLowerCase()) && l <= OVER_LINE && len + l <= HEAD_CAP) { kept.push([n, v]); len += l; }
  }
  const size = line.length + 2 + headers.reduce((s, [n, v]) => s + n.length + v.length + 4, 0) + 2;
  return { big: size > HEAD_LIMIT, kept };
}

// What a rendered head must show: for a head over the limit, only the lines kept.
function headTruth(m) {
  const ex = m.ex;
  const req = keptLines(ex.req.line, ex.req.headers);
  const rq = { method: ex.method, url: ex.url, ...(req.big ? { skipped: 'head_too_large' } : {}) };
  if (m.kind === 'req') return { method: ex.method, url: ex.target, proto: ex.proto, headers: expectedHeaders(req.kept), big: req.big };
  if (m.kind === 'interim') return { code: 100, proto: ex.proto, headers: {}, rq };
  const res = keptLines(ex.res.line, ex.res.headers);
  return { code: ex.code, proto: ex.proto, headers: expectedHeaders(res.kept), big: res.big, rq };
}
