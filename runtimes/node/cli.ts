// The tracecap command line: translate a capture file or standard input, or capture live on
// interfaces (-i), to NDJSON on standard output or rotating files. The options are read in
// args.ts; this file runs the command.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { createNodeTranslator } from './core.js';
import { createNodeParallelTranslator, defaultThreads } from './parallel.js';
import { compileBpf, captureLinkTypesIn, fileHead, isPcapng, headShowsLinkTypes, BpfCompileError, COMMON_LINKTYPES } from './bpf.js';
import type { BpfProgram } from '../../src/filter.js';
import { CaptureError, ErrCode, skipSummary, type SkipCounts } from '../../src/index.js';
import { MAX_MERGE_FILES, type MergeFailure } from '../../src/merge.js';
import { expandInputs, openMerged, InputError } from './inputs.js';
import { parseCommandLine, UsageError, type AppCommand, type Command, type FileCommand, type LiveCommand, type OutputSpec } from './args.js';
import { createFdSink, openFileOutput, createFinisher, OutputError, TemplateError, type Sink, type FileOutput, type Finisher, type PcapOverIpServer } from './output/index.js';
import { runLive, servePcapOverIp, type LiveOptions } from './live.js';
import { watchHosts, type HostWatch } from './hosts.js';
import { localTime } from './schedule.js';
import { createServer, type Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import { serveApp, AppServerError } from './app.js';
import { otlpOutput } from './otlp.js';
import { basename } from 'node:path';
// For bin/tracecap.js, which loads this bundle only: the sidecar's environment as arguments.
export { sidecarCommand, EnvError } from './env.js';

const USAGE = `usage: tracecap [options] [FILE|-] [FILE ...] [EXPRESSION]
       tracecap [options] -r FILE [-r FILE ...] [EXPRESSION]
       tracecap -i IFACE [-i IFACE ...] [options] [EXPRESSION]
       tracecap app [--port N] [--host ADDR] [FILE ...]
Reads a pcap or pcapng capture (a file, or standard input for - or no FILE), or captures live
on network interfaces (-i), and writes one JSON record per packet (NDJSON), in the format
pcap-sidecar writes to Cloud Logging. EXPRESSION is a tcpdump filter (pcap-filter(7), compiled
by the machine's libpcap): only the packets it matches get a record, and each record keeps its
packet's number (pcap.num).
Several capture files are one capture, merged by time stamp as mergecap merges them (rotated
files, one capture per node), numbered as one, each record naming its file ("file"). A FILE may
be a directory (its pcap and pcapng files) or a quoted pattern ('logs/*.pcap'). The words after
the first FILE that name captures are FILEs too; the EXPRESSION starts at the first that does not.

  -r FILE                  read this capture (repeatable; then every other word is the EXPRESSION)
  --verbosity info|debug   record detail (default: debug)
  --project ID             Google Cloud project for trace names (default: $PROJECT_ID)
  -c N                     stop after N records (packets that passed the filters)
  --threads N|auto         translate on N threads, connections split between them, records
                           merged in order: the same bytes as one thread (default auto: the
                           machine's cores up to 8, one thread for files under 4 MiB)
  --format ndjson|otlp     what is written: the records (default), or OpenTelemetry spans in
                           OTLP/JSON, one TracesData per line, a span per HTTP exchange
  --otlp-endpoint URL      also POST the spans to an OTLP/HTTP receiver (URL ending in
                           /v1/traces, or a base URL it is appended to); exit 2 if some
                           were not delivered
  --otlp-batch N           spans per line / request (default 256)
  --otlp-queue N           requests waiting for the endpoint at once (default 64); when full,
                           more are dropped, said on stderr and counted
  --iface NAME             capture interface name (default: pcapng if_name, else "any")
  --iface-index N          capture interface index (default: the capture's interface id)
  --iface-addr ADDR        an address of the capture interface (repeatable); marks "local"
  --log-name NAME          log name, the operation's producer (default: log/tracecap)
  --id ID                  context id, prefix of the operation id (default: tracecap)
  -h, --help               show this help

Live capture (Linux, as root or with CAP_NET_RAW):
  -i IFACE                 an interface name, any, or a prefix ending in * ('eth*'); repeatable
  -s SNAPLEN               bytes captured per packet (default and 0: 262144)
  -p                       do not put the interface into promiscuous mode
  --timeout SECS           stop after SECS seconds (also: Ctrl-C, SIGTERM, -c N); with --cron,
                           the length of each window
  --engine libpcap|tcpdump capture engine (default: libpcap when the pcap package loads and
                           the process may capture, else tcpdump)
  --cron EXPR              capture only in windows starting on this cron schedule (5 fields, or
                           6 with seconds first; @hourly, @every 90s ...), in --tz (default UTC)
  --hosts LIST             only packets to or from these hosts (names or addresses; repeatable),
                           resolved at start and every --hosts-every SECS (default 60)
  --hc-port N              accept TCP connections on port N once the capture runs (a startup probe)
  --pcap-w TEMPLATE        also write the packets to capture files named by TEMPLATE (as -w;
                           {iface} and {ifindex}: one set of files per interface), rotated by
                           -G, -C and -W as -w's files are
  --pcap-format pcap|pcapng the files' format (default pcap)
  --pcap-over-ip ADDR:PORT serve the packets as a pcap stream to every TCP client that connects
  --no-records             write only the packets (--pcap-w, --pcap-over-ip): no records, nothing
                           translated

Software filters (pcap-sidecar's; a packet must pass all of them, after any EXPRESSION):
  --l3 LIST                ip4, ip6, arp: IPv4/IPv6 packets of other versions are dropped
                           (packets without IPv4/IPv6, such as ARP, always pass this one)
  --l4 LIST                tcp, udp, icmp, icmp6: TCP/UDP not listed is dropped (ICMP never)
  --net CIDR               both IPv4 (or IPv6) ends inside this network (repeatable)
  --ports LIST             TCP/UDP with one of these ports only
  --deny-ports LIST        no TCP/UDP with one of these ports
  --tcp-flags LIST         TCP with one of these flags only (SYN,ACK,PSH,FIN,RST,URG,ECE,CWR)
  --deny-socket IP:PORT-IP:PORT
                           not this connection, either direction; IPv6 as [ADDR]:PORT (repeatable)

Writing files (default: standard output):
  -w TEMPLATE              write to files named by TEMPLATE (strftime %Y %m %d %H %M %S %j %s %z %%),
                           each under a temporary name until it is complete
  -G SECS                  start a new file every SECS seconds
  -C MB                    start a new file before one would pass MB million bytes
  -W N                     keep at most N files (the oldest is deleted)
  --tee                    also write standard output
  --tz ZONE                time zone of the file names and of --cron (default UTC)
  --gzip                   compress each complete file (-w, --pcap-w) to NAME.gz
  --move-to DIR            move each complete (and compressed) file into DIR (a mounted bucket)

Capture on a trigger (with -i): keep the last packets in memory, write them when triggered:
  --ring SECS              keep the last SECS seconds of packets
  --ring-mb MB             keep at most MB MiB of packets per interface (default 64)
  --after SECS             keep writing SECS seconds after a trigger (default 5)
  --trigger-file FILE      follow FILE (like tail -F) for lines matching --trigger-regex RE
  --trigger-regex RE       (SIGUSR1 always triggers)
  --max-triggers N         stop after N windows

The browser app (tracecap app): serves the viewer on this machine and prints its URL (one line
on standard output); with FILE, the URL opens that capture (with several, as one capture).
Ctrl-C or SIGTERM stops it (exit 0).
(A capture file named app: tracecap ./app, or -r app.)
  --port N                 TCP port (default 8080; 0: any free port)
  --host ADDR              address to listen on (default 127.0.0.1; another one serves FILE to
                           everyone who can reach it)
  --root DIR               serve the app from DIR instead of the packaged build/app (development)

Exit status: 0 success (for a live capture or the app: stopped as asked); 1 usage error, or
the app cannot start (its port is in use, FILE is missing, the app is not built); 2 the input is
not a capture or is damaged (every record before the damage is written, then one line on
standard error; a damaged file of several: the others are read to their end, one line for each
damaged one), the EXPRESSION does not compile, a capture cannot start, or the output
cannot be written; with --otlp-endpoint, spans that were not delivered (one line says how many).
`;


// The programs for an expression, for the link types the capture shows in its first bytes (each
// file's, when several are merged); those must compile. A pcapng capture may define interfaces
// later, a capture may show none, and bytes that are no capture (which the translator then
// reports) show nothing, so then the common link types are added, leaving out those libpcap
// cannot filter with this expression.
function programsFor(expression: string, heads: readonly Uint8Array[]): BpfProgram[] {
  const each = heads.map((h) => captureLinkTypesIn(h));
  const shown = [...new Set(each.flatMap((t) => t ?? []))];
  const programs = shown.length ? compileBpf(expression, shown) : [];
  if (programs.length && !heads.some(isPcapng) && each.every((t) => t?.length)) return programs;
  const rest = COMMON_LINKTYPES.filter((t) => !shown.includes(t));
  try {
    programs.push(...compileBpf(expression, rest, 262144, { skipRejected: true }));
  } catch (e) {
    if (!programs.length) throw e;
  }
  return programs;
}

// Reports a file that cannot be opened; the exit status, or null for any other error.
function fileError(e: unknown, name: string): number | null {
  if (e instanceof OutputError) return null; // the output's, reported by main()
  const err = e as NodeJS.ErrnoException;
  if (err.code !== 'ENOENT' && err.code !== 'EACCES' && err.code !== 'EISDIR') return null;
  process.stderr.write(`tracecap: ${err.path ?? name}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : 'is a directory'}\n`);
  return 2;
}

/** Bytes of a capture file read between two turns of the event loop (where a Ctrl-C is seen). */
const FILE_YIELD_BYTES = 8 << 20;

/** Opens the output of a command: standard output, or the -w files (with --tee), finished by `finisher` (--gzip, --move-to). */
function openOutput(spec: OutputSpec, finisher: Finisher | null): Sink & Partial<Pick<FileOutput, 'tick'>> {
  if (!spec.records) return discard();
  return spec.file ? openFileOutput({ ...spec.file, finisher: finisher?.output(spec.file.maxFiles) }) : createFdSink(1);
}

/** --no-records: no records are made, so standard output stays untouched. */
function discard(): Sink {
  return { write() {}, flush() {}, close() {}, bytes: 0 };
}

// One line for an output that cannot be written; a reader that went away (EPIPE) is no error.
function outputFailure(e: unknown): number | null {
  if (!(e instanceof OutputError)) return null;
  if (e.code === 'EPIPE') return 0;
  process.stderr.write(`tracecap: ${e.message}\n`);
  return 2;
}

/** Runs the CLI with the given arguments; resolves to the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv, env);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`tracecap: ${e.message}\n${USAGE}`); return 1; }
    throw e;
  }
  if (command.kind === 'help') { process.stdout.write(USAGE); return 0; }
  if (command.kind === 'app') return app(command);
  // Complete files are compressed and moved in the background; the exit waits for the last.
  const { gzip, moveTo } = command.output;
  const finisher = gzip || moveTo !== null ? createFinisher({ gzip, moveTo, onError: (line) => { process.stderr.write(line); } }) : null;
  let out: ReturnType<typeof openOutput>;
  try {
    out = openOutput(command.output, finisher);
  } catch (e) {
    if (e instanceof TemplateError) { process.stderr.write(`tracecap: ${e.message}\n`); return 1; }
    const code = outputFailure(e);
    if (code !== null) return code;
    throw e;
  }
  try {
    const status = command.kind === 'live' ? await live(command, out, finisher) : await translate(command, out);
    out.close();
    return status;
  } catch (e) {
    try { out.close(); } catch { /* the first failure is the one to report */ }
    const code = outputFailure(e);
    if (code !== null) return code;
    throw e;
  } finally {
    await finisher?.drain();
  }
}

