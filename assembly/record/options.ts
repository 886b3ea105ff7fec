// Translator options, set by the host before the first chunk (setOption / addAddr in index.ts).

import { MAX_OPTION, MAX_ADDRS, WRITE_SLACK, MAX_OS_IFACES, MAX_OS_IFACE_ADDRS, MAX_OS_IFNAME } from "../config";
import { strBody, pos, setPos } from "../json/writer";

/** Translation verbosity (reference §1.3). */
export const enum Verbosity { INFO = 0, DEBUG = 1 }

/** Option keys of setOption(). The host mirrors these in src/abi.ts. */
export const enum Opt { PROJECT = 1, IFACE_NAME = 2, LOG_NAME = 3, ID = 4 }

/** Current verbosity. */
export let verbosity: Verbosity = Verbosity.DEBUG;
/** Interface index given by the host, or -1 to use the capture's own interface ids. */
export let ifaceIndex: i32 = -1;
/** Ephemeral port range for `local` (reference §3.4). */
export let ephemeralMin: u32 = 32768;
export let ephemeralMax: u32 = 65535;

/** Scratch where the host writes an option's bytes before setOption(). */
export const OPT_SCRATCH: usize = heap.alloc(<usize>MAX_OPTION);

// Each string option: bytes at OPT_BUF + key * MAX_OPTION, length in optLen[key].
const OPT_BUF: usize = heap.alloc(<usize>(MAX_OPTION * 5));
const optLen = new StaticArray<i32>(5);
const optSet = new StaticArray<bool>(5);

/** Address of a string option's bytes. */
@inline export function optPtr(key: i32): usize { return OPT_BUF + <usize>(key * MAX_OPTION); }
/** Length of a string option. */
@inline export function optLength(key: i32): i32 { return unchecked(optLen[key]); }
/** Whether the host set a string option. */
@inline export function optIsSet(key: i32): bool { return unchecked(optSet[key]); }

// Each option also kept JSON-escaped (at most 6 bytes per byte), so records copy it as is.
const ESC_STRIDE: i32 = MAX_OPTION * 6 + WRITE_SLACK; // the writer's stores may run past the text
const ESC_BUF: usize = heap.alloc(<usize>(ESC_STRIDE * 5));
const escLen = new StaticArray<i32>(5);

/** Address of option key's JSON-escaped bytes (what goes between quotes). */
@inline export function optEscPtr(key: i32): usize { return ESC_BUF + <usize>(key * ESC_STRIDE); }
/** Length of option key's JSON-escaped bytes. */
@inline export function optEscLength(key: i32): i32 { return unchecked(escLen[key]); }

/** Bumped by every change of a string option or interface address (renderers cache text made from them). */
export let optGen: u32 = 0;

/** Copies len bytes from OPT_SCRATCH into option key. Returns false for a bad key or length. */
export function setOption(key: i32, len: i32): bool {
  if (key < 1 || key > 4 || len < 0 || len > MAX_OPTION) return false;
  optGen++;
  memory.copy(optPtr(key), OPT_SCRATCH, <usize>len);
  unchecked(optLen[key] = len);
  unchecked(optSet[key] = true);
  const save = pos;
  setPos(optEscPtr(key));
  strBody(optPtr(key), len);
  unchecked(escLen[key] = <i32>(pos - optEscPtr(key)));
  setPos(save);
  return true;
}

/** Sets the verbosity (0 INFO, 1 DEBUG). */
export function setVerbosity(v: i32): void { verbosity = v == 0 ? Verbosity.INFO : Verbosity.DEBUG; }
/** What an MPLS payload that is neither IPv4 nor IPv6 is taken for (RFC 3032 leaves it to signalling). */
export const enum MplsPseudowire { NONE = 0, ETHERNET = 1 }
/** The MPLS pseudowire option (setMplsPseudowire): NONE unless the host says otherwise. */
export let mplsPseudowire: MplsPseudowire = MplsPseudowire.NONE;
/** Takes MPLS payloads that are not IP for Ethernet pseudowires (1) or leaves them undecoded (0). */
export function setMplsPseudowire(kind: i32): void { mplsPseudowire = kind == 1 ? MplsPseudowire.ETHERNET : MplsPseudowire.NONE; }
/** Sets the interface index (-1: use the capture's interface ids). */
export function setIfaceIndex(i: i32): void { ifaceIndex = i; }
/** Sets the ephemeral port range; an invalid range keeps the default (reference §1.2). */
export function setEphemeral(lo: i32, hi: i32): void {
  if (lo < 1024 || lo >= hi || hi > 65535) { ephemeralMin = 32768; ephemeralMax = 65535; return; }
  ephemeralMin = <u32>lo; ephemeralMax = <u32>hi;
}

