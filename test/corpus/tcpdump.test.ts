// Robustness: every capture of tcpdump's test suite (odd link types, truncated and malformed
// packets) goes through the CLI without a crash or a hang; every output line is valid JSON with
// sorted keys; the exit status is 0, or 2 with one line on stderr.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';

const DIR = new URL('../../../shared/corpus/tcpdump/', import.meta.url).pathname;
const files = readdirSync(DIR).filter((f) => f !== 'LICENSE').sort();

function tracecap(file: string): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/tracecap.js', DIR + file], { timeout: 30_000, maxBuffer: 512 << 20 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, out: stdout, err: stderr });
    });
  });
}

function checkSorted(v: unknown, where: string): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) { v.forEach((x) => checkSorted(x, where)); return; }
  const keys = Object.keys(v);
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (keys.join('\0') !== sorted.join('\0')) throw new Error(`${where}: keys not sorted: ${keys.join(',')}`);
  for (const k of keys) checkSorted((v as Record<string, unknown>)[k], where);
}

describe('tcpdump corpus', () => {
  it(`has captures to run (${files.length})`, () => { expect(files.length).toBeGreaterThan(400); });
  it('every file: no crash, no hang, valid sorted JSON lines, exit 0 or 2', async () => {
    const problems: string[] = [];
    let records = 0, withErr = 0;
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const r = await tracecap(f);
        if (r.signal) { problems.push(`${f}: killed by ${r.signal} (hang?)`); continue; }
        if (r.code !== 0 && r.code !== 2) { problems.push(`${f}: exit ${r.code}: ${r.err.slice(0, 300)}`); continue; }
        if (r.code === 2 && !/^tracecap: .+ at byte offset \d+ \(packet \d+\)\n$/.test(r.err)) problems.push(`${f}: exit 2 with stderr ${JSON.stringify(r.err)}`);
        if (r.code === 0 && r.err !== '') problems.push(`${f}: stderr on success: ${r.err.slice(0, 200)}`);
        const lines = r.out.split('\n');
        if (lines.pop() !== '') problems.push(`${f}: output does not end with a newline`);
        lines.forEach((l, i) => {
          try {
            const o = JSON.parse(l);
            checkSorted(o, `${f}#${i}`);
            if (o.pcap.num !== String(i)) problems.push(`${f}#${i}: pcap.num ${o.pcap.num}`);
            if (o.err) withErr++;
          } catch (e) { problems.push(`${f}#${i}: ${(e as Error).message}`); }
        });
        records += lines.length;
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(records).toBeGreaterThan(4000);
    expect(withErr).toBeGreaterThan(0);
  }, 600_000);
});
