/**
 * Drop-in for pcap-sidecar: its container environment (PCAP_IFACE, PCAP_FILTER, ... as its
 * `tcpdumpw` wrapper reads them) mapped to tracecap CLI arguments, with the sidecar's defaults.
 * An environment value applies only where the command line does not already say otherwise.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { listInterfaces } from './capture/interfaces.js';
import { parseIp } from '../../src/ip.js';
import { OPTIONS, LIVE_ONLY } from './args.js';
import { compileBpf, BpfCompileError } from './bpf.js';
import { badHostName, MAX_HOSTS } from './hosts.js';
import { parseSchedule, ScheduleError } from './schedule.js';
import { checkTimeZone } from './output/index.js';

/** An environment variable tracecap cannot use; the message is one line naming the variable. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** pcap-sidecar's default for each variable tracecap reads (an unset or empty variable takes it). */
export const SIDECAR_DEFAULTS = {
  PCAP_IFACE: 'eth',
  PCAP_FILTER: 'DISABLED',
  PCAP_SNAPLEN: '65536',
  PCAP_TO: '0',
  PCAP_SECS: '60',
  PCAP_VERBOSITY: 'DEBUG',
  PCAP_L3_PROTOS: 'ipv4,ipv6',
  PCAP_L4_PROTOS: 'tcp,udp',
  PCAP_IPV4: 'ALL',
  PCAP_IPV6: 'ALL',
  PCAP_HOSTS: 'ALL',
  PCAP_PORTS: 'ALL',
  PCAP_TCP_FLAGS: 'ANY',
  PCAP_HC_PORT: '12345',
  PCAP_USE_CRON: 'false',
  PCAP_CRON_EXP: '-',
  PCAP_TZ: 'UTC',
  PCAP_RT_ENV: 'cloud_run_gen2',
  PCAP_COMPAT: 'false',
  PCAP_ORDERED: 'false',
  PCAP_CONNTRACK: 'false',
  PCAP_RUN: 'true',
  PCAP_GKE: 'false',
  // The file outputs (start_tcpdumpw) and their finishing (start_pcapfsn).
  PCAP_TCPDUMP: 'true',
  PCAP_JSONDUMP: 'false',
  // pcap-sidecar's default is false (no JSON on stdout); tracecap's is the records on stdout,
  // for Cloud Logging (README, difference 52). Set false, stdout gets none.
  PCAP_JSONDUMP_LOG: 'true',
  PCAP_EXT: 'pcap',
  PCAP_TMP: '/pcap-tmp',
  PCAP_FSN_ENABLED: 'true',
  PCAP_GZIP: 'true',
  PCAP_GCS_EXPORT: 'true',
  PCAP_GCS_FUSE: 'true',
  PCAP_DIR: '',
} as const;

/** tracecap's own variable for --pcap-over-ip ADDR:PORT in sidecar mode (pcap-sidecar has no live packet stream). */
export const PCAP_OVER_IP_VARIABLE = 'TRACECAP_PCAP_OVER_IP';

/** pcap-sidecar's name of its per-interface files, under PCAP_TMP (tcpdumpw's runFileOutput). */
export const SIDECAR_FILE_NAME = 'part__{ifindex}_{iface}__%Y%m%dT%H%M%S';

/** The name of the sidecar's JSON files (PCAP_JSONDUMP) under PCAP_TMP: one set for every interface (difference 66). */
export const SIDECAR_JSON_NAME = 'part__%Y%m%dT%H%M%S.json';

/** Other names pcap-sidecar's documentation gives a variable: the alias is read when the variable itself is unset. */
export const ALIASES: Readonly<Record<string, keyof typeof SIDECAR_DEFAULTS>> = { PCAP_COMPRESS: 'PCAP_GZIP' };

/**
 * Variables of pcap-sidecar (its start_tcpdumpw and start_pcapfsn scripts) that tracecap does not
 * act on: when one is set to a value that would change what pcap-sidecar does, one line at start
 * names it and says what to do instead. `matters` says which values change something.
 */
