/**
 * The libpcap engine: libpcap in this process through the optional npm package `pcap`
 * (node_pcap 3.1.0, a native addon built against the system's libpcap).
 *
 * node_pcap's own session (pcap.createSession) cannot be stopped cleanly: it watches the
 * capture socket with a referenced uv_poll handle that only goes away when pcap_dispatch
 * returns PCAP_ERROR_BREAK, and a non-blocking libpcap handle returns that only after one
 * more packet arrives; on a quiet interface the process would never exit. So this engine
 * drives the addon's PcapSession itself: it never starts that poll, and calls dispatch from
 * a timer it owns instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { endianness } from 'node:os';
import { CaptureStartError, startFailure, type CaptureEngine, type CaptureRequest, type CaptureStats, type CapturedPacket, type EngineHandlers, type OsInterface } from './types.js';

/**
 * libpcap's read timeout (ms), as upstream's engine sets it: the kernel hands over a block of
 * packets when it fills or this long after its first packet. Not immediate mode: that sizes
 * ring frames by the snap length on non-Ethernet devices (`any`: 256 KiB per packet, 32
 * packets in 8 MiB), which drops bursts of a few dozen packets.
 */
export const READ_TIMEOUT_MS = 100;
/** How often the ring is read (ms); blocks come at most every READ_TIMEOUT_MS, so a fraction of it. */
export const POLL_MS = 20;
/** Kernel capture buffer (bytes), the same as the tcpdump engine's -B. */
export const BUFFER_BYTES = 8192 * 1024;
/** After stop(), how often the handle is read until libpcap lets it close (see releaseHandle). */
const RELEASE_POLL_MS = 100;

/** The addon's session object (pcap_session.cc), the subset used here. */
interface NativeSession {
  open_live(device: string, filter: string, bufferSize: number, snaplen: number, outfile: string,
    onPacket: () => void, monitor: boolean, bufferTimeout: number, warn: (msg: string) => void, promisc: boolean): string;
  /** Calls pcap_dispatch(1) until it returns <= 0 and returns that: 0 empty, -1 error, -2 closed (handle freed). */
  dispatch(buf: Buffer, header: Buffer): number;
  /** pcap_breakloop(): the next dispatch that sees a packet returns -2 and frees the handle. */
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}

/** The addon module (build/Release/pcap_binding.node). */
interface NativeBinding {
  PcapSession: new () => NativeSession;
  lib_version(): string;
}

/** The addon, or why it is unusable (one line). */
export type LibpcapLoad = { ok: true; binding: NativeBinding; version: string } | { ok: false; reason: string };

let loaded: LibpcapLoad | undefined;

/** Loads the optional `pcap` package once; never throws. */
export function loadLibpcap(): LibpcapLoad {
  if (loaded) return loaded;
  // The addon copies the first 4 bytes of the 8-byte tv_sec and tv_usec (pcap_session.cc): the
  // low half on little-endian hosts, but the high half (zero) on big-endian ones.
  if (endianness() !== 'LE') return (loaded = { ok: false, reason: 'the pcap package mis-reads time stamps on big-endian hosts' });
  try {
    const require = createRequire(import.meta.url);
    // Resolving the package (not the addon path) makes "not installed" distinguishable from "not built".
    let main: string;
    try {
      main = require.resolve('pcap');
    } catch {
      return (loaded = { ok: false, reason: 'the optional package pcap is not installed' });
    }
    const binding = require(join(dirname(main), 'build', 'Release', 'pcap_binding.node')) as NativeBinding;
    if (typeof binding.PcapSession !== 'function') return (loaded = { ok: false, reason: 'the pcap package has no PcapSession' });
    loaded = { ok: true, binding, version: binding.lib_version() };
  } catch (e) {
    const first = String((e as Error).message ?? e).split('\n')[0];
    loaded = { ok: false, reason: `the pcap package does not load (${first})` };
  }
  return loaded;
}

/**
 * LINKTYPE_ number of node_pcap's link-type name. Unknown types come as "Unknown linktype N"
 * with N the DLT_ value, which equals the LINKTYPE_ value except DLT_RAW (12 on Linux → 101).
 */
export function linktypeOf(name: string): number {
  switch (name) {
    case 'LINKTYPE_NULL': return 0;
    case 'LINKTYPE_ETHERNET': return 1;
    case 'LINKTYPE_RAW': return 101;
    case 'LINKTYPE_LINUX_SLL': return 113;
    case 'LINKTYPE_IEEE802_11_RADIO': return 127;
  }
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m) return -1;
  const dlt = Number(m[1]);
  return dlt === 12 ? 101 : dlt;
}

/** Reads one libpcap interface; see openLibpcap(). */
class LibpcapEngine implements CaptureEngine {
  readonly kind = 'libpcap' as const;
  readonly linktype: number;
  /** node_pcap hands over tv_usec: microseconds. */
  readonly resolution = 'us' as const;
  readonly maxDelayMs = READ_TIMEOUT_MS + POLL_MS;
  onPacket: (packet: CapturedPacket) => void = () => {};
  onError?: (message: string) => void;
  #session: NativeSession;
  // node_pcap copies each packet into these two buffers (they are reused for every packet).
  #buf: Buffer;
  #header = Buffer.alloc(16);
  #captured = 0;
  #timer: NodeJS.Timeout;
  /** open: reading; stopped: stop() drained it; closed: the handle is freed (never touch it again). */
  #state: 'open' | 'stopped' | 'closed' = 'open';
  #final: CaptureStats | null = null;
  #failed = false;
  #deliver: () => void;

