// src/capsel.ts: the packets it picks by file offset, written as a capture file of the source's
// format, are exactly those packets (tshark and capinfos read them: same count, bytes, times).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureSelector, CaptureWalkError, MAX_CAPTURE_BLOCK } from '../../src/capsel.js';

const HTTP = new URL('../../../shared/corpus/http/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'capsel-test-'));

function offsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const sel = new CaptureSelector('all', { packet: (p) => out.push(p.offset) });
  sel.push(bytes); sel.finish();
  return out;
}

/** Each packet's time (ns), lengths, interface and the MD5 of its bytes, as tshark reads them. */
function tsharkPackets(file: string): string[] {
  return execFileSync('tshark', ['-r', file, '-o', 'frame.generate_md5_hash:TRUE', '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id', '-e', 'frame.md5_hash'], { encoding: 'utf8', maxBuffer: 256 << 20 })
    .split('\n').filter(Boolean);
}

describe.each(['h1-keepalive-mtu1500.pcap', 'h1-keepalive-mtu1500.pcapng', 'h2c-any-sll2.pcap', 'tls-sni.pcap'])('CaptureSelector on %s', (name) => {
  const bytes = new Uint8Array(readFileSync(HTTP + name));
  const all = offsets(bytes);

  it('writes exactly the selected packets, byte for byte with their times, in chunks of any size', () => {
    expect(all.length).toBeGreaterThan(4);
    const pick = all.filter((_, i) => i % 3 !== 1);
    for (const chunk of [7, 4096, bytes.length]) {
      const parts: Uint8Array[] = [];
      const sel = new CaptureSelector(pick, { out: (b) => parts.push(b.slice()) });
      for (let o = 0; o < bytes.length && !sel.done; o += chunk) sel.push(bytes.subarray(o, o + chunk));
      sel.finish();
      expect(sel.found).toBe(pick.length);
      const file = join(tmp, `${chunk}-${name}`);
      writeFileSync(file, Buffer.concat(parts));
      expect(execFileSync('capinfos', ['-M', '-c', '-t', file], { encoding: 'utf8' })).toBe(`File name:           ${file}\nFile type:           ${name.endsWith('ng') ? 'pcapng' : 'pcap'}\nNumber of packets:   ${pick.length}\n`);
      const theirs = tsharkPackets(HTTP + name).filter((_, i) => i % 3 !== 1);
      expect(tsharkPackets(file)).toEqual(theirs);
    }
  });
});

describe('CaptureSelector errors', () => {
  const bytes = new Uint8Array(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap'));
  it('says which offset no packet starts at, and where a file is cut or not a capture', () => {
    const all = offsets(bytes);
    expect(() => { const s = new CaptureSelector([all[1]! + 1], {}); s.push(bytes); s.finish(); }).toThrow(new CaptureWalkError(`no packet starts at byte ${all[1]! + 1} of the capture`, all[1]! + 1));
    expect(() => { const s = new CaptureSelector('all', {}); s.push(bytes.subarray(0, all[2]! + 3)); s.finish(); }).toThrow(/the capture ends inside a packet record \(at byte \d+\)/);
    expect(() => new CaptureSelector('all', {}).push(new Uint8Array(40))).toThrow('not a pcap or pcapng file (at byte 0)');
    expect(() => { const s = new CaptureSelector([all[3]!, all[2]!], {}); s.push(bytes); }).toThrow(/not in increasing order/);
  });
});

describe('CaptureSelector stopping early', () => {
  it('finishes without error when the last wanted packet was found before the file ended', () => {
    const bytes = new Uint8Array(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap'));
    const all = offsets(bytes);
    const sel = new CaptureSelector([all[0]!, all[1]!], {});
    sel.push(bytes.subarray(0, all[2]! + 3)); // ends inside the third packet, which is not wanted
    expect(sel.done).toBe(true);
    expect(() => sel.finish()).not.toThrow();
    expect(sel.found).toBe(2);
  });
});

describe('CaptureSelector limits', () => {
  it(`refuses a pcap record or pcapng block larger than MAX_CAPTURE_BLOCK, naming its offset`, () => {
    const head = new Uint8Array(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap').subarray(0, 24));
    const rec = new Uint8Array(16);
    new DataView(rec.buffer).setUint32(8, MAX_CAPTURE_BLOCK + 1, true);
    const s = new CaptureSelector('all', {});
    expect(() => s.push(Buffer.concat([head, rec]))).toThrow(`packet record of ${MAX_CAPTURE_BLOCK + 1} bytes is larger than the ${MAX_CAPTURE_BLOCK}-byte limit (at byte 24)`);
    const ng = new Uint8Array(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcapng'));
    const all = offsets(ng);
    const bad = ng.slice(0, all[0]! - 28 + 12);
    new DataView(bad.buffer).setUint32(all[0]! - 28 + 4, MAX_CAPTURE_BLOCK + 4, true);
    expect(() => new CaptureSelector('all', {}).push(bad)).toThrow(`pcapng block of ${MAX_CAPTURE_BLOCK + 4} bytes is larger than the ${MAX_CAPTURE_BLOCK}-byte limit (at byte ${all[0]! - 28})`);
  });
});
