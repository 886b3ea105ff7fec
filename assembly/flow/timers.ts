// pcap-sidecar's wall-clock deadlines (reference §5.2) as timers in capture time: each is a
// deadline compared with the timestamp of the packet being processed, so a timer "fires"
// before the first packet whose timestamp reaches it, and the same capture always gives the
// same result. Its effect is only ever visible on the packets of its own connection, so a
// deadline is checked when that connection's next packet arrives (and the reaper sweeps the
// least recently seen connections on every packet).

import { FLOW_IDLE_NS, UNTRACK_NS } from "../config";

/** Whether a connection last seen at `lastSeen` has been idle long enough to be reaped at `now` (600 s). */
@inline export function idleExpired(lastSeen: i64, now: i64): bool { return now - lastSeen >= FLOW_IDLE_NS; }

/** Deadline for dropping trace context after a close observed at `now` (10 s). */
@inline export function untrackDeadline(now: i64): i64 { return now + UNTRACK_NS; }

/** Whether a scheduled deadline (0 = none) is due at `now`. */
@inline export function due(deadline: i64, now: i64): bool { return deadline != 0 && now >= deadline; }
