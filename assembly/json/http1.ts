// The HTTP object of a record for an HTTP/1.x head, the message suffix, and body objects (reference
// §5).

import { Head } from "../facts/head";
import { hdrReset, hdrAdd, hdrWrite, Drop } from "./headers";
import { frag, w, b, raw, u32dec, i64dec, str, strBody, pos, setPos } from "./writer";
import { rfc3339 } from "./format";
import { findByte } from "../util/mem";
import { S, RENDER_HEAD, head } from "../facts/packet";
import { Why } from "../facts/why";
import { HTTP_BUF, L7_BUF, SUFFIX_BUF, R } from "./scratch";
import { whyText } from "./skipped";


const K_BODY_OPEN = frag("\"body\":{");
const K_LENGTH_ARR = frag("\"length\":[\"");
const K_BODY_DECL = frag("\",\"");
const K_CODE = frag("\"code\":");
const K_FRAGMENTED_T = frag("\"fragmented\":true,");
const K_FRAGMENTED_F = frag("\"fragmented\":false,");
const K_HEADERS = frag("\"headers\":");
const K_KIND_REQ = frag(",\"kind\":\"request\",\"method\":");
const K_KIND_RES = frag(",\"kind\":\"response\"");
const K_PROTO = frag(",\"proto\":");
const K_RAW = frag(",\"raw\":");
const K_REQUEST = frag(",\"request\":{\"latency\":");
const K_REQ_METHOD = frag(",\"method\":");
const K_REQ_TS = frag(",\"timestamp\":\"");
const K_REQ_URL_ONLY = frag(",\"url\":");
const K_SIZE = frag(",\"size\":");
const K_STATUS = frag(",\"status\":");
const K_URL = frag(",\"url\":");
const K_SKIPPED = frag(",\"skipped\":\"");
const K_KIND_REQ_ONLY = frag("\"kind\":\"request\"");
const K_KIND_RES_ONLY = frag("\"kind\":\"response\"");
export const K_ELLIPSIS = frag("...");
const K_SUFFIX_SPACE = frag(" ");
const K_BAR = frag(" | ");

/** Writes bytes as a JSON string, cut to `max` bytes + "..." (cut at `cut` bytes) when longer. */
function strCut(p: usize, len: i32, max: i32, cut: i32): void {
  if (len <= max) { str(p, len); return; }
  b(0x22); strBody(p, cut); w(K_ELLIPSIS); b(0x22);
}

// The body bytes of an HTTP/1 message are written up to three times in a record (body data or
// sample, raw, the L7 body lines). They are escaped once, in the body object, cut at the
// offsets raw and L7 cut them at; the other two copy that text. A cut is made only where no
// UTF-8 sequence can span it (the byte there is no continuation byte), so the pieces' escapes
// are, byte for byte, the escape of the whole and of each prefix.
const L7_CUT = 125;
let escCut: i32 = -1;        // raw's cut of the body while finishH1 renders the body object, else -1
let escSrc: usize = 0;       // body bytes escaped (0: none this record)
let escN: i32 = 0;           // how many
let escAt: usize = 0;        // their escaped text [escAt, escEnd)
let escEnd: usize = 0;
let escL7: usize = 0;        // end of the escape of the first L7_CUT bytes, or 0
let escRaw: usize = 0;       // end of the escape of the first escCut bytes, or 0
let escRawN: i32 = 0;

@inline function cuttable(p: usize, i: i32, n: i32): bool { return i > 0 && i < n && (load<u8>(p + <usize>i) & 0xc0) != 0x80; }

// strBody(p, n) for the body object, noting where the texts of the prefixes raw and L7 use end.
function bodyEsc(p: usize, n: i32): void {
  escSrc = p; escN = n; escAt = pos; escL7 = 0; escRaw = 0; escRawN = escCut;
  let done = 0;
  const a = escCut < L7_CUT ? escCut : L7_CUT, z = escCut < L7_CUT ? L7_CUT : escCut;
  if (cuttable(p, a, n)) { strBody(p, a); done = a; if (a == L7_CUT) escL7 = pos; if (a == escCut) escRaw = pos; }
  if (z != a && cuttable(p, z, n)) { strBody(p + <usize>done, z - done); done = z; if (z == L7_CUT) escL7 = pos; if (z == escCut) escRaw = pos; }
  strBody(p + <usize>done, n - done);
  escEnd = pos;
}

// The escape of the first n body bytes at p: copied when bodyEsc made it, else escaped.
function bodyPrefix(p: usize, n: i32): void {
  if (p == escSrc) {
    if (n == escN) { raw(escAt, <i32>(escEnd - escAt)); return; }
    if (n == L7_CUT && escL7 != 0) { raw(escAt, <i32>(escL7 - escAt)); return; }
    if (n == escRawN && escRaw != 0) { raw(escAt, <i32>(escRaw - escAt)); return; }
  }
  strBody(p, n);
}