export const NOT_SUPPORTED: Readonly<Record<string, { matters: (v: string) => boolean; instead: string }>> = {
  PCAP_DEBUG: { matters: (v) => isTrue(v), instead: 'it only logs pcap-sidecar\'s flow locks, which tracecap does not have; nothing to do' },
  PCAP_GAE: { matters: (v) => isTrue(v), instead: 'the App Engine log file is not written by itself: add -w \'/var/log/app_engine/app/app_pcap__%Y%m%dT%H%M%S.json\' to the arguments' },
  GCP_GAE: { matters: (v) => isTrue(v), instead: 'the App Engine log file is not written by itself: add -w \'/var/log/app_engine/app/app_pcap__%Y%m%dT%H%M%S.json\' to the arguments' },
  PCAP_TCPDUMPW_NO_PROCS: { matters: (v) => v !== 'gcsfuse', instead: 'the sockets of other processes are not excluded (tracecap runs no gcsfuse of its own): exclude a connection with --deny-socket, or a port with PCAP_FILTER' },
  PCAP_TCPDUMPW_NO_PROCS_INTERVAL: { matters: () => true, instead: 'the sockets of other processes are not excluded, so there is nothing to refresh: use --deny-socket' },
  PCAP_TCPDUMPW_NO_PROCS_DEBUG: { matters: (v) => isTrue(v), instead: 'the sockets of other processes are not excluded, so there is nothing to log' },
  PCAP_SUPERVISOR_PORT: { matters: () => true, instead: 'tracecap runs no supervisord (it asked for the processes whose sockets are excluded): use --deny-socket' },
  PCAP_GCS_BUCKET: { matters: (v) => v.toLowerCase() !== 'none', instead: 'the Cloud Storage client-library export needs network access tracecap does not make: mount the bucket as a Cloud Run volume and set PCAP_DIR to its mount path' },
  PCAP_FSN_RETRIES_MAX: { matters: () => true, instead: 'tracecap uploads nothing to Cloud Storage, so there is nothing to retry: mount the bucket as a Cloud Run volume and set PCAP_DIR' },
  PCAP_FSN_RETRIES_DELAY: { matters: () => true, instead: 'tracecap uploads nothing to Cloud Storage, so there is nothing to retry: mount the bucket as a Cloud Run volume and set PCAP_DIR' },
  INSTANCE_ID: { matters: () => true, instead: 'it only names pcap-sidecar\'s folders in Cloud Storage, which tracecap does not upload to: mount the bucket as a Cloud Run volume and set PCAP_DIR' },
};

/** Largest PCAP_SNAPLEN: the core's per-packet limit (a larger snap length could not be translated). */
export const MAX_SNAPLEN = 262144;

const isTrue = (v: string): boolean => /^(1|t|true)$/i.test(v.trim());

// Go's strconv.ParseBool, as tcpdumpw's flags read these variables.
function bool(env: Env, name: keyof typeof SIDECAR_DEFAULTS): boolean {
  const v = get(env, name);
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw new EnvError(`${nameOf(env, name)} must be true or false, not ${JSON.stringify(v)}`);
}

// The variable a value came from: `name`, or its alias when only the alias is set.
function nameOf(env: Env, name: keyof typeof SIDECAR_DEFAULTS): string {
  if (env[name]?.trim()) return name;
  return Object.entries(ALIASES).find(([alias, of]) => of === name && env[alias]?.trim())?.[0] ?? name;
}

