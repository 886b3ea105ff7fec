// HPACK tables for HTTP/2 connection directions (HPACK_TABLES of HPACK_TABLE_BYTES each), from a
// pool shared out between the connection parts (flow/pool.ts). A direction holds its table from
// its first header block until its connection ends (or is evicted); a table reclaimed from an
// idle connection, or one that could not be had, is noticed by its direction, which then
// decodes with a fresh table and says so (http/h2exchange.ts).

import { HPACK_TABLES, HPACK_TABLE_BYTES } from "../config";
import { HpackTable } from "./hpack";
import { Pool } from "../flow/pool";

/** The table pool. */
export const tablePool = new Pool(HPACK_TABLES);
const tables = new StaticArray<HpackTable | null>(HPACK_TABLES);

/** Takes a fresh (empty) table for owner (flow·2 + dir); -1 when none can be had. */
export function takeTable(owner: i32): i32 {
  const i = tablePool.take(owner);
  if (i < 0) return -1;
  let t = unchecked(tables[i]);
  if (t === null) { t = new HpackTable(HPACK_TABLE_BYTES); unchecked(tables[i] = t); }
  t.reset();
  return i;
}

/** Generation of table i, to keep with it. */
@inline export function tableGen(i: i32): u32 { return unchecked(tablePool.gen[i]); }

/** Whether table i is still held under generation g (false for -1). */
@inline export function tableValid(i: i32, g: u32): bool { return tablePool.valid(i, g); }

/** Returns table i if still held under generation g (ignores -1 and reclaimed tables). */
export function freeTable(i: i32, g: u32): void { if (i >= 0) tablePool.free(i, g); }

/** Table i. */
@inline export function table(i: i32): HpackTable { return changetype<HpackTable>(unchecked(tables[i])); }