/** Serves the browser app (runtimes/node/app.ts) until Ctrl-C or SIGTERM; prints only its URL on standard output. */
async function app(c: AppCommand): Promise<number> {
  let server;
  try {
    // Several files (a directory's, a pattern's) are one capture, merged by the app.
    const files = expandInputs(c.files);
    if (files.length > MAX_MERGE_FILES) throw new AppServerError(`${files.length} capture files to merge: at most ${MAX_MERGE_FILES}`);
    server = await serveApp({ port: c.port, host: c.host, files, ...(c.root === null ? {} : { root: c.root }) });
  } catch (e) {
    if (e instanceof AppServerError || e instanceof InputError) { process.stderr.write(`tracecap: ${e.message}\n`); return 1; }
    throw e;
  }
  if (!/^(127\.|::1$|localhost$)/.test(c.host)) process.stderr.write(`tracecap: listening on ${c.host}: reachable from other machines${c.files.length ? `, with ${c.files.join(', ')}` : ''}\n`);
  // The handlers are in place before the URL is out: whoever reads it may stop us at once. A
  // second Ctrl-C while closing finds no handler and ends the process the default way.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.stdout.write(`${server.url}\n`);
  await stopped;
  await server.close();
  return 0;
}

/** Captures live (runtimes/node/live.ts) into the output; with -G the files also rotate while idle. */
async function live(c: LiveCommand, out: ReturnType<typeof openOutput>, finisher: Finisher | null): Promise<number> {
  const say = (line: string) => { process.stderr.write(line); };
  const tick = out.tick ? setInterval(() => out.tick!(), 1000) : null;
  let hosts: HostWatch | null = null;
  const probe = c.hcPort === undefined ? null : startupProbe(c.hcPort);
  try {
    if (c.hosts.length) {
      hosts = await watchHosts(c.hosts, { everySecs: c.hostsEverySecs, say });
      const show = (a: readonly string[]) => (a.length ? a.join(', ') : 'no address');
      say(`tracecap: --hosts: ${show(hosts.addresses)} (resolved again every ${c.hostsEverySecs} s)\n`);
      hosts.onChange((a) => say(`tracecap: --hosts: now ${show(a)}\n`));
    }
    const base: LiveOptions = {
      ...c.options, ifaces: c.ifaces, engine: c.engine, snaplen: c.snaplen, promisc: c.promisc,
      filter: c.expression, sink: (view) => out.write(view), hosts, records: c.output.records,
      packets: c.output.packets && { ...c.output.packets, finisher }, pcapOverIp: c.output.pcapOverIp,
      // As tcpdump's "listening on": a user (or a script) sees when packets start to count.
      onStarted: (ifaces, engine) => { say(`tracecap: listening on ${ifaces.map((i) => i.name).join(', ')} (${engine})\n`); },
    };
    if (c.schedule) return await scheduled(c, base, probe, say);
    const stop = new AbortController();
    probe?.failed.then(() => stop.abort());
    const status = await runLive({
      ...base, count: c.count, timeoutSecs: c.timeoutSecs, ring: c.ring, signal: stop.signal,
      onStarted: (ifaces, engine) => { base.onStarted!(ifaces, engine); probe?.open(); },
    });
    return probe?.error ? 2 : status;
  } finally {
    if (tick) clearInterval(tick);
    hosts?.close();
    await probe?.close();
  }
}