// Interface addresses (4 or 16 bytes each) for `local` and iface.addrs.
const ADDRS: usize = heap.alloc(<usize>(MAX_ADDRS * 16));
const addrLen = new StaticArray<u8>(MAX_ADDRS);
/** Number of interface addresses. */
export let addrCount: i32 = 0;

/** Adds the 4- or 16-byte address in OPT_SCRATCH. Returns false when full or malformed. */
export function addAddr(len: i32): bool {
  if ((len != 4 && len != 16) || addrCount >= MAX_ADDRS) return false;
  optGen++;
  memory.copy(ADDRS + <usize>(addrCount * 16), OPT_SCRATCH, <usize>len);
  unchecked(addrLen[addrCount] = <u8>len);
  addrCount++;
  return true;
}

/** Address of interface address i. */
@inline export function addrPtr(i: i32): usize { return ADDRS + <usize>(i * 16); }
/** Length (4 or 16) of interface address i. */
@inline export function addrLength(i: i32): i32 { return <i32>unchecked(addrLen[i]); }

/** Whether the len-byte address at p is one of the interface addresses. */
export function isLocalAddr(p: usize, len: i32): bool {
  for (let i = 0; i < addrCount; i++) {
    if (addrLength(i) == len && memory.compare(addrPtr(i), p, <usize>len) == 0) return true;
  }
  return false;
}

// ---- OS interface table (reference §3.3) ---------------------------------------------------
// pcap-sidecar capturing on `any` builds a table of the OS interfaces and their addresses at
// start and attributes each packet to the interface owning its source address, else its
// destination address (render.ts). The host gives tracecap that table here.

/** Result of addOsIface()/addOsIfaceAddr(); errors are values. The host mirrors these in src/abi.ts. */
export const enum OsIfaceErr { OK = 0, FULL = 1, BAD_INDEX = 2, BAD_NAME = 3, NO_IFACE = 4, BAD_ADDR = 5, ADDRS_FULL = 6 }

const OS_NAMES: usize = heap.alloc(<usize>(MAX_OS_IFACES * MAX_OS_IFNAME));
const osNameLen = new StaticArray<i32>(MAX_OS_IFACES);
const osIndex = new StaticArray<i32>(MAX_OS_IFACES);
const osAddrN = new StaticArray<i32>(MAX_OS_IFACES);
/** Number of OS interfaces in the table (0: no attribution). */
export let osCount: i32 = 0;

// Every address of the table in the order added (so grouped by interface): 16 bytes each,
// an IPv4 address in the first 4; its length and the slot of the interface it belongs to.
const OS_ADDR_SLOTS: i32 = MAX_OS_IFACES * MAX_OS_IFACE_ADDRS;
const OS_ADDRS: usize = heap.alloc(<usize>(OS_ADDR_SLOTS * 16));
const osAddrLen = new StaticArray<u8>(OS_ADDR_SLOTS);
const osAddrOwner = new StaticArray<u8>(OS_ADDR_SLOTS);
/** Number of addresses in the table, all interfaces together. */
export let osAddrTotal: i32 = 0;

// pcap-sidecar keys its table by the Go string form of an address (net.IP String), which prints
// an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as a.b.c.d: such an address is that IPv4 address.
@inline function isV4Mapped(p: usize): bool { return load<u64>(p) == 0 && load<u32>(p + 8) == 0xffff0000; }

/** Empties the OS interface table: packets on `any` are no longer attributed. */
export function clearOsIfaces(): void { osCount = 0; osAddrTotal = 0; optGen++; }