// The `request` object of a response: the request it answers (reference §4.5), when known;
// with `skipped` when that request's own head was not (wholly) kept — then without method and
// URL if nothing of its head was: latency, method, skipped, timestamp, url.
function requestObj(): void {
  if (!S.reqKnown) return;
  // latency in whole milliseconds, truncated (reference §4.5)
  const lat = ((S.pSec - S.reqTsSec) * 1000000000 + <i64>(S.pNsec - S.reqTsNsec)) / 1000000;
  const why = <Why>S.reqWhy;
  const headless = why == Why.NO_BUFFER || why == Why.BUFFER_RECLAIMED;
  w(K_REQUEST); i64dec(lat);
  if (!headless) { w(K_REQ_METHOD); str(S.reqMethod, S.reqMethodLen); }
  if (why != Why.NONE) { w(K_SKIPPED); whyText(why); b(0x22); }
  w(K_REQ_TS); rfc3339(S.reqTsSec, S.reqTsNsec); b(0x22);
  if (!headless) { w(K_REQ_URL_ONLY); str(S.reqUrl, S.reqUrlLen); }
  b(0x7d);
}

// The HTTP object of a head that could not be kept (S.renderSkipped): what is known of it —
// its kind, a response's code and the request it answers — and why: code, kind, request, size, skipped.
function finishSkippedH1(): void {
  const save = pos;
  setPos(HTTP_BUF);
  b(0x7b);
  if (!S.renderIsRequest && S.renderCode > 0) { w(K_CODE); u32dec(<u32>S.renderCode); b(0x2c); }
  w(S.renderIsRequest ? K_KIND_REQ_ONLY : K_KIND_RES_ONLY);
  if (!S.renderIsRequest) requestObj();
  w(K_SIZE); u32dec(<u32>S.payloadLen);
  w(K_SKIPPED); whyText(<Why>S.renderWhy); b(0x22);
  b(0x7d);
  R.httpLen = <i32>(pos - HTTP_BUF);
  setPos(save);
}

/** Writes the HTTP object (and L7, message suffix) of the head rendered for this packet. */
export function finishH1(): void {
  if (S.renderSkipped) { finishSkippedH1(); return; }
  const h = head;
  const buf = RENDER_HEAD;
  const h1HeadLen = S.renderHeadLen;
  const save = pos;
  setPos(HTTP_BUF);
  // body (when known), code, fragmented, headers, kind, method, proto, raw, request, size, status, url
  const bodyBytes = S.renderBodyLen;
  b(0x7b);
  // body: {"data" | "length":[read, declared], "sample"}; chunked bodies are counted, not de-chunked.
  escSrc = 0;
  escCut = h1HeadLen < 509 ? 509 - h1HeadLen : 0;
  bodyObj(K_BODY_OPEN, S.renderBodyStart, S.renderChunked ? 0 : bodyBytes, bodyBytes, S.renderDeclared);
  escCut = -1;
  b(0x2c);
  if (!h.isRequest) { w(K_CODE); u32dec(<u32>h.code); b(0x2c); }
  w(S.renderDeclared > <i64>bodyBytes ? K_FRAGMENTED_T : K_FRAGMENTED_F);
  // headers with Go's parser side effects (reference §6.2.1)
  hdrReset(Drop.TRANSFER_ENCODING | (h.isRequest ? Drop.HOST : 0) | (S.renderChunked ? Drop.CONTENT_LENGTH | Drop.TRAILER : 0));
  for (let i = 0; i < h.n; i++) hdrAdd(buf + <usize>unchecked(h.name[i]), unchecked(h.nameLen[i]), buf + <usize>unchecked(h.value[i]), unchecked(h.valueLen[i]));
  w(K_HEADERS); hdrWrite();
  if (h.isRequest) {
    w(K_KIND_REQ); str(buf + <usize>h.method, h.methodLen);
  } else w(K_KIND_RES);
  w(K_PROTO); str(buf + <usize>h.version, h.versionLen);
  // raw: the head plus this segment's body bytes, cut at 512 like upstream's raw payload.
  w(K_RAW);
  const rawLen = h1HeadLen + bodyBytes;
  if (rawLen <= 512) { b(0x22); strBody(buf, h1HeadLen); bodyPrefix(S.renderBodyStart, bodyBytes); b(0x22); }
  else if (h1HeadLen >= 509) { strCut(buf, h1HeadLen, 0, 509); }
  else { b(0x22); strBody(buf, h1HeadLen); bodyPrefix(S.renderBodyStart, 509 - h1HeadLen); w(K_ELLIPSIS); b(0x22); }
  if (!h.isRequest) requestObj();
  w(K_SIZE); u32dec(<u32>S.payloadLen);
  if (S.renderWhy != 0) { w(K_SKIPPED); whyText(<Why>S.renderWhy); b(0x22); }
  if (!h.isRequest) { w(K_STATUS); str(buf + <usize>h.status, h.statusLen); }
  else { w(K_URL); str(buf + <usize>h.target, h.targetLen); }
  b(0x7d);
  R.httpLen = <i32>(pos - HTTP_BUF);
  // message suffix: " | HTTP/1.1 GET /path" or " | HTTP/1.1 200 OK"
  setPos(SUFFIX_BUF);
  w(K_BAR); strBody(buf + <usize>h.version, h.versionLen); w(K_SUFFIX_SPACE);
  if (h.isRequest) { strBody(buf + <usize>h.method, h.methodLen); w(K_SUFFIX_SPACE); strBody(buf + <usize>h.target, h.targetLen); }
  else strBody(buf + <usize>h.status, h.statusLen);
  R.suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
  writeL7H1(buf, h, h1HeadLen);
}

