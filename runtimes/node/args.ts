// The CLI's command line: one table of options read by Node's util.parseArgs (strict, so an
// unknown option or a missing value is an error, not a guess), then checked and turned into
// one of three commands: translate a capture (a file or standard input), capture live, or serve
// the browser app (`tracecap app`).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { l3Mask, l4Mask, parseCidr, parsePortList, parseSocketPair, tcpFlagMask, type SoftwareFilters } from '../../src/filter.js';
import { parseIp } from '../../src/ip.js';
import type { TranslatorOptions } from '../../src/index.js';
import { MAX_THREADS } from '../../src/parallel.js';
import {
  parseMaxFiles, parseRotateMegabytes, parseRotateSecs, checkTimeZone, compileTemplate, checkPacketTemplate, perInterface, parseListenAddress,
  TemplateError, IFACE_PLACEHOLDERS, type FileOutputOptions, type PacketFilesOptions, type ListenAddress,
} from './output/index.js';
import { ringSettings, type RingSettings } from './triggered.js';
import { parseSchedule, ScheduleError, type Schedule } from './schedule.js';
import { badHostName, DEFAULT_RESOLVE_SECS, MAX_HOSTS } from './hosts.js';
import type { EngineKind } from './capture/index.js';
import { namesCaptures } from './inputs.js';
import type { OtlpSpec } from './otlp.js';
import { OTLP_SPANS_PER_LINE } from '../../src/otlp.js';
import { OTLP_QUEUE_BATCHES, tracesUrl } from '../../src/otlpexport.js';

/** A command line that cannot be run: one line for standard error, exit status 1. */
export class UsageError extends Error {}

/** Where the records go (standard output, or rotating files: -w and its options), and the packets (live). */
export interface OutputSpec {
  /** -w and the rotation flags; null: standard output. */
  file: Omit<FileOutputOptions, 'now' | 'mode' | 'finisher'> | null;
  /** --pcap-w, --pcap-format and the rotation flags (live only); null: no packet files. */
  packets: Omit<PacketFilesOptions, 'now' | 'mode' | 'finisher'> | null;
  /** --gzip: complete files (-w and --pcap-w) are compressed to NAME.gz. */
  gzip: boolean;
  /** --move-to: complete files are moved into this directory; null: they stay. */
  moveTo: string | null;
  /** --pcap-over-ip (live only): where the packets are served as a pcap stream; null: not served. */
  pcapOverIp: ListenAddress | null;
  /** False with --no-records (live only): only the packets are written (--pcap-w, --pcap-over-ip); nothing is translated. */
  records: boolean;
}

/** Translate a capture file or standard input, or several capture files merged into one capture. */
export interface FileCommand {
  kind: 'file';
  /** Path, or '-' for standard input: the first of `inputs`. */
  input: string;
  /**
   * Every input word: files, directories (their capture files) and patterns the shell did not
   * expand (runtimes/node/inputs.ts expandInputs); several files are merged by time stamp.
   */
  inputs: string[];
  /** The BPF expression (tcpdump syntax), '' for none. */
  expression: string;
  options: TranslatorOptions;
  output: OutputSpec;
  /** --threads: a number, or 'auto' (the machine's cores up to 8, one thread for a small file). */
  threads: number | 'auto';
  /** --format otlp / --otlp-endpoint: spans instead of (or besides) the records; null: records only. */
  otlp: OtlpSpec | null;
}

/** Capture live on interfaces. */
export interface LiveCommand {
  kind: 'live';
  ifaces: string[];
  engine?: EngineKind;
  snaplen: number;
  promisc: boolean;
  count?: number;
  timeoutSecs?: number;
  expression: string;
  options: TranslatorOptions;
  ring: RingSettings | null;
  output: OutputSpec;
  /** --cron (with --tz): capture only in windows starting on this schedule, each timeoutSecs long. */
  schedule: Schedule | null;
  /** --hc-port: a TCP port that accepts connections while the capture runs (a startup probe's). */
  hcPort?: number;
  /** --hosts: only packets to or from these hosts' addresses, resolved every hostsEverySecs. */
  hosts: string[];
  hostsEverySecs: number;
}

/** Serve the browser app (`tracecap app`), with a capture file to open or none. */
export interface AppCommand {
  kind: 'app';
  port: number;
  host: string;
  /** The capture to serve and open, or null. */
  file: string | null;
  /** Every capture word (files, directories, patterns): several files are opened as one capture. */
  files: string[];
  /** The app's directory (--root, for development); null: the packaged build/app. */
  root: string | null;
}