/** Adds OS interface `index` named by the nameLen bytes in OPT_SCRATCH; its addresses follow (addOsIfaceAddr). */
export function addOsIface(index: i32, nameLen: i32): OsIfaceErr {
  if (osCount >= MAX_OS_IFACES) return OsIfaceErr.FULL;
  if (index < 0) return OsIfaceErr.BAD_INDEX;
  if (nameLen < 1 || nameLen > MAX_OS_IFNAME) return OsIfaceErr.BAD_NAME;
  optGen++;
  memory.copy(osNamePtr(osCount), OPT_SCRATCH, <usize>nameLen);
  unchecked(osNameLen[osCount] = nameLen);
  unchecked(osIndex[osCount] = index);
  unchecked(osAddrN[osCount] = 0);
  osCount++;
  return OsIfaceErr.OK;
}

/** Adds the 4- or 16-byte address in OPT_SCRATCH to the OS interface added last. */
export function addOsIfaceAddr(len: i32): OsIfaceErr {
  if (osCount == 0) return OsIfaceErr.NO_IFACE;
  if (len != 4 && len != 16) return OsIfaceErr.BAD_ADDR;
  let p = OPT_SCRATCH;
  if (len == 16 && isV4Mapped(p)) { p += 12; len = 4; }
  const owner = osCount - 1;
  // pcap-sidecar keeps an interface's addresses in a set: one listed twice is kept once.
  for (let i = osAddrTotal - 1; i >= 0 && <i32>unchecked(osAddrOwner[i]) == owner; i--) {
    if (<i32>unchecked(osAddrLen[i]) == len && memory.compare(osAddrPtr(i), p, <usize>len) == 0) return OsIfaceErr.OK;
  }
  if (unchecked(osAddrN[owner]) >= MAX_OS_IFACE_ADDRS) return OsIfaceErr.ADDRS_FULL;
  optGen++;
  const at = osAddrPtr(osAddrTotal);
  memory.fill(at, 0, 16);
  memory.copy(at, p, <usize>len);
  unchecked(osAddrLen[osAddrTotal] = <u8>len);
  unchecked(osAddrOwner[osAddrTotal] = <u8>owner);
  osAddrTotal++;
  unchecked(osAddrN[owner] = unchecked(osAddrN[owner]) + 1);
  return OsIfaceErr.OK;
}

/** Interface index of OS interface slot i. */
@inline export function osIfaceIndex(i: i32): i32 { return unchecked(osIndex[i]); }
/** Address of the name bytes of OS interface slot i. */
@inline export function osNamePtr(i: i32): usize { return OS_NAMES + <usize>(i * MAX_OS_IFNAME); }
/** Length of the name of OS interface slot i. */
@inline export function osNameLength(i: i32): i32 { return unchecked(osNameLen[i]); }
/** Address of table address j (0 ≤ j < osAddrTotal). */
@inline export function osAddrPtr(j: i32): usize { return OS_ADDRS + <usize>(j * 16); }
/** Length (4 or 16) of table address j. */
@inline export function osAddrLength(j: i32): i32 { return <i32>unchecked(osAddrLen[j]); }
/** OS interface slot that table address j belongs to. */
@inline export function osAddrOwnerOf(j: i32): i32 { return <i32>unchecked(osAddrOwner[j]); }

/**
 * Slot of the OS interface owning the len-byte (4 or 16) address at p, or -1. A linear scan:
 * at most MAX_OS_IFACES * MAX_OS_IFACE_ADDRS entries, compared as one or two integers. An
 * address listed on several interfaces belongs to the one added last, as in pcap-sidecar, whose
 * table is a map from address to interface filled in interface order (later ones overwrite).
 */
export function osIfaceOf(p: usize, len: i32): i32 {
  if (len == 16 && isV4Mapped(p)) { p += 12; len = 4; }
  if (len == 4) {
    const v = load<u32>(p);
    for (let j = osAddrTotal - 1; j >= 0; j--) {
      if (unchecked(osAddrLen[j]) == 4 && load<u32>(osAddrPtr(j)) == v) return osAddrOwnerOf(j);
    }
    return -1;
  }
  if (len != 16) return -1;
  const hi = load<u64>(p), lo = load<u64>(p + 8);
  for (let j = osAddrTotal - 1; j >= 0; j--) {
    const a = osAddrPtr(j);
    if (unchecked(osAddrLen[j]) == 16 && load<u64>(a) == hi && load<u64>(a + 8) == lo) return osAddrOwnerOf(j);
  }
  return -1;
}
