// Screenshots of the browser app's views for the README (examples/screenshots/*.png, follow
// stream and HTTP/2 streams included): merges
// corpus captures (HTTP/1.1, h2c, DNS, resets, TLS) into one, opens it in Debian's Chromium through
// `tracecap app`'s server, and saves each view. Needs `npm run build` and ../shared/corpus.
//   node scripts/screenshots.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveApp } from '../dist/runtimes/node/app.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, '..', 'shared', 'corpus', 'http');
const out = join(root, 'examples', 'screenshots');
mkdirSync(out, { recursive: true });
const capture = join(mkdtempSync(join(tmpdir(), 'tracecap-shots-')), 'mixed.pcap');
execFileSync('mergecap', ['-F', 'pcap', '-w', capture, ...['h1-keepalive-mtu1500.pcap', 'h2c-mtu1500.pcap', 'dns-udp.pcap', 'h1-resets-mtu1500.pcap', 'tls-sni.pcap'].map((f) => join(corpus, f))]);

const server = await serveApp({ root: join(root, 'build', 'app'), port: 0, file: capture });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await page.goto(`${server.url}&project=my-project`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  const shot = (name) => page.screenshot({ path: join(out, `${name}.png`) });
  await page.fill('[data-testid=filter]', 'HTTP.code >= 200 or L4.flags.str ~ FIN');
  await page.waitForFunction(() => document.querySelector('.filterbar').dataset.filterText === 'HTTP.code >= 200 or L4.flags.str ~ FIN' && document.querySelector('.filterbar').dataset.filterState === 'ok');
  await page.click('[data-testid=packet-row] >> nth=4');
  await page.waitForSelector('[data-testid=detail]');
  await shot('packets');
  await page.fill('[data-testid=filter]', '');
  for (const [tab, ready] of [['conns', 'conn-row'], ['http', 'latency-histogram canvas'], ['traces', 'traces-row'], ['timeline', 'timeline-bytes canvas']]) {
    await page.click(`[data-testid=tab-${tab}]`);
    await page.waitForSelector(`[data-testid=${ready.split(' ')[0]}]${ready.includes(' ') ? ' ' + ready.split(' ')[1] : ''}`);
    await page.waitForTimeout(300);
    await shot(tab);
  }
  await page.click('[data-testid=tab-http]');
  await page.click('[data-testid=http-row] >> nth=12');
  await page.waitForSelector('[data-testid=trace-row]');
  await shot('trace');
  // The all-requests waterfall of the HTTP/2 capture's exchanges (a text filter: their bars
  // spread over its own time), and the statistics per endpoint.
  await page.click('[data-testid=tab-requests]');
  await page.fill('[data-testid=wf-filter]', '/v1/items');
  await page.waitForFunction(() => /^\d+ exchanges/.test(document.querySelector('[data-testid=requests] [data-testid=view-count]')?.textContent ?? '') && document.querySelector('[data-testid=wf-all-row]'));
  await page.waitForTimeout(500);
  await shot('requests');
  await page.click('[data-testid=tab-stats]');
  await page.waitForSelector('[data-testid=stats-row]');
  await page.waitForTimeout(300);
  await shot('stats');
  // Follow stream of an HTTP/1.1 connection (its messages, then its bytes as hex), and an h2c one per stream.
  for (const [port, ready, name] of [[':28091', 'follow-http', 'follow'], [':28092', 'h2-frames', 'h2-streams']]) {
    await page.click('[data-testid=tab-conns]');
    await page.click(`[data-testid=conn-row]:has-text("${port}") >> nth=0`);
    await page.click('[data-testid=follow-open]');
    await page.waitForSelector(`[data-testid=${ready}]`);
    await page.waitForTimeout(300);
    await shot(name);
    if (name === 'follow') { await page.click('[data-testid=follow-hex]'); await page.waitForSelector('[data-testid=follow-hex-rows] .frow'); await shot('follow-hex'); }
    await page.click('[data-testid=follow-close]');
    await page.fill('[data-testid=filter]', '');
    await page.press('[data-testid=filter]', 'Enter');
    await page.waitForFunction(() => document.querySelector('.filterbar').dataset.filterText === '' && document.querySelector('.filterbar').dataset.filterState === 'ok');
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