/** What the command line asks for. */
export type Command = FileCommand | LiveCommand | AppCommand | { kind: 'help' };

// Every option of the CLI, in one place. Values are read as strings and checked below, so each
// error can name the option and the value.
export const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  r: { type: 'string', short: 'r', multiple: true },
  w: { type: 'string', short: 'w' },
  verbosity: { type: 'string' },
  project: { type: 'string' },
  c: { type: 'string', short: 'c' },
  iface: { type: 'string' },
  'iface-index': { type: 'string' },
  'iface-addr': { type: 'string', multiple: true },
  'log-name': { type: 'string' },
  id: { type: 'string' },
  threads: { type: 'string' },
  // span output
  format: { type: 'string' },
  'otlp-endpoint': { type: 'string' },
  'otlp-batch': { type: 'string' },
  'otlp-queue': { type: 'string' },
  // filters
  l3: { type: 'string', multiple: true },
  l4: { type: 'string', multiple: true },
  net: { type: 'string', multiple: true },
  ports: { type: 'string', multiple: true },
  'deny-ports': { type: 'string', multiple: true },
  'tcp-flags': { type: 'string', multiple: true },
  'deny-socket': { type: 'string', multiple: true },
  // live capture
  i: { type: 'string', short: 'i', multiple: true },
  s: { type: 'string', short: 's' },
  p: { type: 'boolean', short: 'p' },
  timeout: { type: 'string' },
  engine: { type: 'string' },
  cron: { type: 'string' },
  'hc-port': { type: 'string' },
  hosts: { type: 'string', multiple: true },
  'hosts-every': { type: 'string' },
  // writing files
  G: { type: 'string', short: 'G' },
  C: { type: 'string', short: 'C' },
  W: { type: 'string', short: 'W' },
  tee: { type: 'boolean' },
  tz: { type: 'string' },
  gzip: { type: 'boolean' },
  'move-to': { type: 'string' },
  // packets (live capture)
  'pcap-w': { type: 'string' },
  'pcap-format': { type: 'string' },
  'pcap-over-ip': { type: 'string' },
  'no-records': { type: 'boolean' },
  // capture on a trigger
  ring: { type: 'string' },
  'ring-mb': { type: 'string' },
  after: { type: 'string' },
  'max-triggers': { type: 'string' },
  'trigger-file': { type: 'string' },
  'trigger-regex': { type: 'string' },
  // tracecap app
  port: { type: 'string' },
  host: { type: 'string' },
  root: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Options of `tracecap app`, which takes no other (but --help). */
const APP_ONLY = ['port', 'host', 'root'] as const;
/** Options that only make sense when capturing live. */
export const LIVE_ONLY = ['s', 'p', 'timeout', 'engine', 'cron', 'hc-port', 'hosts', 'hosts-every', 'ring', 'ring-mb', 'after', 'max-triggers', 'trigger-file', 'trigger-regex', 'pcap-w', 'pcap-format', 'pcap-over-ip', 'no-records'] as const;
/** Options that describe a capture file's interface; live, the OS tells them. */
const FILE_ONLY = ['r', 'iface', 'iface-index', 'iface-addr', 'threads'] as const;
/** The span output's options: spans are made from a capture file's records (not live yet). */
const OTLP_OPTIONS = ['format', 'otlp-endpoint', 'otlp-batch', 'otlp-queue'] as const;
/** Most spans per OTLP line (--otlp-batch) and batches queued (--otlp-queue) the command line accepts. */
const MAX_OTLP_BATCH = 8192;
const MAX_OTLP_QUEUE = 4096;

const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
const list = (vs: readonly string[] | undefined): string[] => (vs ?? []).flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');

function int(name: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`${flag(name)} needs ${min > 0 ? 'a positive' : 'a non-negative'} integer, not ${JSON.stringify(v)}`);
  }
  return Number(v);
}

function seconds(name: string, v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || !(Number(v) > 0)) throw new UsageError(`${flag(name)} needs a positive number of seconds, not ${JSON.stringify(v)}`);
  return Number(v);
}

