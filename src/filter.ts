/**
 * Packet filters, runtime-agnostic: classic BPF programs (as libpcap compiles them; see
 * `tcpdump -ddd`) and pcap-sidecar's software filters (reference §7). Both are handed to the
 * core through TranslatorOptions; the core runs them on every packet before any analysis.
 */
import { parseIp } from './ip.js';

/** Instructions a BPF program may have: the core's BPF_MAXINSNS (assembly/config.ts; test/src/filter.test.ts checks they agree). */
export const BPF_MAXINSNS = 4096;

/** One classic BPF instruction (struct bpf_insn / sock_filter): opcode, jump offsets if true/false, constant. */
export interface BpfInsn { code: number; jt: number; jf: number; k: number }

/** A compiled BPF program for one pcap LINKTYPE_* value (the same expression compiles differently per link type). */
export interface BpfProgram { linktype: number; program: BpfInsn[] }

/** pcap-sidecar's software filters (reference §7); every list is optional and an absent one does not restrict. */
export interface SoftwareFilters {
  /** L3 protocols: `ip|ip4|ipv4|4|0x04`, `ip6|ipv6|41|0x29`, `arp|0x0806`. Packets without IPv4/IPv6 always pass this step. */
  l3?: string[];
  /** L4 protocols: `tcp|6|0x06`, `udp|17|0x11`, `icmp|icmp4|1|0x01`, `icmp6|58|0x3a`. Only TCP and UDP are ever rejected by it. */
  l4?: string[];
  /** IPv4/IPv6 networks (`10.0.0.0/8`, `fd00::/8`, or a single address): both ends of an IP packet must lie inside one. */
  nets?: string[];
  /** TCP/UDP ports allowed: a segment passes when either port is listed. */
  ports?: number[];
  /** TCP/UDP ports denied: a segment with either port listed is rejected. */
  denyPorts?: number[];
  /** TCP flags (`SYN`, `ACK`, `PSH`, `FIN`, `RST`, `URG`, `ECE`, `CWR`): a TCP segment needs at least one. */
  tcpFlags?: string[];
  /** Sockets denied in both directions: `IP:PORT-IP:PORT`, IPv6 as `[v6]:port`. */
  denySockets?: string[];
}

/**
 * Parses `tcpdump -ddd` output: the instruction count on the first line, then one
 * `code jt jf k` line of decimal numbers per instruction. Throws RangeError when malformed.
 */
export function parseBpfDdd(text: string): BpfInsn[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const count = lines.length ? Number(lines[0]) : NaN;
  if (!/^\d+$/.test(lines[0] ?? '') || count !== lines.length - 1) {
    throw new RangeError(`not tcpdump -ddd output: the first line must count the ${Math.max(lines.length - 1, 0)} instruction lines`);
  }
  return lines.slice(1).map((line, i) => {
    const f = line.split(/\s+/);
    if (f.length !== 4 || !f.every((x) => /^-?\d+$/.test(x))) throw new RangeError(`not tcpdump -ddd output: line ${i + 2} is not "code jt jf k"`);
    const insn = { code: Number(f[0]), jt: Number(f[1]), jf: Number(f[2]), k: Number(f[3]) };
    checkInsn(insn, i);
    return insn;
  });
}

/** Throws RangeError unless insn has a u16 code, u8 jump offsets and a 32-bit k. */
export function checkInsn(insn: BpfInsn, index: number): void {
  const { code, jt, jf, k } = insn;
  const int = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  if (!int(code, 0, 0xffff) || !int(jt, 0, 0xff) || !int(jf, 0, 0xff) || !int(k, -0x80000000, 0xffffffff)) {
    throw new RangeError(`BPF instruction ${index} is not {code: u16, jt: u8, jf: u8, k: u32}: ${JSON.stringify(insn)}`);
  }
}

// The sidecar's tokens (reference §7), in the order error messages list them.
const L3_TOKENS = new Map<string, number>([
  ['ip', 1], ['ip4', 1], ['ipv4', 1], ['4', 1], ['0x04', 1],
  ['ip6', 2], ['ipv6', 2], ['41', 2], ['0x29', 2],
  ['arp', 4], ['0x0806', 4],
]);
const L4_TOKENS = new Map<string, number>([
  ['tcp', 1], ['6', 1], ['0x06', 1],
  ['udp', 2], ['17', 2], ['0x11', 2],
  ['icmp', 4], ['icmp4', 4], ['1', 4], ['0x01', 4],
  ['icmp6', 8], ['58', 8], ['0x3a', 8],
]);
// TCP header flag bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1).
const TCP_FLAGS = new Map<string, number>([
  ['fin', 0x01], ['syn', 0x02], ['rst', 0x04], ['psh', 0x08], ['ack', 0x10], ['urg', 0x20], ['ece', 0x40], ['cwr', 0x80],
]);

