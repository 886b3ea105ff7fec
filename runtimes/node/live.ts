/**
 * Live capture: packets from one engine per selected interface, each translated by its own
 * translator (so `iface`, `local`, the operation id and `pcap.num` are what pcap-sidecar writes
 * for that interface), records merged in timestamp order into one NDJSON sink.
 */
import { createNodeTranslator, loadCore } from './core.js';
import { runTriggered, describeWindow, type RingSettings, type TriggeredRun } from './triggered.js';
import { addSkips, noSkips, skipSummary, type Translator, type TranslatorOptions } from '../../src/index.js';
import { defaultEngine, openEngine } from './capture/index.js';
import { listInterfaces, selectInterfaces } from './capture/interfaces.js';
import { PCAP_RECORD_HEADER_LEN, pcapGlobalHeader, writeRecordHeader } from './capture/pcapstream.js';
import { hostsPrograms, type HostWatch } from './hosts.js';
import { BpfCompileError } from './bpf.js';
import type { BpfProgram } from '../../src/filter.js';
import { CaptureStartError, type CaptureEngine, type CaptureStats, type CapturedPacket, type EngineKind, type OsInterface } from './capture/types.js';
import { openPacketFiles, commonLinktype, LinkTypeError, type PacketFiles, type PacketFilesOptions, type PacketSource } from './output/packets.js';
import { listenPcapOverIp, PcapOverIpError, type ListenAddress, type PcapOverIpServer } from './output/pcapoverip.js';
import { TemplateError } from './output/strftime.js';

/**
 * How long a packet waits for every other interface to show a later one before it is written
 * anyway (ms), beyond the engines' own delivery delay (maxDelayMs: the kernel hands packets
 * over a block at a time).
 */
export const MERGE_WAIT_MS = 50;
/** Packets held for ordering, all interfaces together; beyond this the earliest is written without waiting. */
export const MERGE_HELD_MAX = 8192;
/** Packets kept per interface while its engine is still starting (tcpdump can deliver before it is known to run). */
const EARLY_MAX = 65536;

/** Options of runLive(). Translator options apply to every interface; the interface fields (and `any`'s table) come from the OS. */
export interface LiveOptions extends Omit<TranslatorOptions, 'ifaceName' | 'ifaceIndex' | 'ifaceAddrs' | 'osInterfaces' | 'limit'> {
  /** `-i` patterns: names, `any`, or prefixes ending in `*` (repeatable). */
  ifaces: string[];
  /** Engine; default defaultEngine() (libpcap if the `pcap` package loads, else tcpdump). */
  engine?: EngineKind;
  /** Bytes captured per packet (default, and 0: 262144). */
  snaplen?: number;
  /** Promiscuous mode (default true). */
  promisc?: boolean;
  /** Stop after this many records (-c N). */
  count?: number;
  /** Stop after this many seconds. */
  timeoutSecs?: number;
  /** BPF expression in tcpdump syntax ('' or absent: every packet). */
  filter?: string;
  /** Receives whole NDJSON records; a view valid only during the call. */
  sink: (view: Uint8Array) => void;
  /** Stop on SIGINT and SIGTERM (default true). */
  signals?: boolean;
  /** Stops the capture like SIGINT does (for embedders and tests). */
  signal?: AbortSignal;
  /** Receives the lines meant for stderr (default: process.stderr). */
  stderr?: (line: string) => void;
  /** Capture on a trigger (ringSettings()): packets wait in a ring per interface, written only in a window. */
  ring?: RingSettings | null;
  /** Called once every engine captures, with the interfaces and the engine used. */
  onStarted?: (ifaces: OsInterface[], engine: EngineKind) => void;
  /**
   * --pcap-w: every captured packet also goes to pcap or pcapng files (rotating as -w's files
   * do); with `ring`, the packets of every window. Opened once the engines run.
   */
  packets?: PacketFilesOptions | null;
  /**
   * --pcap-over-ip: every captured packet, as a classic pcap stream, to each TCP client of this
   * address (listening before the engines start; `clientBytes` bounds each client's queue).
   */
  pcapOverIp?: (ListenAddress & { clientBytes?: number }) | null;
  /**
   * A PCAP-over-IP server already listening (listenPcapOverIp()), used instead of `pcapOverIp`
   * and left open at the end: one stream across the windows of --cron.
   */
  pcapOverIpServer?: PcapOverIpServer | null;
  /**
   * False (--no-records): packets only go to `packets` and `pcapOverIp`; none is translated (on
   * a trigger the windows are still translated, their records dropped). Default true.
   */
  records?: boolean;
  /**
   * The end of a scheduled window (ms since the epoch, --cron): packets stamped at or after it
   * are left out (of the records and the packet outputs), however late the stop comes on a
   * busy machine; their number is said in one line.
   */
  endsAt?: number;
  /**
   * --hosts: only packets to or from these addresses get a record; the core's BPF program is
   * replaced when they change (the kernel's filter is the `filter` expression's).
   */
  hosts?: HostWatch | null;
}

