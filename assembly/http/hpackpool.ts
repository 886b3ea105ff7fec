// HPACK tables for HTTP/2 connection directions, from a fixed pool (HPACK_TABLES of
// HPACK_TABLE_BYTES each). A direction without a table (pool exhausted) still frames; its
// header blocks decode as unknown fields.

import { HPACK_TABLES, HPACK_TABLE_BYTES } from "../config";
import { HpackTable } from "./hpack";

const tables = new StaticArray<HpackTable | null>(HPACK_TABLES);
const freeList = new StaticArray<i32>(HPACK_TABLES);
let freeTop: i32 = -1;

/** Takes a fresh table; -1 when the pool is empty. */
export function takeTable(): i32 {
  if (freeTop < 0) { freeTop = 0; for (let i = HPACK_TABLES - 1; i >= 0; i--) unchecked(freeList[freeTop++] = i); }
  if (freeTop == 0) return -1;
  const i = unchecked(freeList[--freeTop]);
  let t = unchecked(tables[i]);
  if (t === null) { t = new HpackTable(HPACK_TABLE_BYTES); unchecked(tables[i] = t); }
  t.reset();
  return i;
}

/** Returns table i to the pool (ignores -1). */
export function freeTable(i: i32): void { if (i >= 0) unchecked(freeList[freeTop++] = i); }

/** Table i. */
@inline export function table(i: i32): HpackTable { return changetype<HpackTable>(unchecked(tables[i])); }
