// The `iface` object, `logging.googleapis.com/labels` and `logging.googleapis.com/operation`
// (reference §2.2, §3.3).

import { frag, w, b, raw, i64dec } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import { Opt, optIsSet, addrCount, addrPtr, addrLength } from "../record/options";
import { K_IFACE, comma, optStr, q } from "./emit";
import { IFNAME_ESC, ifEscL, ifName } from "./spans";

const K_LABELS_INFO = frag("\"logging.googleapis.com/labels\":{\"run.googleapis.com/tool\":\"pcap-sidecar\"},");
const K_LABELS_DBG = frag("\"logging.googleapis.com/labels\":{\"run.googleapis.com/pcap/id\":\"");
const K_LABELS_IFACE = frag("\",\"run.googleapis.com/pcap/iface\":\"");
const K_LABELS_NAME = frag("\",\"run.googleapis.com/pcap/name\":\"");
const K_LABELS_TOOL = frag("\",\"run.googleapis.com/tool\":\"pcap-sidecar\"},");
const K_OP = frag("\"logging.googleapis.com/operation\":{");
const K_OP_FIRST = frag("\"first\":true,");
const K_OP_ID = frag("\"id\":\"");
const K_OP_IFACE = frag("/iface/");
const K_OP_FLOW = frag("/flow/");
const K_OP_PRODUCER = frag("\",\"producer\":\"");
const K_NIL = frag("<nil>");
const K_ADDRS = frag("\"addrs\":[");
const K_INDEX = frag("\"index\":");
const K_NAME = frag(",\"name\":\"");

/** The capture interface's iface object (interface index ifIdx). */
export function renderIface(ifIdx: i32): void {
  w(K_IFACE);
  for (let i = 0; i < addrCount; i++) addrItem(i == 0, addrPtr(i), addrLength(i));
  if (addrCount > 0) { b(0x5d); comma(); }
  ifaceEnd(ifIdx, IFNAME_ESC, ifEscL);
}

// One element of iface.addrs (Go net.IP form), opening the array before the first.
export function addrItem(first: bool, p: usize, len: i32): void {
  if (first) w(K_ADDRS); else comma();
  q(); if (len == 4) fmtIp4(p); else fmtIp6(p, true); q();
}

// The end of an iface object: "index":<index>,"name":"<escaped name>"},
export function ifaceEnd(index: i32, nameEsc: usize, nameEscLen: i32): void {
  w(K_INDEX); i64dec(<i64>index); w(K_NAME); raw(nameEsc, nameEscLen); q(); b(0x7d); comma();
}

export function renderLabels(dbg: bool): void {
  if (!dbg) { w(K_LABELS_INFO); return; }
  w(K_LABELS_DBG); optStr(Opt.ID); w(K_LABELS_IFACE); ifName();
  w(K_LABELS_NAME); optStr(Opt.LOG_NAME); w(K_LABELS_TOOL);
}

// logging.googleapis.com/operation up to the flow: {"first":true,"id":"<id>/iface/<name>/flow/
export function opStart(first: bool): void {
  w(K_OP);
  if (first) w(K_OP_FIRST);
  w(K_OP_ID);
  if (optIsSet(Opt.ID)) optStr(Opt.ID); else w(K_NIL);
  w(K_OP_IFACE); ifName(); w(K_OP_FLOW);
}

// logging.googleapis.com/operation after the flow: ","producer":"<log name>"},
export function opEnd(): void { w(K_OP_PRODUCER); optStr(Opt.LOG_NAME); q(); b(0x7d); comma(); }