/**
 * Listens for PCAP-over-IP clients and says where in one line; null (the reason said in one
 * line) when the address cannot be had — the capture then does not start (exit 2).
 */
export async function servePcapOverIp(at: ListenAddress & { clientBytes?: number }, say: (line: string) => void): Promise<PcapOverIpServer | null> {
  try {
    const server = await listenPcapOverIp({ ...at, say });
    say(`tracecap: pcap over IP on ${server.address}\n`);
    return server;
  } catch (e) {
    if (e instanceof PcapOverIpError) { say(`tracecap: ${e.message}\n`); return null; }
    throw e;
  }
}

/** One packet held for ordering (its bytes copied: the engine reuses its buffer). */
interface Held extends CapturedPacket { arrival: number }

/** Earlier of two capture times. */
function before(a: CapturedPacket, b: CapturedPacket): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
}

/** A copy of a packet that outlives the engine's callback. */
function hold(p: CapturedPacket): Held {
  // Not p.data.slice(): engines may hand a Buffer, whose slice() is a view of the reused memory.
  const data = new Uint8Array(p.data.length);
  data.set(p.data);
  return { sec: p.sec, nsec: p.nsec, len: p.len, data, arrival: performance.now() };
}

/**
 * Merges the packets of several interfaces in timestamp order. An interface's next packet is
 * held until every other interface has a packet queued (then the earliest head is the
 * earliest packet overall), or it waited wait() ms, or MERGE_HELD_MAX packets are held.
 * Engines deliver each interface in capture order, so only the heads need comparing.
 */
