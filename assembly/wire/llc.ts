// IEEE 802.2 LLC, and SNAP (IEEE 802-2014 §10.3; RFC 1042 for IP):
//
//   DSAP(8) SSAP(8) Control(8 for U frames, 16 for I and S frames)
//   SNAP, when DSAP = SSAP = 0xAA and Control = 0x03 (UI):  OUI(24) Protocol ID(16)
//
// With the OUI 00-00-00 (RFC 1042) or 00-00-F8 (IEEE 802.1H bridge tunnel) the protocol ID is an
// EtherType; with another OUI it is that organisation's own number (Cisco's CDP, DTP, ...).
// SNAP is taken only with RFC 1042's exact values, as tshark does (tcpdump also accepts the
// response SSAP 0xAB).

import { be16, be32, u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of an LLC header with a one-octet control field. */
export const LLC_HDR_LEN: i32 = 3;
/** Bytes of an LLC header with SNAP. */
export const SNAP_HDR_LEN: i32 = 8;
/** The SNAP SAP. */
export const SAP_SNAP: u32 = 0xaa;
/** The OUI of RFC 1042: the protocol ID is an EtherType. */
export const OUI_ETHERTYPE: u32 = 0x000000;
/** The OUI of IEEE 802.1H bridge tunnel encapsulation: the protocol ID is an EtherType too. */
export const OUI_BRIDGE_TUNNEL: u32 = 0x0000f8;

/** Decoded LLC (and SNAP) header. */
export class LlcRepr {
  /** Destination service access point. */
  dsap: u32 = 0;
  /** Source service access point (its low bit is the command/response bit). */
  ssap: u32 = 0;
  /** Control field (one octet for U frames, else two). */
  control: u32 = 0;
  /** A SNAP header follows the LLC one. */
  snap: bool = false;
  /** SNAP OUI (24 bits). */
  oui: u32 = 0;
  /** SNAP protocol ID. */
  pid: u32 = 0;
  /** The protocol ID is an EtherType (OUI 00-00-00 or 00-00-F8). */
  etherType: bool = false;
  /** Bytes of LLC and SNAP. */
  hdrLen: i32 = 0;
}

/** Decodes the LLC header (and its SNAP header) at p. */
export function parseLlc(p: usize, len: i32, r: LlcRepr): WireErr {
  r.snap = false; r.oui = 0; r.pid = 0; r.etherType = false; r.hdrLen = 0; r.dsap = 0; r.ssap = 0; r.control = 0;
  if (len < LLC_HDR_LEN) return WireErr.TRUNCATED;
  r.dsap = u8at(p); r.ssap = u8at(p + 1);
  const c = u8at(p + 2);
  // IEEE 802.2 §5.2: U-format control fields end in binary 11; I and S formats are two octets.
  if ((c & 3) == 3) { r.control = c; r.hdrLen = LLC_HDR_LEN; }
  else {
    if (len < LLC_HDR_LEN + 1) return WireErr.TRUNCATED;
    r.control = be16(p + 2); r.hdrLen = LLC_HDR_LEN + 1;
  }
  if (r.dsap != SAP_SNAP || r.ssap != SAP_SNAP || c != 0x03) return WireErr.OK;
  if (len < SNAP_HDR_LEN) return WireErr.TRUNCATED;
  r.snap = true;
  r.oui = be32(p + 2) & 0xffffff;
  r.pid = be16(p + 6);
  r.etherType = r.oui == OUI_ETHERTYPE || r.oui == OUI_BRIDGE_TUNNEL;
  r.hdrLen = SNAP_HDR_LEN;
  return WireErr.OK;
}
