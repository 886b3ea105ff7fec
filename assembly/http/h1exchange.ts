// HTTP/1.x exchanges (RFC 9112): heads parsed from the reassembled stream become requests and
// responses, paired in order per connection, with their bodies (Content-Length, chunked) and the
// trace a request carries.

import { MAX_METHOD, MAX_URL } from "../config";
import { Conn, Dir, Mode, ex, Exchange } from "../flow/conn";
import { H1, H1Ev, Body, h1Step, h1Event, h1Body, h1Resync, h1BodyBytes, Head, parseHead, nameIs } from "./h1";
import { h2Start } from "./h2";
import { bufPtr } from "./buffers";
import { TraceRepr, parseTraceparent, parseCloudTrace } from "../trace/context";
import { pos } from "../json/writer";
import { copy } from "../util/mem";
import { S, RENDER_HEAD, head, tmpHead, trace2 } from "../record/state";
import { feedH2 } from "./h2exchange";
import { writeH1 } from "../json/http1";
import { renderL7 } from "../json/l7";
import { scheduleUntrack } from "../flow/track";

export function feedH1(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  const start = p;
  let sawHead = false;
  while (len > 0) {
    const before = d.st;
    const n = h1Step(d, p, len);
    if (before == H1.START && d.st == H1.HEAD) curMsgStart = S.curOff + <u32>n;
    if (S.rendered && S.renderBodyOpen) S.renderBodyLen += h1BodyBytes;
    p += <usize>n; len -= n; S.curOff += <u32>n;
    if (h1Event == H1Ev.HEAD) { sawHead = true; onHead(c, dir, d, p); }
    else if (h1Event == H1Ev.DONE) { onDone(c, dir, d); }
    else if (h1Event == H1Ev.HEAD_TOO_LARGE) { d.cur = -1; }
    if (d.st == H1.OPAQUE && c.mode == Mode.HTTP2) { if (len > 0) feedH2(c, dir, p, len); break; }
  }
  if (!sawHead && !S.rendered) renderL7(start, <i32>(p - start));
}

let curMsgStart: u32 = 0;

function onHead(c: Conn, dir: i32, d: Dir, after: usize): void {
  let h = tmpHead;
  let buf = bufPtr(d.head);
  const first = !S.rendered;
  if (first) {
    copy(RENDER_HEAD, buf, <usize>d.headLen);
    buf = RENDER_HEAD; h = head;
  }
  parseHead(buf, d.headLen, h);
  const headLen = d.headLen;
  // Not an HTTP/1 message after all (binary data that began with a capital letter): resync.
  if (!h.valid) { h1Resync(d); return; }
  if (c.client < 0) c.client = h.isRequest ? dir : 1 - dir;
  let exIdx: i32 = -1;
  let kind = Body.NONE;
  let length: i64 = 0;
  const chunked = isChunked(buf, h);
  const cl = contentLength(buf, h);
  if (h.isRequest) {
    // Close the previous request's byte range; open this one's.
    const prevI = c.at(c.count - 1);
    if (prevI >= 0 && ex(prevI).hasReq && ex(prevI).reqEnd == 0xffffffff) ex(prevI).reqEnd = curMsgStart;
    const pos = c.append();
    exIdx = c.at(pos);
    const e = ex(exIdx);
    e.hasReq = true; e.reqStart = curMsgStart; e.tsSec = S.pSec; e.tsNsec = S.pNsec;
    const ml = h.methodLen < MAX_METHOD ? h.methodLen : MAX_METHOD;
    copy(e.method, buf + <usize>h.method, <usize>ml); e.methodLen = ml;
    e.isHead = ml == 4 && load<u32>(e.method) == 0x44414548;
    e.isConnect = ml == 7 && load<u32>(e.method) == 0x4e4e4f43;
    setUrl(e, buf, h);
    extractTrace(buf, h, e.trace);
    d.cur = pos;
    if (chunked) kind = Body.CHUNKED; else if (cl >= 0) { kind = Body.LENGTH; length = cl; }
    // An h2c upgrade request (RFC 7540 §3.2): stream 1 is this request if the server agrees.
    if (hasToken(buf, h, "upgrade", "h2c")) e.stream = 1; else e.stream = 0;
  } else {
    // Pair with the oldest unanswered request (HTTP/1.1 answers in order, RFC 9112 §9.3.2).
    let pos = c.firstUnanswered;
    while (pos < c.count && c.at(pos) < 0) pos++;
    c.firstUnanswered = pos;
    if (pos < c.count) {
      exIdx = c.at(pos);
      const e = ex(exIdx);
      if (!e.hasRes) {
        const prevI = c.at(pos - 1);
        if (prevI >= 0 && ex(prevI).hasRes && ex(prevI).resEnd == 0xffffffff) ex(prevI).resEnd = curMsgStart;
        e.hasRes = true; e.resStart = curMsgStart;
      }
      const interim = h.code >= 100 && h.code < 200 && h.code != 101;
      if (!interim) { e.answered = true; c.firstUnanswered = pos + 1; }
      d.cur = pos;
    }
    const req = exIdx >= 0 ? ex(exIdx) : null;
    if ((h.code >= 100 && h.code < 200 && h.code != 101) || h.code == 204 || h.code == 304 || (req !== null && req.isHead)) kind = Body.NONE;
    else if (h.code == 101) kind = Body.OPAQUE;
    else if (req !== null && req.isConnect && h.code >= 200 && h.code < 300) kind = Body.OPAQUE;
    else if (chunked) kind = Body.CHUNKED;
    else if (cl >= 0) { kind = Body.LENGTH; length = cl; }
    else kind = Body.UNTIL_EOF;
  }
  if (first) {
    S.rendered = true; S.renderEx = exIdx; S.renderBodyStart = after; S.renderBodyLen = 0;
    S.renderDeclared = kind == Body.LENGTH ? length : kind == Body.CHUNKED || kind == Body.UNTIL_EOF ? -1 : 0;
    S.renderChunked = kind == Body.CHUNKED;
    S.renderBodyOpen = kind != Body.NONE && kind != Body.OPAQUE;
    writeH1(buf, headLen, h);
  }
  const doneNow = h1Body(d, kind, length);
  if (!h.isRequest && h.code == 101) {
    const req = exIdx >= 0 ? ex(exIdx) : null;
    if (req !== null && req.stream == 1) {
      // Switching to HTTP/2: the server speaks frames right after this head, the client
      // starts with the connection preface (RFC 7540 §3.2).
      c.mode = Mode.HTTP2;
      h2Start(unchecked(c.d[dir]), false);
      h2Start(unchecked(c.d[1 - dir]), true);
      unchecked(c.d[dir]).st = H1.OPAQUE;
    }
  }
  if (doneNow) onDone(c, dir, d);
}

