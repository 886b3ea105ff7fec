import { instantiateCore, instantiateCoreSync, OptKey, OsIfaceErr, type CoreExports } from './abi.js';
import { CaptureError, ErrCode } from './errors.js';
import { ENTRY_BYTES, NO_PART } from './entry.js';
import { concatBytes } from './bytes.js';
import { readSkips, type SkipCounts } from './skips.js';
import { parseIp } from './ip.js';
import { checkInsn, checkPort, l3Mask, l4Mask, parseCidr, parseSocketPair, tcpFlagMask, type BpfProgram, type SoftwareFilters } from './filter.js';

/** Options of a translator; every one is optional. */
export interface TranslatorOptions {
  /** `info` or `debug` (default `debug`, as pcap-sidecar's sidecar runs). */
  verbosity?: 'info' | 'debug';
  /** Google Cloud project id used in trace names (`projects/<id>/traces/<trace>`). */
  project?: string;
  /** Capture interface name (default: the pcapng if_name, else `any`). */
  ifaceName?: string;
  /** Capture interface index (default: the capture's interface id, 0 for classic pcap). */
  ifaceIndex?: number;
  /** Addresses of the capture interface: a TCP/UDP packet from one of them on a non-ephemeral port is `local`. */
  ifaceAddrs?: string[];
  /** Log name, the `producer` of `logging.googleapis.com/operation` (default `log/tracecap`). */
  logName?: string;
  /** Context id, the start of `logging.googleapis.com/operation.id` (default `tracecap`). */
  id?: string;
  /** Stop after this many records, i.e. packets that passed the filters, like tcpdump -c (default: all). */
  limit?: number;
  /**
   * Serial (`pcap.num`) of the first packet (default 0). For a capture cut from the middle of an
   * interface's traffic, so records keep their real serials; `operation.first` stays on serial 1.
   */
  firstSerial?: number;
  /**
   * Classic BPF programs, one per pcap link type (compile with `tcpdump -ddd`, parse with
   * parseBpfDdd; runtimes/node's compileBpf does both). When given, only packets a program
   * accepts are translated, and a packet of a link type without a program is rejected.
   * Rejected packets write no record but keep their number: `pcap.num` stays the packet's
   * position in the capture (Wireshark's frame number minus one).
   */
  bpf?: BpfProgram[];
  /** pcap-sidecar's software filters (reference §7), applied after decoding and before any analysis. */
  filters?: SoftwareFilters;
  /** Ephemeral port range for `local` (default [32768, 65535]). */
  ephemeral?: [number, number];
  /**
   * What an MPLS payload is when neither its bottom label (explicit null) nor its first nibble
   * (4, 6) says IP: `'ethernet'` takes it for an Ethernet pseudowire (RFC 4448; after the control
   * word when the first nibble is 0) and decodes the frame; `'none'` (the default) leaves it
   * undecoded, as the label's meaning is signalled, not in the packet. Applies to MPLS on the
   * link (EtherType 0x8847/0x8848, PPP, link type 219) and in tunnels (MPLS in IP, in UDP).
   */
  mplsPseudowire?: 'ethernet' | 'none';
  /** TCP connections tracked at DEBUG (default and maximum 24576); the least recently seen is evicted beyond. */
  maxFlows?: number;
  /** Bytes of an HTTP/1 message head reassembled per direction (256..16384, default 16384). */
  maxHeadBytes?: number;
  /**
   * Smaller pools for the DEBUG analysis than the core's (each shared out between its 8
   * connection parts, rounded up; default and maximum: README "Limits"): exchanges held at
   * once, head buffers, sample buffers and HPACK tables. For a host with little memory, or to
   * see what the analysis does when a pool runs out.
   */
  pools?: { exchanges?: number; headBuffers?: number; sampleBuffers?: number; hpackTables?: number };
  /**
   * The OS interfaces and their addresses, as pcap-sidecar lists them when it captures on `any`
   * (at most 64 interfaces, 16 addresses each, names of 1 to 64 bytes). When the interface name
   * in effect is `any`, each packet with L3 or ARP is attributed to the interface owning its
   * source address, else its destination address: the message prefix `@<index>/<name>` and the
   * DEBUG `iface` object name that interface. Labels, the operation id, `meta.flow`, `flow` and
   * `local` keep the capture interface. An address listed on several interfaces belongs to the last.
   */
  osInterfaces?: OsInterface[];
}

