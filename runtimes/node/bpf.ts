// Compiles tcpdump filter expressions (pcap-filter(7)) to classic BPF with the machine's
// libpcap, through tcpdump -ddd, and finds the link types a capture shows at its start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBpfDdd, BPF_MAXINSNS, type BpfProgram } from '../../src/filter.js';
// An empty pcap with the link type to compile for: tcpdump -r needs one (tcpdump -ddd alone
// compiles for the default interface's link type).
import { pcapGlobalHeader } from './capture/pcapstream.js';

/** Link types a filter is also compiled for when the capture may use others than it shows (pcapng), or shows none. */
export const COMMON_LINKTYPES: readonly number[] = [1, 113, 276, 101, 0, 108, 228, 229];

/** libpcap refused the expression (or tcpdump could not run); `reason` is tcpdump's message. */
export class BpfCompileError extends Error {
  /** The expression that failed. */
  readonly expression: string;
  /** tcpdump's message, without its `tcpdump:` prefix. */
  readonly reason: string;
  constructor(expression: string, reason: string) {
    super(`bad filter ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'BpfCompileError';
    this.expression = expression;
    this.reason = reason;
  }
}

// tcpdump's last complaint, e.g. "can't parse filter expression: syntax error" → "syntax error".
function tcpdumpReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('tcpdump: '));
  const last = lines.at(-1)?.slice('tcpdump: '.length) ?? (stderr.trim() || 'tcpdump failed');
  return last.replace(/^can't parse filter expression: /, '');
}

/**
 * Compiles `expression` for each link type with `tcpdump -ddd -s snaplen`. By default any
 * failure throws a BpfCompileError; with `skipRejected`, link types for which libpcap rejects
 * the expression (say `vlan` on raw IP) are left out, and it throws only when none compiles.
 */
export function compileBpf(expression: string, linktypes: readonly number[], snaplen = 262144, options: { skipRejected?: boolean; tcpdump?: string } = {}): BpfProgram[] {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-bpf-'));
  try {
    const out: BpfProgram[] = [];
    let firstError: BpfCompileError | null = null;
    for (const linktype of new Set(linktypes)) {
      const file = join(dir, `${linktype}.pcap`);
      writeFileSync(file, pcapGlobalHeader(linktype, snaplen));
      // After --, getopt(3) takes nothing for an option: an expression such as "-w x" is refused, not obeyed.
      const r = spawnSync(options.tcpdump ?? 'tcpdump', ['-r', file, '-ddd', '-s', String(snaplen), '--', expression], { encoding: 'utf8' });
      if (r.error) {
        const code = (r.error as NodeJS.ErrnoException).code;
        throw new BpfCompileError(expression, code === 'ENOENT' ? 'tcpdump is not installed (it compiles filter expressions)' : r.error.message);
      }
      if (r.status !== 0) {
        const e = new BpfCompileError(expression, tcpdumpReason(r.stderr));
        if (!options.skipRejected) throw e;
        firstError ??= e;
        continue;
      }
      const program = parseBpfDdd(r.stdout);
      if (program.length > BPF_MAXINSNS) throw new BpfCompileError(expression, `it compiles to ${program.length} instructions, more than the ${BPF_MAXINSNS} a program may have`);
      out.push({ linktype, program });
    }
    if (out.length === 0) throw firstError ?? new BpfCompileError(expression, 'no link type to compile for');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The link types a capture file shows at its start: the pcap header's, or those of the pcapng
 * Interface Description Blocks before the first packet block (in the first MiB). A pcapng file
 * may define more interfaces later; walking all of it to find them would cost as much time as
 * reading it, so callers add the common link types (see the CLI). Null when the file is
 * neither pcap nor pcapng (the translator then reports what is wrong with it).
 */
export function captureLinkTypes(path: string): number[] | null { return captureLinkTypesIn(fileHead(path)); }

/** The first `bytes` of a file (default 1 MiB; all of a smaller one). */
export function fileHead(path: string, bytes = 1 << 20): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether a capture's first bytes are a pcapng Section Header Block (its type 0x0A0D0D0A reads the same in either byte order). */
export function isPcapng(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x0a && head[1] === 0x0d && head[2] === 0x0d && head[3] === 0x0a;
}

/**
 * The link types shown by the start of a capture (a file's, or standard input's first bytes):
 * the pcap header's, or those of the pcapng IDBs before the first packet block. Null when it
 * is neither pcap nor pcapng.
 */
export function captureLinkTypesIn(head: Uint8Array): number[] | null {
  if (head.length < 24) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.length);
  const magic = v.getUint32(0, true);
  // pcap: microsecond and nanosecond magics, either byte order (pcap-savefile(5)); the
  // upper bits of the link type field carry FCS information.
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return [v.getUint32(20, true) & 0x0fffffff];
  if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return [v.getUint32(20, false) & 0x0fffffff];
  if (magic !== 0x0a0d0d0a) return null;
  // pcapng blocks (draft-ietf-opsawg-pcapng §3.1: type, total length, body, length); each
  // IDB's LinkType (§4.2) is its first field. Byte order per Section Header Block.
  const types = new Set<number>();
  let le = true;
  for (let pos = 0; pos + 12 <= head.length; ) {
    if (v.getUint32(pos, true) === 0x0a0d0d0a) {
      const bom = v.getUint32(pos + 8, true);
      if (bom === 0x1a2b3c4d) le = true; else if (bom === 0x4d3c2b1a) le = false; else break;
    }
    const type = v.getUint32(pos, le);
    const len = v.getUint32(pos + 4, le);
    if (len < 12 || len % 4 !== 0 || isPacketBlock(type)) break;
    if (type === 1 && len >= 20) types.add(v.getUint16(pos + 8, le));
    pos += len;
  }
  return [...types];
}

// Obsolete (2), Simple (3) and Enhanced (6) Packet Blocks.
function isPacketBlock(type: number): boolean { return type === 2 || type === 3 || type === 6; }

/**
 * Whether the start of a stream shows its link types: a whole pcap header, or pcapng blocks up
 * to the first packet block (IDBs normally precede it), or 1 MiB of them, or bytes of neither.
 */
export function headShowsLinkTypes(head: Uint8Array): boolean {
  if (head.length < 24) return false;
  const v = new DataView(head.buffer, head.byteOffset, head.length);
  if (v.getUint32(0, true) !== 0x0a0d0d0a || head.length >= 1 << 20) return true;
  const le = v.getUint32(8, true) === 0x1a2b3c4d;
  for (let pos = 0; pos + 8 <= head.length; ) {
    const type = v.getUint32(pos, le);
    const len = v.getUint32(pos + 4, le);
    if (isPacketBlock(type) || len < 12) return true;
    pos += len;
  }
  return false;
}