// parseArgs' messages are several sentences with advice for programmers, and name a short
// option as "-r, --r <value>": one line naming the flag as the usage writes it.
function parseError(e: Error & { code?: string }, argv: readonly string[]): string {
  const first = e.message.split('\n')[0]!;
  const missing = /^Option '(-\w|--[\w-]+)(?:, --[\w-]+)?(?: <value>)?' argument missing/.exec(first);
  if (missing) return `${missing[1]} needs a value`;
  const boolean = /^Option '(?:-\w, )?(-\w|--[\w-]+)' does not take an argument/.exec(first);
  if (boolean) return `${boolean[1]} takes no value`;
  const ambiguous = /^Option '(-\w|--[\w-]+)' argument is ambiguous/.exec(first);
  if (ambiguous) {
    const next = argv[argv.indexOf(ambiguous[1]!) + 1];
    return `${ambiguous[1]} needs a value${next === undefined ? '' : `, not the option ${next}`}`;
  }
  return first.replace(/\. To specify .*$/, '').replace(/\.$/, '');
}

/** Long name of an option token (`-s` → `s`, `--timeout` → `timeout`), or null. */
function optionName(token: string): string | null {
  if (/^-\w$/.test(token)) return Object.entries(OPTIONS).find(([, o]) => (o as { short?: string }).short === token[1])?.[0] ?? null;
  if (/^--[\w-]+$/.test(token)) return token.slice(2) in OPTIONS ? token.slice(2) : null;
  return null;
}

/**
 * A value that looks like a negative number (`-s -1`, `--timeout -5`) is the option's value, so
 * that its check names the option and the value; parseArgs would take it for an option.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    const name = optionName(a);
    const next = argv[i + 1];
    if (name !== null && OPTIONS[name as keyof typeof OPTIONS].type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** The long name of every option of the command line (for tests that walk them all). */
export const OPTION_NAMES: readonly string[] = Object.keys(OPTIONS);

/** Longest option string the core takes (project, id, log name, interface name: assembly/config.ts). */
export const MAX_OPTION_BYTES = 1024;
/** Most interface addresses the core takes (--iface-addr). */
export const MAX_IFACE_ADDRS = 64;
/** Most networks (--net) and denied sockets (--deny-socket) the core takes. */
export const MAX_FILTER_ENTRIES = 256;

// Runs a check of src/filter.ts on a flag's value; its RangeError becomes a usage error naming the flag.
function checked<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`${flag(name)}: ${e.message}`);
    throw e;
  }
}

// Checks what the core would refuse, so that the error names the flag (the core's RangeError cannot).
function checkFilters(f: SoftwareFilters): void {
  if (f.l3) checked('l3', () => l3Mask(f.l3!));
  if (f.l4) checked('l4', () => l4Mask(f.l4!));
  if (f.tcpFlags) checked('tcp-flags', () => tcpFlagMask(f.tcpFlags!));
  for (const n of f.nets ?? []) checked('net', () => parseCidr(n));
  if ((f.nets?.length ?? 0) > MAX_FILTER_ENTRIES) throw new UsageError(`--net: more than ${MAX_FILTER_ENTRIES} networks`);
  for (const s of f.denySockets ?? []) checked('deny-socket', () => parseSocketPair(s));
  if ((f.denySockets?.length ?? 0) > MAX_FILTER_ENTRIES) throw new UsageError(`--deny-socket: more than ${MAX_FILTER_ENTRIES} socket pairs`);
}

function checkString(name: string, v: string | undefined): void {
  if (v !== undefined && Buffer.byteLength(v) > MAX_OPTION_BYTES) throw new UsageError(`${flag(name)} is longer than ${MAX_OPTION_BYTES} bytes`);
}

