// Header maps as pcap-sidecar renders them (reference §6.2.1): Go's canonical key form
// (textproto.CanonicalMIMEHeaderKey), keys sorted bytewise, values as arrays in arrival order.
// Fields are collected as (name, value) spans, then stably sorted by canonical name.

import { MAX_HEADERS } from "../config";
import { b, strBody } from "./writer";
import { copy } from "../util/mem";

const NAMES: usize = heap.alloc(64 << 10);      // canonical names, back to back
const nOff = new StaticArray<i32>(MAX_HEADERS + 8);
const nLen = new StaticArray<i32>(MAX_HEADERS + 8);
const vPtr = new StaticArray<usize>(MAX_HEADERS + 8);
const vLen = new StaticArray<i32>(MAX_HEADERS + 8);
const order = new StaticArray<i32>(MAX_HEADERS + 8);
let count: i32 = 0;
let namesUsed: i32 = 0;

/** Fields hdrAdd() leaves out (Go's parser side effects, reference §6.2.1). */
export const enum Drop { NONE = 0, HOST = 1, CONTENT_LENGTH = 2, TRAILER = 4, TRANSFER_ENCODING = 8 }
let drop: i32 = Drop.NONE;

/** Starts a new map; fields named in `dropMask` (Drop bits) will be left out. */
export function hdrReset(dropMask: i32 = Drop.NONE): void { count = 0; namesUsed = 0; drop = dropMask; }

/** Number of fields collected. */
export function hdrCount(): i32 { return count; }

// RFC 9110 §5.6.2 token characters, one byte per value (1 = tchar).
const TOKEN: usize = initToken();
function initToken(): usize {
  const t = heap.alloc(256);
  for (let c: u32 = 0; c < 256; c++) {
    const tc = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) ||
      c == 0x21 || c == 0x23 || c == 0x24 || c == 0x25 || c == 0x26 || c == 0x27 || c == 0x2a || c == 0x2b ||
      c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
    store<u8>(t + <usize>c, tc ? 1 : 0);
  }
  return t;
}

// Whether the n bytes at p are exactly the ASCII literal s.
function isLit(p: usize, n: i32, s: string): bool {
  for (let k = 0; k < n; k++) if (<u32>load<u8>(p + <usize>k) != <u32>s.charCodeAt(k)) return false;
  return true;
}

// Whether a canonical name is one the current map drops.
function dropped(p: usize, n: i32): bool {
  if (n == 4) return (drop & Drop.HOST) != 0 && isLit(p, n, "Host");
  if (n == 7) return (drop & Drop.TRAILER) != 0 && isLit(p, n, "Trailer");
  if (n == 14) return (drop & Drop.CONTENT_LENGTH) != 0 && isLit(p, n, "Content-Length");
  if (n == 17) return (drop & Drop.TRANSFER_ENCODING) != 0 && isLit(p, n, "Transfer-Encoding");
  return false;
}

/** Adds a field; the name is canonicalised when it is a token (Go leaves other names as they are). */
export function hdrAdd(name: usize, nameLen: i32, value: usize, valueLen: i32): void {
  if (count >= MAX_HEADERS || namesUsed + nameLen > (64 << 10)) return;
  const dst = NAMES + <usize>namesUsed;
  // Canonical form: upper case at the start and after each '-', lower case elsewhere.
  let token = nameLen > 0;
  let upper = true;
  for (let i = 0; i < nameLen; i++) {
    let c = <u32>load<u8>(name + <usize>i);
    if (load<u8>(TOKEN + <usize>c) == 0) { token = false; break; }
    if (upper) { if (c - 0x61 < 26) c -= 0x20; } else if (c - 0x41 < 26) c += 0x20;
    upper = c == 0x2d;
    store<u8>(dst + <usize>i, <u8>c);
  }
  if (!token) copy(dst, name, <usize>nameLen);
  if (drop != Drop.NONE && dropped(dst, nameLen)) return;
  unchecked(nOff[count] = namesUsed); unchecked(nLen[count] = nameLen);
  unchecked(vPtr[count] = value); unchecked(vLen[count] = valueLen);
  namesUsed += nameLen;
  count++;
}

function cmp(a: i32, bb: i32): i32 {
  const la = unchecked(nLen[a]), lb = unchecked(nLen[bb]);
  const n = la < lb ? la : lb;
  const c = memory.compare(NAMES + <usize>unchecked(nOff[a]), NAMES + <usize>unchecked(nOff[bb]), <usize>n);
  return c != 0 ? c : la - lb;
}

/** Writes the map as a JSON object: {"Name":["v1","v2"],...} with sorted keys. */
export function hdrWrite(): void {
  for (let i = 0; i < count; i++) {
    // Insertion sort: stable, so values of a repeated name keep arrival order.
    let j = i;
    while (j > 0 && cmp(unchecked(order[j - 1]), i) > 0) { unchecked(order[j] = order[j - 1]); j--; }
    unchecked(order[j] = i);
  }
  b(0x7b);
  for (let k = 0; k < count; k++) {
    const i = unchecked(order[k]);
    const same = k > 0 && cmp(unchecked(order[k - 1]), i) == 0;
    if (same) b(0x2c);
    else {
      if (k > 0) { b(0x5d); b(0x2c); }
      b(0x22); strBody(NAMES + <usize>unchecked(nOff[i]), unchecked(nLen[i])); b(0x22); b(0x3a); b(0x5b);
    }
    b(0x22); strBody(unchecked(vPtr[i]), unchecked(vLen[i])); b(0x22);
  }
  if (count > 0) b(0x5d);
  b(0x7d);
}
