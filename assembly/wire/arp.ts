// ARP (RFC 826). Addresses are spans into the packet.

import { be16 } from "../util/mem";
import { WireErr } from "./errors";

/** Decoded ARP header. */
export class ArpRepr {
  op: u32 = 0;
  hlen: i32 = 0;
  plen: i32 = 0;
  sha: usize = 0; spa: usize = 0; tha: usize = 0; tpa: usize = 0;
}

/** Decodes an ARP packet; all four addresses must be captured. */
export function parseArp(p: usize, len: i32, r: ArpRepr): WireErr {
  if (len < 8) return WireErr.TRUNCATED;
  r.hlen = <i32>load<u8>(p + 4);
  r.plen = <i32>load<u8>(p + 5);
  r.op = be16(p + 6);
  if (len < 8 + 2 * (r.hlen + r.plen)) return WireErr.TRUNCATED;
  r.sha = p + 8;
  r.spa = r.sha + <usize>r.hlen;
  r.tha = r.spa + <usize>r.plen;
  r.tpa = r.tha + <usize>r.hlen;
  return WireErr.OK;
}
