/**
 * The contract between live-capture engines (libpcap through the `pcap` package, tcpdump as a
 * child process) and what consumes their packets (the live runner, the trigger ring). An
 * engine captures on one interface; several interfaces are several engines.
 */
import type { TsResolution } from '../../../src/pcapfile.js';

export type { TsResolution } from '../../../src/pcapfile.js';

/** One captured packet. `data` is valid only during the callback: copy what you keep. */
export interface CapturedPacket {
  /** Capture time, whole seconds since the Unix epoch. */
  sec: number;
  /** Capture time, the nanoseconds within `sec` (engines with microsecond stamps multiply). */
  nsec: number;
  /** The packet's length on the wire (may exceed data.length when the snap length cut it). */
  len: number;
  /** The captured bytes (data.length is the captured length), starting at the link header. */
  data: Uint8Array;
}

/** An OS network interface, as pcap-sidecar sees it (index, name, addresses). */
export interface OsInterface {
  /** Kernel interface index (/sys/class/net/NAME/ifindex); 0 for the `any` pseudo-device. */
  index: number;
  /** Interface name (`eth0`, `lo`, `any`). */
  name: string;
  /** Its IPv4 and IPv6 addresses as text, in the order the OS lists them. */
  addrs: string[];
}

/** Kernel and interface drop counters of an engine (libpcap's pcap_stats, as tcpdump prints them). */
export interface CaptureStats {
  /** Packets the engine delivered. */
  captured: number;
  /** Packets the filter accepted (ps_recv), when the engine knows it. */
  received: number | null;
  /** Packets dropped because the capture buffer was full (ps_drop). */
  droppedByKernel: number | null;
  /** Packets dropped by the interface or its driver (ps_ifdrop). */
  droppedByInterface: number | null;
}

/** What opens a capture on one interface. */
export interface CaptureRequest {
  iface: OsInterface;
  /** Bytes captured per packet (default 262144). */
  snaplen: number;
  /** Promiscuous mode (tcpdump's default true; -p turns it off). */
  promisc: boolean;
  /** A BPF expression in tcpdump syntax, or '' for every packet. */
  filter: string;
}

/** A running capture on one interface. */
export interface CaptureEngine {
  /** `libpcap` or `tcpdump`. */
  readonly kind: 'libpcap' | 'tcpdump';
  /** The interface captured. */
  readonly iface: OsInterface;
  /** The link type of the packets (DLT/LINKTYPE number), known once the engine started. */
  readonly linktype: number;
  /**
   * Resolution of the engine's time stamps, known once it started (default `us`): packets are
   * written to capture files at this resolution, so they are what the engine captured.
   */
  readonly resolution?: TsResolution;
  /**
   * Longest a captured packet can wait before the engine delivers it (ms): the kernel hands
   * packets over a block at a time, when it fills or after this timeout. Consumers that order
   * several engines' packets must wait at least this long.
   */
  readonly maxDelayMs?: number;
  /** Called for each packet in capture order. */
  onPacket: (packet: CapturedPacket) => void;
  /** Stops capturing; resolves once every packet captured before the stop was delivered. */
  stop(): Promise<void>;
  /** The engine's counters (final after stop()). */
  stats(): CaptureStats;
  /**
   * Called at most once when the capture fails after it started (the interface went away,
   * tcpdump died), with one line naming the interface; packets delivered before stay valid.
   */
  onError?: (message: string) => void;
}

/** The two engines: libpcap in-process (the `pcap` package), or a tcpdump child process. */
export type EngineKind = CaptureEngine['kind'];

/** Callbacks installed before the capture starts, so no packet arrives before its consumer. */
export interface EngineHandlers {
  /** Becomes the engine's onPacket. */
  onPacket?: CaptureEngine['onPacket'];
  /** Becomes the engine's onError. */
  onError?: CaptureEngine['onError'];
}

/** A capture that could not start; `message` is one line naming the interface or the filter's error. */
export class CaptureStartError extends Error {
  override name = 'CaptureStartError';
}

/**
 * The one line of a start failure, naming the interface. libpcap's device errors (from
 * tcpdump or the addon) start with the interface's name; its filter compiler's do not, so a
 * reason that does not is about the filter, which is then quoted too.
 */
export function startFailure(iface: string, filter: string, reason: string): string {
  // Say what fixes it: libpcap's words ("socket: Operation not permitted") do not.
  const hint = /permission|not permitted/i.test(reason) ? ' (capturing needs root or CAP_NET_RAW)' : '';
  if (reason.startsWith(`${iface}: `)) return reason + hint;
  return filter && !hint ? `${iface}: ${reason} (filter ${JSON.stringify(filter)})` : `${iface}: ${reason}${hint}`;
}
