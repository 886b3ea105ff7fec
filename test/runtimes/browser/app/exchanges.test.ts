// The HTTP worker's exchange columns (exchanges.ts) with timing: Exchange.timing kept as typed
// columns reads back the same, the all-requests
// waterfall's rows and phases follow it, and the duration and size orders are right — on the
// exchanges of the corpus captures, with timing filled here (the core's join fills it in the app).
import { describe, it, expect } from 'vitest';
import { ExchangeBuilder, type Exchange, type ExchangeTiming } from '../../../../src/exchanges.js';
import { ExchangeTable } from '../../../../runtimes/browser/app/exchanges.js';
import { CAPTURES, packets, records } from './corpus.js';

/** A timing for exchange e made up from its own times (deterministic; some parts absent). */
function timingFor(e: Exchange, i: number): ExchangeTiming {
  const lat = e.latency ?? 1;
  const t: ExchangeTiming = {
    start: e.reqTime, requestEnd: lat * 0.1, responseStart: lat, responseEnd: lat + (i % 7) * 0.25,
    requestBytes: 100 + i, responseBytes: 1000 + 3 * i,
    retransmissions: { client: i % 3, server: i % 2 }, outOfOrder: { client: 0, server: i % 4 }, zeroWindows: { client: i % 5 === 0 ? 1 : 0, server: 0 },
  };
  if (i % 4 === 0) t.connect = { syn: e.reqTime - 0.5, synAck: 0.2, ack: 0.3 };
  if (i % 9 === 0) t.reset = 'server';
  if (i % 11 === 0) delete t.responseEnd;
  return t;
}

describe.each(CAPTURES)('ExchangeTable timing on $name', ({ file }) => {
  const table = new ExchangeTable();
  const b = new ExchangeBuilder({}, table);
  const plain = new ExchangeBuilder();
  for (const p of packets(records(file))) { b.add(p); plain.add(p); }
  const exs = plain.exchanges();

  it('has the exchanges; without timing a row is one bar from request to response', () => {
    expect(table.count).toBe(exs.length);
    expect(exs.length).toBeGreaterThan(0);
    for (const e of exs) {
      expect(table.timingOf(e.id)).toBeUndefined();
      const r = table.waterfallRow(e.id);
      expect(r.phases).toBeUndefined();
      expect(r.begin).toBe(e.reqTime);
      if (e.respTime !== undefined && e.method) { expect(r.end).toBe(Math.max(e.reqTime, e.respTime)); expect(r.duration).toBeCloseTo(Math.max(0, e.respTime - e.reqTime), 9); }
    }
  });

  it('keeps timing as columns: read back, phases, extent, reset, sorts by duration and size', () => {
    for (const e of exs) table.update({ ...e, timing: timingFor(e, e.id) });
    for (const e of exs) {
      const want = timingFor(e, e.id);
      const got = table.timingOf(e.id)!;
      expect(got.start).toBe(want.start);
      for (const k of ['requestEnd', 'responseStart', 'responseEnd'] as const) {
        expect(got[k]).toBe(want[k]);
      }
      expect([got.requestBytes, got.responseBytes, got.retransmissions, got.outOfOrder, got.zeroWindows, got.reset])
        .toEqual([want.requestBytes, want.responseBytes, want.retransmissions, want.outOfOrder, want.zeroWindows, want.reset]);
      expect(got.connect?.syn).toBe(want.connect?.syn);
      expect(table.exchange(e.id).timing).toEqual(got);
      const r = table.waterfallRow(e.id);
      const s = want.start;
      expect(r.phases!.send![0]).toBe(s);
      expect(r.phases!.send![1]).toBeCloseTo(s + want.requestEnd!, 3);
      expect(r.phases!.wait![1]).toBeCloseTo(s + want.responseStart!, 3);
      if (want.responseEnd !== undefined) expect(r.phases!.receive![1]).toBeCloseTo(s + want.responseEnd, 3); else expect(r.phases!.receive).toBeUndefined();
      if (want.connect) { expect(r.phases!.connect![0]).toBe(want.connect.syn); expect(r.phases!.connect![1]).toBeCloseTo(want.connect.syn + 0.3, 3); expect(r.begin).toBe(want.connect.syn); }
      else { expect(r.phases!.connect).toBeUndefined(); expect(r.begin).toBe(s); }
      expect(r.end).toBeCloseTo(s + (want.responseEnd ?? want.responseStart!), 3);
      expect(r.retransmissions).toBe(want.retransmissions.client + want.retransmissions.server);
      expect(r.reset).toBe(want.reset ?? (e.note?.startsWith('stream reset') ? 'stream' : undefined));
      expect(r.size).toBe(want.responseBytes);
    }
    const ids = Uint32Array.from(exs, (e) => e.id);
    for (const [key, of] of [['duration', (id: number) => table.durationOf(id)!], ['size', (id: number) => table.sizeOf(id)!]] as const) {
      const asc = Array.from(table.sorted(key, false, ids, 't'), of);
      const desc = Array.from(table.sorted(key, true, ids, 't'), of);
      expect(asc).toEqual([...asc].sort((a, b) => a - b));
      expect(desc).toEqual([...desc].sort((a, b) => b - a));
    }
    expect(table.bytes().exchangeTimingColumns).toBeGreaterThan(0);
  });
});
