// Shared binary search over the small generated enum tables in enums_data.ts.
// A table is a sorted run of (u16 key, u16 offset) pairs; the offset points into ENUM_NAMES,
// a blob of length-prefixed ASCII names (facts from gopacket v1.1.19, see enums_data.ts).
// Allocation-free and trap-free for any u32 key.

import { ENUM_NAMES } from "./enums_data";

/** Index of the first pair whose key is >= key (count when there is none). */
// @ts-ignore: decorator
@inline
export function lowerBound(table: usize, count: i32, key: u32): i32 {
  let lo: i32 = 0;
  let hi: i32 = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (<u32>load<u16>(table + (<usize>mid << 2)) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Key of pair i of a table (i must be < its count). */
// @ts-ignore: decorator
@inline
export function keyAt(table: usize, i: i32): u32 {
  return <u32>load<u16>(table + (<usize>i << 2));
}

/** Name pointer for key in a (key, offset) table, or 0 when the key is not there. */
export function tableName(table: usize, count: i32, key: u32): usize {
  const i = lowerBound(table, count, key);
  if (i < count && keyAt(table, i) == key) {
    return ENUM_NAMES + <usize>load<u16>(table + (<usize>i << 2), 2);
  }
  return 0;
}

/** Name pointer for key in a table, or the name at ENUM_NAMES offset dflt when it is not there. */
// @ts-ignore: decorator
@inline
export function tableNameOr(table: usize, count: i32, key: u32, dflt: u32): usize {
  const p = tableName(table, count, key);
  return p != 0 ? p : ENUM_NAMES + <usize>dflt;
}
