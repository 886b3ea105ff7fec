// pcap-sidecar's wall-clock deadlines (reference §5.2) as timers in capture time: each is a
// deadline compared with capture timestamps, so a timer "fires" before the first packet whose
// time reaches it, and the same capture always gives the same result.
//
// The capture clock is the latest timestamp of any packet read so far (observe(), for every
// packet before any filter). The reaper, the release of ended connections and the reclaiming of
// pooled resources from idle connections run on it rather than on each packet's own timestamp,
// so a connection's idle time depends only on its own packets and the clock, never on which
// other connections were looked up in between: a thread that sees only some connections (but
// reads every packet) decides exactly what one thread seeing all of them would. For captures
// whose timestamps never go back, the clock is simply the packet's timestamp.

import { FLOW_IDLE_NS, UNTRACK_NS, RELEASE_NS, RECLAIM_IDLE_NS } from "../config";

/** The capture clock (ns since the epoch): the latest timestamp read so far. */
export let clock: i64 = i64.MIN_VALUE;

/** Advances the capture clock to a packet's timestamp (every packet read, before any filter). */
@inline export function observe(sec: i64, nsec: i32): void {
  const t = sec * 1000000000 + <i64>nsec;
  if (t > clock) clock = t;
}

/** Restarts the clock (a new capture). */
export function resetClock(): void { clock = i64.MIN_VALUE; }

/** Whether a connection last seen at `lastSeen` has been idle long enough to be reaped (600 s). */
@inline export function idleExpired(lastSeen: i64): bool { return clock - lastSeen >= FLOW_IDLE_NS; }

/** Whether an ended connection last seen at `lastSeen` is past the time its late packets still matter (10 s), so its resources return to their pools. */
@inline export function releaseDue(lastSeen: i64): bool { return clock - lastSeen >= RELEASE_NS; }

/** Whether a live connection last seen at `lastSeen` is idle enough to give up pooled resources to another one under pressure. */
@inline export function reclaimable(lastSeen: i64): bool { return clock - lastSeen >= RECLAIM_IDLE_NS; }

/** Deadline for dropping trace context after a close observed at `now` (10 s). */
@inline export function untrackDeadline(now: i64): i64 { return now + UNTRACK_NS; }

/** Whether a scheduled deadline (0 = none) is due at `now`. */
@inline export function due(deadline: i64, now: i64): bool { return deadline != 0 && now >= deadline; }