function onDone(c: Conn, dir: i32, d: Dir): void {
  if (S.rendered) S.renderBodyOpen = false;
  if (c.closing) scheduleUntrack(c);
}

function isChunked(buf: usize, h: Head): bool {
  // The final transfer coding is "chunked" (RFC 9112 §6.3 rule 4).
  for (let i = h.n - 1; i >= 0; i--) {
    if (!nameIs(buf, h, i, "transfer-encoding")) continue;
    let e = unchecked(h.value[i]) + unchecked(h.valueLen[i]);
    let s = e;
    while (s > unchecked(h.value[i]) && load<u8>(buf + <usize>(s - 1)) != 0x2c) s--;
    while (s < e && load<u8>(buf + <usize>s) == 0x20) s++;
    if (e - s != 7) return false;
    const p = buf + <usize>s;
    return (load<u32>(p) | 0x20202020) == 0x6e756863 && (load<u16>(p + 4) | 0x2020) == 0x656b && (load<u8>(p + 6) | 0x20) == 0x64;
  }
  return false;
}

function contentLength(buf: usize, h: Head): i64 {
  for (let i = 0; i < h.n; i++) {
    if (!nameIs(buf, h, i, "content-length")) continue;
    const p = buf + <usize>unchecked(h.value[i]);
    const n = unchecked(h.valueLen[i]);
    if (n == 0 || n > 18) return -1;
    let v: i64 = 0;
    for (let k = 0; k < n; k++) {
      const c = <i32>load<u8>(p + <usize>k);
      if (c < 0x30 || c > 0x39) return -1;
      v = v * 10 + <i64>(c - 0x30);
    }
    return v;
  }
  return -1;
}

function hasToken(buf: usize, h: Head, name: string, token: string): bool {
  for (let i = 0; i < h.n; i++) {
    if (!nameIs(buf, h, i, name)) continue;
    const p = buf + <usize>unchecked(h.value[i]);
    const n = unchecked(h.valueLen[i]);
    for (let k = 0; k + token.length <= n; k++) {
      let ok = true;
      for (let j = 0; j < token.length; j++) if ((<u32>load<u8>(p + <usize>(k + j)) | 0x20) != <u32>token.charCodeAt(j)) { ok = false; break; }
      if (ok) return true;
    }
  }
  return false;
}

// HTTP.request.url as pcap-sidecar builds it: Host + request-target (an absolute-form target
// already names its host).
function setUrl(e: Exchange, buf: usize, h: Head): void {
  let n = 0;
  const t = buf + <usize>h.target;
  const abs = h.targetLen >= 7 && (load<u32>(t) | 0x20202020) == 0x70747468;
  if (!abs) {
    for (let i = 0; i < h.n; i++) {
      if (!nameIs(buf, h, i, "host")) continue;
      const l = unchecked(h.valueLen[i]) < MAX_URL ? unchecked(h.valueLen[i]) : MAX_URL;
      memory.copy(e.url, buf + <usize>unchecked(h.value[i]), <usize>l); n = l;
      break;
    }
  }
  const tl = h.targetLen < MAX_URL - n ? h.targetLen : MAX_URL - n;
  memory.copy(e.url + <usize>n, t, <usize>tl);
  e.urlLen = n + tl;
}

/**
 * Trace context of a request. Precedence (fixed, documented): a valid `traceparent` wins,
 * else a valid `X-Cloud-Trace-Context`; an invalid value never cancels a valid one.
 */
function extractTrace(buf: usize, h: Head, out: TraceRepr): void {
  out.clear();
  for (let i = 0; i < h.n; i++) {
    if (nameIs(buf, h, i, "traceparent")) {
      if (parseTraceparent(buf + <usize>unchecked(h.value[i]), unchecked(h.valueLen[i]), trace2)) { out.copyFrom(trace2); return; }
    }
  }
  for (let i = 0; i < h.n; i++) {
    if (nameIs(buf, h, i, "x-cloud-trace-context")) {
      if (parseCloudTrace(buf + <usize>unchecked(h.value[i]), unchecked(h.valueLen[i]), trace2)) { out.copyFrom(trace2); return; }
    }
  }
}

