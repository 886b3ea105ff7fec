// The HTTP object of a record for HTTP/2 frames, grouped by stream (reference §6): frame summaries,
// decoded header fields, gRPC keys, per-stream traces.

import { MAX_HEAD, SCRATCH_CAP, MAX_FRAMES, MAX_STREAMS_LISTED } from "../config";
import { frag, w, b, raw, u32dec, str, hex32, bin32, pos, setPos, renderBuffer } from "./writer";
import { Opt, optEscPtr, optEscLength } from "../record/options";
import { S } from "../facts/packet";
import * as F from "../facts/h2";
import { fIs, fName, fNameLen, fNext, fValueLen, fUnresolved, streamSet, reqSet, resSet, dataSet } from "../facts/h2";
import { HTTP_BUF, SUFFIX_BUF, R } from "./scratch";
import { hdrReset, hdrAdd, hdrWrite } from "./headers";
import { bodyObj } from "./http1";
import { asciiBytes, K_TRACES } from "./emit";
import { whyText } from "./skipped";
import { Why } from "../facts/why";

// Frame types and flags named in records (RFC 9113 §6).
const DATA: u32 = 0, HEADERS: u32 = 1, SETTINGS: u32 = 4, PUSH_PROMISE: u32 = 5, PING: u32 = 6, CONTINUATION: u32 = 9;
// Dir.hpackGap's values (http/h2.ts) as the frame's `hpack` names them.
const HPACK_JOINED: u8 = 1, HPACK_DESYNC: u8 = 2;

const K_F_SPAN = frag(",\"logging.googleapis.com/spanId\":\"");
const K_F_TRACE = frag(",\"logging.googleapis.com/trace\":\"projects/");
const K_F_SAMPLED_T = frag(",\"logging.googleapis.com/trace_sampled\":true");
const K_F_SAMPLED_F = frag(",\"logging.googleapis.com/trace_sampled\":false");
const K_F_GRPC = frag(",\"grpc\":{");
// Flag names per frame type (RFC 9113 §6), from bit 0 upward.
export function flagNames(type: u32, flags: u32): void {
  let n = 0;
  for (let bit: u32 = 0; bit < 8; bit++) {
    const m: u32 = 1 << bit;
    if ((flags & m) == 0) continue;
    if (n++) b(0x7c);
    let name = "";
    if (m == 1 && (type == DATA || type == HEADERS)) name = "END_STREAM";
    else if (m == 1 && (type == SETTINGS || type == PING)) name = "ACK";
    else if (m == 4 && (type == HEADERS || type == CONTINUATION || type == PUSH_PROMISE)) name = "END_HEADERS";
    else if (m == 8 && (type == DATA || type == HEADERS || type == PUSH_PROMISE)) name = "PADDED";
    else if (m == 0x20 && type == HEADERS) name = "PRIORITY";
    if (name.length) { for (let k = 0; k < name.length; k++) b(<u32>name.charCodeAt(k)); }
    else { b(0x30); b(0x78); hex32(m); }
  }
}

// The trace keys of frame i's stream (spanId, trace, trace_sampled), each after a comma.
function traceKeys(i: i32): void {
  const o = unchecked(F.fTraceOff[i]);
  if (o < 0) return;
  const bits = unchecked(F.fTraceBits[i]);
  if ((bits & 1) != 0) { w(K_F_SPAN); hex16(unchecked(F.fSpan[i])); b(0x22); }
  w(K_F_TRACE); raw(optEscPtr(Opt.PROJECT), optEscLength(Opt.PROJECT)); w(K_TRACES); raw(F.ARENA + <usize>o, unchecked(F.fTraceLen[i])); b(0x22);
  w((bits & 2) != 0 ? K_F_SAMPLED_T : K_F_SAMPLED_F);
}

