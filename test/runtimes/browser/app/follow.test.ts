// follow.ts in Node (Blob and the same code the worker runs, node:zlib as the decompressor):
// one connection followed from the file's bytes by the offsets of its packets, as tshark
// follows it, and a wrong offset said as such.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CaptureSelector } from '../../../../src/capsel.js';
import { follow, walkSelected, type PickedPacket } from '../../../../runtimes/browser/app/follow.js';
import { nodeDecompress } from '../../../../runtimes/node/decompress.js';

const FILE = new URL('../../../../../shared/corpus/http/h1-keepalive-mtu1500.pcap', import.meta.url).pathname;
const tshark = (...a: string[]) => execFileSync('tshark', a, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });

describe('follow', () => {
  const bytes = new Uint8Array(readFileSync(FILE));
  const packets: PickedPacket[] = [];
  const sel = new CaptureSelector('all', { packet: (p) => { packets.push({ off: p.offset, num: packets.length, time: 0 }); } });
  sel.push(bytes); sel.finish();

  it("reassembles stream 0 from the file's bytes as tshark follows it, with its HTTP messages", async () => {
    const nums = tshark('-r', FILE, '-Y', 'tcp.stream eq 0', '-T', 'fields', '-e', 'frame.number').split('\n').filter(Boolean).map((n) => Number(n) - 1);
    const f = await follow(new Blob([bytes]), '1', nums.map((n) => packets[n]!), nodeDecompress, () => false);
    expect(f.packets).toBe(nums.length);
    const raw = tshark('-r', FILE, '-q', '-z', 'follow,tcp,raw,0');
    const dirs = ['', ''];
    for (const line of raw.split('\n')) { if (/^[0-9a-f]+$/.test(line)) dirs[0] += line; else if (/^\t[0-9a-f]+$/.test(line)) dirs[1] += line.slice(1); }
    expect([Buffer.from(f.dirs[0]!.bytes).toString('hex'), Buffer.from(f.dirs[1]!.bytes).toString('hex')]).toEqual(dirs);
    const http = tshark('-r', FILE, '-Y', 'tcp.stream eq 0 && (http.request || http.response)', '-T', 'fields', '-e', 'frame.number').split('\n').filter(Boolean).length;
    expect(f.messages.length).toBe(http);
    expect(f.messages.every((m) => m.complete && m.body !== null)).toBe(true);
    expect(f.http2).toBe(false);
  });

  it('says which offset no packet starts at', async () => {
    await expect(walkSelected(new Blob([bytes]), [{ off: packets[3]!.off + 1, num: 3, time: 0 }], {}, () => false)).rejects.toThrow(`no packet starts at byte ${packets[3]!.off + 1} of the capture`);
  });
});