/** What pcap-sidecar's file-output variables ask for, as tracecap flags (filePlan()). */
export interface FilePlan {
  /** --pcap-w (PCAP_TCPDUMP): pcap-sidecar's per-interface names under PCAP_TMP, with PCAP_EXT; null: none. */
  pcap: string | null;
  /** --pcap-format: pcapng when PCAP_EXT is pcapng (pcap-sidecar's tcpdump writes pcap whatever the name says). */
  format: 'pcap' | 'pcapng';
  /** -w (PCAP_JSONDUMP): the records' files under PCAP_TMP; null: none. */
  json: string | null;
  /** PCAP_JSONDUMP_LOG: records on standard output too. */
  stdout: boolean;
  /** --gzip (PCAP_FSN_ENABLED and PCAP_GZIP, alias PCAP_COMPRESS). */
  gzip: boolean;
  /** --move-to (PCAP_FSN_ENABLED, PCAP_GCS_EXPORT, PCAP_GCS_FUSE and PCAP_DIR): the bucket's mount path; null: files stay in PCAP_TMP. */
  moveTo: string | null;
  /** Lines for standard error at start: what does not happen as the variables might suggest. */
  notices: string[];
}

// A directory in a file-name template: strftime's % doubled, so it is taken as written.
const literal = (dir: string): string => dir.replace(/%/g, '%%').replace(/\/+$/, '');

/**
 * pcap-sidecar's file outputs from its variables: tcpdump's pcap files (PCAP_TCPDUMP, PCAP_EXT),
 * JSON files (PCAP_JSONDUMP), JSON on stdout (PCAP_JSONDUMP_LOG), all under PCAP_TMP, rotated
 * every PCAP_SECS; and pcapfsn's finishing: gzip (PCAP_GZIP) and the move into a mounted bucket
 * (PCAP_DIR), when PCAP_FSN_ENABLED. Throws EnvError naming a variable tracecap cannot use.
 */
export function filePlan(env: Env): FilePlan {
  const notices: string[] = [];
  const tmp = get(env, 'PCAP_TMP');
  if (!tmp.startsWith('/')) throw new EnvError(`PCAP_TMP must be an absolute directory path, not ${JSON.stringify(tmp)}`);
  const ext = get(env, 'PCAP_EXT');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(ext)) throw new EnvError(`PCAP_EXT must be a file extension (letters, digits and . _ -), not ${JSON.stringify(ext)}`);
  const dir = get(env, 'PCAP_DIR');
  if (dir !== '' && !dir.startsWith('/')) throw new EnvError(`PCAP_DIR must be an absolute directory path (the bucket's mount path), not ${JSON.stringify(dir)}`);
  const tcpdump = bool(env, 'PCAP_TCPDUMP');
  const jsondump = bool(env, 'PCAP_JSONDUMP');
  const stdout = bool(env, 'PCAP_JSONDUMP_LOG');
  const fsn = bool(env, 'PCAP_FSN_ENABLED');
  const gzip = bool(env, 'PCAP_GZIP');
  const exportFiles = bool(env, 'PCAP_GCS_EXPORT');
  const fuse = bool(env, 'PCAP_GCS_FUSE');
  const gzipBoth = env.PCAP_GZIP?.trim() && env.PCAP_COMPRESS?.trim();
  if (gzipBoth && /^(1|t|true)$/i.test(env.PCAP_GZIP!.trim()) !== /^(1|t|true)$/i.test(env.PCAP_COMPRESS!.trim())) {
    throw new EnvError(`PCAP_GZIP=${env.PCAP_GZIP!.trim()} and PCAP_COMPRESS=${env.PCAP_COMPRESS!.trim()} disagree (PCAP_COMPRESS is another name for PCAP_GZIP)`);
  }
  const base = literal(tmp);
  const pcap = tcpdump ? `${base}/${SIDECAR_FILE_NAME}.${ext.replace(/%/g, '%%')}` : null;
  const json = jsondump ? `${base}/${SIDECAR_JSON_NAME}` : null;
  const files = pcap !== null || json !== null;
  let moveTo: string | null = null;
  if (files && fsn && exportFiles) {
    if (!fuse) notices.push(`PCAP_GCS_FUSE=false is not supported: the Cloud Storage client-library export needs network access tracecap does not make; the files stay in ${tmp}: mount the bucket as a Cloud Run volume and set PCAP_DIR to its mount path`);
    else if (dir !== '') moveTo = dir;
  }
  if (files && moveTo === null) {
    notices.push(`the ${[pcap && 'pcap', json && 'JSON'].filter(Boolean).join(' and ')} files stay in ${tmp} (nothing moves them out: ${!fsn ? 'PCAP_FSN_ENABLED=false' : !exportFiles ? 'PCAP_GCS_EXPORT=false' : !fuse ? 'PCAP_GCS_FUSE=false' : 'PCAP_DIR is not set'}), and on Cloud Run that directory is memory: set PCAP_DIR to a mounted bucket's path, add -W N to keep only the last N, or set PCAP_TCPDUMP=false`);
  }
  return { pcap, format: /^pcapng$/i.test(ext) ? 'pcapng' : 'pcap', json, stdout, gzip: files && fsn && gzip, moveTo, notices };
}

