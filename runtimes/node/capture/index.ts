/**
 * Live capture engines: open one per interface with openEngine(); defaultEngine() picks
 * libpcap when the optional `pcap` package loads, else tcpdump.
 */
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

/**
 * The engine to use when none was asked for: libpcap if the `pcap` package loads, else
 * tcpdump, saying why once on stderr (`write` receives that line).
 */
export function defaultEngine(write: (line: string) => void = (l) => { process.stderr.write(l); }): EngineKind {
  const lib = loadLibpcap();
  if (lib.ok) return 'libpcap';
  if (!warned) {
    warned = true;
    write(`tracecap: ${lib.reason}; capturing with tcpdump\n`);
  }
  return 'tcpdump';
}
