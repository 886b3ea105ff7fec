// The live runner's pieces that need no capture: merging interfaces in timestamp order, and
// the summary line, the OS interface table for attribution on any.
import { describe, it, expect, vi, afterEach } from 'vitest';
import type { CapturedPacket } from '../../../runtimes/node/capture/types.js';
import { Merger, MERGE_WAIT_MS, attributionTable, summaryLine } from '../../../runtimes/node/live.js';

describe('Merger', () => {
  afterEach(() => { vi.useRealTimers(); });
  const pk = (sec: number, nsec: number, tag: number): CapturedPacket => ({ sec, nsec, len: 1, data: Uint8Array.of(tag) });

  it('writes in timestamp order across interfaces once every interface has a packet queued', () => {
    const out: string[] = [];
    const m = new Merger(2, (ch, p) => out.push(`${ch}:${p.sec}.${p.nsec}:${p.data[0]}`));
    m.add(0, pk(1, 500, 1));
    m.add(0, pk(2, 0, 2));
    expect(out).toEqual([]); // interface 1 may still show an earlier packet
    m.add(1, pk(1, 100, 3));
    // 1.100 is the earliest of all; 1.500 waits, as interface 1's next packet may precede it.
    expect(out).toEqual(['1:1.100:3']);
    m.add(1, pk(3, 0, 4));
    expect(out).toEqual(['1:1.100:3', '0:1.500:1', '0:2.0:2']);
    m.release(true);
    expect(out.at(-1)).toBe('1:3.0:4');
    m.close();
  });
  it('copies packets (engines reuse their buffers) and writes a lone interface after MERGE_WAIT_MS', () => {
    vi.useFakeTimers();
    const out: number[] = [];
    const m = new Merger(3, (_ch, p) => out.push(p.data[0]!));
    // A Buffer, as the libpcap engine hands out: its slice() would not copy.
    const buf = Buffer.from([7]);
    m.add(2, { sec: 1, nsec: 0, len: 1, data: buf.subarray(0, 1) });
    buf[0] = 9;
    vi.advanceTimersByTime(MERGE_WAIT_MS - 5);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(out).toEqual([7]);
    m.close();
  });
});

describe('summaryLine', () => {
  it('sums every interface, like tcpdump, leaving out counters no engine knows', () => {
    expect(summaryLine([
      { captured: 1, received: 4, droppedByKernel: 0, droppedByInterface: 0 },
      { captured: 2, received: 2, droppedByKernel: 1, droppedByInterface: 3 },
    ])).toBe('tracecap: 3 packets captured, 6 received by filter, 1 dropped by kernel, 3 dropped by interface\n');
    expect(summaryLine([{ captured: 1, received: null, droppedByKernel: null, droppedByInterface: null }])).toBe('tracecap: 1 packet captured\n');
  });
});

describe('attributionTable', () => {
  it('keeps interfaces with addresses, cut to the core\'s 64 × 16, and says once what it left out', () => {
    const table = [{ index: 1, name: 'lo', addrs: ['127.0.0.1', '::1'] }, { index: 2, name: 'down0', addrs: [] },
      { index: 3, name: 'many', addrs: Array.from({ length: 20 }, (_, i) => `10.1.0.${i + 1}`) },
      ...Array.from({ length: 70 }, (_, i) => ({ index: 10 + i, name: `veth${i}`, addrs: [`10.2.${i}.1`] }))];
    const lines: string[] = [];
    const kept = attributionTable(table, (l) => lines.push(l));
    expect(kept).toHaveLength(64);
    expect(kept.map((i) => i.name).slice(0, 3)).toEqual(['lo', 'many', 'veth0']);
    expect(kept[1]!.addrs).toHaveLength(16);
    // 4 of "many" and the 8 veths beyond the 64th interface.
    expect(lines).toEqual(['tracecap: any: 12 addresses beyond the first 64 interfaces × 16 addresses are not used to attribute packets\n']);
    expect(attributionTable(table.slice(0, 2), (l) => lines.push(l))).toEqual([table[0]]);
    expect(lines).toHaveLength(1);
  });
});