  constructor(readonly iface: OsInterface, request: CaptureRequest, binding: NativeBinding, handlers: EngineHandlers) {
    if (handlers.onPacket) this.onPacket = handlers.onPacket;
    this.onError = handlers.onError;
    this.#buf = Buffer.alloc(Math.max(request.snaplen, 1));
    this.#deliver = () => {
      // Called by the addon inside dispatch(); an exception would abort the process there.
      if (this.#state !== 'open') return;
      try {
        const h = this.#header;
        // The addon stores the low 32 bits of tv_sec and tv_usec, then caplen and len, in host
        // order (little-endian: loadLibpcap() refuses other hosts).
        const sec = h.readUInt32LE(0);
        const usec = h.readUInt32LE(4);
        const caplen = h.readUInt32LE(8);
        const len = h.readUInt32LE(12);
        this.#captured++;
        this.onPacket({ sec, nsec: usec * 1000, len, data: this.#buf.subarray(0, Math.min(caplen, this.#buf.length)) });
      } catch (e) {
        this.#fail(`${iface.name}: ${(e as Error).message}`);
      }
    };
    this.#session = new binding.PcapSession();
    let linkName: string;
    try {
      linkName = this.#session.open_live(iface.name, request.filter, BUFFER_BYTES, request.snaplen, '', this.#deliver,
        false, READ_TIMEOUT_MS, () => { /* pcap_lookupnet warnings (no IPv4 address): irrelevant to capturing */ }, request.promisc);
    } catch (e) {
      const reason = String((e as Error).message ?? e).split('\n')[0] ?? '';
      throw new CaptureStartError(startFailure(iface.name, request.filter, reason));
    }
    this.linktype = linktypeOf(linkName);
    if (this.linktype < 0) throw new CaptureStartError(`${iface.name}: libpcap reports an unknown link type (${linkName})`);
    this.#timer = setInterval(() => this.#read(), POLL_MS);
  }

  /** Reads everything in the ring now. */
  #read(): void {
    if (this.#state === 'closed') return;
    const n = this.#session.dispatch(this.#buf, this.#header);
    if (n === -2) this.#closedByLibpcap();
    else if (n === -1) {
      // The addon does not expose pcap_geterr(); libpcap fails this way when the device goes away.
      this.#fail(`${this.iface.name}: libpcap: reading the capture failed (did the interface go away?)`);
      this.#halt();
    }
  }

  #closedByLibpcap(): void {
    this.#state = 'closed';
    clearInterval(this.#timer);
  }

  #halt(): void {
    clearInterval(this.#timer);
    if (this.#state === 'open') this.#state = 'stopped';
  }

  #fail(message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.onError?.(message);
  }

  #stopped: Promise<void> | null = null;

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    if (this.#state !== 'open') return;
    // Drain: the block holding the last packets is handed over within READ_TIMEOUT_MS; keep
    // reading until then, and once more (dispatch reads until the ring is empty).
    await new Promise((r) => setTimeout(r, READ_TIMEOUT_MS + POLL_MS));
    clearInterval(this.#timer);
    if (this.#state !== 'open') return;
    this.#read();
    // #read() may have seen the handle closed (or failed) by libpcap itself.
    if ((this.#state as string) !== 'open') return;
    this.#final = this.#liveStats();
    this.#state = 'stopped';
    this.#releaseHandle();
  }

  /**
   * pcap_breakloop(), then read the handle on an unreferenced timer: the first packet that
   * arrives makes dispatch return -2 and the addon frees the handle (pcap_close). On a quiet
   * interface the socket stays open until the process exits, which the timer does not delay.
   */
  #releaseHandle(): void {
    this.#session.close();
    const t = setInterval(() => {
      if (this.#state === 'closed') { clearInterval(t); return; }
      const n = this.#session.dispatch(this.#buf, this.#header);
      if (n === -2) this.#closedByLibpcap();
      if (n < 0) { this.#state = 'closed'; clearInterval(t); }
    }, RELEASE_POLL_MS);
    t.unref();
  }

  #liveStats(): CaptureStats {
    try {
      const s = this.#session.stats();
      return { captured: this.#captured, received: s.ps_recv, droppedByKernel: s.ps_drop, droppedByInterface: s.ps_ifdrop };
    } catch {
      return { captured: this.#captured, received: null, droppedByKernel: null, droppedByInterface: null };
    }
  }

  stats(): CaptureStats {
    if (this.#final) return { ...this.#final };
    if (this.#state === 'closed') return { captured: this.#captured, received: null, droppedByKernel: null, droppedByInterface: null };
    return this.#liveStats();
  }
}

/** Opens a libpcap capture; resolves once packets are being captured. Throws CaptureStartError when the addon is unusable. */
export async function openLibpcap(request: CaptureRequest, handlers: EngineHandlers = {}): Promise<CaptureEngine> {
  const lib = loadLibpcap();
  if (!lib.ok) throw new CaptureStartError(`${request.iface.name}: libpcap engine unavailable: ${lib.reason}`);
  return new LibpcapEngine(request.iface, request, lib.binding, handlers);
}
