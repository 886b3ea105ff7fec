// -G on standard input: a file whose interval is over completes even when no further record
// comes (tcpdump -w - | tracecap - -w ... -G N on a quiet link), as in a live capture.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = 'bin/tracecap.js';
const EXAMPLE = new URL('../../../examples/dns.pcap', import.meta.url).pathname;

describe('tracecap - -w TEMPLATE -G SECS', () => {
  it('completes the current file once its interval is over, with standard input still open and idle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-stdin-G-'));
    // The pcap header and the first packet (its record ends at byte 118).
    const head = readFileSync(EXAMPLE).subarray(0, 118);
    const child = spawn(process.execPath, [BIN, '-', '-w', join(dir, 'part_%s.json'), '-G', '1'], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stdin.write(head);
    const complete = () => readdirSync(dir).filter((f) => !f.startsWith('.'));
    const deadline = Date.now() + 5000;
    while (complete().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const files = complete();
    child.stdin.end();
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]!), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(code).toBe(0);
  }, 15_000);
});