/** What a command line asks for, as the CLI reads it: the environment only completes a live capture. */
export type CommandKind = 'help' | 'app' | 'file' | 'live';

// Which options a command line sets (long names), whether it has positional words, and what it is.
function scan(argv: readonly string[]): { flags: Set<string>; words: boolean; kind: CommandKind } {
  if (argv[0] === 'app') return { flags: new Set(), words: argv.length > 1, kind: 'app' };
  const flags = new Set<string>();
  let words = false;
  try {
    // Not strict: an unknown option is the CLI's to report, with the whole command line.
    const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
    for (const t of tokens) {
      if (t.kind === 'option') flags.add(t.name);
      else if (t.kind === 'positional') words = true;
    }
  } catch {
    return { flags, words, kind: 'file' }; // the CLI reports it
  }
  const live = flags.has('i') || (LIVE_ONLY as readonly string[]).some((f) => flags.has(f));
  const kind: CommandKind = flags.has('help') ? 'help' : flags.has('r') ? 'file' : live ? 'live' : words ? 'file' : 'live';
  return { flags, words, kind };
}

/**
 * What an explicit command line asks for in sidecar mode: `help` (-h), `app`, `file` (it reads a
 * capture: -r FILE, or a first word without -i or a live-capture flag, `-` for standard input)
 * or `live` (-i, a live-capture flag, or no word at all: the image's default). Only `live` takes
 * the environment.
 */
export function commandKind(argv: readonly string[]): CommandKind { return scan(argv).kind; }

type Env = Record<string, string | undefined>;

// The variable's value, or the sidecar's default when it is unset or empty (as tcpdumpw treats it).
function get(env: Env, name: keyof typeof SIDECAR_DEFAULTS): string {
  const v = env[name]?.trim();
  if (v) return v;
  for (const [alias, of] of Object.entries(ALIASES)) {
    const a = env[alias]?.trim();
    if (of === name && a) return a;
  }
  return SIDECAR_DEFAULTS[name];
}

function int(name: string, v: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new EnvError(`${name} must be an integer from ${lo} to ${hi}, not ${JSON.stringify(v)}`);
  return Number(v);
}

const list = (v: string): string[] => v.split(',').map((t) => t.trim()).filter((t) => t.length > 0);

// Protocol tokens pcap-sidecar accepts (reference §7), to tracecap's names.
const L3_TOKENS: Record<string, string> = { ip: 'ipv4', ip4: 'ipv4', ipv4: 'ipv4', '4': 'ipv4', '0x04': 'ipv4', ip6: 'ipv6', ipv6: 'ipv6', '41': 'ipv6', '0x29': 'ipv6', arp: 'arp', '0x0806': 'arp' };
const L4_TOKENS: Record<string, string> = { tcp: 'tcp', '6': 'tcp', '0x06': 'tcp', udp: 'udp', '17': 'udp', '0x11': 'udp', icmp: 'icmp', icmp4: 'icmp', '1': 'icmp', '0x01': 'icmp', icmp6: 'icmp6', '58': 'icmp6', '0x3a': 'icmp6' };
const TCP_FLAGS = ['SYN', 'ACK', 'PSH', 'FIN', 'RST', 'URG', 'ECE', 'CWR'];

