/**
 * Live capture engines: open one per interface with openEngine(); defaultEngine() picks
 * libpcap when the optional `pcap` package loads, else tcpdump.
 */
import { readFileSync } from 'node:fs';
import { loadLibpcap, openLibpcap } from './libpcap.js';
import { openTcpdump } from './tcpdump.js';
import type { CaptureEngine, CaptureRequest, EngineHandlers, EngineKind } from './types.js';

export * from './types.js';
export { listInterfaces, selectInterfaces, ANY_INTERFACE } from './interfaces.js';
export { loadLibpcap } from './libpcap.js';
export { parseTcpdumpStats, tcpdumpArgs } from './tcpdump.js';

/** Opens a capture on request.iface with the given engine; resolves once it captures, rejects with CaptureStartError. */
export function openEngine(kind: EngineKind, request: CaptureRequest, handlers: EngineHandlers = {}): Promise<CaptureEngine> {
  return kind === 'libpcap' ? openLibpcap(request, handlers) : openTcpdump(request, handlers);
}

let warned = false;

/** CAP_NET_RAW's bit in the capability sets (linux/capability.h). */
const CAP_NET_RAW = 13;

/**
 * Whether this process may open a capture itself: root, or CAP_NET_RAW in its effective set
 * (/proc/self/status CapEff). A non-root user without it may still capture through a tcpdump
 * binary that has the capability as a file capability (the image's `setcap cap_net_raw+ep`).
 */
export function mayCapture(status: () => string = () => readFileSync('/proc/self/status', 'utf8')): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status());
    return eff !== null && (BigInt(`0x${eff[1]}`) & (1n << BigInt(CAP_NET_RAW))) !== 0n;
  } catch {
    return false;
  }
}

/**
 * The engine to use when none was asked for: libpcap if the `pcap` package loads and this
 * process may capture, else tcpdump, saying why once on stderr (`write` receives that line).
 */
export function defaultEngine(write: (line: string) => void = (l) => { process.stderr.write(l); }, may: () => boolean = mayCapture): EngineKind {
  const lib = loadLibpcap();
  if (lib.ok && may()) return 'libpcap';
  if (!warned) {
    warned = true;
    write(`tracecap: ${lib.ok ? 'this process is not root and has no CAP_NET_RAW' : lib.reason}; capturing with tcpdump\n`);
  }
  return 'tcpdump';
}
