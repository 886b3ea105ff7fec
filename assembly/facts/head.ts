// A parsed HTTP/1 head (RFC 9112 §2.1): the spans http/h1.ts finds, as offsets into the head's
// bytes. The analysis reads it to frame and pair messages; json/http1.ts renders it.

import { MAX_HEADERS } from "../config";

/** Parsed head: spans are offsets into the head buffer. */
export class Head {
  isRequest: bool = false;
  /** Request: method, target. Response: status code, reason. */
  method: i32 = 0; methodLen: i32 = 0;
  target: i32 = 0; targetLen: i32 = 0;
  /** HTTP version "HTTP/1.x" span (in both kinds). */
  version: i32 = 0; versionLen: i32 = 0;
  minor: i32 = 1;
  code: i32 = 0;
  /** Status text after the version: "200 OK" (Go's resp.Status). */
  status: i32 = 0; statusLen: i32 = 0;
  /** First line span (without CRLF). */
  lineLen: i32 = 0;
  n: i32 = 0;
  name: StaticArray<i32> = new StaticArray<i32>(MAX_HEADERS);
  nameLen: StaticArray<i32> = new StaticArray<i32>(MAX_HEADERS);
  value: StaticArray<i32> = new StaticArray<i32>(MAX_HEADERS);
  valueLen: StaticArray<i32> = new StaticArray<i32>(MAX_HEADERS);
  /** Headers beyond MAX_HEADERS, dropped. */
  dropped: i32 = 0;
  /** A line without a colon was found. */
  malformed: bool = false;
  /** The first line is a request line (method SP target SP HTTP/1.x) or a status line (HTTP/1.x SP ddd). */
  valid: bool = false;
}