function protocols(name: string, v: string, table: Record<string, string>): string {
  const out: string[] = [];
  for (const t of list(v)) {
    const p = table[t.toLowerCase()];
    if (!p) throw new EnvError(`${name}: unknown protocol ${JSON.stringify(t)} (expected ${[...new Set(Object.values(table))].join(', ')})`);
    if (!out.includes(p)) out.push(p);
  }
  if (out.length === 0) throw new EnvError(`${name} lists no protocol`);
  return out.join(',');
}

// IPs and CIDRs of one family → --net values (a single address becomes /32 or /128).
function networks(name: string, v: string, bytes: 4 | 16): string[] {
  if (v.toUpperCase() === 'ALL') return [];
  const family = bytes === 4 ? 'IPv4' : 'IPv6';
  return list(v).map((t) => {
    const slash = t.indexOf('/');
    const ip = slash < 0 ? t : t.slice(0, slash);
    const len = slash < 0 ? String(bytes * 8) : t.slice(slash + 1);
    const parsed = parseIp(ip);
    if (!parsed || parsed.length !== bytes || !/^\d{1,3}$/.test(len) || Number(len) > bytes * 8) {
      throw new EnvError(`${name}: not an ${family} address or CIDR: ${JSON.stringify(t)}`);
    }
    return `${ip}/${Number(len)}`;
  });
}

function ports(v: string): string | null {
  const out: number[] = [];
  for (const t of list(v)) {
    if (/^(all|any)$/i.test(t)) continue; // pcap-sidecar skips these tokens
    if (!/^\d{1,5}$/.test(t) || Number(t) > 65535) throw new EnvError(`PCAP_PORTS: not a port number: ${JSON.stringify(t)}`);
    if (!out.includes(Number(t))) out.push(Number(t));
  }
  return out.length ? out.join(',') : null;
}

function tcpFlags(v: string): string | null {
  if (/^(any|all)$/i.test(v)) return null;
  const out: string[] = [];
  for (const t of list(v)) {
    const f = t.toUpperCase();
    if (!TCP_FLAGS.includes(f)) throw new EnvError(`PCAP_TCP_FLAGS: unknown TCP flag ${JSON.stringify(t)} (expected ANY or a list of ${TCP_FLAGS.join(', ')})`);
    if (!out.includes(f)) out.push(f);
  }
  return out.length ? out.join(',') : null;
}

// tcpdumpw captures the devices matching ^(?:(?:lo$)|(?:(?:ipvlan-)?<prefix>\d+.*$)): `lo`, and
// the prefix followed by a digit, optionally behind `ipvlan-`, chosen once at start among the
// host's interfaces, as tcpdumpw does. They become -i NAME each, in the host's order.
function interfaces(v: string, names: readonly string[]): string[] {
  if (!/^[A-Za-z0-9_.:-]+$/.test(v)) throw new EnvError(`PCAP_IFACE must be an interface name prefix (letters, digits and . _ - :), not ${JSON.stringify(v)}`);
  if (v === 'any') return ['-i', 'any']; // the pseudo-device of every interface, lo included
  const prefix = v.replace(/[.]/g, '\\.');
  const device = new RegExp(`^(?:(?:lo$)|(?:(?:ipvlan-)?${prefix}\\d+.*$))`);
  const chosen = names.filter((n) => device.test(n));
  if (chosen.length === 0) throw new EnvError(`PCAP_IFACE=${v}: no interface matches ${device.source} (interfaces: ${names.join(', ') || 'none'})`);
  return chosen.flatMap((n) => ['-i', n]);
}

/** Names of the host's interfaces (/sys/class/net), where the sidecar's PCAP_IFACE chooses. */
function hostInterfaceNames(): string[] {
  return listInterfaces().map((i) => i.name);
}

/** The sidecar's context for one run: pcap-sidecar's `<uuid>` id and `projects/<PROJECT_ID>/pcaps/<uuid>` log name. */
export function sidecarContext(env: Env, uuid: string = randomUUID()): { id: string; logName: string } {
  return { id: uuid, logName: `projects/${env.PROJECT_ID?.trim() ?? ''}/pcaps/${uuid}` };
}

