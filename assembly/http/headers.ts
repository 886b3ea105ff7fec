// Header maps as pcap-sidecar renders them (reference §6.2.1): Go's canonical key form
// (textproto.CanonicalMIMEHeaderKey), keys sorted bytewise, values as arrays in arrival order.
// Fields are collected as (name, value) spans, then stably sorted by canonical name.

import { MAX_HEADERS } from "../config";
import { b, strBody } from "../json/writer";

const NAMES: usize = heap.alloc(64 << 10);      // canonical names, back to back
const nOff = new StaticArray<i32>(MAX_HEADERS + 8);
const nLen = new StaticArray<i32>(MAX_HEADERS + 8);
const vPtr = new StaticArray<usize>(MAX_HEADERS + 8);
const vLen = new StaticArray<i32>(MAX_HEADERS + 8);
const order = new StaticArray<i32>(MAX_HEADERS + 8);
let count: i32 = 0;
let namesUsed: i32 = 0;

/** Starts a new map. */
export function hdrReset(): void { count = 0; namesUsed = 0; }

/** Number of fields collected. */
export function hdrCount(): i32 { return count; }

// RFC 9110 §5.6.2 token characters.
function isToken(c: u32): bool {
  if (c >= 0x30 && c <= 0x39) return true;
  if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true;
  return c == 0x21 || c == 0x23 || c == 0x24 || c == 0x25 || c == 0x26 || c == 0x27 || c == 0x2a || c == 0x2b ||
    c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
}

/** Adds a field; the name is canonicalised when it is a token (Go leaves other names as they are). */
export function hdrAdd(name: usize, nameLen: i32, value: usize, valueLen: i32): void {
  if (count >= MAX_HEADERS || namesUsed + nameLen > (64 << 10)) return;
  const dst = NAMES + <usize>namesUsed;
  let token = nameLen > 0;
  for (let i = 0; i < nameLen; i++) if (!isToken(<u32>load<u8>(name + <usize>i))) { token = false; break; }
  let upper = true;
  for (let i = 0; i < nameLen; i++) {
    let c = <u32>load<u8>(name + <usize>i);
    if (token) {
      if (upper && c >= 0x61 && c <= 0x7a) c -= 0x20;
      else if (!upper && c >= 0x41 && c <= 0x5a) c += 0x20;
      upper = c == 0x2d;
    }
    store<u8>(dst + <usize>i, <u8>c);
  }
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

/** Whether field i's canonical name equals the ASCII literal s (exact case). */
export function hdrNameIs(i: i32, s: string): bool {
  if (unchecked(nLen[i]) != s.length) return false;
  const p = NAMES + <usize>unchecked(nOff[i]);
  for (let k = 0; k < s.length; k++) if (<u32>load<u8>(p + <usize>k) != <u32>s.charCodeAt(k)) return false;
  return true;
}

/** Drops every field whose canonical name is s (Go's parser side effects, reference §6.2.1). */
export function hdrRemove(s: string): void {
  let j = 0;
  for (let i = 0; i < count; i++) {
    if (hdrNameIs(i, s)) continue;
    unchecked(nOff[j] = nOff[i]); unchecked(nLen[j] = nLen[i]); unchecked(vPtr[j] = vPtr[i]); unchecked(vLen[j] = vLen[i]);
    j++;
  }
  count = j;
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
