// Text forms pcap-sidecar uses (reference §10): Go net.IP and netip address strings, MAC
// addresses, and RFC 3339 timestamps with nanoseconds (Go time.RFC3339Nano, UTC).

import { b, u32dec, hexDigit, pad2, pad4, pad9, i64dec, pos, setPos } from "./writer";
import { copy } from "../util/mem";

// Decimal text of every byte value followed by a dot ("0." .. "255."), 4 bytes each, and its
// length without the dot: an IPv4 address is four table copies instead of four conversions.
const OCTET: usize = initOctets();
function initOctets(): usize {
  const t = heap.alloc(256 * 4 + 256);
  for (let v = 0; v < 256; v++) {
    const e = t + <usize>(v * 4);
    let n: usize = 0;
    if (v >= 100) { store<u8>(e + n, <u8>(0x30 + v / 100)); n++; }
    if (v >= 10) { store<u8>(e + n, <u8>(0x30 + (v / 10) % 10)); n++; }
    store<u8>(e + n, <u8>(0x30 + v % 10)); n++;
    store<u8>(e + n, 0x2e);
    store<u8>(t + 1024 + <usize>v, <u8>n);
  }
  return t;
}

/** Writes a dotted-quad IPv4 address from 4 bytes at p. */
export function ip4(p: usize): void {
  let q = pos;
  for (let i: usize = 0; i < 3; i++) {
    // digits and the dot in one 4-byte store; the cursor advances past exactly those.
    const v = <usize>load<u8>(p + i);
    store<u32>(q, load<u32>(OCTET + (v << 2)));
    q += <usize>load<u8>(OCTET + 1024 + v) + 1;
  }
  const v = <usize>load<u8>(p + 3);
  const n = <usize>load<u8>(OCTET + 1024 + v);
  // The last octet has no dot: copy exactly its digits.
  store<u8>(q, load<u8>(OCTET + (v << 2)));
  if (n > 1) store<u8>(q + 1, load<u8>(OCTET + (v << 2) + 1));
  if (n > 2) store<u8>(q + 2, load<u8>(OCTET + (v << 2) + 2));
  setPos(q + n);
}

// Writes one IPv6 group in lowercase hex without leading zeros.
function group(v: u32): void {
  if (v >= 0x1000) b(hexDigit(v >> 12));
  if (v >= 0x100) b(hexDigit(v >> 8));
  if (v >= 0x10) b(hexDigit(v >> 4));
  b(hexDigit(v));
}

/**
 * Writes a 16-byte IPv6 address. With `mapped4` (Go net.IP.String), an IPv4-mapped address
 * (::ffff:a.b.c.d) prints as plain a.b.c.d; without it (Go netip) it keeps the ::ffff: prefix.
 * RFC 5952 §4.2: the longest run of two or more zero groups becomes "::", the first on ties.
 */
export function ip6(p: usize, mapped4: bool): void {
  let z = true;
  for (let i = 0; i < 10; i++) if (load<u8>(p + i) != 0) { z = false; break; }
  const isMapped = z && load<u8>(p + 10) == 0xff && load<u8>(p + 11) == 0xff;
  if (isMapped && mapped4) { ip4(p + 12); return; }
  let e0 = -1, e1 = -1;
  for (let i = 0; i < 16; i += 2) {
    let j = i;
    while (j < 16 && load<u8>(p + j) == 0 && load<u8>(p + j + 1) == 0) j += 2;
    if (j > i && j - i > e1 - e0) { e0 = i; e1 = j; i = j; }
  }
  if (e1 - e0 <= 2) { e0 = -1; e1 = -1; }
  for (let i = 0; i < 16; i += 2) {
    if (i == e0) { b(0x3a); b(0x3a); i = e1 - 2; continue; }
    if (i > 0 && i != e1) b(0x3a);
    if (isMapped && i == 12) { ip4(p + 12); return; }
    group((<u32>load<u8>(p + i) << 8) | <u32>load<u8>(p + i + 1));
  }
}

/** Writes len bytes as a MAC-style address: lowercase hex pairs joined by ':'. */
export function mac(p: usize, len: i32): void {
  if (len <= 0) return;
  let q = pos;
  store<u16>(q, load<u16>(HEX_PAIRS + (<usize>load<u8>(p) << 1))); q += 2;
  for (let i = 1; i < len; i++) {
    store<u8>(q, 0x3a);
    store<u16>(q + 1, load<u16>(HEX_PAIRS + (<usize>load<u8>(p + i) << 1)));
    q += 3;
  }
  setPos(q);
}

// "00".."ff": two lowercase hex digits per byte value.
const HEX_PAIRS: usize = initHexPairs();
function initHexPairs(): usize {
  const t = heap.alloc(512);
  for (let i = 0; i < 256; i++) { store<u8>(t + (<usize>i << 1), <u8>hexDigit(i >> 4)); store<u8>(t + (<usize>i << 1) + 1, <u8>hexDigit(i)); }
  return t;
}

/**
 * Writes a capture time as Go's RFC3339Nano in UTC: 2006-01-02T15:04:05.999999999Z, the
 * fraction without trailing zeros and no dot when it is zero.
 */
export function rfc3339(sec: i64, nsec: i32): void {
  // Consecutive packets share their second: reuse its "YYYY-MM-DDThh:mm:ss" text.
  if (sec == cachedSec && cachedLen > 0) { copy(pos, CACHED, <usize>cachedLen); setPos(pos + <usize>cachedLen); }
  else {
    const start = pos;
    civil(sec);
    cachedLen = <i32>(pos - start);
    if (cachedLen <= 32) { copy(CACHED, start, <usize>cachedLen); cachedSec = sec; } else cachedLen = 0;
  }
  fraction(nsec);
}
const CACHED: usize = heap.alloc(32);
let cachedSec: i64 = 0;
let cachedLen: i32 = 0;

// Date and time of day (UTC) of a Unix second.
function civil(sec: i64): void {
  // Days since the epoch to a civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
  let days = sec / 86400;
  let rem = <i32>(sec % 86400);
  if (rem < 0) { rem += 86400; days--; }
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = <i32>(z - era * 146097);
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let y = <i64>yoe + era * 400;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  if (y >= 0 && y <= 9999) pad4(<u32>y); else i64dec(y);
  b(0x2d); pad2(<u32>m); b(0x2d); pad2(<u32>d);
  b(0x54); pad2(<u32>(rem / 3600)); b(0x3a); pad2(<u32>(rem / 60 % 60)); b(0x3a); pad2(<u32>(rem % 60));
}

// ".fraction" without trailing zeros (none when zero), then "Z".
function fraction(nsec: i32): void {
  if (nsec > 0 && nsec < 1000000000) {
    // nine digits, then the trailing zeros dropped (there is a non-zero digit)
    b(0x2e);
    pad9(<u32>nsec);
    let e = pos;
    while (load<u8>(e - 1) == 0x30) e--;
    setPos(e);
  } else if (nsec > 0) {
    b(0x2e);
    let v = <u32>nsec;
    let digits = 9;
    while (v % 10 == 0) { v /= 10; digits--; }
    // Zero-pad on the left to the remaining digit count.
    let div: u32 = 1;
    for (let i = 1; i < digits; i++) div *= 10;
    while (div > 0) { b(0x30 + (v / div) % 10); div /= 10; }
  }
  b(0x5a);
}