/** Options of argsFromEnv() and sidecarCommand(), for tests: the host's interfaces and the filter check. */
export interface SidecarOptions {
  /** Names of the host's interfaces, where PCAP_IFACE chooses (default /sys/class/net). */
  names?: readonly string[];
  /** Checks PCAP_FILTER; throws with the reason (default: compiled by tcpdump for Ethernet). */
  checkFilter?: (expression: string) => void;
  /** The run's uuid (default a fresh one). */
  uuid?: string;
}

function compileCheck(expression: string): void {
  try {
    compileBpf(expression, [1]);
  } catch (e) {
    if (e instanceof BpfCompileError) throw new Error(e.reason);
    throw e;
  }
}

/**
 * The tracecap CLI arguments for pcap-sidecar's environment, for the options the explicit
 * command line `argv` does not set; sidecarArgv() puts them together. The BPF expression comes
 * last as one word. Throws EnvError (one line naming the variable) for a value tracecap cannot use.
 */
export function argsFromEnv(env: Env, argv: readonly string[] = [], uuid: string = randomUUID(), names?: readonly string[], options: SidecarOptions = {}): string[] {
  const { flags, words } = scan(argv);
  const has = (...f: string[]) => f.some((x) => flags.has(x));
  const out: string[] = [];
  // Cloud Run's first generation has no eth0: start_tcpdumpw captures on `any` there.
  const gen1 = get(env, 'PCAP_RT_ENV').toLowerCase() === 'cloud_run_gen1';
  const iface = gen1 ? 'any' : get(env, 'PCAP_IFACE');
  if (!has('i')) out.push(...interfaces(iface, names ?? options.names ?? hostInterfaceNames()));
  else interfaces(iface, ['lo']); // still checked
  const snaplen = int('PCAP_SNAPLEN', get(env, 'PCAP_SNAPLEN'), 0, MAX_SNAPLEN);
  if (!has('s')) out.push('-s', String(snaplen)); // 0: the default, as -s 0 (and libpcap) take it
  const timeout = int('PCAP_TO', get(env, 'PCAP_TO'), 0, 2 ** 31 - 1);
  if (timeout > 0 && !has('timeout')) out.push('--timeout', String(timeout));
  // The files: pcap files beside the records (PCAP_TCPDUMP), JSON files (PCAP_JSONDUMP), the
  // records on stdout (PCAP_JSONDUMP_LOG), compressed and moved as pcapfsn does. The command
  // line's -w, --pcap-w, --tee and --no-records say it themselves.
  const plan = filePlan(env);
  const packetsSaid = has('pcap-w', 'pcap-format');
  const recordsSaid = has('w', 'tee', 'no-records');
  if (plan.pcap !== null && !packetsSaid) {
    out.push('--pcap-w', plan.pcap);
    if (plan.format !== 'pcap') out.push('--pcap-format', plan.format);
  }
  const streamAt = env[PCAP_OVER_IP_VARIABLE]?.trim();
  if (streamAt && !has('pcap-over-ip')) out.push('--pcap-over-ip', streamAt);
  if (!recordsSaid) {
    if (plan.json !== null) {
      out.push('-w', plan.json);
      if (plan.stdout) out.push('--tee');
    } else if (!plan.stdout) {
      if ((plan.pcap === null && !packetsSaid) && !streamAt && !has('pcap-over-ip')) {
        throw new EnvError('PCAP_TCPDUMP, PCAP_JSONDUMP and PCAP_JSONDUMP_LOG are all false: nothing would be written (set one of them to true)');
      }
      out.push('--no-records');
    }
  }
  const files = has('w', 'pcap-w') || out.includes('-w') || out.includes('--pcap-w');
  if (files) {
    if (plan.gzip && !has('gzip')) out.push('--gzip');
    if (plan.moveTo !== null && !has('move-to')) out.push('--move-to', plan.moveTo);
  }
  // Rotation only means something for files (-w, --pcap-w).
  const rotate = int('PCAP_SECS', get(env, 'PCAP_SECS'), 0, 2 ** 31 - 1);
  if (rotate > 0 && files && !has('G')) out.push('-G', String(rotate));
  const verbosity = get(env, 'PCAP_VERBOSITY').toUpperCase() === 'INFO' ? 'info' : 'debug';
  if (!has('verbosity')) out.push('--verbosity', verbosity);
  const project = env.PROJECT_ID?.trim();
  if (project && !has('project')) out.push('--project', project);

  // Scheduled capture: windows on PCAP_CRON_EXP in PCAP_TZ, each PCAP_TO seconds long, with
  // tcpdumpw's per-window context: id job/<job>/exe/<execution>, log name projects/<P>/pcap/<id>.
  const cron = bool(env, 'PCAP_USE_CRON');
  const tz = get(env, 'PCAP_TZ');
  try { checkTimeZone(tz); } catch (e) { throw new EnvError(`PCAP_TZ: ${(e as Error).message}`); }
  if (cron) {
    try { parseSchedule(get(env, 'PCAP_CRON_EXP'), tz); } catch (e) {
      if (e instanceof ScheduleError) throw new EnvError(`PCAP_CRON_EXP: ${e.message}${get(env, 'PCAP_CRON_EXP') === '-' ? ' (PCAP_USE_CRON=true needs PCAP_CRON_EXP)' : ''}`);
      throw e;
    }
    if (!has('cron')) out.push('--cron', get(env, 'PCAP_CRON_EXP'));
  }
  if ((cron || has('cron') || files) && !has('tz')) out.push('--tz', tz);
  const ctx = cron ? { id: `job/${uuid}`, logName: `projects/${project ?? ''}/pcap/job/${uuid}` } : sidecarContext(env, uuid);
  if (!has('id')) out.push('--id', ctx.id);
  if (!has('log-name')) out.push('--log-name', ctx.logName);
  // The startup probe: pcap-sidecar always listens on PCAP_HC_PORT (12345); 0 turns it off here.
  const hc = int('PCAP_HC_PORT', get(env, 'PCAP_HC_PORT'), 0, 65535);
  if (hc > 0 && !has('hc-port')) out.push('--hc-port', String(hc));
  for (const name of ['PCAP_ORDERED', 'PCAP_CONNTRACK', 'PCAP_RUN', 'PCAP_GKE'] as const) bool(env, name); // always in capture order; the others change nothing in the capture

  // Filters: every value is checked, even one the command line overrides, so a typo in the
  // service's configuration is reported rather than silently unused.
  const compat = gen1 || bool(env, 'PCAP_COMPAT');
  const filter = get(env, 'PCAP_FILTER');
  let bpf = filter.toUpperCase() === 'DISABLED' ? null : filter;
  if (bpf !== null) {
    try { (options.checkFilter ?? compileCheck)(bpf); } catch (e) { throw new EnvError(`PCAP_FILTER: bad filter ${JSON.stringify(bpf)}: ${(e as Error).message}`); }
  }
  if (compat) bpf = null; // as tcpdumpw: compat mode installs no BPF filter, the simple filters apply (sidecarCommand says so)
  const simple: [string, string | null][] = [
    ['l3', protocols('PCAP_L3_PROTOS', get(env, 'PCAP_L3_PROTOS'), L3_TOKENS)],
    ['l4', protocols('PCAP_L4_PROTOS', get(env, 'PCAP_L4_PROTOS'), L4_TOKENS)],
    ['ports', ports(get(env, 'PCAP_PORTS'))],
    ['tcp-flags', tcpFlags(get(env, 'PCAP_TCP_FLAGS'))],
    ['hosts', hostList(get(env, 'PCAP_HOSTS'))],
  ];
  const nets = [...networks('PCAP_IPV4', get(env, 'PCAP_IPV4'), 4), ...networks('PCAP_IPV6', get(env, 'PCAP_IPV6'), 16)];
  // As in pcap-sidecar, a BPF expression (PCAP_FILTER, or words on the command line) replaces
  // the simple filters instead of adding to them.
  if (words) return out;
  if (bpf !== null) { out.push(bpf); return out; }
  for (const [flag, value] of simple) if (value !== null && !has(flag)) out.push(`--${flag}`, value);
  if (!has('net')) for (const n of nets) out.push('--net', n);
  return out;
}

