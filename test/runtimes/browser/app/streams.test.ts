// streams.ts on the CLI's records of the h2c captures: every stream of a connection, its frames
// in record order, HEADERS decoded, DATA bytes summed as the records count them, RST_STREAM noted.
import { describe, it, expect } from 'vitest';
import { h2StreamsOf, MAX_H2_FRAMES, type H2Record } from '../../../../runtimes/browser/app/streams.js';
import { CAPTURES, records } from './corpus.js';

describe.each(CAPTURES.filter((c) => c.h2port))('h2StreamsOf on $name', ({ file, h2port }) => {
  const recs = records(file).filter((r) => r.HTTP?.streams);
  const flows = [...new Set(recs.map((r) => r.flow as string))];

  it('groups every frame of each connection by stream, with requests, statuses and DATA bytes', () => {
    expect(flows.length).toBeGreaterThan(0);
    for (const flow of flows) {
      const mine = recs.filter((r) => r.flow === flow);
      const input: H2Record[] = mine.map((r) => ({ num: Number(r.pcap.num), time: 0, fromClient: Number(r.L4.dst) === h2port, http: r.HTTP }));
      const c = h2StreamsOf(flow, input);
      const ids = new Set<number>(), frames = new Map<number, number>(), data: Record<number, [number, number]> = {};
      for (const r of mine) for (const s of Object.values(r.HTTP.streams) as any[]) {
        ids.add(Number(s.id));
        frames.set(Number(s.id), (frames.get(Number(s.id)) ?? 0) + s.frames.length);
        for (const f of s.frames) if (f.body?.length) { const d = (data[s.id] ??= [0, 0]); d[Number(r.L4.dst) === h2port ? 0 : 1] += Number(f.body.length[0]); }
      }
      expect(c.streams.map((s) => s.id)).toEqual([...ids].sort((a, b) => a - b));
      for (const s of c.streams) {
        expect(s.frames.length).toBe(frames.get(s.id));
        expect(s.data).toEqual(data[s.id] ?? [0, 0]);
        if (s.id > 0 && s.method) expect(s.frames.find((f) => f.kind === 'request')!.headers!.find(([k]) => k === ':method')![1]).toBe(s.method);
        expect(s.frames.every((f) => f.type !== '')).toBe(true);
      }
      expect(c.more).toBe(0);
    }
  });
});

describe('h2StreamsOf limits and resets', () => {
  it('notes RST_STREAM and who sent it, and counts frames past MAX_H2_FRAMES', () => {
    const frame = (raw: string, type?: string) => ({ flags: {}, len: 4, raw, ...(type ? { type } : {}) });
    const recs: H2Record[] = [
      { num: 1, time: 1, fromClient: true, http: { streams: { 1: { id: 1, frames: [{ ...frame('HEADERS stream=1', 'headers'), kind: 'request', headers: { ':method': ['GET'], ':path': ['/x'] } }] } } } },
      { num: 2, time: 2, fromClient: false, http: { streams: { 1: { id: 1, frames: [frame('RST_STREAM stream=1 len=4')] } } } },
    ];
    const c = h2StreamsOf('1', recs);
    expect(c.streams[0]).toMatchObject({ id: 1, method: 'GET', path: '/x', reset: 'server' });
    expect(c.streams[0]!.frames.map((f) => f.type)).toEqual(['HEADERS', 'RST_STREAM']);
    const many: H2Record[] = [{ num: 1, time: 1, fromClient: true, http: { streams: { 0: { id: 0, frames: Array.from({ length: MAX_H2_FRAMES + 5 }, () => frame('PING len=8', 'ping')) } } } }];
    const m = h2StreamsOf('1', many);
    expect([m.frames, m.more]).toEqual([MAX_H2_FRAMES, 5]);
  });
});
