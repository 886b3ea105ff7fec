// A fixed pool of resources (head buffers, sample buffers, HPACK tables) shared out between the
// connection parts (flow/part.ts), each part with its own equal share, so one part running out
// never takes from another and a thread holding some parts decides what one thread would.
//
// Every slot records its owner (a connection direction, flow·2 + dir) and a generation that
// changes each time the slot is taken: an owner keeps (slot, generation) and checks it before
// use, so a slot that was reclaimed from it is noticed by the owner itself, at its own next
// packet, where it can say in its own record what it lost — reclaiming never reaches into
// another connection's parser.
//
// When a part's share is empty, take() reclaims a slot: from the least recently seen ended
// connection holding one (FIN both ways or a RST: it will not need it), else from the least
// recently seen live connection idle for RECLAIM_IDLE_NS or more; never from the connection
// asking. Only when neither exists is the request refused.

import { CONN_PARTS } from "../config";
import { cur as curPart } from "./part";
import * as T from "./table";
import { reclaimable } from "./timers";

/** A pool of `total` slots, total / CONN_PARTS per part. */
export class Pool {
  /** Slots per part. */
  readonly perPart: i32;
  /** Slots each part hands out (≤ perPart; a host may lower it before the first take). */
  cap: i32;
  /** Owner of each slot (flow·2 + direction), -1 when free. */
  owner: StaticArray<i32>;
  /** Generation of each slot: changes at every take. */
  gen: StaticArray<u32>;
  private freeList: StaticArray<i32>;
  private freeTop: StaticArray<i32>;
  private ready: bool = false;
  /** Takes refused: the part's share was empty and nothing could be reclaimed. */
  refused: u64 = 0;
  /** Slots reclaimed from ended connections (nothing lost). */
  fromEnded: u64 = 0;
  /** Slots reclaimed from idle live connections (what they held is lost to them). */
  fromIdle: u64 = 0;

  constructor(total: i32) {
    this.owner = new StaticArray<i32>(total);
    this.gen = new StaticArray<u32>(total);
    this.freeList = new StaticArray<i32>(total);
    this.freeTop = new StaticArray<i32>(CONN_PARTS);
    this.perPart = total / CONN_PARTS;
    this.cap = this.perPart;
  }

  /** Lowers the slots each part hands out to ceil(n / CONN_PARTS) (0 or more than the pool: all of them); before the first take. */
  limit(n: i32): void {
    if (this.ready) return;
    const share = n > 0 ? (n + CONN_PARTS - 1) / CONN_PARTS : this.perPart;
    this.cap = share < this.perPart ? share : this.perPart;
  }

  private init(): void {
    for (let p = 0; p < CONN_PARTS; p++) {
      const base = p * this.perPart;
      for (let i = 0; i < this.cap; i++) unchecked(this.freeList[base + i] = base + this.cap - 1 - i);
      for (let i = 0; i < this.perPart; i++) unchecked(this.owner[base + i] = -1);
      unchecked(this.freeTop[p] = this.cap);
    }
    this.ready = true;
  }

  /** Takes a slot of the current part for owner (flow·2 + dir), reclaiming one if the share is empty; -1 when refused. */
  take(owner: i32): i32 {
    if (!this.ready) this.init();
    const p = curPart;
    let top = unchecked(this.freeTop[p]);
    if (top == 0) {
      if (!this.reclaim(p, owner >> 1)) { this.refused++; return -1; }
      top = unchecked(this.freeTop[p]);
    }
    unchecked(this.freeTop[p] = top - 1);
    const i = unchecked(this.freeList[p * this.perPart + top - 1]);
    unchecked(this.owner[i] = owner);
    unchecked(this.gen[i] = unchecked(this.gen[i]) + 1);
    return i;
  }

  /** Whether slot i is still held under generation g. */
  @inline valid(i: i32, g: u32): bool { return i >= 0 && unchecked(this.owner[i]) >= 0 && unchecked(this.gen[i]) == g; }

  /** Returns slot i if it is still held under generation g (a reclaimed slot is not the caller's to free). */
  free(i: i32, g: u32): void {
    if (!this.valid(i, g)) return;
    this.put(i);
  }

  private put(i: i32): void {
    unchecked(this.owner[i] = -1);
    const p = i / this.perPart;
    const top = unchecked(this.freeTop[p]);
    unchecked(this.freeList[p * this.perPart + top] = i); unchecked(this.freeTop[p] = top + 1);
  }

  /** Slots of part p in use. */
  used(p: i32): i32 { return this.ready ? this.cap - unchecked(this.freeTop[p]) : 0; }

  // Frees the slot of part p whose owner can best spare it (see the file comment); false when none can.
  private reclaim(p: i32, self: i32): bool {
    const base = p * this.perPart;
    let best = -1, bestLive = true;
    let bestSeen: i64 = i64.MAX_VALUE;
    for (let i = base; i < base + this.cap; i++) {
      const o = unchecked(this.owner[i]);
      if (o < 0) continue;
      const f = o >> 1;
      if (f == self) continue;
      const live = T.stateOf(f) == T.State.LIVE;
      const seen = unchecked(T.lastSeen[f]);
      if (live && !reclaimable(seen)) continue;
      if (best >= 0 && (live && !bestLive || live == bestLive && seen >= bestSeen)) continue;
      best = i; bestLive = live; bestSeen = seen;
    }
    if (best < 0) return false;
    if (bestLive) this.fromIdle++; else this.fromEnded++;
    this.put(best);
    return true;
  }

  /** Forgets every holder (a new capture); counters restart. */
  reset(): void {
    if (this.ready) this.init();
    this.refused = 0; this.fromEnded = 0; this.fromIdle = 0;
  }
}
