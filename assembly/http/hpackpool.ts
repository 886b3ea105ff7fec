// HPACK tables for HTTP/2 connection directions, from a fixed pool (HPACK_TABLES of
// HPACK_TABLE_BYTES each), an equal share per connection part (flow/part.ts). A direction
// without a table (its part's share exhausted) still frames; its header blocks decode as
// unknown fields.

import { HPACK_TABLES, HPACK_TABLE_BYTES, CONN_PARTS } from "../config";
import { HpackTable } from "./hpack";
import { cur as curPart } from "../flow/part";

const PART_TABLES: i32 = HPACK_TABLES / CONN_PARTS;
const tables = new StaticArray<HpackTable | null>(HPACK_TABLES);
// Per part: a stack of free table indices inside the part's range of freeList.
const freeList = new StaticArray<i32>(HPACK_TABLES);
const freeTop = new StaticArray<i32>(CONN_PARTS);
let ready = false;

/** Takes a fresh table from the current part's share; -1 when it is empty. */
export function takeTable(): i32 {
  if (!ready) {
    for (let p = 0; p < CONN_PARTS; p++) {
      const base = p * PART_TABLES;
      for (let i = 0; i < PART_TABLES; i++) unchecked(freeList[base + i] = base + PART_TABLES - 1 - i);
      unchecked(freeTop[p] = PART_TABLES);
    }
    ready = true;
  }
  const p = curPart;
  const top = unchecked(freeTop[p]);
  if (top == 0) return -1;
  unchecked(freeTop[p] = top - 1);
  const i = unchecked(freeList[p * PART_TABLES + top - 1]);
  let t = unchecked(tables[i]);
  if (t === null) { t = new HpackTable(HPACK_TABLE_BYTES); unchecked(tables[i] = t); }
  t.reset();
  return i;
}

/** Returns table i to its part's share (ignores -1). */
export function freeTable(i: i32): void {
  if (i < 0) return;
  const p = i / PART_TABLES;
  const top = unchecked(freeTop[p]);
  unchecked(freeList[p * PART_TABLES + top] = i); unchecked(freeTop[p] = top + 1);
}

/** Table i. */
@inline export function table(i: i32): HpackTable { return changetype<HpackTable>(unchecked(tables[i])); }
