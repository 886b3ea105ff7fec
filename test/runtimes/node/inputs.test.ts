// runtimes/node/inputs.ts: the capture files that command-line words name — files, directories
// (their capture files by content, sorted, not recursive, no hidden files) and patterns the
// shell did not expand — and which words after the first input name captures at all.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureFilesIn, expandInputs, globPaths, isCaptureFile, isPattern, namesCaptures, InputError } from '../../../runtimes/node/inputs.js';
import * as B from '../../helpers/build.js';

const tmp = mkdtempSync(join(tmpdir(), 'tracecap-inputs-'));
const at = (...p: string[]) => join(tmp, ...p);

beforeAll(() => {
  mkdirSync(at('caps'));
  mkdirSync(at('caps', 'sub'));
  mkdirSync(at('src'));
  writeFileSync(at('caps', 'b.pcap'), B.pcap([]));
  writeFileSync(at('caps', 'a.pcapng'), B.pcapng({ blocks: [] }));
  writeFileSync(at('caps', 'c.cap'), B.pcap([], { bigEndian: true, nano: true }));
  writeFileSync(at('caps', '.hidden.pcap'), B.pcap([]));
  writeFileSync(at('caps', 'notes.txt'), 'text');
  writeFileSync(at('caps', 'empty.pcap'), new Uint8Array(0));
  writeFileSync(at('caps', 'sub', 'd.pcap'), B.pcap([]));
  writeFileSync(at('src', 'main.ts'), 'export {}');
});

describe('runtimes/node/inputs', () => {
  it('a capture file is one that starts with a pcap or pcapng magic', () => {
    expect(['b.pcap', 'a.pcapng', 'c.cap'].map((f) => isCaptureFile(at('caps', f)))).toEqual([true, true, true]);
    expect(['notes.txt', 'empty.pcap', 'sub', 'missing'].map((f) => isCaptureFile(at('caps', f)))).toEqual([false, false, false, false]);
  });
  it('a directory\'s capture files: by content, sorted by name, neither hidden files nor subdirectories', () => {
    expect(captureFilesIn(at('caps'))).toEqual(['a.pcapng', 'b.pcap', 'c.cap'].map((f) => at('caps', f)));
  });
  it('patterns: *, ? and [...] in any segment, sorted; a leading dot only by a dot; a word naming a file is no pattern', () => {
    expect(globPaths(at('caps', '*.pcap'))).toEqual([at('caps', 'b.pcap'), at('caps', 'empty.pcap')]);
    expect(globPaths(at('caps', '.*.pcap'))).toEqual([at('caps', '.hidden.pcap')]);
    expect(globPaths(at('ca?s', '[a-b]*'))).toEqual([at('caps', 'a.pcapng'), at('caps', 'b.pcap')]);
    // One segment is one level: caps/sub/d.pcap is two below.
    expect(globPaths(at('*', 'd.pcap'))).toEqual([]);
    expect(globPaths(at('caps', '*', 'd.pcap'))).toEqual([at('caps', 'sub', 'd.pcap')]);
    expect(globPaths(at('caps', '[!b]*.pcap'))).toEqual([at('caps', 'empty.pcap')]);
    expect(globPaths(at('nothing', '*'))).toEqual([]);
    expect(isPattern(at('caps', '*.pcap'))).toBe(true);
    expect(isPattern(at('caps', 'b.pcap'))).toBe(false);
  });
  it('expands files, directories and patterns in order; a pattern with no match and a directory without captures are errors', () => {
    expect(expandInputs([at('caps', 'b.pcap'), at('caps'), at('caps', 's*')])).toEqual([
      at('caps', 'b.pcap'), at('caps', 'a.pcapng'), at('caps', 'b.pcap'), at('caps', 'c.cap'), at('caps', 'sub', 'd.pcap'),
    ]);
    // A missing file stays: opening it says what is wrong.
    expect(expandInputs([at('missing.pcap')])).toEqual([at('missing.pcap')]);
    expect(() => expandInputs([at('caps', '*.nope')])).toThrow(InputError);
    expect(() => expandInputs([at('src')])).toThrow(new InputError(`${at('src')}: no pcap or pcapng files in this directory`));
  });
  it('a word after the first input is another only when it names captures: not `port`, `src` (a directory of sources) or `tcp[13]`', () => {
    expect([at('caps', 'b.pcap'), at('caps'), at('caps', '*.pcap'), at('caps', 's*')].map(namesCaptures)).toEqual([true, true, true, true]);
    expect(['port', at('src'), 'tcp[13]', '-', at('caps', 'notes.txt'), at('caps', '*.txt')].map(namesCaptures)).toEqual([false, false, false, false, false, false]);
  });
});
