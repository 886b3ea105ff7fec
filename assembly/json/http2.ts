// The HTTP object of a record for HTTP/2 frames, grouped by stream (reference §6): frame summaries,
// decoded header fields, gRPC keys, per-stream traces.

import { MAX_METHOD, MAX_URL } from "../config";
import { Exchange } from "../flow/conn";
import { Frame } from "../http/h2";
import { hdrReset, hdrAdd, hdrWrite } from "../http/headers";
import { TraceRepr, parseTraceparent, parseCloudTrace } from "../trace/context";
import { frag, w, b, raw, u32dec, str, hex32, pos, setPos } from "./writer";
import { copy } from "../util/mem";
import { Opt, optEscPtr, optEscLength } from "../record/options";
import { S, HTTP_BUF, SUFFIX_BUF, trace2 } from "../record/state";
import {FRAG_BUF, GRPC_CT, K_TRACES, dataSet, fName, fNameLen, fNext, fValueLen, fragLen, fragOff, fragStream, reqSet, resSet, streamSet} from "../http/h2exchange";
import { MAX_STREAMS_LISTED } from "../config";


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
    if (m == 1 && (type == Frame.DATA || type == Frame.HEADERS)) name = "END_STREAM";
    else if (m == 1 && (type == Frame.SETTINGS || type == Frame.PING)) name = "ACK";
    else if (m == 4 && (type == Frame.HEADERS || type == Frame.CONTINUATION || type == Frame.PUSH_PROMISE)) name = "END_HEADERS";
    else if (m == 8 && (type == Frame.DATA || type == Frame.HEADERS || type == Frame.PUSH_PROMISE)) name = "PADDED";
    else if (m == 0x20 && type == Frame.HEADERS) name = "PRIORITY";
    if (name.length) { for (let k = 0; k < name.length; k++) b(<u32>name.charCodeAt(k)); }
    else { b(0x30); b(0x78); hex32(m); }
  }
}

