/**
 * The tcpdump engine: a `tcpdump -w -` child process per interface, its pcap stream parsed
 * here. Needs only the tcpdump binary (Debian package tcpdump) and the right to capture.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PcapStreamParser } from './pcapstream.js';
import { CaptureStartError, startFailure, type CaptureEngine, type CaptureRequest, type CaptureStats, type CapturedPacket, type EngineHandlers, type OsInterface } from './types.js';

/** Longest wait for tcpdump to say "listening on" (it opens the device and compiles the filter first). */
export const START_TIMEOUT_MS = 10_000;
/**
 * tcpdump's read timeout (ms; tcpdump.c sets 1000): the kernel hands it a block of packets
 * when the block fills or this long after its first packet. Packets in a block not yet handed
 * over when tcpdump quits are lost, so stop() waits this long first.
 */
export const TCPDUMP_TIMEOUT_MS = 1_000;
/** After that, how long the stream must stay quiet before tcpdump is told to quit (what it read gets through). */
const STOP_QUIET_MS = 50;
/** Upper bound of the whole wait: a busy interface never goes quiet. */
const STOP_DRAIN_MAX_MS = 2_000;
/** Longest wait for tcpdump to exit after SIGINT before it is killed. */
const EXIT_TIMEOUT_MS = 5_000;
/** Kernel capture buffer (tcpdump -B, KiB): libpcap's 2 MiB default drops bursts a Node consumer survives. */
export const BUFFER_KIB = 8192;

/** What tcpdump reports at exit, parsed from its stderr (null where it printed nothing). */
export function parseTcpdumpStats(stderr: string): Omit<CaptureStats, 'captured'> & { captured: number | null } {
  const num = (what: string): number | null => {
    const m = new RegExp(`(\\d+) packets? ${what}`).exec(stderr);
    return m ? Number(m[1]) : null;
  };
  const droppedByKernel = num('dropped by kernel');
  // tcpdump leaves out "dropped by interface" when the count is 0 (tcpdump.c, info()).
  const droppedByInterface = num('dropped by interface') ?? (droppedByKernel === null ? null : 0);
  return { captured: num('captured'), received: num('received by filter'), droppedByKernel, droppedByInterface };
}

/** The first line of tcpdump's stderr that explains a failure, without the `tcpdump: ` prefix. */
function reasonOf(stderr: string): string | null {
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('tcpdump: ')) continue;
    const text = line.slice('tcpdump: '.length);
    // Informational lines and warnings tcpdump prints before it starts, not reasons.
    if (/^(listening on|data link type|verbose output suppressed|WARNING)/.test(text)) continue;
    return text;
  }
  return null;
}

/**
 * The command line: packets written as tcpdump reads them (-U), raw to stdout, no name
 * lookups. Not --immediate-mode: it sizes the kernel ring's frames by the snap length on
 * non-Ethernet devices (`any`), leaving room for a few dozen packets.
 */
export function tcpdumpArgs(request: CaptureRequest, root = process.getuid?.() === 0): string[] {
  const args = ['-U', '-w', '-', '-n', '-i', request.iface.name, '-s', String(request.snaplen), '-B', String(BUFFER_KIB)];
  if (!request.promisc) args.push('-p');
  // As root tcpdump would switch to the `tcpdump` user after opening the device; upstream keeps
  // root (-Z root). Without root (file capabilities) -Z root would fail, so it is left out.
  if (root) args.push('-Z', 'root');
  // tcpdump 4.99 picks Linux cooked v2 on `any`; upstream (libpcap's default) and the libpcap
  // engine see cooked v1, which is what pcap-sidecar's decoder understands (§9 item 7).
  if (request.iface.name === 'any') args.push('-y', 'LINUX_SLL');
  if (request.filter !== '') args.push('--', request.filter);
  return args;
}

/** Runs tcpdump on one interface; see openTcpdump(). */
class TcpdumpEngine implements CaptureEngine {
  readonly kind = 'tcpdump' as const;
  linktype = -1;
  /** What tcpdump's stream header says (microseconds: it is not asked for nanoseconds). */
  resolution: 'us' | 'ns' = 'us';
  readonly maxDelayMs = TCPDUMP_TIMEOUT_MS + STOP_QUIET_MS;
  onPacket: (packet: CapturedPacket) => void = () => {};
  onError?: (message: string) => void;
  #child: ChildProcess;
  #parser: PcapStreamParser;
  #stderr = '';
  #captured = 0;
  #stopping = false;
  /** Set once tcpdump listens: an exit before that is a start error, not a capture failure. */
  #running = false;
  #failed = false;
  #lastData = 0;
  #closed: Promise<void>;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #stopped: Promise<void> | null = null;

