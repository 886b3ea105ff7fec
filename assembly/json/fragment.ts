// The `fragment` object of an IP fragment's record (a key pcap-sidecar does not have): which
// datagram it belongs to (the number of the record of its first fragment seen), where it sits,
// and what the reassembler (ip/reassembly.ts) made of it; on the fragment that completes the
// datagram, how many fragments and bytes it has — that record shows the datagram's transport.

import { frag, w, b, u32dec, u64dec } from "./writer";
import { comma } from "./emit";

const K_OPEN = frag("\"fragment\":{\"datagram\":");
const K_FRAGMENTS = frag(",\"fragments\":");
const K_LENGTH = frag(",\"length\":");
const K_MORE_T = frag(",\"more\":true");
const K_MORE_F = frag(",\"more\":false");
const K_OFFSET = frag(",\"offset\":");
const K_STATE = frag(",\"state\":\"");
// By FragResult: PENDING, COMPLETE, DUPLICATE, OVERLAP_KEPT, OVERLAP, DISCARDED, TOO_LARGE, TOO_FRAGMENTED, NO_ROOM, BAD.
const STATES = [frag("held"), frag("reassembled"), frag("duplicate"), frag("overlap_first_kept"), frag("overlap_discarded"),
  frag("discarded"), frag("too_large"), frag("too_fragmented"), frag("no_room"), frag("invalid")];

/** Writes "fragment":{datagram, fragments, length, more, offset, state}, (fragments and length once whole). */
export function renderFragment(state: i32, first: u64, offset: u32, more: bool, held: i32, whole: i32): void {
  w(K_OPEN); u64dec(first);
  if (whole > 0) { w(K_FRAGMENTS); u32dec(<u32>held); w(K_LENGTH); u32dec(<u32>whole); }
  w(more ? K_MORE_T : K_MORE_F);
  w(K_OFFSET); u32dec(offset);
  w(K_STATE); if (state >= 0 && state < STATES.length) w(unchecked(STATES[state])); b(0x22);
  b(0x7d); comma();
}
