// The captured packets as capture files (--pcap-w, --pcap-format): classic pcap or pcapng,
// written through the same rotating writer as the records' -w files (strftime names, hidden
// until complete, -G/-C/-W), each file starting with its own header so that every file opens
// alone in Wireshark. See README "Writing files".
import { openFileOutput, TemplateError, type FileOutput, type FileOutputOptions } from './rotate.js';
import { compileTemplate } from './strftime.js';
import type { Finisher } from './finish.js';
import {
  pcapFileHeader, pcapngHeader, writePcapRecord, writePcapngPacket, pcapngPacketLength,
  type PacketRecord, type TsResolution,
} from '../../../src/pcapfile.js';

/** --pcap-format. */
export type PacketFormat = 'pcap' | 'pcapng';

/** Placeholders of a --pcap-w template: the interface's name and its kernel index (pcap-sidecar's part__<ifIndex>_<ifName>__…). */
export const IFACE_PLACEHOLDERS = ['{iface}', '{ifindex}'] as const;

/** True when `template` names the interface, so that each interface gets its own files. */
export function perInterface(template: string): boolean {
  return IFACE_PLACEHOLDERS.some((p) => template.includes(p));
}

/** `template` for one interface: the placeholders replaced (a `%` in a name stays a literal %). */
export function interfaceTemplate(template: string, iface: { name: string; index: number }): string {
  return template.replaceAll('{iface}', iface.name.replaceAll('%', '%%')).replaceAll('{ifindex}', String(iface.index));
}

/** Checks a --pcap-w template as -w's are checked (strftime fields, zone); throws TemplateError. */
export function checkPacketTemplate(template: string, tz = 'UTC'): void {
  try {
    compileTemplate(interfaceTemplate(template, { name: 'x', index: 0 }), tz);
  } catch (e) {
    throw ownTemplateError(e, template);
  }
}

// The writer's template errors name -w and the rendered template: name --pcap-w and what was given.
function ownTemplateError(e: unknown, template: string): unknown {
  if (!(e instanceof TemplateError)) return e;
  return new TemplateError(e.message.replace(/^-w template "(?:[^"\\]|\\.)*"/, `--pcap-w template ${JSON.stringify(template)}`));
}

/** One interface whose packets are written: what its files' headers say. */
export interface PacketSource {
  iface: { name: string; index: number };
  linktype: number;
  snaplen: number;
  resolution: TsResolution;
  /** The capture filter (pcapng if_filter), '' for none. */
  filter?: string;
}

/** Options of openPacketFiles(): -w's rotation options, plus the format and the finishing queue. */
export interface PacketFilesOptions extends Omit<FileOutputOptions, 'header' | 'wholeWrites' | 'finisher' | 'tee'> {
  format: PacketFormat;
  /** --gzip / --move-to (createFinisher()); each file set gets its own -W ring in it. */
  finisher?: Finisher | null;
}

/** The packet files of a capture, one set of files per interface or one for all. */
export interface PacketFiles {
  /** Writes one packet of source `i` (openPacketFiles' order); `p.data` may be reused after the call. */
  write(i: number, p: PacketRecord): void;
  /** A trigger window of source `i` opens: its packets follow. */
  windowOpened(i: number): void;
  /** A trigger window of source `i` closed: the file it went to is completed once no other window is open on it. */
  windowClosed(i: number): void;
  /** -G while idle: completes files whose interval is over. */
  tick(): void;
  /** Completes every file (throws the first OutputError). */
  close(): void;
  /** Complete files present, every set (oldest first within a set). */
  readonly files: readonly string[];
}

/** Classic pcap needs one link type per file; a merged set whose interfaces differ cannot be written. */
export class LinkTypeError extends Error {
  override name = 'LinkTypeError';
}

const LINKTYPE_NAMES: Record<number, string> = { 0: 'BSD loopback', 1: 'Ethernet', 101: 'raw IP', 113: 'Linux cooked', 276: 'Linux cooked v2' };
const linktypeName = (t: number) => `link type ${t}${LINKTYPE_NAMES[t] ? ` (${LINKTYPE_NAMES[t]})` : ''}`;