/** An OS network interface for `osInterfaces`: kernel index, name, IPv4/IPv6 addresses as text. */
export interface OsInterface { index: number; name: string; addrs: string[] }

/** Source of the core: wasm bytes, or an already compiled module (Cloudflare Workers forbid compiling bytes). */
export type CoreSource = BufferSource | WebAssembly.Module;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Translates one capture (pcap or pcapng) into NDJSON records, chunk by chunk. */
export class Translator {
  readonly #core: CoreExports;
  #error: CaptureError | null = null;
  #finished = false;

  /** Use createTranslator(). */
  constructor(core: CoreExports, options: TranslatorOptions) {
    this.#core = core;
    configure(core, options);
  }

  /** The capture's error, once one was found (records before it were returned). */
  get error(): CaptureError | null { return this.#error; }

  /** Packets read so far. */
  get packets(): number { return this.#core.packets(); }

  /** The core's reason text for an error code (ErrCode), as a CaptureError of this translator would give it. */
  reason(code: number): string { return reasonText(this.#core, code); }

  /** Records written so far: the packets read that passed the filters. */
  get records(): number { return this.#core.recordsWritten(); }

  /** What the DEBUG analysis gave up so far in this capture, by reason (README "Output": `skipped`). */
  get skipped(): SkipCounts { return readSkips(this.#core); }

  /**
   * Numbers the next packet `n` (`pcap.num`), for a host that had to leave packets of a live
   * stream out between two push() calls; records already returned keep their numbers.
   */
  setNextSerial(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('serial must be a non-negative integer');
    this.#core.setSerial(n);
  }

  /**
   * Feeds the next chunk of the capture (any size) and returns the NDJSON bytes of the records
   * it completed. After a capture error it returns what came before the damage, sets `error`,
   * and ignores further input.
   */
  push(chunk: Uint8Array): Uint8Array {
    const core = this.#core;
    const out: Uint8Array[] = this.#takePending();
    if (this.#finished) throw new Error('push() after finish()');
    let off = 0;
    while (off < chunk.length && !this.#error) {
      const n = Math.min(core.inCap(), chunk.length - off);
      new Uint8Array(core.memory.buffer, core.inPtr(), n).set(chunk.subarray(off, off + n));
      off += n;
      this.#step(core.push(n), out);
    }
    this.#drain(out);
    return concatBytes(out);
  }

  /**
   * Zero-copy input: calls `read` with a view of the core's free input space, which it fills
   * (from a file descriptor, say) and returns the number of bytes it wrote; those bytes are
   * then translated like push(). Returns that number (0: nothing was read). Output goes to the
   * sink (setSink) or is returned by the next push()/finish().
   */
  pushFrom(read: (space: Uint8Array) => number): number {
    const core = this.#core;
    if (this.#finished) throw new Error('pushFrom() after finish()');
    if (this.#error) return 0;
    const n = read(new Uint8Array(core.memory.buffer, core.inPtr(), core.inCap()));
    if (n > 0) {
      const out: Uint8Array[] = [];
      this.#step(core.push(n), out);
      this.#drain(out);
      for (const part of out) this.#pending.push(part);
    }
    return n;
  }

  #pending: Uint8Array[] = [];

  /** Ends the input; returns the last records. Sets `error` if the capture was truncated or empty. */
  finish(): Uint8Array {
    const out: Uint8Array[] = this.#takePending();
    if (!this.#finished && !this.#error) {
      this.#finished = true;
      this.#step(this.#core.finish(), out);
    }
    this.#finished = true;
    this.#drain(out);
    return concatBytes(out);
  }

  /**
   * A WHATWG stream pair over this translator (use with pipeThrough): capture bytes in, NDJSON
   * bytes out. After a capture error the readable side first delivers every record before the
   * damage, then errors with the CaptureError; the writable side rejects further input.
   * (A TransformStream cannot do this: erroring it discards chunks not yet read.)
   */
  stream(): ReadableWritablePair<Uint8Array, Uint8Array> {
    const queue: Uint8Array[] = [];
    let failure: unknown = null;
    let ended = false;
    let wakeReader: (() => void) | null = null;
    let wakeWriter: (() => void) | null = null;
    const notifyReader = () => { const w = wakeReader; wakeReader = null; if (w) w(); };
    const notifyWriter = () => { const w = wakeWriter; wakeWriter = null; if (w) w(); };
    const readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (queue.length === 0 && failure === null && !ended) await new Promise<void>((r) => { wakeReader = r; });
        const next = queue.shift();
        if (next) { controller.enqueue(next); notifyWriter(); return; }
        if (failure !== null) controller.error(failure); else controller.close();
      },
      cancel: (reason) => { ended = true; failure ??= reason; queue.length = 0; notifyWriter(); },
    }, { highWaterMark: 0 });
    const writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (failure !== null) throw failure;
        const out = this.push(chunk);
        if (out.length) queue.push(out);
        if (this.#error) failure = this.#error;
        notifyReader();
        if (failure !== null) throw failure;
        // Backpressure: hold the writer while two outputs wait to be read.
        while (queue.length > 2 && !ended) await new Promise<void>((r) => { wakeWriter = r; });
      },
      close: () => {
        const out = this.finish();
        if (out.length) queue.push(out);
        if (this.#error) failure = this.#error;
        ended = true;
        notifyReader();
      },
      abort: (reason) => { failure ??= reason; ended = true; notifyReader(); },
    });
    return { readable, writable };
  }

  // Follows a status from push/resume/finish: drains on OUTPUT_FULL, records errors.
  #step(status: number, out: Uint8Array[]): void {
    const core = this.#core;
    while (status === ErrCode.OUTPUT_FULL) {
      this.#drain(out);
      status = core.resume();
    }
    if (status !== ErrCode.OK) {
      this.#error = new CaptureError(status, reasonText(core, status), core.errOffset(), core.errPacket());
    }
  }

  #takePending(): Uint8Array[] {
    const p = this.#pending;
    if (p.length === 0) return [];
    this.#pending = [];
    return p;
  }

  #drain(out: Uint8Array[]): void {
    const core = this.#core;
    const len = core.outLen();
    if (len === 0) return;
    if (this.#markSink) this.#markSink(new Uint8Array(core.memory.buffer, core.markPtr(), core.markCount() * MARK_BYTES), core.markCount());
    if (this.#indexSink) {
      const count = core.idxCount();
      this.#indexSink(new Uint8Array(core.memory.buffer, core.idxPtr(), count * ENTRY_BYTES), count);
    }
    const view = new Uint8Array(core.memory.buffer, core.outPtr(), len);
    if (this.#sink) this.#sink(view); else out.push(view.slice());
    core.outReset();
  }

  #sink: ((view: Uint8Array) => void) | null = null;
  #markSink: ((marks: Uint8Array, count: number) => void) | null = null;

  /**
   * Makes this translator thread `index` of `count` of a parallel run (src/parallel.ts): it
   * reads the whole capture but writes only its own records — a TCP connection's at DEBUG
   * always in the same thread, other packets in blocks of consecutive serials. Set it before
   * the first chunk; merging the threads' records by serial gives exactly one thread's output.
   */
  setShard(index: number, count: number): void {
    const max = this.#core.maxShards();
    if (!Number.isInteger(count) || count < 1 || count > max) throw new RangeError(`threads must be an integer from 1 to ${max}`);
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`shard index must be an integer from 0 to ${count - 1}`);
    this.#core.setShard(index, count);
  }

  /**
   * Writes only the records of packets numbered `from` to `to` (pcap.num, inclusive) from now
   * on; every packet is still read and analysed, so those records are exactly the bytes a whole
   * run writes for them. With setShard(part, maxShards) for a TCP packet's connection part (its
   * index entry's PART), re-rendering one record reads the capture but analyses little else: a
   * host that keeps no records (the browser app) renders one again this way.
   */
  setRenderRange(from: number, to: number): void {
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && to >= from)) throw new RangeError('render range must be whole numbers with 0 ≤ from ≤ to');
    this.#core.setRenderRange(from, to);
  }

  /**
   * `n` output windows (src/shard.ts; at most the core's maxWindows(), 4): after each batch
   * reaches the sink the core renders on in the next window, so a batch's bytes, marks and
   * index entries stay readable in the core's memory for the next n − 1 batches. Set it before
   * the first chunk.
   */
  useWindows(n: number): void {
    const max = this.#core.maxWindows();
    if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`windows must be an integer from 1 to ${max}`);
    this.#core.setWindows(n);
  }

  /** Whether the record index is on (setIndexSink). */
  get indexing(): boolean { return this.#indexSink !== null; }

  /** The core's memory (shared memory for tracecap-shared.wasm). */
  get memory(): WebAssembly.Memory { return this.#core.memory; }

  /** Most threads of a parallel run (the core's connection parts). */
  get maxShards(): number { return this.#core.maxShards(); }

  /**
   * The thread of a `threads`-thread parallel run that writes the record with this index
   * entry's PART and serial (src/entry.ts): the connection part's for a TCP packet analysed at
   * DEBUG, else its block of serials'.
   */
  shardOf(part: number, serial: number, threads: number): number {
    return part !== NO_PART ? part % threads : Math.floor(serial / this.#core.shardBlock()) % threads;
  }

  /**
   * The core's whole state at this point of the capture — its memory and its globals — to be
   * resumed by restore() in a new translator, in this process or another: the core is
   * deterministic, so the resumed run writes exactly the bytes this one would have. Needs the
   * module with its globals exported (build/tracecap-snap.wasm, scripts/export-state.mjs).
   * `memory` is a view into the core's memory, valid until the next call into this translator;
   * call it between chunks, with every record taken (not after an error or finish()).
   */
  checkpoint(): Checkpoint {
    if (this.#finished || this.#error) throw new Error('checkpoint() after the capture ended or failed');
    if (this.#pending.length > 0) throw new Error('checkpoint() with records not yet taken (push() returns them)');
    const globals = stateGlobals(this.#core);
    const memory = new Uint8Array(this.#core.memory.buffer);
    const state = new Uint8Array(CHECKPOINT_HEAD + 8 * globals.length);
    const dv = new DataView(state.buffer);
    dv.setUint32(0, CHECKPOINT_MAGIC, true);
    dv.setUint32(4, CHECKPOINT_VERSION, true);
    dv.setUint32(8, globals.length, true);
    dv.setFloat64(16, memory.length, true);
    globals.forEach((g, i) => {
      const v: unknown = g.value;
      if (typeof v === 'bigint') dv.setBigInt64(CHECKPOINT_HEAD + 8 * i, v, true);
      else dv.setFloat64(CHECKPOINT_HEAD + 8 * i, v as number, true);
    });
    return { state, memory };
  }

  /**
   * Resumes a checkpoint() in this new translator (made from the same module with the same
   * options, nothing pushed yet): sets the core's globals, grows its memory to the
   * checkpoint's size and returns a view of all of it, which the caller fills with the
   * checkpoint's memory bytes (from a stream, say) before anything else is called.
   */
  restore(state: Uint8Array): Uint8Array {
    if (this.#finished || this.#error || this.packets > 0) throw new Error('restore() into a translator that already read a capture');
    const dv = new DataView(state.buffer, state.byteOffset, state.byteLength);
    if (state.length < CHECKPOINT_HEAD || dv.getUint32(0, true) !== CHECKPOINT_MAGIC || dv.getUint32(4, true) !== CHECKPOINT_VERSION) {
      throw new Error('not a checkpoint of this core (magic or version)');
    }
    const globals = stateGlobals(this.#core);
    const count = dv.getUint32(8, true);
    const bytes = dv.getFloat64(16, true);
    if (count !== globals.length || state.length !== CHECKPOINT_HEAD + 8 * count) throw new Error(`a checkpoint of another build of the core (${count} globals, this one has ${globals.length})`);
    const memory = this.#core.memory;
    if (bytes % 65536 !== 0 || bytes < memory.buffer.byteLength) throw new Error(`checkpoint memory of ${bytes} bytes is not this core's`);
    memory.grow((bytes - memory.buffer.byteLength) / 65536);
    globals.forEach((g, i) => {
      if (typeof g.value === 'bigint') g.value = dv.getBigInt64(CHECKPOINT_HEAD + 8 * i, true);
      else g.value = dv.getFloat64(CHECKPOINT_HEAD + 8 * i, true);
    });
    return new Uint8Array(memory.buffer);
  }

  /** Serial of the next packet: every packet numbered below it is rendered, filtered out, or another thread's. */
  get nextSerial(): number { return this.#core.nextSerial(); }

  /**
   * Turns on record marks: before each batch of NDJSON is returned or sent to the sink, `sink`
   * receives one MARK_BYTES mark per record in order (f64 serial, u32 length in bytes), as a
   * view into the core's memory valid only during the call. Set it before the first chunk.
   */
  setMarkSink(sink: ((marks: Uint8Array, count: number) => void) | null): void {
    if (this.#core.markBytes() !== MARK_BYTES) throw new Error('tracecap core and host disagree on the mark size');
    this.#markSink = sink;
    this.#core.setMarks(sink ? 1 : 0);
  }

  #indexSink: ((entries: Uint8Array, count: number) => void) | null = null;

  /**
   * Turns on the record index (src/entry.ts): before each batch of NDJSON is returned or sent
   * to the sink, `sink` receives the index entries of its records, one per record in order, as
   * a view into the core's memory valid only during the call. Set it before the first chunk.
   */
  setIndexSink(sink: ((entries: Uint8Array, count: number) => void) | null): void {
    if (this.#core.idxEntryBytes() !== ENTRY_BYTES) throw new Error('tracecap core and host disagree on the index entry size');
    this.#indexSink = sink;
    this.#core.setIndexing(sink ? 1 : 0);
  }

  /**
   * Sends output to `sink` instead of returning it: push() and finish() then return empty
   * arrays and `sink` receives views into the core's memory, valid only during the call (no
   * copy). For hosts that write synchronously, such as a CLI writing to a file descriptor.
   */
  setSink(sink: ((view: Uint8Array) => void) | null): void { this.#sink = sink; }

  /**
   * Replaces the BPF programs (TranslatorOptions.bpf; none or [] removes them) between two
   * chunks: the packets pushed from now on are judged by the new ones. For a filter that
   * changes while capturing, such as the CLI's --hosts when a name's addresses change.
   * Throws RangeError for a bad program (the previous ones are then gone: no filter).
   */
  setBpf(programs: BpfProgram[] | undefined): void {
    this.#core.clearBpf();
    if (programs !== undefined && programs.length > 0) configureBpf(this.#core, programs);
  }
}

/** Bytes of one record mark (Translator.setMarkSink): f64 serial at 0, u32 record length at 8. */
export const MARK_BYTES = 16;


function setString(core: CoreExports, key: number, value: string, what: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > core.optCap()) throw new RangeError(`${what} is longer than ${core.optCap()} bytes`);
  new Uint8Array(core.memory.buffer, core.optScratch(), bytes.length).set(bytes);
  core.setOption(key, bytes.length);
}

function configure(core: CoreExports, o: TranslatorOptions): void {
  const v = o.verbosity ?? 'debug';
  if (v !== 'info' && v !== 'debug') throw new RangeError(`verbosity must be "info" or "debug", not ${JSON.stringify(v)}`);
  core.setVerbosity(v === 'info' ? 0 : 1);
  setString(core, OptKey.PROJECT, o.project ?? '', 'project');
  setString(core, OptKey.LOG_NAME, o.logName ?? 'log/tracecap', 'logName');
  setString(core, OptKey.ID, o.id ?? 'tracecap', 'id');
  if (o.ifaceName !== undefined) setString(core, OptKey.IFACE_NAME, o.ifaceName, 'ifaceName');
  if (o.ifaceIndex !== undefined) {
    if (!Number.isInteger(o.ifaceIndex) || o.ifaceIndex < 0 || o.ifaceIndex > 0x7fffffff) throw new RangeError('ifaceIndex must be a non-negative integer');
    core.setIfaceIndex(o.ifaceIndex);
  }
  for (const a of o.ifaceAddrs ?? []) {
    const bytes = parseIp(a);
    if (!bytes) throw new RangeError(`not an IP address: ${JSON.stringify(a)}`);
    new Uint8Array(core.memory.buffer, core.optScratch(), bytes.length).set(bytes);
    if (!core.addAddr(bytes.length)) throw new RangeError('too many interface addresses (limit 64)');
  }
  if (o.limit !== undefined) {
    if (!Number.isInteger(o.limit) || o.limit < 0) throw new RangeError('limit must be a non-negative integer');
    core.setLimit(o.limit);
  }
  if (o.firstSerial !== undefined) {
    if (!Number.isSafeInteger(o.firstSerial) || o.firstSerial < 0) throw new RangeError('firstSerial must be a non-negative integer');
    core.setSerial(o.firstSerial);
  }
  if (o.ephemeral) core.setEphemeral(o.ephemeral[0], o.ephemeral[1]);
  if (o.mplsPseudowire !== undefined) {
    if (o.mplsPseudowire !== 'ethernet' && o.mplsPseudowire !== 'none') throw new RangeError(`mplsPseudowire must be "ethernet" or "none", not ${JSON.stringify(o.mplsPseudowire)}`);
    core.setMplsPseudowire(o.mplsPseudowire === 'ethernet' ? 1 : 0);
  }
  if (o.maxFlows !== undefined) {
    if (!Number.isInteger(o.maxFlows) || o.maxFlows < 1) throw new RangeError('maxFlows must be a positive integer');
    core.setMaxFlows(o.maxFlows);
  }
  if (o.maxHeadBytes !== undefined) {
    if (!Number.isInteger(o.maxHeadBytes) || o.maxHeadBytes < 256 || o.maxHeadBytes > 16384) throw new RangeError('maxHeadBytes must be an integer from 256 to 16384');
    core.setMaxHead(o.maxHeadBytes);
  }
  if (o.pools !== undefined) {
    const p = o.pools;
    const cap = (v: number | undefined, what: string) => {
      if (v === undefined) return 0;
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`pools.${what} must be a positive integer`);
      return v;
    };
    core.setPoolCaps(cap(p.exchanges, 'exchanges'), cap(p.headBuffers, 'headBuffers'), cap(p.sampleBuffers, 'sampleBuffers'), cap(p.hpackTables, 'hpackTables'));
  }
  if (o.osInterfaces !== undefined) setOsInterfaces(core, o.osInterfaces);
  if (o.bpf !== undefined) configureBpf(core, o.bpf);
  if (o.filters !== undefined) configureFilters(core, o.filters);
}

// The core checks the table's bounds (assembly/config.ts) and answers with an OsIfaceErr.
const OS_IFACE_ERRORS: Record<number, string> = {
  [OsIfaceErr.FULL]: 'too many OS interfaces (limit 64)',
  [OsIfaceErr.BAD_INDEX]: 'index must be a non-negative integer',
  [OsIfaceErr.BAD_NAME]: 'name must be 1 to 64 bytes of UTF-8',
  [OsIfaceErr.ADDRS_FULL]: 'has more than 16 distinct addresses',
};

function setOsInterfaces(core: CoreExports, list: readonly OsInterface[]): void {
  if (!Array.isArray(list)) throw new RangeError('osInterfaces must be an array');
  const scratch = () => new Uint8Array(core.memory.buffer, core.optScratch(), core.optCap());
  const check = (r: number, what: string) => {
    if (r !== OsIfaceErr.OK) throw new RangeError(`${what}: ${OS_IFACE_ERRORS[r] ?? `refused (${r})`}`);
  };
  list.forEach((it, i) => {
    const what = `osInterfaces[${i}]`;
    if (typeof it !== 'object' || it === null) throw new RangeError(`${what} must be an object`);
    if (!Number.isInteger(it.index) || it.index < 0 || it.index > 0x7fffffff) throw new RangeError(`${what}: ${OS_IFACE_ERRORS[OsIfaceErr.BAD_INDEX]}`);
    if (typeof it.name !== 'string') throw new RangeError(`${what}: ${OS_IFACE_ERRORS[OsIfaceErr.BAD_NAME]}`);
    if (!Array.isArray(it.addrs)) throw new RangeError(`${what}.addrs must be an array of IP addresses`);
    const name = encoder.encode(it.name);
    if (name.length > core.optCap()) throw new RangeError(`${what}: ${OS_IFACE_ERRORS[OsIfaceErr.BAD_NAME]}`);
    scratch().set(name);
    check(core.addOsIface(it.index, name.length), what);
    for (const a of it.addrs) {
      const bytes = typeof a === 'string' ? parseIp(a) : null;
      if (!bytes) throw new RangeError(`${what}: not an IP address: ${JSON.stringify(a)}`);
      scratch().set(bytes);
      check(core.addOsIfaceAddr(bytes.length), what);
    }
  });
}

function configureBpf(core: CoreExports, programs: BpfProgram[]): void {
  if (!Array.isArray(programs)) throw new RangeError('bpf must be an array of {linktype, program}');
  for (const { linktype, program } of programs) {
    if (!Number.isInteger(linktype) || linktype < 0 || linktype > 0xffff) throw new RangeError(`bpf linktype must be an integer from 0 to 65535, not ${JSON.stringify(linktype)}`);
    if (!Array.isArray(program) || program.length === 0 || program.length > core.bpfCap()) {
      throw new RangeError(`BPF program for link type ${linktype} must have 1 to ${core.bpfCap()} instructions`);
    }
    const view = new DataView(core.memory.buffer, core.bpfScratch(), program.length * 8);
    program.forEach((insn, i) => {
      checkInsn(insn, i);
      // struct sock_filter, little-endian like wasm memory.
      view.setUint16(i * 8, insn.code, true);
      view.setUint8(i * 8 + 2, insn.jt);
      view.setUint8(i * 8 + 3, insn.jf);
      view.setUint32(i * 8 + 4, insn.k >>> 0, true);
    });
    const status = core.setBpf(linktype, program.length);
    if (status !== ErrCode.OK) {
      const at = core.bpfBadInsn();
      throw new RangeError(`BPF program for link type ${linktype}: ${reasonText(core, status)}${at >= 0 ? ` (instruction ${at})` : ''}`);
    }
  }
}

function configureFilters(core: CoreExports, f: SoftwareFilters): void {
  const scratch = (bytes: Uint8Array, at = 0) => new Uint8Array(core.memory.buffer, core.optScratch() + at, bytes.length).set(bytes);
  if (f.l3?.length) core.filterL3(l3Mask(f.l3));
  if (f.l4?.length) core.filterL4(l4Mask(f.l4));
  if (f.tcpFlags?.length) core.filterTcpFlags(tcpFlagMask(f.tcpFlags));
  for (const p of f.ports ?? []) core.filterPort(checkPort(p, 'ports'), 0);
  for (const p of f.denyPorts ?? []) core.filterPort(checkPort(p, 'denyPorts'), 1);
  for (const n of f.nets ?? []) {
    const { bytes, bits } = parseCidr(n);
    scratch(bytes);
    if (!core.filterNet(bytes.length, bits)) throw new RangeError('too many networks (limit 256)');
  }
  for (const s of f.denySockets ?? []) {
    const { a, portA, b, portB } = parseSocketPair(s);
    scratch(a); scratch(b, a.length);
    if (!core.filterDenySocket(a.length, portA, portB)) throw new RangeError('too many denied sockets (limit 256)');
  }
}

function reasonText(core: CoreExports, code: number): string {
  const len = core.errReason(code);
  // A copy: TextDecoder refuses views of shared memory (the threads' core, src/shard.ts).
  return decoder.decode(new Uint8Array(core.memory.buffer, core.optScratch(), len).slice());
}

/** Creates a translator from the core's wasm bytes or compiled module. */
export async function createTranslator(source: CoreSource, options: TranslatorOptions = {}): Promise<Translator> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  return new Translator(await instantiateCore(module), options);
}

/**
 * Creates a translator from a compiled module without awaiting (Node and workers; browsers may
 * refuse synchronous instantiation on their main thread). Throws RangeError for bad options.
 */
export function createTranslatorSync(module: WebAssembly.Module, options: TranslatorOptions = {}): Translator {
  return new Translator(instantiateCoreSync(module), options);
}

/** A core's state between two chunks (Translator.checkpoint()): `state` small, `memory` the core's memory. */
export interface Checkpoint { state: Uint8Array; memory: Uint8Array }

const CHECKPOINT_MAGIC = 0x504b4354; // "TCKP"
const CHECKPOINT_VERSION = 1;
/** Magic, version, globals, padding, memory bytes (f64); then 8 bytes a global. */
const CHECKPOINT_HEAD = 24;

/** The core's mutable globals in module order (g0, g1, … of build/tracecap-snap.wasm). */
function stateGlobals(core: CoreExports): WebAssembly.Global[] {
  const exports = core as unknown as Record<string, unknown>;
  const out: WebAssembly.Global[] = [];
  for (let i = 0; exports[`g${i}`] instanceof WebAssembly.Global; i++) out.push(exports[`g${i}`] as WebAssembly.Global);
  if (out.length === 0) throw new Error('this core cannot be checkpointed: use build/tracecap-snap.wasm (its globals exported)');
  return out;
}
