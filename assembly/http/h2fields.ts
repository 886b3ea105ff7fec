// What a decoded HTTP/2 header block says to the analysis (RFC 9113 §8.3): whether it is a
// request, a response or trailers, whether a response is interim, how many fields the table
// could not resolve, and a request's method, URL and trace.

import { MAX_METHOD, MAX_URL } from "../config";
import { Exchange } from "../flow/conn";
import { TraceRepr, parseTraceparent, parseCloudTrace, trace2 } from "../trace/context";
import { fIs, fName, fNameLen, fNext, fValueLen, fUnresolved } from "../facts/h2";

/** What the block of n bytes at p0 is: 1 request (:method), 2 response (:status), 3 neither (trailers). */
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

/** Fields of the block the table could not resolve. */
export function countUnknown(p0: usize, n: i32): i32 {
  const end = p0 + <usize>n;
  let p = p0, k = 0;
  while (p < end) { if (fUnresolved(p)) k++; p = fNext(p); }
  return k;
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
    if (fUnresolved(p)) unknown = true;
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