/** Writes a 64-bit span id as 16 lowercase hex digits. */
export function hex16(v: u64): void {
  for (let s = 60; s >= 0; s -= 4) {
    const d = <u32>((v >> <u64>s) & 15);
    b(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

export const frag_true = frag("true");
export const frag_false = frag("false");

export function fieldsMap(p0: usize, n: i32): void {
  hdrReset();
  const end = p0 + <usize>n;
  let p = p0;
  while (p < end) {
    if (!fUnresolved(p)) hdrAdd(fName(p), fNameLen(p), fName(p) + <usize>fNameLen(p), fValueLen(p));
    p = fNext(p);
  }
  hdrWrite();
}

const K_G_MESSAGE = frag("\"message\":");
const K_G_METHOD = frag("\"method\":");
const K_G_STATUS = frag("\"status\":");

// gRPC (PROTOCOL-HTTP2.md of grpc/grpc): requests name the method in :path, trailers carry
// grpc-status and grpc-message.
export function grpcKeys(p0: usize, n: i32, kind: i32): void {
  const end = p0 + <usize>n;
  let isGrpc = false, path: usize = 0, statusP: usize = 0, msgP: usize = 0;
  let p = p0;
  while (p < end) {
    if (fIs(p, "content-type") && fValueLen(p) >= 16 && memory.compare(fName(p) + <usize>fNameLen(p), GRPC_CT, 16) == 0) isGrpc = true;
    if (fIs(p, ":path")) path = p;
    if (fIs(p, "grpc-status")) { statusP = p; isGrpc = true; }
    if (fIs(p, "grpc-message")) msgP = p;
    p = fNext(p);
  }
  if (!isGrpc) return;
  w(K_F_GRPC);
  let k = 0;
  if (msgP) { w(K_G_MESSAGE); str(fName(msgP) + <usize>fNameLen(msgP), fValueLen(msgP)); k++; }
  if (kind == 1 && path) { if (k++) b(0x2c); w(K_G_METHOD); str(fName(path) + <usize>fNameLen(path), fValueLen(path)); }
  if (statusP) {
    if (k++) b(0x2c);
    w(K_G_STATUS);
    let v: u32 = 0; const vp = fName(statusP) + <usize>fNameLen(statusP);
    for (let i = 0; i < fValueLen(statusP) && i < 9; i++) v = v * 10 + <u32>(load<u8>(vp + <usize>i) - 0x30);
    u32dec(v);
  }
  b(0x7d);
}

// ---- frames ----------------------------------------------------------------------------------
// Each described frame (facts/h2.ts) is rendered in arrival order into FRAG_BUF, then the HTTP
// object groups them by stream. Frames stop being shown once their text passes FRAG_LIMIT
// (the room one more frame with a whole decoded block may take).
const FRAG_BUF: usize = renderBuffer(SCRATCH_CAP);
const FRAG_LIMIT: i32 = SCRATCH_CAP - (MAX_HEAD * 2 * 7 + 65536);
const fragStream = new StaticArray<u32>(MAX_FRAMES);
const fragOff = new StaticArray<i32>(MAX_FRAMES);
const fragLen = new StaticArray<i32>(MAX_FRAMES);
let fragN = 0;

const K_F_BODY_OPEN = frag(",\"body\":{");
const K_F_FLAGS = frag(",\"flags\":{\"bin\":\"0b");
const K_F_DEC = frag("\",\"dec\":\"");
const K_F_HEX = frag("\",\"hex\":\"0x");
const K_F_END = frag("\"}");
const K_F_ACK = frag(",\"ack\":");
const K_F_HEADERS = frag(",\"headers\":");
const K_F_KIND_REQ = frag(",\"kind\":\"request\"");
const K_F_KIND_RES = frag(",\"kind\":\"response\"");
const K_F_KIND_TRAILERS = frag(",\"kind\":\"trailers\"");
const K_F_LEN = frag(",\"len\":");
const K_F_RAW = frag(",\"raw\":\"");
const K_F_SETTINGS = frag(",\"settings\":{");
const K_F_TYPE = frag(",\"type\":\"");
const K_F_UNKNOWN = frag(",\"unknown_headers\":");
const K_F_HPACK = frag(",\"hpack\":");
const K_HPACK_JOINED = frag("\"joined\"");
const K_HPACK_DESYNC = frag("\"desynchronised\"");
const K_HPACK_EVICTED_TEXT = frag("\"evicted\"");
const K_F_SKIPPED = frag(",\"skipped\":\"");
const K_STREAM_EQ = frag(" stream=");
const K_LEN_EQ = frag(" len=");
const K_FLAGS_EQ = frag(" flags=");
const FRAME_NAMES = [frag("DATA"), frag("HEADERS"), frag("PRIORITY"), frag("RST_STREAM"), frag("SETTINGS"), frag("PUSH_PROMISE"),
  frag("PING"), frag("GOAWAY"), frag("WINDOW_UPDATE"), frag("CONTINUATION")];
const K_PRIORITY_UPDATE = frag("PRIORITY_UPDATE");
const K_UNKNOWN_TYPE = frag("UNKNOWN_FRAME_TYPE_");
const TYPE_NAMES = [frag("data"), frag("headers"), frag(""), frag("rst"), frag("settings"), frag(""), frag("ping"), frag("goaway")];

// The first key of an object must not start with a comma: drop it when nothing precedes.
@inline function rmComma(mark: usize): void {
  if (pos > mark && load<u8>(mark) == 0x2c) { memory.copy(mark, mark + 1, pos - mark - 1); setPos(pos - 1); }
}

// Frame i's object, keys sorted: ack, body, flags, grpc, headers, hpack, kind, len, logging.*, raw, settings, skipped, type, unknown_headers.
function renderFrame(i: i32): void {
  const type = <u32>unchecked(F.fType[i]), flags = <u32>unchecked(F.fFlags[i]), stream = unchecked(F.fStream[i]), flen = unchecked(F.fLen[i]);
  const kind = <i32>unchecked(F.fKind[i]), hpackWhy = unchecked(F.fHpack[i]), unknownFields = unchecked(F.fUnknown[i]);
  const p = unchecked(F.fPtr[i]), avail = unchecked(F.fAvail[i]);
  b(0x7b);
  const mark = pos;
  if (type == SETTINGS || type == PING) { w(K_F_ACK); rmComma(mark); w((flags & 1) != 0 ? frag_true : frag_false); }
  if (type == DATA) {
    // A frame whose payload was not all kept shows a sample even when it is short.
    const dl = unchecked(F.fDataLen[i]);
    bodyObj(K_F_BODY_OPEN, p, avail, dl, <i64>flen, avail < dl);
    rmComma(mark);
  }
  w(K_F_FLAGS); rmComma(mark); bin32(flags); w(K_F_DEC); u32dec(flags); w(K_F_HEX); hex32(flags); w(K_F_END);
  const hOff = unchecked(F.fHdrOff[i]);
  if (hOff >= 0) {
    const hp = F.ARENA + <usize>hOff, hl = unchecked(F.fHdrLen[i]);
    grpcKeys(hp, hl, kind);
    w(K_F_HEADERS); fieldsMap(hp, hl);
  }
  if (hpackWhy != 0) { w(K_F_HPACK); w(hpackWhy == HPACK_JOINED ? K_HPACK_JOINED : hpackWhy == HPACK_DESYNC ? K_HPACK_DESYNC : K_HPACK_EVICTED_TEXT); }
  if (kind == 1) w(K_F_KIND_REQ); else if (kind == 2) w(K_F_KIND_RES); else if (kind == 3) w(K_F_KIND_TRAILERS);
  w(K_F_LEN); u32dec(flen);
  traceKeys(i);
  w(K_F_RAW);
  if (type <= 9) w(unchecked(FRAME_NAMES[type])); else if (type == 16) w(K_PRIORITY_UPDATE); else if (type >= 10 && type <= 15) {} else { w(K_UNKNOWN_TYPE); u32dec(type); }
  if (flags != 0) { w(K_FLAGS_EQ); flagNames(type, flags); }
  if (stream != 0) { w(K_STREAM_EQ); u32dec(stream); }
  w(K_LEN_EQ); u32dec(flen); b(0x22);
  if (type == SETTINGS && (flags & 1) == 0) {
    w(K_F_SETTINGS);
    // Repeated ids: the last value wins, as a Go map would keep it.
    let n = 0;
    for (let o = 0; o + 6 <= avail; o += 6) {
      const id = (<u32>load<u8>(p + <usize>o) << 8) | <u32>load<u8>(p + <usize>(o + 1));
      let later = false;
      for (let o2 = o + 6; o2 + 6 <= avail; o2 += 6) if (((<u32>load<u8>(p + <usize>o2) << 8) | <u32>load<u8>(p + <usize>(o2 + 1))) == id) later = true;
      if (later) continue;
      if (n++) b(0x2c);
      b(0x22); b(0x30); b(0x78); hex32(id); b(0x22); b(0x3a); b(0x22);
      u32dec((<u32>load<u8>(p + <usize>(o + 2)) << 24) | (<u32>load<u8>(p + <usize>(o + 3)) << 16) | (<u32>load<u8>(p + <usize>(o + 4)) << 8) | <u32>load<u8>(p + <usize>(o + 5)));
      b(0x22);
    }
    b(0x7d);
  }
  const why = <i32>unchecked(F.fWhy[i]);
  if (why != 0) { w(K_F_SKIPPED); whyText(<Why>why); b(0x22); }
  if (type < 8 && unchecked(TYPE_NAMES[type]) >>> 32 != 0) { w(K_F_TYPE); w(unchecked(TYPE_NAMES[type])); b(0x22); }
  if (unknownFields > 0) { w(K_F_UNKNOWN); u32dec(<u32>unknownFields); }
  b(0x7d);
}

// Renders the described frames into FRAG_BUF, in arrival order, while they fit FRAG_LIMIT.
function renderFrames(): void {
  const save = pos;
  fragN = 0;
  let used = 0;
  for (let i = 0; i < S.fragUsed; i++) {
    if (used > FRAG_LIMIT) break;
    const start = FRAG_BUF + <usize>used;
    setPos(start);
    renderFrame(i);
    unchecked(fragStream[fragN] = unchecked(F.fStream[i]));
    unchecked(fragOff[fragN] = used);
    unchecked(fragLen[fragN] = <i32>(pos - start));
    fragN++;
    used = <i32>(pos - FRAG_BUF);
  }
  setPos(save);
}

export const GRPC_CT: usize = asciiBytes("application/grpc");

const K_H2_INCLUDES = frag("{\"includes\":\"[");
const K_H2_NOT_SHOWN = frag("{\"frames_not_shown\":");
const K_H2_INCLUDES_C = frag(",\"includes\":\"[");
const K_H2_PREFACE = frag(",\"preface\":true");
const K_H2_PROTO = frag(",\"proto\":\"h2c\"");
const K_H2_STREAMS = frag(",\"streams\":{");
const K_H2_FRAMES = frag("\":{\"frames\":[");
const K_H2_ID = frag("],\"id\":");
const K_H2C = frag(" | h2c");
const K_H2_S = frag(" | streams:");
const K_H2_REQ = frag(" | req:");
const K_H2_RES = frag(" | res:");
const K_H2_DATA = frag(" | data:");

// Stream ids sort as strings in the `streams` object (Go map keys): "1" < "11" < "3".
function streamKeyLess(a: u32, c: u32): bool {
  // compare decimal strings bytewise
  let sa = a, sc = c;
  let da = 1, dc = 1;
  while (sa >= 10 * <u32>da && da < 1000000000) da *= 10;
  while (sc >= 10 * <u32>dc && dc < 1000000000) dc *= 10;
  while (da > 0 && dc > 0) {
    const xa = (sa / <u32>da) % 10, xc = (sc / <u32>dc) % 10;
    if (xa != xc) return xa < xc;
    da /= 10; dc /= 10;
  }
  return da < dc; // shorter first
}

function setList(set: StaticArray<u32>, n: i32, sep: u32): void {
  b(0x5b);
  for (let i = 0; i < n; i++) { if (i) b(sep); u32dec(unchecked(set[i])); }
  b(0x5d);
}

/** Writes the HTTP object (and the message suffix) of this packet's HTTP/2 frames, from their facts (facts/h2.ts). */
export function finishH2(): void {
  if (S.h2Frames == 0 && !S.h2Preface) return;
  renderFrames();
  const save = pos;
  setPos(HTTP_BUF);
  // Frames of the segment the record does not show (MAX_FRAMES, H2_FACTS_BYTES, FRAG_LIMIT): said, not silent.
  if (S.h2Frames > fragN) { w(K_H2_NOT_SHOWN); u32dec(<u32>(S.h2Frames - fragN)); w(K_H2_INCLUDES_C); }
  else w(K_H2_INCLUDES);
  for (let i = 0; i < S.streamSetN; i++) { if (i) b(0x2c); u32dec(unchecked(streamSet[i])); }
  b(0x5d); b(0x22);
  if (S.h2Preface) w(K_H2_PREFACE);
  w(K_H2_PROTO);
  w(K_H2_SIZE); u32dec(<u32>S.h2Size);
  w(K_H2_STREAMS);
  // streams in string order of their ids
  const order = streamOrder;
  let m = 0;
  for (let i = 0; i < S.streamSetN; i++) {
    const s = unchecked(streamSet[i]);
    let j = m;
    while (j > 0 && streamKeyLess(s, unchecked(order[j - 1]))) { unchecked(order[j] = order[j - 1]); j--; }
    unchecked(order[j] = s); m++;
  }
  for (let k = 0; k < m; k++) {
    const s = unchecked(order[k]);
    if (k) b(0x2c);
    b(0x22); u32dec(s); w(K_H2_FRAMES);
    let n = 0;
    for (let i = 0; i < fragN; i++) {
      if (unchecked(fragStream[i]) != s) continue;
      if (n++) b(0x2c);
      raw(FRAG_BUF + <usize>unchecked(fragOff[i]), unchecked(fragLen[i]));
    }
    w(K_H2_ID); u32dec(s); b(0x7d);
  }
  b(0x7d); b(0x7d);
  R.httpLen = <i32>(pos - HTTP_BUF);
  setPos(SUFFIX_BUF);
  w(K_H2C);
  if (!(S.streamSetN == 0 || (S.streamSetN == 1 && unchecked(streamSet[0]) == 0) || S.streamSetN > 10)) {
    w(K_H2_S); setList(streamSet, S.streamSetN, 0x20); w(K_H2_REQ); setList(reqSet, S.reqSetN, 0x20);
    w(K_H2_RES); setList(resSet, S.resSetN, 0x20); w(K_H2_DATA); setList(dataSet, S.dataSetN, 0x20);
  }
  R.suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
}
const streamOrder = new StaticArray<u32>(MAX_STREAMS_LISTED);
const K_H2_SIZE = frag(",\"size\":");