export function writeTraceKeys(e: Exchange): void {
  if (!e.trace.valid) return;
  if (e.trace.hasSpan) { w(K_F_SPAN); hex16(e.trace.span); b(0x22); }
  w(K_F_TRACE); raw(optEscPtr(Opt.PROJECT), optEscLength(Opt.PROJECT)); w(K_TRACES); raw(e.trace.traceBuf, e.trace.traceLen); b(0x22);
  w(e.trace.sampled ? K_F_SAMPLED_T : K_F_SAMPLED_F);
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

function fIs(p: usize, s: string): bool {
  if (fNameLen(p) != s.length) return false;
  for (let i = 0; i < s.length; i++) if ((<u32>load<u8>(fName(p) + <usize>i) | (s.charCodeAt(i) >= 0x61 ? 0x20 : 0)) != <u32>s.charCodeAt(i)) return false;
  return true;
}

export function classify(p0: usize, n: i32): i32 {
  const end = p0 + <usize>n;
  let p = p0;
  while (p < end) { if (fIs(p, ":method")) return 1; if (fIs(p, ":status")) return 2; p = fNext(p); }
  return 3;
}

/** Whether the decoded block's :status is interim (1xx, RFC 9110 §15.2). */
export function interimStatus(p0: usize, n: i32): bool {
  const end = p0 + <usize>n;
  let p = p0;
  while (p < end) {
    if (fIs(p, ":status")) return fValueLen(p) == 3 && load<u8>(fName(p) + <usize>fNameLen(p)) == 0x31;
    p = fNext(p);
  }
  return false;
}

export function countUnknown(p0: usize, n: i32): i32 {
  const end = p0 + <usize>n;
  let p = p0, k = 0;
  while (p < end) { if ((load<u8>(p) & 1) != 0) k++; p = fNext(p); }
  return k;
}

export function fieldsMap(p0: usize, n: i32): void {
  hdrReset();
  const end = p0 + <usize>n;
  let p = p0;
  while (p < end) {
    if ((load<u8>(p) & 1) == 0) hdrAdd(fName(p), fNameLen(p), fName(p) + <usize>fNameLen(p), fValueLen(p));
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
/**
 * A request's method, URL and trace from its decoded header block. The trace as for HTTP/1 (the
 * first valid `traceparent` wins, else the first valid `X-Cloud-Trace-Context`) — and, as a field
 * the table could not resolve (unknown name) might be a `traceparent`, none when such a field
 * could have taken precedence: one before the chosen `traceparent`, or any besides an
 * `X-Cloud-Trace-Context`. A trace is missing then, never another header's.
 */
export function h2Request(p0: usize, n: i32, e: Exchange): void {
  const end = p0 + <usize>n;
  let p = p0;
  let auth: usize = 0, path: usize = 0, method: usize = 0;
  e.trace.clear();
  let unknown = false, tpFound = false, xcFound = false;
  while (p < end) {
    if ((load<u8>(p) & 1) != 0) unknown = true;
    else if (fIs(p, ":authority")) auth = p;
    else if (fIs(p, ":path")) path = p;
    else if (fIs(p, ":method")) method = p;
    else if (!tpFound && fIs(p, "traceparent") && parseTraceparent(fName(p) + <usize>fNameLen(p), fValueLen(p), trace2)) {
      tpFound = true;
      if (!unknown) e.trace.copyFrom(trace2);
    }
    else if (!tpFound && !xcFound && fIs(p, "x-cloud-trace-context") && parseCloudTrace(fName(p) + <usize>fNameLen(p), fValueLen(p), trace3)) xcFound = true;
    p = fNext(p);
  }
  if (!tpFound && xcFound && !unknown) e.trace.copyFrom(trace3);
  e.methodLen = 0; e.urlLen = 0;
  if (method) { const l = min(fValueLen(method), MAX_METHOD); memory.copy(e.method, fName(method) + <usize>fNameLen(method), <usize>l); e.methodLen = l; }
  if (auth) { const l = min(fValueLen(auth), MAX_URL); memory.copy(e.url, fName(auth) + <usize>fNameLen(auth), <usize>l); e.urlLen = l; }
  if (path) { const l = min(fValueLen(path), MAX_URL - e.urlLen); memory.copy(e.url + <usize>e.urlLen, fName(path) + <usize>fNameLen(path), <usize>l); e.urlLen += l; }
}
// A second scratch trace: an X-Cloud-Trace-Context kept while a later traceparent may still win.
const trace3 = new TraceRepr();

const K_H2_INCLUDES = frag("{\"includes\":\"[");
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

export function finishH2(): void {
  if (S.h2Frames == 0 && !S.h2Preface) return;
  const save = pos;
  setPos(HTTP_BUF);
  w(K_H2_INCLUDES);
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
    for (let i = 0; i < S.fragUsed; i++) {
      if (unchecked(fragStream[i]) != s) continue;
      if (n++) b(0x2c);
      raw(FRAG_BUF + <usize>unchecked(fragOff[i]), unchecked(fragLen[i]));
    }
    w(K_H2_ID); u32dec(s); b(0x7d);
  }
  b(0x7d); b(0x7d);
  S.httpLen = <i32>(pos - HTTP_BUF);
  setPos(SUFFIX_BUF);
  w(K_H2C);
  if (!(S.streamSetN == 0 || (S.streamSetN == 1 && unchecked(streamSet[0]) == 0) || S.streamSetN > 10)) {
    w(K_H2_S); setList(streamSet, S.streamSetN, 0x20); w(K_H2_REQ); setList(reqSet, S.reqSetN, 0x20);
    w(K_H2_RES); setList(resSet, S.resSetN, 0x20); w(K_H2_DATA); setList(dataSet, S.dataSetN, 0x20);
  }
  S.suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
  // A preface-only segment has no message (reference §6.1 step 6).
  if (S.h2Frames == 0) S.hasMessage = false;
}
const streamOrder = new StaticArray<u32>(MAX_STREAMS_LISTED);
const K_H2_SIZE = frag(",\"size\":");

