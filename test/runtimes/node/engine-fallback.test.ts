// Without the optional `pcap` package, live capture says so in one line and uses tcpdump: the
// CLI bundle and the core are copied where no node_modules can be found, and capture on lo.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const root = process.getuid?.() === 0;
if (!root) console.warn('[engine-fallback] not root: live capture is skipped');

describe.skipIf(!root)('live capture without the pcap package', () => {
  it('says so in one line, then captures with tcpdump', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-nopcap-'));
    try {
      for (const f of ['bin/tracecap.js', 'dist/runtimes/node/cli.bundle.js', 'build/tracecap.wasm']) {
        mkdirSync(join(dir, f, '..'), { recursive: true });
        copyFileSync(join(ROOT, f), join(dir, f));
      }
      const r = spawnSync(process.execPath, [join(dir, 'bin/tracecap.js'), '-i', 'lo', '--timeout', '1', 'udp port 9'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines[0]).toBe('tracecap: the optional package pcap is not installed; capturing with tcpdump');
      expect(lines[1]).toBe('tracecap: listening on lo (tcpdump)');
      expect(lines[2]).toMatch(/^tracecap: \d+ packets captured, \d+ received by filter, \d+ dropped by kernel/);
      expect(lines).toHaveLength(3);
      // The engine named explicitly is an error, not a fallback.
      const e = spawnSync(process.execPath, [join(dir, 'bin/tracecap.js'), '-i', 'lo', '--timeout', '1', '--engine', 'libpcap'], { encoding: 'utf8', timeout: 30_000 });
      expect(e.status).toBe(2);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
      expect(e.stderr).toMatch(/pcap is not installed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
