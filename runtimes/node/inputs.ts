// The capture files a command line names (issue 23): files, directories (the capture files in
// them) and glob patterns the shell did not expand, and the merged capture several of them make
// (src/merge.ts), each file read with readSync.
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CaptureMerger, type MergeFile } from '../../src/merge.js';

/** Magic numbers of the capture formats the core reads: classic pcap (µs, ns, Kuznetzov; either byte order) and pcapng. */
const MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34, 0x34cdb2a1, 0x0a0d0d0a]);

/** Whether `path` is a regular file that starts as a pcap or pcapng capture does. */
export function isCaptureFile(path: string): boolean {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
  } catch { return false; }
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && MAGICS.has(head.readUInt32LE(0));
  } catch { return false; } finally { closeSync(fd); }
}

const WILDCARD = /[*?[]/;

/** Whether a word is a glob pattern (a *, ? or [) that names no file as it is. */
export function isPattern(word: string): boolean { return WILDCARD.test(word) && !existsSync(word); }

// One path segment of a pattern as a regular expression: * and ? within the segment, [...]
// classes ([!...] or [^...] negated); a leading dot is matched only by a dot, as sh(1) does.
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = segment.slice(i + 1, end);
      if (body[0] === '!') body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${re}$`);
}

/** The paths a glob pattern matches (*, ? and [...] in any segment; no **), sorted. */
export function globPaths(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let found = [absolute ? '/' : ''];
  for (const seg of segments) {
    const next: string[] = [];
    for (const dir of found) {
      if (!WILDCARD.test(seg)) { const p = dir === '' ? seg : join(dir, seg); if (existsSync(p)) next.push(p); continue; }
      const re = segmentRegExp(seg);
      let names: string[];
      try { names = readdirSync(dir === '' ? '.' : dir); } catch { continue; }
      for (const n of names.filter((x) => re.test(x)).sort()) next.push(dir === '' ? n : join(dir, n));
    }
    found = next;
  }
  return found.filter((p) => p !== '' && p !== '/');
}

/** The capture files of a directory (not its subdirectories; no hidden files), sorted by name. */
export function captureFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.')).sort().map((n) => join(dir, n)).filter(isCaptureFile);
}

/**
 * Whether a word after the first input word is another input (so the expression starts after
 * it): a capture file, a directory with capture files, or a pattern matching capture files.
 * Any other word (`port`, `host`, a directory of sources…) is the expression's.
 */
export function namesCaptures(word: string): boolean {
  if (word === '' || word === '-') return false;
  if (isPattern(word)) return globPaths(word).some((p) => isCaptureFile(p) || (isDirectory(p) && captureFilesIn(p).length > 0));
  if (isDirectory(word)) return captureFilesIn(word).length > 0;
  return isCaptureFile(word);
}

function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** Why an input word names no file to read (exit status 2), with the word. */
export class InputError extends Error {}

/**
 * The files the input words name, in order: a file as it is (opening it reports what is wrong
 * with it), a directory's capture files, a pattern's matches (a matched directory: its capture
 * files). Throws InputError for a pattern that matches nothing or a directory without captures.
 */
export function expandInputs(words: readonly string[]): string[] {
  const out: string[] = [];
  const addDir = (d: string, word: string) => {
    const files = captureFilesIn(d);
    if (files.length === 0) throw new InputError(`${word}: no pcap or pcapng files in this directory`);
    out.push(...files);
  };
  for (const w of words) {
    if (w !== '-' && isPattern(w)) {
      const matches = globPaths(w);
      if (matches.length === 0) throw new InputError(`${w}: no such file`);
      for (const m of matches) if (isDirectory(m)) addDir(m, m); else out.push(m);
    } else if (w !== '-' && isDirectory(w)) addDir(w, w);
    else out.push(w);
  }
  return out;
}

/** Several capture files open as one merged capture: read it with merger.readSync(); close() at the end. */
export interface MergedFiles { merger: CaptureMerger; close(): void }

/** Opens `paths` (throws the first open error, closing what was opened) and merges them. */
export function openMerged(paths: readonly string[]): MergedFiles {
  const fds: number[] = [];
  try {
    for (const p of paths) fds.push(openSync(p, 'r'));
  } catch (e) {
    for (const fd of fds) closeSync(fd);
    throw e;
  }
  const files: MergeFile[] = paths.map((p, i) => ({ name: basename(p), read: (into) => readSync(fds[i]!, into, 0, into.length, null) }));
  return { merger: new CaptureMerger(files), close: () => { for (const fd of fds) closeSync(fd); } };
}