  constructor(readonly iface: OsInterface, private readonly request: CaptureRequest, binary: string, handlers: EngineHandlers) {
    if (handlers.onPacket) this.onPacket = handlers.onPacket;
    this.onError = handlers.onError;
    this.#parser = new PcapStreamParser(
      (h) => { this.linktype = h.linktype; this.resolution = h.nano ? 'ns' : 'us'; },
      (p) => { this.#captured++; this.onPacket(p); },
    );
    // Own process group: a terminal's Ctrl-C reaches only us, and we stop tcpdump after
    // draining, instead of it quitting on its own with packets still in its buffer.
    this.#child = spawn(binary, tcpdumpArgs(request), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child.stderr!.setEncoding('utf8');
    this.#child.stderr!.on('data', (s: string) => { if (this.#stderr.length < 65536) this.#stderr += s; });
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      this.#lastData = performance.now();
      if (this.#failed) return;
      try {
        this.#parser.push(chunk);
      } catch (e) {
        this.#fail(`${iface.name}: tcpdump: ${(e as Error).message}`);
      }
    });
    this.#closed = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        this.#exit = { code, signal };
        if (this.#running && !this.#stopping) {
          // An end we did not ask for: the interface went away, or someone killed tcpdump.
          const why = reasonOf(this.#stderr) ?? (signal ? `killed by ${signal}` : `exited with status ${code}`);
          this.#fail(`${iface.name}: tcpdump stopped: ${why}`);
        }
        resolve();
      });
      // A spawn failure (no tcpdump binary) may come without 'close'.
      this.#child.on('error', () => { this.#exit ??= { code: null, signal: null }; resolve(); });
    });
  }

  /** Resolves once tcpdump listens and its pcap header arrived; rejects with its reason. */
  started(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = this.#child;
      let done = false;
      const finish = (err?: CaptureStartError) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        child.stderr!.off('data', check);
        child.off('error', onSpawnError);
        child.off('close', onClose);
        if (err) { this.#stopping = true; this.#kill('SIGKILL'); reject(err); } else resolve();
      };
      const name = this.iface.name;
      const check = () => {
        if (this.#stderr.includes('listening on ') && this.#parser.header) { this.#running = true; finish(); }
      };
      const onSpawnError = (e: NodeJS.ErrnoException) => {
        finish(new CaptureStartError(e.code === 'ENOENT'
          ? `${name}: tcpdump is not installed (install the tcpdump package, or use the libpcap engine)`
          : `${name}: cannot run tcpdump: ${e.message}`));
      };
      const onClose = (code: number | null) => {
        finish(new CaptureStartError(startFailure(name, this.request.filter, reasonOf(this.#stderr) ?? `tcpdump exited with status ${code}`)));
      };
      child.on('error', onSpawnError);
      child.on('close', onClose);
      child.stderr!.on('data', check);
      // The header comes on stdout, the "listening" line on stderr: whichever is last decides.
      const poll = setInterval(check, 5);
      const timer = setTimeout(() => finish(new CaptureStartError(`${name}: tcpdump did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
  }

  #fail(message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.onError?.(message);
  }

  #kill(signal: NodeJS.Signals): void {
    if (this.#exit || this.#child.pid === undefined) return;
    try { process.kill(this.#child.pid, signal); } catch { /* already gone */ }
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    if (!this.#exit) {
      // Let the kernel hand tcpdump its last block, and tcpdump write what it read (bounded:
      // a busy link never pauses).
      const t0 = performance.now();
      const quiet = () => performance.now() - Math.max(this.#lastData, t0 + TCPDUMP_TIMEOUT_MS) >= STOP_QUIET_MS;
      while (!this.#exit && !quiet() && performance.now() - t0 < STOP_DRAIN_MAX_MS) {
        await new Promise((r) => setTimeout(r, 10));
      }
      this.#kill('SIGINT');
      const timer = setTimeout(() => this.#kill('SIGKILL'), EXIT_TIMEOUT_MS);
      await this.#closed;
      clearTimeout(timer);
    } else {
      await this.#closed;
    }
  }

  stats(): CaptureStats {
    const s = parseTcpdumpStats(this.#stderr);
    return { captured: this.#captured, received: s.received, droppedByKernel: s.droppedByKernel, droppedByInterface: s.droppedByInterface };
  }
}

/** Opens a tcpdump capture; resolves once packets are being captured. `binary` defaults to `tcpdump` on PATH. */
export async function openTcpdump(request: CaptureRequest, handlers: EngineHandlers = {}, binary = 'tcpdump'): Promise<CaptureEngine> {
  let engine: TcpdumpEngine;
  try {
    engine = new TcpdumpEngine(request.iface, request, binary, handlers);
  } catch (e) {
    // spawn() throws EPERM itself when the binary carries a file capability outside this
    // process's bounding set (a container started without NET_RAW).
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'EPERM' && err.code !== 'EACCES') throw e;
    throw new CaptureStartError(`${request.iface.name}: cannot run ${binary}: operation not permitted (capturing needs root or CAP_NET_RAW; a tcpdump with the file capability cap_net_raw needs NET_RAW in the container's capabilities)`);
  }
  await engine.started();
  return engine;
}
