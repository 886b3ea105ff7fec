// Capture on a trigger, assembled: the CLI's ring flags checked, and two engines (replaying a
// real capture, as an engine delivers packets) wired to rings fired together by a line appended
// to the trigger file, with --max-triggers 1 stopping the engines.
import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTranslator } from '../../../src/index.js';
import type { CaptureEngine, CapturedPacket, OsInterface } from '../../../runtimes/node/capture/types.js';
import { ringSettings, runTriggered, describeWindow, DEFAULT_AFTER_SECS } from '../../../runtimes/node/triggered.js';
import type { Instant } from '../../../runtimes/node/ring.js';
import { readPcap, writePcap } from '../../helpers/pcap-records.js';

const core = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const HTTP = new URL('../../../../shared/corpus/http/', import.meta.url).pathname;

describe('ringSettings: the CLI flags', () => {
  it('no --ring/--ring-mb: no ring; defaults otherwise', () => {
    expect(ringSettings({})).toBeNull();
    expect(ringSettings({ ring: '30' })).toEqual({ secs: 30, bytes: 64 << 20, afterSecs: DEFAULT_AFTER_SECS, triggers: { signal: 'SIGUSR1' } });
    const s = ringSettings({ ringMb: '8', after: '2.5', maxTriggers: '3', triggerFile: '/x.log', triggerRegex: 'ERR(OR)?' })!;
    expect([s.secs, s.bytes, s.afterSecs, s.maxTriggers, s.triggers.file, s.triggers.regex?.source]).toEqual([undefined, 8 << 20, 2.5, 3, '/x.log', 'ERR(OR)?']);
  });
  const BAD: [Parameters<typeof ringSettings>[0], string][] = [
    [{ after: '5' }, '--after needs --ring or --ring-mb'],
    [{ triggerFile: 'x' }, '--trigger-file needs --ring or --ring-mb'],
    [{ ring: '0' }, '--ring needs seconds, more than 0 and at most 86400, not "0"'],
    [{ ring: '1m' }, '--ring needs seconds, more than 0 and at most 86400, not "1m"'],
    [{ ringMb: '0' }, '--ring-mb needs a size in MiB from 1 to 1024, not "0"'],
    [{ ringMb: '4096' }, '--ring-mb needs a size in MiB from 1 to 1024, not "4096"'],
    [{ ring: '9', after: '-1' }, '--after needs seconds from 0 to 86400, not "-1"'],
    [{ ring: '9', maxTriggers: '0' }, '--max-triggers needs a positive integer, not "0"'],
    [{ ring: '9', triggerFile: 'x' }, '--trigger-file needs --trigger-regex'],
    [{ ring: '9', triggerRegex: 'x' }, '--trigger-regex needs --trigger-file'],
    [{ ring: '9', triggerFile: 'x', triggerRegex: '[' }, '--trigger-regex: Invalid regular expression: /[/: Unterminated character class'],
  ];
  for (const [flags, msg] of BAD) it(`${JSON.stringify(flags)} → ${msg}`, () => expect(() => ringSettings(flags)).toThrow(new RangeError(msg)));
});

// An engine that delivers the packets of a real capture when told to, as a live one would.
class ReplayEngine implements CaptureEngine {
  readonly kind = 'tcpdump' as const;
  onPacket: (packet: CapturedPacket) => void = () => {};
  stopped = false;
  delivered = 0;
  constructor(readonly iface: OsInterface, readonly linktype: number, private readonly packets: CapturedPacket[], private readonly clock: (p: CapturedPacket) => void) {}
  deliver(upTo: number): void {
    for (; this.delivered < upTo && !this.stopped; this.delivered++) {
      const p = this.packets[this.delivered]!;
      this.clock(p);
      this.onPacket({ ...p, data: p.data.slice() }); // a fresh buffer, as an engine's is reused after the callback
    }
  }
  async stop(): Promise<void> { this.stopped = true; }
  stats() { return { captured: this.delivered, received: null, droppedByKernel: null, droppedByInterface: null }; }
}

describe('runTriggered', () => {
  it('a trigger-file line fires the ring of every interface; --max-triggers 1 then stops the engines', async () => {
    const { linktype, packets } = readPcap(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap'));
    const ns = (p: { sec: number; nsec: number }) => BigInt(p.sec) * 1_000_000_000n + BigInt(p.nsec);
    let clock: Instant = { sec: 0, nsec: 0 };
    const tick = (p: CapturedPacket) => { clock = { sec: p.sec, nsec: p.nsec }; };
    const engines = [
      new ReplayEngine({ index: 2, name: 'eth0', addrs: ['127.0.0.1'] }, linktype, packets, tick),
      new ReplayEngine({ index: 1, name: 'lo', addrs: [] }, linktype, packets, tick),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-triggered-'));
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const settings = ringSettings({ ring: '0.01', after: '0.006', maxTriggers: '1', triggerFile: log, triggerRegex: 'level=error' })!;
    settings.triggers = { ...settings.triggers, signal: null, pollMs: 20 }; // no SIGUSR1 listener inside the test runner
    const out = new Map<string, string>();
    const lines: string[] = [];
    const dec = new TextDecoder();
    const run = runTriggered(engines, {
      core, settings, now: () => clock,
      translatorOptions: (e) => ({ ifaceName: e.iface.name, ifaceIndex: e.iface.index, ifaceAddrs: e.iface.addrs }),
      sink: (v) => { const s = dec.decode(v); const name = JSON.parse(s.slice(0, s.indexOf('\n'))).iface.name; out.set(name, (out.get(name) ?? '') + s); },
      onWindow: (e, w) => lines.push(describeWindow(e.iface.name, w)),
    });
    const k = 250;
    for (const e of engines) e.deliver(k + 1);
    appendFileSync(log, 'level=info all fine\nlevel=error upstream timeout\n');
    for (let i = 0; i < 300 && run.rings.some((r) => r.state !== 'triggered'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(run.rings.map((r) => r.state)).toEqual(['triggered', 'triggered']);
    for (const e of engines) e.deliver(packets.length);
    await run.done;
    expect(engines.map((e) => e.stopped)).toEqual([true, true]);

    const T = ns(packets[k]!);
    const from = packets.findIndex((p) => ns(p) >= T - 10_000_000n);
    const to = packets.findIndex((p) => ns(p) > T + 6_000_000n);
    expect(run.rings.map((r) => r.state)).toEqual(['done', 'done']);
    for (const e of engines) {
      const t = await createTranslator(core, { ifaceName: e.iface.name, ifaceIndex: e.iface.index, ifaceAddrs: e.iface.addrs, firstSerial: from });
      const want = dec.decode(t.push(writePcap(linktype, packets.slice(from, to)))) + dec.decode(t.finish());
      expect(out.get(e.iface.name)).toBe(want);
    }
    expect(lines).toEqual([
      `tracecap: eth0: window 1 opened by ${log}: level=error upstream timeout: ${k + 1 - from} packets from the ring, from serial ${from}`,
      `tracecap: lo: window 1 opened by ${log}: level=error upstream timeout: ${k + 1 - from} packets from the ring, from serial ${from}`,
      `tracecap: eth0: window 1 closed: ${to - from} packets written, next serial ${to}`,
      `tracecap: lo: window 1 closed: ${to - from} packets written, next serial ${to}`,
    ]);
    appendFileSync(log, 'level=error after the end\n'); // no longer followed: nothing happens
    await new Promise((r) => setTimeout(r, 80));
    expect(lines.length).toBe(4);
  });
});