// L7 quasi-raw view of an HTTP/1 message (reference §6.2): first line, header lines, body lines.
const K_L7_BODY = frag("{\"body\":[");
const K_L7_HEADERS = frag("\"headers\":[");
const K_L7_PREFACE = frag("],\"preface\":");
const K_L7_PROTO = frag(",\"proto\":\"HTTP\"}");
const K_EMPTY = frag("\"<EMPTY>\"");

function writeL7H1(buf: usize, h: Head, h1HeadLen: i32): void {
  const save = pos;
  setPos(L7_BUF);
  // body lines: the body bytes of this segment split on CRLF (present when the head ended).
  w(K_L7_BODY);
  lines(S.renderBodyStart, S.renderBodyLen, true);
  b(0x5d); b(0x2c);
  w(K_L7_HEADERS);
  // head lines after the first, up to the empty line
  let p = findByte(buf, h.lineLen, h1HeadLen, 0x0a) + 1;
  let n = 0;
  while (p < h1HeadLen) {
    const q = findByte(buf, p, h1HeadLen, 0x0a);
    let e = q; if (e > p && load<u8>(buf + <usize>(e - 1)) == 0x0d) e--;
    if (e == p) break;
    if (n++) b(0x2c);
    const l = e - p;
    // Header lines longer than 128 bytes keep their first 125 bytes, without an ellipsis.
    str(buf + <usize>p, l > 128 ? 125 : l);
    p = q + 1;
  }
  w(K_L7_PREFACE); str(buf, h.lineLen); w(K_L7_PROTO);
  R.l7Len = <i32>(pos - L7_BUF);
  setPos(save);
}

// Body split on CRLF: lines over 128 bytes become 125 + "...", empty ones "<EMPTY>".
function lines(p: usize, len: i32, always: bool): void {
  let s = 0, n = 0;
  if (len == 0) { if (always) w(K_EMPTY); return; }
  while (s <= len) {
    // the next CRLF: each CR found 16 bytes at a time, then checked for its LF
    let e = s;
    for (;;) {
      e = findByte(p, e, len - 1, 0x0d);
      if (e >= len - 1) { e = len; break; }
      if (load<u8>(p + <usize>(e + 1)) == 0x0a) break;
      e++;
    }
    if (n++) b(0x2c);
    const l = e - s;
    if (l == 0) w(K_EMPTY);
    else if (s == 0) { b(0x22); if (l <= 128) bodyPrefix(p, l); else { bodyPrefix(p, L7_CUT); w(K_ELLIPSIS); } b(0x22); }
    else strCut(p + <usize>s, l, 128, 125);
    s = e + 2;
    if (n > 64) break;
  }
}

const K_F_SAMPLE = frag(",\"sample\":");
/**
 * Writes a body object: {"data": s} when all of it (≤ 512 bytes) is here, else
 * {"length":[...],"sample":"first 509 bytes..."}; keys in sorted order (data, length, sample).
 */
export function bodyObj(open: u64, p: usize, have: i32, read: i32, declared: i64, partial: bool = false): void {
  w(open);
  const data = have > 0 && have <= 512 && !partial;
  if (data) { w(K_DATA_KEY); if (escCut < 0) str(p, have); else { b(0x22); bodyEsc(p, have); b(0x22); } b(0x2c); }
  w(K_LENGTH_ARR); u32dec(<u32>read); w(K_BODY_DECL); i64dec(declared); b(0x22); b(0x5d);
  if (have > 0 && !data) {
    w(K_F_SAMPLE); b(0x22);
    if (escCut < 0) strBody(p, have < 509 ? have : 509); else bodyEsc(p, have < 509 ? have : 509);
    w(K_ELLIPSIS); b(0x22);
  }
  b(0x7d);
}
const K_DATA_KEY = frag("\"data\":");

// Record walk per direction (RFC 8446 §5.1): every record that starts in a segment is
// summarised, so bulk segments in the middle of a record are simply continuation, never a
// decode error. The first handshake record of each direction is kept (up to MAX_HEAD bytes)
// and parsed as ClientHello / ServerHello: SNI, ALPN, versions and the JA4 fingerprint.