/**
 * The one link type of several interfaces' packets in one classic pcap stream; throws
 * LinkTypeError naming two that differ, with `advice` on what to do instead.
 */
export function commonLinktype(sources: readonly PacketSource[], what: string, advice: string): number {
  const first = sources[0]!;
  const other = sources.find((s) => s.linktype !== first.linktype);
  if (other) {
    throw new LinkTypeError(`${what}: a classic pcap stream holds one link type, and ${first.iface.name} has ${linktypeName(first.linktype)} while ${other.iface.name} has ${linktypeName(other.linktype)}: ${advice}`);
  }
  return first.linktype;
}

interface FileSet {
  out: FileOutput;
  /** pcapng interface id of each source in this set (the IDB's position); -1: not in this set. */
  ids: number[];
  /** Windows open on this set. */
  windows: number;
}

/**
 * Opens the packet files of `sources`. With {iface} or {ifindex} in the template, each interface
 * has its own set of files; without, one set holds them all: pcapng with one interface block
 * each, classic pcap only if they share a link type (else LinkTypeError). Throws TemplateError
 * for a bad template; files appear at the first packet.
 */
export function openPacketFiles(o: PacketFilesOptions, sources: readonly PacketSource[]): PacketFiles {
  if (sources.length === 0) throw new RangeError('no interface to write packets of');
  const groups = perInterface(o.template) ? sources.map((_, i) => [i]) : [sources.map((_, i) => i)];
  const resolution = sources.map((s) => s.resolution);
  const sets: FileSet[] = [];
  const setOf: FileSet[] = [];
  for (const group of groups) {
    const members = group.map((i) => sources[i]!);
    let header: Uint8Array;
    if (o.format === 'pcapng') {
      header = pcapngHeader(members.map((s) => ({ linktype: s.linktype, snaplen: s.snaplen, name: s.iface.name, filter: s.filter, resolution: s.resolution })));
    } else {
      const linktype = commonLinktype(members, '--pcap-w', 'put {iface} in the template (one set of files per interface), or use --pcap-format pcapng');
      // One resolution per classic file: nanoseconds if any interface has them (one engine kind gives the same to all).
      const res = members.some((s) => s.resolution === 'ns') ? 'ns' : 'us';
      for (const i of group) resolution[i] = res;
      header = pcapFileHeader(linktype, Math.max(...members.map((s) => s.snaplen)), res);
    }
    const template = group.length === 1 ? interfaceTemplate(o.template, sources[group[0]!]!.iface) : o.template;
    let out: FileOutput;
    try {
      out = openFileOutput({
        ...o, template, header, wholeWrites: true, finisher: o.finisher?.output(o.maxFiles),
      });
    } catch (e) {
      throw ownTemplateError(e, o.template);
    }
    const set: FileSet = { out, ids: sources.map((_, i) => group.indexOf(i)), windows: 0 };
    sets.push(set);
    for (const i of group) setOf[i] = set;
  }

  // One record staged at a time: each write is one whole packet for the rotating writer.
  let stage = new Uint8Array(64 << 10);
  return {
    write(i: number, p: PacketRecord): void {
      const set = setOf[i]!;
      const need = pcapngPacketLength(p); // ≥ a classic record's length
      if (need > stage.length) stage = new Uint8Array(Math.max(need, stage.length * 2));
      const n = o.format === 'pcapng'
        ? writePcapngPacket(stage, 0, set.ids[i]!, p, resolution[i]!)
        : writePcapRecord(stage, 0, p, resolution[i]!);
      set.out.write(stage.subarray(0, n));
    },
    windowOpened(i: number): void { setOf[i]!.windows++; },
    windowClosed(i: number): void {
      const set = setOf[i]!;
      if (set.windows > 0 && --set.windows === 0) set.out.cut();
    },
    tick(): void { for (const s of sets) s.out.tick(); },
    close(): void {
      let failure: unknown = null;
      for (const s of sets) { try { s.out.close(); } catch (e) { failure ??= e; } }
      if (failure !== null) throw failure;
    },
    get files() { return sets.flatMap((s) => s.out.files); },
  };
}
