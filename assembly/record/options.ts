// Translator options, set by the host before the first chunk (setOption / addAddr in index.ts).

import { MAX_OPTION, MAX_ADDRS, WRITE_SLACK } from "../config";
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