/** The startup probe's port (--hc-port): closed until open(), then accepting connections (and closing them) until close(). */
interface StartupProbe {
  open(): void;
  close(): Promise<void>;
  /** Settles (resolves) if the port cannot be opened; `error` then holds the line said. */
  readonly failed: Promise<void>;
  readonly error: string | null;
}

function startupProbe(port: number): StartupProbe {
  let server: Server | null = null;
  let fail!: () => void;
  const failed = new Promise<void>((r) => { fail = r; });
  const probe = {
    error: null as string | null,
    failed,
    open() {
      if (server) return;
      server = createServer((socket) => { socket.on('error', () => {}); socket.end(); });
      server.on('error', (e: NodeJS.ErrnoException) => {
        probe.error = `--hc-port ${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.message}`;
        process.stderr.write(`tracecap: ${probe.error}\n`);
        fail();
      });
      // Every address, as pcap-sidecar's listener (":PORT"): a probe may come from outside the container.
      server.listen({ port });
    },
    close() {
      const s = server;
      server = null;
      return new Promise<void>((r) => { if (s?.listening) s.close(() => r()); else r(); });
    },
  };
  return probe;
}

/** Waits `ms` (in steps a timer can hold) or until `cancelled` settles. */
function sleep(ms: number, cancelled: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let t: NodeJS.Timeout;
    const step = (left: number) => {
      if (left <= 0) { resolve(); return; }
      t = setTimeout(() => step(left - 86_400_000), Math.min(left, 86_400_000));
    };
    step(ms);
    void cancelled.then(() => { clearTimeout(t); resolve(); });
  });
}

