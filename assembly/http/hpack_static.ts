// The HPACK static table (RFC 7541 §2.3.1, Appendix A), laid out once at module start for
// http/hpack.ts: entry i's name and value bytes back to back, and a 4-byte index entry per line.

/** Entries in the static table (Appendix A); dynamic indices start after it (§2.3.3). */
export const STATIC_COUNT: i32 = 61;

// Static table, RFC 7541 Appendix A: line i is entry i, its name, then after a space its value
// (if any). Kept as text for review; buildStatic() lays it out at module start as bytes (name
// then value, so an indexed field is one copy) with a 4-byte index entry per line, which is
// smaller in the wasm than 61 UTF-16 string objects and faster to copy.
const STATIC_TEXT = `:authority
:method GET
:method POST
:path /
:path /index.html
:scheme http
:scheme https
:status 200
:status 204
:status 206
:status 304
:status 400
:status 404
:status 500
accept-charset
accept-encoding gzip, deflate
accept-language
accept-ranges
accept
access-control-allow-origin
age
allow
authorization
cache-control
content-disposition
content-encoding
content-language
content-length
content-location
content-range
content-type
cookie
date
etag
expect
expires
from
host
if-match
if-modified-since
if-none-match
if-range
if-unmodified-since
last-modified
link
location
max-forwards
proxy-authenticate
proxy-authorization
range
referer
refresh
retry-after
server
set-cookie
strict-transport-security
transfer-encoding
user-agent
vary
via
www-authenticate`;

/** Room for the static names and values (684 bytes in Appendix A). */
const STATIC_BYTES_CAP: i32 = 768;
// Name and value bytes of the static entries, back to back.
export const STATIC_BYTES: usize = memory.data(STATIC_BYTES_CAP);
// Entry i (1..61) at STATIC_INDEX + 4 * i: u16 offset in STATIC_BYTES, u8 name length, u8 value length.
export const STATIC_INDEX: usize = memory.data((STATIC_COUNT + 1) * 4);

// Fills STATIC_BYTES and STATIC_INDEX from STATIC_TEXT (module start; bounded by the caps).
function buildStatic(): void {
  const n = STATIC_TEXT.length;
  let entry = 1;
  let start = 0;
  let o = 0;
  let nameLen = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? STATIC_TEXT.charCodeAt(i) : 10;
    if (c == 10) {
      if (nameLen < 0) nameLen = o - start;
      const rec = STATIC_INDEX + (<usize>entry << 2);
      store<u16>(rec, <u16>start);
      store<u8>(rec, <u8>nameLen, 2);
      store<u8>(rec, <u8>(o - start - nameLen), 3);
      entry++;
      start = o;
      nameLen = -1;
    } else if (c == 32 && nameLen < 0) {
      nameLen = o - start;
    } else if (o < STATIC_BYTES_CAP && entry <= STATIC_COUNT) {
      store<u8>(STATIC_BYTES + <usize>o, <u8>c);
      o++;
    }
  }
}
buildStatic();
