// Who is who on a connection, and when its trace context may go: the server's direction, the
// fallback when no handshake was seen, and the untrack timer a close arms. Used by the parsers
// (http/, ./mode.ts), the trace choice (trace/pick.ts) and ./track.ts alike.

import * as T from "./table";
import { Conn, Mode } from "./conn";
import { untrackDeadline } from "./timers";
import { S } from "../facts/packet";

/** Whether direction dir is the server's (false while the roles are unknown). */
@inline export function isServer(c: Conn, dir: i32): bool { return c.client >= 0 ? dir != c.client : false; }

/** Without a handshake: takes the lower (non-ephemeral) port as the server's. */
export function roleFallback(c: Conn): void {
  if (c.client >= 0) return;
  c.client = T.portOf(c.flow, 0) < T.portOf(c.flow, 1) ? 1 : 0;
}

/** A closing connection with no response still due: its trace context goes UNTRACK_NS after this packet. */
export function scheduleUntrack(c: Conn): void {
  if (!c.closing || c.untrackAt != 0 || c.untracked) return;
  if (c.mode == Mode.HTTP1 && c.firstUnanswered < c.count && c.at(c.firstUnanswered) >= 0) return; // a response is still due
  c.untrackAt = untrackDeadline(S.pSec * 1000000000 + <i64>S.pNsec);
}