/**
 * --cron: a live capture in windows that start on the schedule (in --tz) and last --timeout
 * seconds each, as pcap-sidecar's PCAP_USE_CRON runs tcpdumpw: between windows nothing is
 * captured. A start that comes while a window is still open is skipped (gocron's singleton
 * mode); each window is a fresh capture (pcap.num from 0) whose context id and log name get
 * `/exe/<uuid>`. The startup probe opens with the scheduler, before the first window.
 */
async function scheduled(c: LiveCommand, base: LiveOptions, probe: StartupProbe | null, say: (line: string) => void): Promise<number> {
  const schedule = c.schedule!;
  const secs = c.timeoutSecs;
  let stopped = false;
  let current: AbortController | null = null;
  let wake!: () => void;
  const stopping = new Promise<void>((r) => { wake = r; });
  const onSignal = () => { stopped = true; current?.abort(); wake(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void probe?.failed.then(onSignal);
  // One PCAP-over-IP stream for every window: clients stay connected between windows.
  let server: PcapOverIpServer | null = null;
  try {
    if (base.pcapOverIp) {
      server = await servePcapOverIp(base.pcapOverIp, say);
      if (!server) return 2;
    }
    probe?.open();
    if (secs === undefined) say('tracecap: --cron without --timeout: the first window lasts until tracecap is stopped\n');
    const at = (ms: number) => localTime(ms, schedule.tz);
    let after = Date.now();
    for (let n = 1; !stopped; n++) {
      let start = schedule.next(after);
      // A window whose whole span passed while the previous one drained is skipped.
      if (start !== null && secs !== undefined && start + secs * 1000 <= Date.now()) start = schedule.next(Date.now());
      if (start === null) { say(`tracecap: --cron ${JSON.stringify(schedule.expression)}: no further window\n`); break; }
      say(`tracecap: next capture window at ${at(start)}\n`);
      await sleep(start - Date.now(), stopping);
      if (stopped) break;
      const end = secs === undefined ? null : start + secs * 1000;
      const window = new AbortController();
      current = window;
      const timer = end === null ? null : setTimeout(() => window.abort(), Math.max(0, end - Date.now()));
      say(`tracecap: capture window ${n}: ${at(start)} to ${end === null ? 'the stop' : at(end)}\n`);
      const exe = randomUUID();
      const status = await runLive({
        ...base, signals: false, signal: window.signal, pcapOverIp: null, pcapOverIpServer: server, endsAt: end ?? undefined,
        id: `${base.id ?? 'tracecap'}/exe/${exe}`, logName: `${base.logName ?? 'log/tracecap'}/exe/${exe}`,
      });
      if (timer) clearTimeout(timer);
      current = null;
      say(`tracecap: capture window ${n} closed\n`);
      if (status !== 0) return status;
      if (end === null) break;
      after = end - 1;
    }
    return probe?.error ? 2 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server?.close();
  }
}

/** Files smaller than this are translated on one thread by default: starting threads costs more than they save. */
export const PARALLEL_MIN_BYTES = 4 << 20;

function fileSize(path: string): number {
  try { return statSync(path).size; } catch { return 0; } // the open below reports it
}

/** Bytes of each merged file's start read for the link types an expression is compiled for. */
const MERGED_HEAD_BYTES = 64 << 10;

/**
 * A capture file, or several merged into one (src/merge.ts), read synchronously: `read` fills
 * the space it is given and says how many bytes; `failures` are the merged files found damaged.
 */
interface FileInput { read(space: Uint8Array): number; close(): void; failures(): readonly MergeFailure[] }

function openInput(paths: readonly string[]): FileInput {
  if (paths.length > 1) {
    const m = openMerged(paths);
    // Failures name the file as the command line did (the merger knows base names).
    return { read: (space) => m.merger.readSync(space), close: () => m.close(), failures: () => m.merger.failures.map((f) => ({ ...f, name: paths[f.file]! })) };
  }
  const fd = openSync(paths[0]!, 'r');
  return { read: (space) => readSync(fd, space, 0, space.length, null), close: () => closeSync(fd), failures: () => [] };
}

// An expression that does not compile and starts with what looks like a file name: most likely
// a capture file that is not there (only words naming captures are taken for files).
function fileHint(expression: string): string {
  const word = expression.trim().split(/\s+/)[0] ?? '';
  return /[/*?]|\.(pcapng|pcap|cap)$/i.test(word) ? ` (${word} names no capture file here)` : '';
}

/** Translates a capture file, several merged, or standard input into the output. */
/** translate(), its records made into spans when --format otlp / --otlp-endpoint ask for them (runtimes/node/otlp.ts). */
async function translate(c: FileCommand, out: ReturnType<typeof openOutput>): Promise<number> {
  if (c.otlp === null) return translateRecords(c, out);
  let files: string[] = [];
  try { files = c.input === '-' ? [] : expandInputs(c.inputs).map((p) => basename(p)); } catch { /* translateRecords says what is wrong */ }
  const o = otlpOutput(out, c.otlp, { resource: files.length ? { 'tracecap.capture.files': files } : {} }, (line) => { process.stderr.write(line); });
  const status = await translateRecords(c, o.sink);
  const sent = await o.finish();
  return status !== 0 ? status : sent;
}

async function translateRecords(c: FileCommand, out: Sink & Partial<Pick<FileOutput, 'tick'>>): Promise<number> {
  let paths: string[];
  try {
    paths = c.input === '-' ? ['-'] : expandInputs(c.inputs);
  } catch (e) {
    if (e instanceof InputError) { process.stderr.write(`tracecap: ${e.message}\n`); return 2; }
    throw e;
  }
  if (paths.length > MAX_MERGE_FILES) { process.stderr.write(`tracecap: ${paths.length} capture files to merge: at most ${MAX_MERGE_FILES}\n`); return 1; }
  const merged = paths.length > 1;
  const name = c.input === '-' ? '<stdin>' : merged ? `${paths[0]} and ${paths.length - 1} more` : paths[0]!;
  // Standard input: its first bytes tell the link types the expression is compiled for.
  const stdin = c.input === '-' ? process.stdin[Symbol.asyncIterator]() : null;
  let head = new Uint8Array(0);
  let stdinDone = false;
  if (c.expression.trim() !== '') {
    try {
      if (stdin) {
        while (!headShowsLinkTypes(head)) {
          const r = await stdin.next();
          if (r.done) { stdinDone = true; break; }
          head = Buffer.concat([head, r.value as Uint8Array]);
        }
      }
      c.options.bpf = programsFor(c.expression, stdin ? [head] : paths.map((p) => fileHead(p, merged ? MERGED_HEAD_BYTES : undefined)));
    } catch (e) {
      if (e instanceof BpfCompileError) { process.stderr.write(`tracecap: ${e.message}${fileHint(c.expression)}\n`); return 2; }
      const code = fileError(e, name);
      if (code !== null) return code;
      throw e;
    }
  }
  const size = stdin ? 0 : paths.reduce((n, p) => n + fileSize(p), 0);
  const threads = c.threads === 'auto' ? (stdin || size >= PARALLEL_MIN_BYTES ? defaultThreads() : 1) : c.threads;
  if (threads > 1) return translateParallel(c, out, threads, name, stdin, head, stdinDone, paths);
  let translator;
  try {
    translator = await createNodeTranslator(c.options);
  } catch (e) {
    if (e instanceof RangeError) { process.stderr.write(`tracecap: ${e.message}\n`); return 1; }
    throw e;
  }
  const limited = () => translator.error !== null || (c.options.limit !== undefined && translator.records >= c.options.limit);
  // Output goes straight from the core's memory to the sink: no copy, no queue.
  translator.setSink((view) => out.write(view));
  // A stop (Ctrl-C, SIGTERM) ends the input where it is: every record so far is written and the
  // files closed. Standard input is read between events anyway (say tcpdump -w - | tracecap was
  // interrupted: exit 0, the stream simply ended); a file is read synchronously, handing the
  // event loop a turn every FILE_YIELD_BYTES so the signal is seen (exit 130, as interrupted).
  const stop = watchStop(stdin !== null, out);
  let failures: readonly MergeFailure[] = [];
  try {
    if (stdin) {
      if (head.length) translator.push(head);
      while (!stdinDone && !limited() && !stop.stopped) {
        const r = await stdin.next();
        if (r.done) { stdinDone = true; break; }
        translator.push(r.value as Uint8Array);
      }
      if (!stdinDone) await stdin.return?.();
    } else {
      const input = openInput(paths);
      try {
        // The file (the merged stream) is read straight into the core's input space: no copy on the way in.
        let sinceYield = 0;
        for (let n; (n = translator.pushFrom((space) => input.read(space))) > 0;) {
          if (limited()) break;
          if ((sinceYield += n) >= FILE_YIELD_BYTES) {
            sinceYield = 0;
            await new Promise<void>((resolve) => setImmediate(resolve));
            if (stop.stopped) break;
          }
        }
        failures = input.failures();
      } finally { input.close(); }
    }
    if (!translator.error) translator.finish();
  } catch (e) {
    const code = fileError(e, name);
    if (code !== null) return code;
    throw e;
  } finally {
    stop.release();
  }
  return outcome(translator, name, stop.stopped, stdin !== null, failures, (code) => translator.reason(code));
}

/**
 * Watches for a stop while a capture file or standard input is translated. A stop (Ctrl-C,
 * SIGTERM) ends the input where it is: every record so far is written and the files closed.
 * Standard input may go quiet (tcpdump -w - on an idle link): with -G the file whose interval is
 * over completes then, as in a live capture, not at the next record.
 */
function watchStop(stdin: boolean, out: ReturnType<typeof openOutput>): { readonly stopped: boolean; release(): void } {
  const state = { stopped: false, release };
  const onSignal = () => { state.stopped = true; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tick = stdin && out.tick ? setInterval(() => out.tick!(), 1000) : null;
  function release(): void {
    if (tick) clearInterval(tick);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return state;
}

/**
 * The exit status of a translation, and its lines on standard error: what the analysis gave up,
 * if anything, then each merged file found damaged (its packets before the damage were merged,
 * the other files read to their end), then the error or interruption.
 */
function outcome(t: { error: CaptureError | null; packets: number; skipped: SkipCounts }, name: string, stopped: boolean, stdin: boolean,
  failures: readonly MergeFailure[] = [], reason: (code: number) => string = () => ''): number {
  const gaveUp = skipSummary(t.skipped);
  if (gaveUp) process.stderr.write(`tracecap: ${name}: ${gaveUp}\n`);
  for (const f of failures) process.stderr.write(`tracecap: ${f.name}: ${new CaptureError(f.code, reason(f.code), f.offset, f.packets).message}\n`);
  const err = t.error;
  // Stopped mid-record: the capture was cut by the stop, not damaged.
  if (err && !(stopped && err.code === ErrCode.TRUNCATED)) {
    process.stderr.write(`tracecap: ${name}: ${err.message}\n`);
    return 2;
  }
  if (failures.length > 0) return 2;
  if (stopped && !stdin) { process.stderr.write(`tracecap: ${name}: interrupted after ${t.packets} packets\n`); return 130; }
  return 0;
}

/**
 * translate() on several threads (src/parallel.ts): the same records, the same exit statuses
 * and messages. Input goes to the threads in chunks; output comes back merged, in order.
 */
async function translateParallel(c: FileCommand, out: ReturnType<typeof openOutput>, threads: number, name: string,
  stdin: AsyncIterator<unknown> | null, head: Uint8Array, stdinDone: boolean, paths: readonly string[]): Promise<number> {
  let translator;
  try {
    translator = await createNodeParallelTranslator({ ...c.options, threads });
  } catch (e) {
    if (e instanceof RangeError) { process.stderr.write(`tracecap: ${e.message}\n`); return 1; }
    throw e;
  }
  translator.setSink((view) => out.write(view));
  // Standard output takes the records where the threads wrote them (writev), uncopied.
  if (out.writev) translator.setVectorSink((views, total) => out.writev!(views, total));
  const stop = watchStop(stdin !== null, out);
  let failures: readonly MergeFailure[] = [];
  try {
    if (stdin) {
      if (head.length) await translator.push(head);
      while (!stdinDone && !translator.done && !stop.stopped) {
        const r = await stdin.next();
        if (r.done) { stdinDone = true; break; }
        await translator.push(r.value as Uint8Array);
      }
      if (!stdinDone) await stdin.return?.();
    } else {
      // Merged files are merged once, here: every thread reads the one merged stream.
      const input = openInput(paths);
      try {
        // Read straight into the input every thread reads: no copy on the way in.
        while (!translator.done && !stop.stopped) {
          if (await translator.pushFrom((space) => input.read(space)) === 0) break;
        }
        failures = input.failures();
      } finally { input.close(); }
    }
    await translator.finish();
  } catch (e) {
    const code = fileError(e, name);
    if (code !== null) return code;
    throw e;
  } finally {
    translator.close();
    stop.release();
  }
  // The reason texts are the core's: a translator of this thread gives them.
  const reason = failures.length ? await createNodeTranslator().then((t) => (code: number) => t.reason(code)) : undefined;
  return outcome(translator, name, stop.stopped, stdin !== null, failures, reason);
}