function tokenMask(tokens: string[], table: Map<string, number>, what: string): number {
  let mask = 0;
  for (const t of tokens) {
    const bit = table.get(t.trim().toLowerCase());
    if (bit === undefined) throw new RangeError(`unknown ${what} ${JSON.stringify(t)} (one of ${[...table.keys()].join(', ')})`);
    mask |= bit;
  }
  return mask;
}

/** Bit mask (1 IPv4, 2 IPv6, 4 ARP) of L3 tokens; RangeError for an unknown one. */
export function l3Mask(tokens: string[]): number { return tokenMask(tokens, L3_TOKENS, 'L3 protocol'); }
/** Bit mask (1 TCP, 2 UDP, 4 ICMP, 8 ICMPv6) of L4 tokens; RangeError for an unknown one. */
export function l4Mask(tokens: string[]): number { return tokenMask(tokens, L4_TOKENS, 'L4 protocol'); }
/** TCP flag mask of flag names, case-insensitive; RangeError for an unknown name (upstream ignores it). */
export function tcpFlagMask(names: string[]): number { return tokenMask(names, TCP_FLAGS, 'TCP flag'); }

/** Parses `ADDR/BITS` or a single address (a /32 or /128) to its bytes and prefix; RangeError if invalid. */
export function parseCidr(text: string): { bytes: Uint8Array; bits: number } {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash < 0 ? text : text.slice(0, slash));
  const bitsText = slash < 0 ? '' : text.slice(slash + 1);
  const bits = slash < 0 ? (bytes?.length ?? 0) * 8 : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  if (!bytes || bits < 0 || bits > bytes.length * 8) throw new RangeError(`not an IP network: ${JSON.stringify(text)} (want ADDR/BITS or an address)`);
  return { bytes, bits };
}

/** Checks a port number; RangeError unless an integer 0..65535. */
export function checkPort(port: unknown, what: string): number {
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) throw new RangeError(`${what} must be an integer from 0 to 65535, not ${JSON.stringify(port)}`);
  return port as number;
}

/** Parses a comma-separated port list (`80,443`; `ALL`/`ANY` add nothing, as in the sidecar); RangeError for a bad port. */
export function parsePortList(text: string): number[] {
  const out: number[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t === '' || /^(all|any)$/i.test(t)) continue;
    // Unlike the sidecar, which adds port 0 for a token it cannot parse.
    if (!/^\d{1,5}$/.test(t)) throw new RangeError(`not a port: ${JSON.stringify(t)}`);
    out.push(checkPort(Number(t), 'a port'));
  }
  return out;
}

/** A parsed denied socket: two endpoints of one address family. */
export interface SocketPair { a: Uint8Array; portA: number; b: Uint8Array; portB: number }

function parseEndpoint(text: string, whole: string): { addr: Uint8Array; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const addr = m ? parseIp(m[1]!) : null;
  if (!m || !addr || (addr.length === 16) !== text.startsWith('[') || Number(m[2]) > 65535) {
    throw new RangeError(`not a socket pair: ${JSON.stringify(whole)} (want IP:PORT-IP:PORT, IPv6 as [ADDR]:PORT)`);
  }
  return { addr, port: Number(m[2]) };
}

/** Parses `IP:PORT-IP:PORT` (IPv6 as `[v6]:port`); RangeError if malformed or of mixed families. */
export function parseSocketPair(text: string): SocketPair {
  const parts = text.split('-');
  if (parts.length !== 2) throw new RangeError(`not a socket pair: ${JSON.stringify(text)} (want IP:PORT-IP:PORT, IPv6 as [ADDR]:PORT)`);
  const a = parseEndpoint(parts[0]!.trim(), text);
  const b = parseEndpoint(parts[1]!.trim(), text);
  if (a.addr.length !== b.addr.length) throw new RangeError(`socket pair mixes IPv4 and IPv6: ${JSON.stringify(text)}`);
  return { a: a.addr, portA: a.port, b: b.addr, portB: b.port };
}
