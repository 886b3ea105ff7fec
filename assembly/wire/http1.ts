// The start line of an HTTP/1 message (RFC 9112 §3 request line, §4 status line), stateless,
// for bytes seen once and alone: the application bytes an ICMP error quotes. (Connections are
// framed by http/h1.ts.) The line is recognised only when its shape leaves no doubt — a request
// line's method, target and HTTP/DIGIT.DIGIT version (§2.3), a status line's version and three
// digits — or, when the bytes end inside it, when what came before the end says so: a standard
// method (RFC 9110 §9, PATCH RFC 5789) and its space, or a status line's version and code. Every
// span lies within the bytes given.

/** What parseHttpStartLine found. */
export const enum HttpLineKind { NONE = 0, REQUEST = 1, STATUS = 2 }

/** A decoded HTTP/1 start line. Spans are set as far as the line was read (see `cut`). */
export class HttpStartLine {
  kind: HttpLineKind = HttpLineKind.NONE;
  /**
   * The bytes end inside the line: a request has its method only (or all three fields when they
   * end right after the version), a status line its version and code only.
   */
  cut: bool = false;
  method: usize = 0;
  methodLen: i32 = 0;
  target: usize = 0;
  targetLen: i32 = 0;
  /** "HTTP/1.1" (8 bytes) when read. */
  version: usize = 0;
  versionLen: i32 = 0;
  code: u32 = 0;
  /** A status line's code and reason ("200 OK", as Go's Response.Status), without the line end. */
  status: usize = 0;
  statusLen: i32 = 0;
}

@inline function isDigit(c: u32): bool { return c - 0x30 < 10; }

// "HTTP/" DIGIT "." DIGIT at p (8 bytes, the caller checked they are there).
function isVersion(p: usize): bool {
  return load<u32>(p) == 0x50545448 && load<u8>(p + 4) == 0x2f && isDigit(<u32>load<u8>(p + 5)) &&
    load<u8>(p + 6) == 0x2e && isDigit(<u32>load<u8>(p + 7));
}

// Whether the n bytes at p are a method of RFC 9110 §9 or PATCH (RFC 5789).
function standardMethod(p: usize, n: i32): bool {
  switch (n) {
    case 3: return (load<u16>(p) == 0x4547 && load<u8>(p + 2) == 0x54) ||        // GET
      (load<u16>(p) == 0x5550 && load<u8>(p + 2) == 0x54);                        // PUT
    case 4: return load<u32>(p) == 0x44414548 || load<u32>(p) == 0x54534f50;      // HEAD, POST
    case 5: return (load<u32>(p) == 0x43544150 && load<u8>(p + 4) == 0x48) ||     // PATCH
      (load<u32>(p) == 0x43415254 && load<u8>(p + 4) == 0x45);                    // TRACE
    case 6: return load<u32>(p) == 0x454c4544 && load<u16>(p + 4) == 0x4554;      // DELETE
    case 7: return (load<u32>(p) == 0x4e4e4f43 && load<u16>(p + 4) == 0x4345 && load<u8>(p + 6) == 0x54) || // CONNECT
      (load<u32>(p) == 0x4954504f && load<u16>(p + 4) == 0x4e4f && load<u8>(p + 6) == 0x53);                // OPTIONS
  }
  return false;
}

/** Decodes the HTTP/1 request or status line at the start of (p, len); r.kind NONE when there is none. */
export function parseHttpStartLine(p: usize, len: i32, r: HttpStartLine): void {
  r.kind = HttpLineKind.NONE; r.cut = false;
  r.methodLen = 0; r.targetLen = 0; r.versionLen = 0; r.code = 0; r.statusLen = 0;
  if (len >= 12 && isVersion(p)) {
    // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
    if (load<u8>(p + 8) != 0x20) return;
    const c0 = <u32>load<u8>(p + 9), c1 = <u32>load<u8>(p + 10), c2 = <u32>load<u8>(p + 11);
    if (!isDigit(c0) || !isDigit(c1) || !isDigit(c2)) return;
    let e = 12;
    if (e < len) {
      const c = load<u8>(p + <usize>e);
      if (c != 0x20 && c != 0x0d && c != 0x0a) return;
    }
    while (e < len && load<u8>(p + <usize>e) != 0x0a) e++;
    r.kind = HttpLineKind.STATUS;
    r.version = p; r.versionLen = 8;
    r.code = (c0 - 0x30) * 100 + (c1 - 0x30) * 10 + (c2 - 0x30);
    if (e >= len) { r.cut = true; return; }
    if (e > 12 && load<u8>(p + <usize>(e - 1)) == 0x0d) e--;
    r.status = p + 9; r.statusLen = e - 9;
    return;
  }
  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), the method an
  // uppercase token as the connection analysis takes it (http/h1.ts looksLikeStart).
  let i = 0;
  while (i < len && i < 20) {
    const c = load<u8>(p + <usize>i);
    if (!((c >= 0x41 && c <= 0x5a) || c == 0x2d || c == 0x5f)) break;
    i++;
  }
  if (i == 0 || i >= len || load<u8>(p + <usize>i) != 0x20) return;
  // The target: no space, no control byte (RFC 9112 §3.2).
  let j = i + 1;
  while (j < len) {
    const c = load<u8>(p + <usize>j);
    if (c == 0x20) break;
    if (c < 0x20 || c == 0x7f) return;
    j++;
  }
  if (j >= len || j + 9 > len) {
    // The bytes end in the target or the version: a method only, when it is a standard one.
    if (!standardMethod(p, i)) return;
    r.kind = HttpLineKind.REQUEST; r.cut = true; r.method = p; r.methodLen = i;
    return;
  }
  if (j == i + 1 || !isVersion(p + <usize>(j + 1))) return;
  let e = j + 9;
  if (e < len && load<u8>(p + <usize>e) == 0x0d) e++;
  if (e < len && load<u8>(p + <usize>e) != 0x0a) return;
  r.kind = HttpLineKind.REQUEST;
  r.method = p; r.methodLen = i;
  r.target = p + <usize>(i + 1); r.targetLen = j - i - 1;
  r.version = p + <usize>(j + 1); r.versionLen = 8;
  r.cut = e >= len; // the version was read, its line end was not
}