// --format, --otlp-endpoint, --otlp-batch, --otlp-queue → the span output, or null for records only.
function otlpSpec(v: { format?: string; 'otlp-endpoint'?: string; 'otlp-batch'?: string; 'otlp-queue'?: string }, options: TranslatorOptions): OtlpSpec | null {
  const format = v.format?.toLowerCase() ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'otlp') throw new UsageError(`--format must be ndjson or otlp, not ${JSON.stringify(v.format)}`);
  const endpoint = v['otlp-endpoint'] ?? null;
  if (format === 'ndjson' && endpoint === null) {
    for (const n of ['otlp-batch', 'otlp-queue'] as const) if (v[n] !== undefined) throw new UsageError(`${flag(n)} needs --format otlp or --otlp-endpoint`);
    return null;
  }
  if (options.verbosity === 'info') throw new UsageError('spans (--format otlp, --otlp-endpoint) are made from the DEBUG records: not with --verbosity info');
  if (endpoint !== null) {
    checkString('otlp-endpoint', endpoint);
    try { tracesUrl(endpoint); } catch (e) { throw new UsageError(`--otlp-endpoint: ${(e as Error).message}`); }
  }
  const spansPerLine = v['otlp-batch'] === undefined ? OTLP_SPANS_PER_LINE : int('otlp-batch', v['otlp-batch'], 1);
  if (spansPerLine > MAX_OTLP_BATCH) throw new UsageError(`--otlp-batch must be at most ${MAX_OTLP_BATCH}, not ${spansPerLine}`);
  if (v['otlp-queue'] !== undefined && endpoint === null) throw new UsageError('--otlp-queue needs --otlp-endpoint');
  const queueBatches = v['otlp-queue'] === undefined ? OTLP_QUEUE_BATCHES : int('otlp-queue', v['otlp-queue'], 1);
  if (queueBatches > MAX_OTLP_QUEUE) throw new UsageError(`--otlp-queue must be at most ${MAX_OTLP_QUEUE}, not ${queueBatches}`);
  return { lines: format === 'otlp', endpoint, spansPerLine, queueBatches };
}

