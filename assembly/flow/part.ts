// The connection part of the packet being analysed (config.ts CONN_PARTS). Connection state
// is split into parts by a hash of the connection's key, and every pool hands out entries from
// the current part's own share, so no part's behaviour depends on another's: a thread holding
// some parts writes the same records for them as one thread holding all. flow/track.ts sets
// the part before a packet's analysis; pools read it when they allocate and find the part of
// an entry they free from its index.

import { CONN_PARTS } from "../config";

/** log2(CONN_PARTS): the part is the top bits of a connection key's hash. */
export const PART_BITS: i32 = <i32>ctz<u32>(<u32>CONN_PARTS);

/** Part of the packet being analysed (0 ≤ cur < CONN_PARTS). */
export let cur: i32 = 0;

/** Sets the part the next allocations come from. */
@inline export function setPart(p: i32): void { cur = p; }

/** The part of a 32-bit connection key hash. */
@inline export function partOfHash(h: u32): i32 { return PART_BITS == 0 ? 0 : <i32>(h >>> <u32>(32 - PART_BITS)); }
