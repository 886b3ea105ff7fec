// Texts a record copies instead of rendering: spans made only of options and the capture
// interface (labels, operation id prefix, pcap context, …), the OS interfaces' spans, the
// escaped interface name, and the per-connection text caches. record/render.ts decides when
// they are rendered again (a change of interface or options) and fills them with the renderers
// of json/; the renderers copy them. Nothing here imports a renderer, so both can use it.

import { TEXT_CACHE_SLOTS, L2_CACHE_SLOTS, TAIL_TEXT_MAX, MSG_TEXT_MAX, L2_TEXT_MAX, SPAN_CAP, MAX_OS_IFACES, MAX_OS_IFNAME, OS_SPAN_CAP, MAX_FILE_NAME } from "../config";
import { raw, strBody, pos, setPos, TextCache, renderBuffer } from "./writer";

/** The spans of the capture interface and options (one buffer of SPAN_CAP bytes each). */
export const enum Span { IFACE = 0, LABELS_OP_DBG = 1, LABELS_OP_INFO = 2, OP_END = 3, MSG_IFACE = 4, PCAP_DBG = 5, COUNT = 6 }
const SPANS: usize = renderBuffer(SPAN_CAP * Span.COUNT);
const spanLen = new StaticArray<i32>(Span.COUNT);

/** Writes span s. */
@inline export function span(s: Span): void { raw(SPANS + <usize>(<i32>s * SPAN_CAP), unchecked(spanLen[<i32>s])); }
/** Starts rendering span s: the writer writes into its buffer until spanEnd(s). */
@inline export function spanStart(s: Span): void { setPos(SPANS + <usize>(<i32>s * SPAN_CAP)); }
/** Ends span s at the writer's position. */
@inline export function spanEnd(s: Span): void { unchecked(spanLen[<i32>s] = <i32>(pos - (SPANS + <usize>(<i32>s * SPAN_CAP)))); }

// Per OS interface: its iface object, then its message prefix, in one OS_SPAN_CAP buffer each.
const OS_SPANS: usize = renderBuffer(OS_SPAN_CAP * MAX_OS_IFACES);
const osIfaceSpanLen = new StaticArray<i32>(MAX_OS_IFACES);
const osMsgSpanLen = new StaticArray<i32>(MAX_OS_IFACES);
/** Scratch for an OS interface's escaped name while its spans are rendered. */
export const OSNAME_ESC: usize = renderBuffer(MAX_OS_IFNAME * 6);

/** Starts rendering OS interface i's spans (iface object first). */
@inline export function osSpanStart(i: i32): void { setPos(OS_SPANS + <usize>(i * OS_SPAN_CAP)); }
/** Ends OS interface i's iface object at the writer's position; its message prefix follows. */
@inline export function osIfaceSpanEnd(i: i32): void { unchecked(osIfaceSpanLen[i] = <i32>(pos - (OS_SPANS + <usize>(i * OS_SPAN_CAP)))); }
/** Ends OS interface i's message prefix at the writer's position. */
@inline export function osMsgSpanEnd(i: i32): void {
  unchecked(osMsgSpanLen[i] = <i32>(pos - (OS_SPANS + <usize>(i * OS_SPAN_CAP))) - unchecked(osIfaceSpanLen[i]));
}
/** Writes OS interface i's iface object. */
@inline export function osIfaceSpan(i: i32): void { raw(OS_SPANS + <usize>(i * OS_SPAN_CAP), unchecked(osIfaceSpanLen[i])); }
/** Writes OS interface i's message prefix. */
@inline export function osMsgSpan(i: i32): void {
  raw(OS_SPANS + <usize>(i * OS_SPAN_CAP + unchecked(osIfaceSpanLen[i])), unchecked(osMsgSpanLen[i]));
}

/** The capture interface's name, escaped once per change (record/render.ts setInterface). */
export const IFNAME_ESC: usize = renderBuffer(1024 * 6);
/** Length of the escaped interface name. */
export let ifEscL: i32 = 0;
/** Escapes the interface name l bytes at p into IFNAME_ESC. */
export function escapeIfName(p: usize, l: i32): void {
  const save = pos;
  setPos(IFNAME_ESC); strBody(p, l); ifEscL = <i32>(pos - IFNAME_ESC); setPos(save);
}
/** Writes the escaped interface name. */
@inline export function ifName(): void { raw(IFNAME_ESC, ifEscL); }

/** A merged capture's current file name, escaped once per source block (record/render.ts). */
const FILENAME_ESC: usize = renderBuffer(MAX_FILE_NAME * 6);
let fileEscL: i32 = 0;
/** Escapes the file name l bytes at p into FILENAME_ESC. */
export function escapeFileName(p: usize, l: i32): void {
  const save = pos;
  setPos(FILENAME_ESC); strBody(p, l); fileEscL = <i32>(pos - FILENAME_ESC); setPos(save);
}
/** Writes the escaped file name. */
@inline export function fileName(): void { raw(FILENAME_ESC, fileEscL); }

/** Texts that repeat for every packet of a connection: flow, iface, local, labels, operation. */
export const TAIL_CACHE = new TextCache(TEXT_CACHE_SLOTS, TAIL_TEXT_MAX);
/** The message's addresses and ports, per IPv4 address pair and ports. */
export const MSG_CACHE = new TextCache(TEXT_CACHE_SLOTS, MSG_TEXT_MAX);
/** The L2 object, per MAC pair and EtherType. */
export const L2_CACHE = new TextCache(L2_CACHE_SLOTS, L2_TEXT_MAX);
