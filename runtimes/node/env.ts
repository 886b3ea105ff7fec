/**
 * Drop-in for pcap-sidecar: its container environment (PCAP_IFACE, PCAP_FILTER, ... as its
 * `tcpdumpw` wrapper reads them) mapped to tracecap CLI arguments, with the sidecar's defaults.
 * An environment value applies only where the command line does not already say otherwise.
 */
import { randomUUID } from 'node:crypto';
import { listInterfaces } from './capture/interfaces.js';
import { parseIp } from '../../src/ip.js';

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
} as const;

/** Largest PCAP_SNAPLEN: the core's per-packet limit (a larger snap length could not be translated). */
export const MAX_SNAPLEN = 262144;

// Flags of the tracecap CLI that take a value, so that an explicit command line can be read
// (which flags it sets, and whether it has trailing BPF words) without the CLI's own parser.
const VALUE_FLAGS = new Set([
  '-i', '-s', '-G', '-w', '-r', '-c', '--timeout', '--verbosity', '--project', '--log-name', '--id',
  '--l3', '--l4', '--net', '--ports', '--deny-ports', '--tcp-flags', '--iface', '--iface-index', '--iface-addr',
  '--ring', '--ring-mb', '--after', '--max-triggers', '--trigger-file', '--trigger-regex',
]);

// Which flags the explicit command line sets, and whether it has positional words (a BPF expression).
function scan(argv: readonly string[]): { flags: Set<string>; words: boolean } {
  const flags = new Set<string>();
  let words = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { words ||= i + 1 < argv.length; break; }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.startsWith('--') ? a.indexOf('=') : -1;
      const name = eq > 0 ? a.slice(0, eq) : a;
      flags.add(name);
      if (eq < 0 && VALUE_FLAGS.has(name)) i++;
    } else words = true;
  }
  return { flags, words };
}

type Env = Record<string, string | undefined>;

// The variable's value, or the sidecar's default when it is unset or empty (as tcpdumpw treats it).
function get(env: Env, name: keyof typeof SIDECAR_DEFAULTS): string {
  const v = env[name]?.trim();
  return v ? v : SIDECAR_DEFAULTS[name];
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

/**
 * The tracecap CLI arguments for pcap-sidecar's environment, for the options the explicit
 * command line `argv` does not set; sidecarArgv() puts them together. The BPF expression comes
 * last as one word. Throws EnvError (one line naming the variable) for a value tracecap cannot use.
 */
export function argsFromEnv(env: Env, argv: readonly string[] = [], uuid: string = randomUUID(), names: readonly string[] = hostInterfaceNames()): string[] {
  const { flags, words } = scan(argv);
  const has = (...f: string[]) => f.some((x) => flags.has(x));
  const out: string[] = [];
  const iface = get(env, 'PCAP_IFACE');
  if (!has('-i', '-r')) out.push(...interfaces(iface, names));
  else interfaces(iface, ['lo']); // still checked
  const snaplen = int('PCAP_SNAPLEN', get(env, 'PCAP_SNAPLEN'), 1, MAX_SNAPLEN);
  if (!has('-s')) out.push('-s', String(snaplen));
  const timeout = int('PCAP_TO', get(env, 'PCAP_TO'), 0, 2 ** 31 - 1);
  if (timeout > 0 && !has('--timeout')) out.push('--timeout', String(timeout));
  // Rotation only means something for files: the sidecar's JSON goes to stdout unless -w is given.
  const rotate = int('PCAP_SECS', get(env, 'PCAP_SECS'), 0, 2 ** 31 - 1);
  if (rotate > 0 && has('-w') && !has('-G')) out.push('-G', String(rotate));
  const verbosity = get(env, 'PCAP_VERBOSITY').toUpperCase() === 'INFO' ? 'info' : 'debug';
  if (!has('--verbosity')) out.push('--verbosity', verbosity);
  const project = env.PROJECT_ID?.trim();
  if (project && !has('--project')) out.push('--project', project);
  const ctx = sidecarContext(env, uuid);
  if (!has('--id')) out.push('--id', ctx.id);
  if (!has('--log-name')) out.push('--log-name', ctx.logName);

  // Filters: every value is checked, even one the command line overrides, so a typo in the
  // service's configuration is reported rather than silently unused.
  const filter = get(env, 'PCAP_FILTER');
  const bpf = filter.toUpperCase() === 'DISABLED' ? null : filter;
  const simple: [string, string | null][] = [
    ['--l3', protocols('PCAP_L3_PROTOS', get(env, 'PCAP_L3_PROTOS'), L3_TOKENS)],
    ['--l4', protocols('PCAP_L4_PROTOS', get(env, 'PCAP_L4_PROTOS'), L4_TOKENS)],
    ['--ports', ports(get(env, 'PCAP_PORTS'))],
    ['--tcp-flags', tcpFlags(get(env, 'PCAP_TCP_FLAGS'))],
  ];
  const nets = [...networks('PCAP_IPV4', get(env, 'PCAP_IPV4'), 4), ...networks('PCAP_IPV6', get(env, 'PCAP_IPV6'), 16)];
  if (get(env, 'PCAP_HOSTS').toUpperCase() !== 'ALL') {
    throw new EnvError('PCAP_HOSTS is not supported: resolve the host names and list the addresses in PCAP_IPV4 / PCAP_IPV6');
  }
  // As in pcap-sidecar, a BPF expression (PCAP_FILTER, or words on the command line) replaces
  // the simple filters instead of adding to them.
  if (words) return out;
  if (bpf !== null) { out.push(bpf); return out; }
  for (const [flag, value] of simple) if (value !== null && !has(flag)) out.push(flag, value);
  if (!has('--net')) for (const n of nets) out.push('--net', n);
  return out;
}

/** The whole command line in sidecar mode: the environment's arguments, then `argv`, then the environment's BPF expression. */
export function sidecarArgv(env: Env, argv: readonly string[] = [], uuid: string = randomUUID(), names: readonly string[] = hostInterfaceNames()): string[] {
  const fromEnv = argsFromEnv(env, argv, uuid, names);
  const bpf = !scan(argv).words && scan(fromEnv).words ? fromEnv.splice(fromEnv.length - 1, 1) : [];
  return [...fromEnv, ...argv, ...bpf];
}