/**
 * Reads the command line (and $PROJECT_ID); throws UsageError with one line. `isInputWord`
 * says whether a word after the first input names captures (default: it does on this file system).
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv, isInputWord: (word: string) => boolean = namesCaptures): Command {
  // A subcommand only as the first word: `tracecap -r app` (or ./app) still reads a file named app.
  const app = argv[0] === 'app';
  if (app) argv = argv.slice(1);
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(parseError(e as Error, argv));
  }
  // parseArgs keeps the last of a repeated single-valued option; a repeat is more likely a mistake.
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || (OPTIONS[t.name as keyof typeof OPTIONS] as { multiple?: boolean }).multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`${flag(t.name)} is given more than once`);
    seen.add(t.name);
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  const words = [...parsed.positionals];
  const given = (names: readonly string[]) => names.filter((n) => (v as Record<string, unknown>)[n] !== undefined);
  if (app) return appCommand(v, words);
  const appOnly = given(APP_ONLY);
  if (appOnly.length) throw new UsageError(`${flag(appOnly[0]!)} is for \`tracecap app\``);
  const live = v.i !== undefined;

  if (live) {
    const otlp = given(OTLP_OPTIONS);
    if (otlp.length) throw new UsageError(`${flag(otlp[0]!)} is for reading a capture file (spans are not made from a live capture yet)`);
    const wrong = given(FILE_ONLY);
    if (wrong.length) throw new UsageError(`${flag(wrong[0]!)} is for reading a capture; with -i the interface comes from the OS`);
  } else {
    const wrong = given(LIVE_ONLY);
    if (wrong.length) throw new UsageError(`${flag(wrong[0]!)} needs -i (live capture)`);
  }

  const options: TranslatorOptions = { project: v.project ?? env.PROJECT_ID ?? '' };
  if (v.verbosity !== undefined) {
    const verbosity = v.verbosity.toLowerCase();
    if (verbosity !== 'info' && verbosity !== 'debug') throw new UsageError(`--verbosity must be info or debug, not ${JSON.stringify(v.verbosity)}`);
    options.verbosity = verbosity;
  }
  const count = v.c === undefined ? undefined : int('c', v.c, 1);
  for (const name of ['project', 'iface', 'log-name', 'id'] as const) checkString(name, v[name]);
  if (v.iface !== undefined) options.ifaceName = v.iface;
  if (v['iface-index'] !== undefined) {
    options.ifaceIndex = int('iface-index', v['iface-index']);
    if (options.ifaceIndex > 0x7fffffff) throw new UsageError(`--iface-index must be at most ${0x7fffffff}, not ${options.ifaceIndex}`);
  }
  if (v['iface-addr']?.length) {
    for (const a of v['iface-addr']) if (!parseIp(a)) throw new UsageError(`--iface-addr: not an IP address: ${JSON.stringify(a)}`);
    if (v['iface-addr'].length > MAX_IFACE_ADDRS) throw new UsageError(`--iface-addr: more than ${MAX_IFACE_ADDRS} addresses`);
    options.ifaceAddrs = v['iface-addr'];
  }
  if (v['log-name'] !== undefined) options.logName = v['log-name'];
  if (v.id !== undefined) options.id = v.id;

  const filters: SoftwareFilters = {};
  const ports = (name: 'ports' | 'deny-ports'): number[] => {
    try {
      return (v[name] ?? []).flatMap((s) => parsePortList(s));
    } catch (e) { throw new UsageError(`${flag(name)}: ${(e as Error).message}`); }
  };
  if (v.l3) filters.l3 = list(v.l3);
  if (v.l4) filters.l4 = list(v.l4);
  if (v.net) filters.nets = list(v.net);
  if (v.ports) filters.ports = ports('ports');
  if (v['deny-ports']) filters.denyPorts = ports('deny-ports');
  if (v['tcp-flags']) filters.tcpFlags = list(v['tcp-flags']);
  if (v['deny-socket']) filters.denySockets = v['deny-socket'];
  checkFilters(filters);
  if (Object.keys(filters).length) options.filters = filters;

  const output = outputSpec(v, v.cron !== undefined);

  if (!live) {
    // tcpdump's convention: with -r (repeatable) every word is the expression; else the first
    // word is the input, and so is each next one that names captures (a capture file, a
    // directory of them, a pattern matching them): the expression starts at the first that does not.
    const inputs = v.r ?? [words.shift() ?? '-'];
    if (v.r === undefined && inputs[0] !== '-') while (words.length > 0 && isInputWord(words[0]!)) inputs.push(words.shift()!);
    if (inputs.length > 1 && inputs.includes('-')) throw new UsageError('standard input (-) cannot be merged with files');
    const input = inputs[0]!;
    if (count !== undefined) options.limit = count;
    let threads: number | 'auto' = 'auto';
    if (v.threads !== undefined && v.threads !== 'auto') {
      threads = int('threads', v.threads, 1);
      if (threads > MAX_THREADS) throw new UsageError(`--threads must be at most ${MAX_THREADS}, not ${threads}`);
    }
    return { kind: 'file', input, inputs, expression: words.join(' '), options, output, threads, otlp: otlpSpec(v, options) };
  }

  let engine: EngineKind | undefined;
  if (v.engine !== undefined) {
    if (v.engine !== 'libpcap' && v.engine !== 'tcpdump') throw new UsageError(`--engine must be libpcap or tcpdump, not ${JSON.stringify(v.engine)}`);
    engine = v.engine;
  }
  const snaplen = v.s === undefined ? 262144 : int('s', v.s) || 262144;
  if (snaplen > 262144) throw new UsageError(`-s must be at most 262144, not ${snaplen}`);
  let ring: RingSettings | null;
  try {
    ring = ringSettings({ ring: v.ring, ringMb: v['ring-mb'], after: v.after, maxTriggers: v['max-triggers'], triggerFile: v['trigger-file'], triggerRegex: v['trigger-regex'] });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  if (ring && count !== undefined) throw new UsageError('-c and --ring do not go together (a window is written whole; use --max-triggers)');
  let schedule: Schedule | null = null;
  if (v.cron !== undefined) {
    if (count !== undefined) throw new UsageError('-c and --cron do not go together (each window lasts --timeout seconds)');
    if (ring) throw new UsageError('--cron and --ring do not go together');
    try {
      schedule = parseSchedule(v.cron, v.tz ?? 'UTC');
    } catch (e) {
      if (e instanceof ScheduleError) throw new UsageError(`--cron: ${e.message}`);
      throw e;
    }
  }
  let hcPort: number | undefined;
  if (v['hc-port'] !== undefined) {
    hcPort = int('hc-port', v['hc-port'], 1);
    if (hcPort > 65535) throw new UsageError(`--hc-port must be at most 65535, not ${hcPort}`);
  }
  const hosts = list(v.hosts);
  for (const h of hosts) {
    const bad = badHostName(h);
    if (bad) throw new UsageError(`--hosts: ${bad}`);
  }
  if (hosts.length > MAX_HOSTS) throw new UsageError(`--hosts: more than ${MAX_HOSTS} names`);
  if (v.hosts !== undefined && hosts.length === 0) throw new UsageError('--hosts needs a host name');
  if (v['hosts-every'] !== undefined && !hosts.length) throw new UsageError('--hosts-every needs --hosts');
  const hostsEverySecs = v['hosts-every'] === undefined ? DEFAULT_RESOLVE_SECS : int('hosts-every', v['hosts-every'], 1);
  return {
    kind: 'live', ifaces: v.i!, engine, snaplen, promisc: !v.p, count,
    timeoutSecs: v.timeout === undefined ? undefined : seconds('timeout', v.timeout),
    expression: words.join(' '), options, ring, output, schedule, hcPort, hosts, hostsEverySecs,
  };
}

function appCommand(v: Record<string, unknown> & { port?: string; host?: string; root?: string }, words: string[]): AppCommand {
  const other = Object.keys(v).find((n) => n !== 'help' && !(APP_ONLY as readonly string[]).includes(n));
  if (other) throw new UsageError(`${flag(other)} is not an option of \`tracecap app\``);
  const port = v.port === undefined ? 8080 : int('port', v.port);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}`);
  if (v.host === '') throw new UsageError('--host needs an address');
  return { kind: 'app', port, host: v.host ?? '127.0.0.1', file: words[0] ?? null, files: words, root: v.root ?? null };
}

type OutputFlags = {
  w?: string; G?: string; C?: string; W?: string; tee?: boolean; tz?: string; gzip?: boolean; 'move-to'?: string;
  'pcap-w'?: string; 'pcap-format'?: string; 'pcap-over-ip'?: string; 'no-records'?: boolean;
};

function outputSpec(v: OutputFlags, cron: boolean): OutputSpec {
  const w = v.w;
  const pcapW = v['pcap-w'];
  if (w === undefined && v.tee !== undefined) throw new UsageError('--tee needs -w (files to write)');
  if (pcapW === undefined && v['pcap-format'] !== undefined) throw new UsageError('--pcap-format needs --pcap-w (packet files to write)');
  if (v.tz !== undefined) {
    try { checkTimeZone(v.tz); } catch (e) { throw new UsageError(`--tz: ${(e as Error).message}`); }
  }
  let pcapOverIp: ListenAddress | null = null;
  try {
    if (v['pcap-over-ip'] !== undefined) pcapOverIp = parseListenAddress(v['pcap-over-ip']);
  } catch (e) { throw new UsageError((e as Error).message); }
  const records = !v['no-records'];
  if (!records) {
    if (w !== undefined) throw new UsageError('--no-records and -w do not go together (-w writes the records)');
    if (pcapW === undefined && pcapOverIp === null) throw new UsageError('--no-records needs --pcap-w or --pcap-over-ip (something to write the packets to)');
  }
  if (w === undefined && pcapW === undefined) {
    const stray = (['G', 'C', 'W', 'tz', 'gzip', 'move-to'] as const).find((n) => v[n] !== undefined && !(n === 'tz' && cron));
    if (stray) throw new UsageError(`${flag(stray)} needs -w or --pcap-w (files to write)${stray === 'tz' ? ' or --cron' : ''}`);
    return { file: null, packets: null, gzip: false, moveTo: null, pcapOverIp, records };
  }
  if (w !== undefined && perInterface(w)) throw new UsageError(`-w: ${IFACE_PLACEHOLDERS.join(' and ')} are for --pcap-w (the records of every interface are one stream)`);
  if (v['move-to'] === '') throw new UsageError('--move-to needs a directory');
  try {
    // -G, -C, -W and --tz rotate and name both kinds of files alike.
    const rotation: Pick<FileOutputOptions, 'tz' | 'rotateSecs' | 'rotateBytes' | 'maxFiles'> = { tz: v.tz ?? 'UTC' };
    if (v.G !== undefined) rotation.rotateSecs = parseRotateSecs(v.G);
    if (v.C !== undefined) rotation.rotateBytes = parseRotateMegabytes(v.C);
    if (v.W !== undefined) rotation.maxFiles = parseMaxFiles(v.W);
    let file: OutputSpec['file'] = null;
    if (w !== undefined) {
      compileTemplate(w, rotation.tz);
      file = { template: w, ...rotation, tee: v.tee ?? false };
    }
    let packets: OutputSpec['packets'] = null;
    if (pcapW !== undefined) {
      const format = v['pcap-format'] ?? 'pcap';
      if (format !== 'pcap' && format !== 'pcapng') throw new UsageError(`--pcap-format must be pcap or pcapng, not ${JSON.stringify(format)}`);
      checkPacketTemplate(pcapW, rotation.tz);
      packets = { template: pcapW, format, ...rotation };
    }
    return { file, packets, gzip: v.gzip ?? false, moveTo: v['move-to'] ?? null, pcapOverIp, records };
  } catch (e) {
    if (e instanceof TemplateError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}