export class Merger {
  readonly #queues: Held[][];
  readonly #first: number[];
  #held = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(n: number, private readonly deliver: (channel: number, packet: CapturedPacket) => void, private readonly wait: () => number = () => MERGE_WAIT_MS) {
    this.#queues = Array.from({ length: n }, () => []);
    this.#first = new Array<number>(n).fill(0);
  }

  /** Queues a packet of interface `channel` (copied) and writes what may go now. */
  add(channel: number, packet: CapturedPacket): void {
    this.#queues[channel]!.push(hold(packet));
    this.#held++;
    this.release(false);
  }

  /** Writes every packet that may go now; with `all`, everything (at stop). */
  release(all: boolean): void {
    for (;;) {
      let best = -1;
      let everyone = true;
      for (let i = 0; i < this.#queues.length; i++) {
        const q = this.#queues[i]!;
        const head = q[this.#first[i]!];
        if (!head) { everyone = false; continue; }
        if (best < 0 || before(head, this.#head(best))) best = i;
      }
      if (best < 0) return;
      const head = this.#head(best);
      const waited = performance.now() - head.arrival;
      const waitMs = this.wait();
      if (!all && !everyone && waited < waitMs && this.#held <= MERGE_HELD_MAX) {
        if (!this.#timer) this.#timer = setTimeout(() => { this.#timer = null; this.release(false); }, Math.ceil(waitMs - waited));
        return;
      }
      this.#take(best);
      this.deliver(best, head);
    }
  }

  #head(i: number): Held { return this.#queues[i]![this.#first[i]!]!; }

  #take(i: number): void {
    const q = this.#queues[i]!;
    this.#held--;
    // Advance an index instead of shift() (linear in the queue length); compact now and then.
    if (++this.#first[i]! >= 1024 && this.#first[i]! * 2 >= q.length) { q.splice(0, this.#first[i]!); this.#first[i] = 0; }
    if (this.#first[i]! >= q.length) { q.length = 0; this.#first[i] = 0; }
  }

  /** Cancels the pending timer. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** One interface: its engine, its translator, and the packets that came before the engine was known to run. */
interface Channel {
  iface: OsInterface;
  translator: Translator;
  engine: CaptureEngine | null;
  early: Held[];
}

/** Feeds one packet into a translator as a pcap record, straight into the core's input space when it fits. */
function feed(t: Translator, p: CapturedPacket): void {
  const need = PCAP_RECORD_HEADER_LEN + p.data.length;
  const n = t.pushFrom((space) => {
    if (space.length < need) return 0;
    writeRecordHeader(space, 0, p);
    space.set(p.data, PCAP_RECORD_HEADER_LEN);
    return need;
  });
  if (n === 0 && !t.error) {
    const rec = new Uint8Array(need);
    writeRecordHeader(rec, 0, p);
    rec.set(p.data, PCAP_RECORD_HEADER_LEN);
    t.push(rec);
  }
}

/** Interfaces the core's table holds at most, and addresses per interface (assembly/config.ts). */
const OS_TABLE_MAX = 64;
const OS_TABLE_ADDRS_MAX = 16;

/**
 * The OS interface table for attribution on `any`, cut to what the core holds: only interfaces
 * with addresses can own a packet, so those come first; what does not fit is said in one line
 * (those packets keep `any`) rather than failing the capture.
 */
export function attributionTable(table: OsInterface[], say: (line: string) => void): OsInterface[] {
  const owning = table.filter((i) => i.addrs.length > 0);
  const kept = owning.slice(0, OS_TABLE_MAX).map((i) => ({ ...i, addrs: i.addrs.slice(0, OS_TABLE_ADDRS_MAX) }));
  const lostAddrs = owning.reduce((n, i) => n + i.addrs.length, 0) - kept.reduce((n, i) => n + i.addrs.length, 0);
  if (lostAddrs > 0) say(`tracecap: any: ${lostAddrs} addresses beyond the first ${OS_TABLE_MAX} interfaces × ${OS_TABLE_ADDRS_MAX} addresses are not used to attribute packets\n`);
  return kept;
}

/** Sums a counter over engines; null when no engine knows it. */
function total(stats: CaptureStats[], key: keyof CaptureStats): number | null {
  let sum: number | null = null;
  for (const s of stats) if (s[key] !== null) sum = (sum ?? 0) + (s[key] as number);
  return sum;
}

/** The summary line, like tcpdump's: counters summed over every interface, unknown ones left out. */
export function summaryLine(stats: CaptureStats[]): string {
  const captured = total(stats, 'captured') ?? 0;
  const parts = [`${captured} packet${captured === 1 ? '' : 's'} captured`];
  const add = (key: keyof CaptureStats, what: string) => {
    const v = total(stats, key);
    if (v !== null) parts.push(`${v} ${what}`);
  };
  add('received', 'received by filter');
  add('droppedByKernel', 'dropped by kernel');
  add('droppedByInterface', 'dropped by interface');
  return `tracecap: ${parts.join(', ')}\n`;
}

/**
 * Captures live until SIGINT/SIGTERM, `timeoutSecs`, `count` records or `signal`, writing
 * records to `sink`; then drains every engine, flushes every record and writes one summary
 * line. Resolves to the exit status: 0 stopped as asked, 1 bad options, 2 a capture could not
 * start or failed (one line on stderr naming the interface or the filter).
 */
export async function runLive(o: LiveOptions): Promise<number> {
  const say = o.stderr ?? ((line: string) => { process.stderr.write(line); });
  // 0 means the default, as tcpdump's -s 0 does.
  const snaplen = o.snaplen || 262144;
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 262144) { say(`tracecap: the snap length must be 0 to 262144, not ${snaplen}\n`); return 1; }
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 1)) { say(`tracecap: -c needs a positive count\n`); return 1; }
  if (o.timeoutSecs !== undefined && !(o.timeoutSecs > 0)) { say(`tracecap: the timeout must be a positive number of seconds\n`); return 1; }

  let ifaces: OsInterface[];
  try {
    ifaces = selectInterfaces(o.ifaces);
  } catch (e) {
    if (e instanceof CaptureStartError) { say(`tracecap: ${e.message}\n`); return 2; }
    throw e;
  }
  const kind = o.engine ?? defaultEngine(say);
  const { verbosity, project, logName, id, ephemeral, maxFlows, maxHeadBytes, filters } = o;
  const translatorOptions: TranslatorOptions = { verbosity, project, logName, id, ephemeral, maxFlows, maxHeadBytes, filters };

  // Stop requests: the first one wins; `failure` makes the exit status 2.
  let failure: string | null = null;
  let stopped = false;
  let stopRequested!: () => void;
  const stopping = new Promise<void>((r) => { stopRequested = r; });
  const stop = (why: string | null = null) => {
    if (why !== null && failure === null) failure = why;
    stopped = true;
    stopRequested();
  };

  let records = 0;
  let accepting = true;
  const out = (view: Uint8Array) => {
    if (o.count === undefined) { o.sink(view); return; }
    // Cut at the count-th record: each packet yields at most one record, but be exact anyway.
    let end = 0;
    while (records < o.count) {
      const nl = view.indexOf(10, end);
      if (nl < 0) break;
      end = nl + 1;
      records++;
    }
    if (end > 0) o.sink(end === view.length ? view : view.subarray(0, end));
    if (records >= o.count) { accepting = false; stop(); }
  };
  const sinkGuard = (view: Uint8Array) => {
    try {
      out(view);
    } catch (e) {
      // A closed pipe (| head) ends the capture like a stop; other write errors are failures.
      accepting = false;
      const err = e as NodeJS.ErrnoException;
      stop(err.code === 'EPIPE' ? null : `output: ${err.message}`);
    }
  };

  const channels: Channel[] = [];
  try {
    for (const iface of ifaces) {
      // On `any` the core attributes each packet to the OS interface owning its source (else
      // destination) address, as upstream does (§3.3), given the host's interface table.
      const osInterfaces = iface.name === 'any' ? attributionTable(listInterfaces(), say) : undefined;
      const translator = await createNodeTranslator({ ...translatorOptions, ifaceName: iface.name, ifaceIndex: iface.index, ifaceAddrs: iface.addrs, osInterfaces });
      translator.setSink(sinkGuard);
      channels.push({ iface, translator, engine: null, early: [] });
    }
  } catch (e) {
    if (e instanceof RangeError) { say(`tracecap: ${e.message}\n`); return 1; }
    throw e;
  }

  // --hosts programs per link type, for the addresses in effect (compiled once per change).
  const hostPrograms = new Map<number, BpfProgram[]>();
  const hostsFor = (linktype: number): BpfProgram[] => {
    let p = hostPrograms.get(linktype);
    if (!p) hostPrograms.set(linktype, p = hostsPrograms(o.hosts!.addresses, linktype, snaplen));
    return p;
  };

  // PCAP-over-IP listens before any engine starts: an address that cannot be had costs no capture.
  // A server given by the caller (one stream over several windows, --cron) stays open after.
  let server: PcapOverIpServer | null = o.pcapOverIpServer ?? null;
  if (o.pcapOverIp && !server) {
    server = await servePcapOverIp(o.pcapOverIp, say);
    if (!server) return 2;
  }
  // Packet files, once the engines run (their link types make the files' headers).
  let packetFiles: PacketFiles | null = null;
  // A packet file or the pcap-over-ip stream failed: the capture stops (exit 2), as for the records.
  const tapFailed = (e: unknown) => {
    accepting = false;
    stop(`output: ${(e as Error).message}`);
  };
  // A packet of interface i to the packet files and the stream (the stream never throws).
  const tap = (i: number, p: CapturedPacket) => {
    try { packetFiles?.write(i, p); } catch (e) { tapFailed(e); }
    server?.write(p);
  };

  const translating = o.records ?? true;
  const translate = (i: number, p: CapturedPacket) => {
    if (!accepting) return;
    const ch = channels[i]!;
    tap(i, p);
    if (!translating) return;
    feed(ch.translator, p);
    const err = ch.translator.error;
    if (err) { accepting = false; stop(`${ch.iface.name}: ${err.message}`); }
  };
  // The engines' delivery delay is known only once they run, so the merger reads it then.
  const engines: CaptureEngine[] = [];
  const mergeWait = () => MERGE_WAIT_MS + Math.max(0, ...engines.map((e) => e.maxDelayMs ?? 0));
  const merger = channels.length > 1 ? new Merger(channels.length, translate, mergeWait) : null;
  // On a trigger, packets go to the rings once they exist (runTriggered takes over onPacket).
  const ringMode = Boolean(o.ring);
  // Packet files and the stream need every engine's link type before the first packet: then an
  // interface's packets are held until every engine runs, else only until its own does.
  const holdAll = Boolean(o.packets || server);
  let running = false;
  let late = 0;
  const onPacket = (i: number) => (p: CapturedPacket) => {
    if (o.endsAt !== undefined && p.sec * 1000 + p.nsec / 1e6 >= o.endsAt) { late++; return; }
    const ch = channels[i]!;
    if (!ch.engine || (holdAll && !running) || ringMode) {
      // Not yet known to run, so its link type (the translator's header) is not known either.
      if (ch.early.length < EARLY_MAX) ch.early.push(hold(p));
      else stop(`${ch.iface.name}: more than ${EARLY_MAX} packets arrived before the capture was known to run`);
      return;
    }
    if (merger) merger.add(i, p); else translate(i, p);
  };

  // Signals count from the start: a Ctrl-C while engines open must still stop them (tcpdump
  // runs in its own process group and would not see it).
  const onSignal = () => stop();
  if (o.signals ?? true) { process.on('SIGINT', onSignal); process.on('SIGTERM', onSignal); }
  const onAbort = () => stop();
  if (o.signal) { if (o.signal.aborted) stop(); else o.signal.addEventListener('abort', onAbort, { once: true }); }
  const unlisten = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    o.signal?.removeEventListener('abort', onAbort);
  };

  const stopEngines = () => Promise.all(engines.map((e) => e.stop()));
  // A start that fails: what started stops, one line, the status.
  const abandon = async (line: string, status: number): Promise<number> => {
    await stopEngines();
    merger?.close();
    unlisten();
    if (!o.pcapOverIpServer) await server?.close();
    say(`tracecap: ${line}\n`);
    return status;
  };
  for (let i = 0; i < channels.length && !stopped; i++) {
    const ch = channels[i]!;
    try {
      const engine = await openEngine(kind, { iface: ch.iface, snaplen, promisc: o.promisc ?? true, filter: o.filter ?? '' },
        { onPacket: onPacket(i), onError: (message) => stop(message) });
      engines.push(engine);
      ch.translator.push(pcapGlobalHeader(engine.linktype, snaplen));
      if (o.hosts) ch.translator.setBpf(hostsFor(engine.linktype));
      ch.engine = engine;
      if (!holdAll && !ringMode) for (const p of ch.early.splice(0)) onPacket(i)(p);
    } catch (e) {
      if (e instanceof CaptureStartError) return abandon(e.message, 2);
      if (e instanceof BpfCompileError) return abandon(`--hosts: ${e.message}`, 2);
      throw e;
    }
  }
  // New addresses of --hosts: every translator judges the packets from now on by them.
  const unwatchHosts = o.hosts?.onChange(() => {
    hostPrograms.clear();
    try {
      for (const ch of channels) if (ch.engine) ch.translator.setBpf(hostsFor(ch.engine.linktype));
    } catch (e) {
      if (!(e instanceof BpfCompileError)) throw e;
      stop(`--hosts: ${e.message}`);
    }
  });

  if (!stopped && (o.packets || server)) {
    const sources: PacketSource[] = engines.map((e) => ({ iface: e.iface, linktype: e.linktype, snaplen, resolution: e.resolution ?? 'us', filter: o.filter ?? '' }));
    try {
      if (o.packets) packetFiles = openPacketFiles(o.packets, sources);
      if (server) {
        const linktype = commonLinktype(sources, '--pcap-over-ip', 'choose interfaces of one link type (or one tracecap per interface)');
        server.start(linktype, snaplen, sources.some((s) => s.resolution === 'ns') ? 'ns' : 'us');
      }
    } catch (e) {
      if (e instanceof LinkTypeError) return abandon(e.message, 2);
      if (e instanceof TemplateError) return abandon(e.message, 1);
      throw e;
    }
  }
  const fileTick = packetFiles ? setInterval(() => { try { packetFiles!.tick(); } catch (e) { tapFailed(e); } }, 1000) : null;

  let triggered: TriggeredRun | null = null;
  // With a trigger, the pcap-over-ip stream still gets every packet as captured (merged in time order).
  const liveFeed = ringMode && server && channels.length > 1 ? new Merger(channels.length, (_, p) => server!.write(p), mergeWait) : null;
  if (o.ring && !stopped) {
    const attributed = attributionTable(listInterfaces(), () => {});
    const files = packetFiles;
    triggered = runTriggered(engines, {
      core: await loadCore(), settings: o.ring, sink: sinkGuard,
      translatorOptions: (e) => ({
        ...translatorOptions, ifaceName: e.iface.name, ifaceIndex: e.iface.index, ifaceAddrs: e.iface.addrs,
        osInterfaces: e.iface.name === 'any' ? attributed : undefined,
        bpf: o.hosts ? hostsFor(e.linktype) : undefined,
      }),
      onWindow: (e, w) => {
        say(`${describeWindow(e.iface.name, w)}\n`);
        const i = engines.indexOf(e);
        try {
          if (w.phase === 'start') files?.windowOpened(i); else files?.windowClosed(i);
        } catch (err) { tapFailed(err); }
      },
      onRecord: files ? (e, r) => {
        try { files.write(engines.indexOf(e), ringRecord(r)); } catch (err) { tapFailed(err); }
      } : undefined,
      onError: (m) => say(`tracecap: ${m}\n`),
    });
    if (server) {
      const stream = server;
      engines.forEach((e, i) => {
        const push = e.onPacket;
        e.onPacket = liveFeed ? (p) => { push(p); liveFeed.add(i, p); } : (p) => { push(p); stream.write(p); };
      });
    }
    // Packets that arrived while the engines opened are the rings' first.
    channels.forEach((ch, i) => { for (const p of ch.early.splice(0)) engines[i]!.onPacket(p); });
    void triggered.done.then(() => stop());
  }
  running = true;
  if (!ringMode) channels.forEach((ch, i) => { for (const p of ch.early.splice(0)) onPacket(i)(p); });

  const timer = o.timeoutSecs !== undefined ? setTimeout(() => stop(), o.timeoutSecs * 1000) : null;
  if (!stopped) o.onStarted?.(ifaces, kind);

  try {
    await stopping;
    if (triggered) {
      // Stops the engines (every packet captured goes to its ring) and writes an open window.
      await triggered.stop();
      liveFeed?.release(true);
    } else {
      // Engines deliver what they captured before stopping; those packets still count.
      await stopEngines();
      merger?.release(true);
      // The last records (the sink never throws: sinkGuard turns write errors into a stop).
      for (const ch of channels) if (ch.engine && !ch.translator.error) ch.translator.finish();
    }
  } finally {
    if (timer) clearTimeout(timer);
    if (fileTick) clearInterval(fileTick);
    merger?.close();
    liveFeed?.close();
    unlisten();
    unwatchHosts?.();
  }
  // The last packet files complete, the stream's clients get their last packets.
  try { packetFiles?.close(); } catch (e) { stop(`output: ${(e as Error).message}`); }
  if (!o.pcapOverIpServer) await server?.close();
  if (failure !== null) say(`tracecap: ${failure}\n`);
  if (late > 0) say(`tracecap: ${late} packet${late === 1 ? '' : 's'} stamped after the window's end left out\n`);
  say(summaryLine(engines.map((e) => e.stats())));
  // What the analysis gave up, over every interface (triggered windows report their own).
  if (!triggered) {
    const gaveUp = skipSummary(channels.reduce((a, ch) => addSkips(a, ch.translator.skipped), noSkips()));
    if (gaveUp) say(`tracecap: ${gaveUp}\n`);
  }
  return failure === null ? 0 : 2;
}

/** A ring's record (a nanosecond pcap record, TriggerRingOptions.onRecord) as a packet. */
function ringRecord(r: Uint8Array): CapturedPacket {
  const v = new DataView(r.buffer, r.byteOffset, PCAP_RECORD_HEADER_LEN);
  return { sec: v.getUint32(0, true), nsec: v.getUint32(4, true), len: v.getUint32(12, true), data: r.subarray(PCAP_RECORD_HEADER_LEN) };
}
