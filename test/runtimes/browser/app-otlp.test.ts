// The app's "Export OTLP" button in Debian's Chromium: the file it downloads is the CLI's
// `--format otlp` of the same capture read from standard input (the app puts no file names in
// the resource), byte for byte, on an HTTP/1 and an HTTP/2 capture.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { haveChromium, launch, openFile } from './app-page.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'build', 'app');
if (!existsSync(join(APP, 'index.html'))) throw new Error(`${APP}/index.html is missing: run \`npm run build\` first`);

let server: AppServer;
let browser: Browser;
beforeAll(async () => {
  server = await serveApp({ root: APP, port: 0 });
  if (haveChromium) browser = await launch();
}, 60_000);
afterAll(async () => { await browser?.close(); await server?.close(); });

describe.skipIf(!haveChromium)('Export OTLP', () => {
  it.each(['examples/http-keepalive.pcap', '../shared/corpus/http/h2c-mtu1500.pcap'])('downloads the CLI\'s span lines for %s', async (file) => {
    const path = join(ROOT, file);
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/tracecap.js'), '--format', 'otlp', '-'], { input: readFileSync(path), encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const context = await browser.newContext({ acceptDownloads: true });
    const p = await context.newPage();
    await p.goto(server.url);
    await openFile(p, path);
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=export-otlp]')]);
    expect(download.suggestedFilename()).toMatch(/\.otlp\.jsonl$/);
    const out = join(mkdtempSync(join(tmpdir(), 'tracecap-otlp-app-')), 'x.jsonl');
    await download.saveAs(out);
    const got = readFileSync(out, 'utf8');
    expect(got.length).toBeGreaterThan(0);
    expect(got).toBe(cli.stdout);
    await context.close();
  }, 120_000);
});