// PCAP_HOSTS: host names (or addresses), comma-separated; ALL/ANY (or empty) is none.
function hostList(v: string): string | null {
  const out: string[] = [];
  for (const t of list(v)) {
    if (/^(all|any)$/i.test(t)) continue;
    const bad = badHostName(t);
    if (bad) throw new EnvError(`PCAP_HOSTS: ${bad}`);
    if (!out.includes(t)) out.push(t);
  }
  if (out.length > MAX_HOSTS) throw new EnvError(`PCAP_HOSTS: more than ${MAX_HOSTS} names`);
  return out.length ? out.join(',') : null;
}

/** The lines sidecar mode prints at start: variables set to a value tracecap does not act on, each with what to do instead. */
export function sidecarNotices(env: Env, argv: readonly string[] = []): string[] {
  const notices: string[] = [];
  // The file plan's lines, unless the command line says where the files go itself.
  const { flags } = scan(argv);
  if (!['move-to', 'W'].some((f) => flags.has(f))) {
    try { notices.push(...filePlan(env).notices); } catch { /* argsFromEnv reports the variable */ }
  }
  for (const [name, { matters, instead }] of Object.entries(NOT_SUPPORTED)) {
    const v = env[name]?.trim();
    if (v && matters(v)) notices.push(`${name}=${v} is not supported: ${instead}`);
  }
  const gen1 = get(env, 'PCAP_RT_ENV').toLowerCase() === 'cloud_run_gen1';
  const iface = env.PCAP_IFACE?.trim();
  if (gen1 && iface && iface !== 'any') notices.push(`PCAP_IFACE=${iface} is not used: PCAP_RT_ENV=cloud_run_gen1 captures on any, as pcap-sidecar does there`);
  if ((gen1 || /^(1|t|true)$/i.test(get(env, 'PCAP_COMPAT'))) && get(env, 'PCAP_FILTER').toUpperCase() !== 'DISABLED') {
    notices.push(`PCAP_FILTER is not used: ${gen1 ? 'PCAP_RT_ENV=cloud_run_gen1 runs' : 'PCAP_COMPAT=true asks for'} pcap-sidecar's compat mode, where only the simple filters (PCAP_L3_PROTOS, PCAP_PORTS, ...) apply`);
  }
  return notices;
}

/** The command line in sidecar mode, and the lines to print at start (sidecarNotices), for a live capture; any other command line as it is. */
export function sidecarCommand(env: Env, argv: readonly string[] = [], options: SidecarOptions = {}): { argv: string[]; notices: string[]; kind: CommandKind } {
  const kind = commandKind(argv);
  if (kind !== 'live') return { argv: [...argv], notices: [], kind };
  return { argv: sidecarArgv(env, argv, options.uuid, options.names, options), notices: sidecarNotices(env, argv), kind };
}

/**
 * The whole command line in sidecar mode: the environment's arguments, then `argv`, then the
 * environment's BPF expression. A command line that reads a capture (a file, standard input),
 * serves the app or asks for help takes nothing from the environment.
 */
export function sidecarArgv(env: Env, argv: readonly string[] = [], uuid: string = randomUUID(), names?: readonly string[], options: SidecarOptions = {}): string[] {
  if (commandKind(argv) !== 'live') return [...argv];
  const fromEnv = argsFromEnv(env, argv, uuid, names, options);
  const bpf = !scan(argv).words && scan(fromEnv).words ? fromEnv.splice(fromEnv.length - 1, 1) : [];
  return [...fromEnv, ...argv, ...bpf];
}
