// What the analysis gave up, and why. Where it happens the record says so (HTTP `skipped`,
// an HTTP/2 frame's `skipped` or `hpack`, TLS `skipped`); these counters add it up for the host,
// which reports them (the CLI's summary, the API's `skipped`, the app). Each counts events of
// the connections of the parts this translator holds, so the threads of a parallel run add up
// to what one thread counts.

import { Why } from "../facts/why";
export { Why };


const counts = new StaticArray<u64>(Why.COUNT);

/** Counts one event of kind w. */
@inline export function skip(w: Why): void { unchecked(counts[<i32>w] = unchecked(counts[<i32>w]) + 1); }

/** The count of kind w. */
export function skipCount(w: i32): u64 { return w > 0 && w < Why.COUNT ? unchecked(counts[w]) : 0; }

/** Restarts every count (a new capture). */
export function resetSkips(): void { for (let i = 0; i < Why.COUNT; i++) unchecked(counts[i] = 0); }
