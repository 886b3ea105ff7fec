// The soak in `npm run bench` (bench/run.js): long captures with churn (gen.js, the `mix` of
// every feature: HTTP/1.1 keep-alive, pipelining, HEAD, slow responses, heads over the limit,
// HTTP/2 with HPACK indexing and up to 100 streams, TLS hellos, DNS CNAME chains, resets,
// abandoned connections, port reuse) over two hours of capture time, about 500 connections
// open at once. For each size: the CLI's speed at DEBUG on it (one whole process) next to its
// decode quality (check.js against the ground truth: every item right, skipped with a reason,
// wrong or missing; and the worst tenth of the connections against the first).
import { existsSync, readFileSync, writeFileSync, statSync, unlinkSync } from 'node:fs';
import { join, basename } from 'node:path';
import { generate } from './gen.js';
import { check, TYPES, rightRate } from './check.js';
import { truthPath } from './truth.js';

/** The soak's captures: connections over 2 hours of capture time, about 500 open at once. */
export const SOAK = { mix: 'mix', hours: 2, concurrency: 500 };

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// Generates the capture of `connections` unless the one in dataDir was made with the same settings.
function captureOf(dataDir, connections, say) {
  const out = join(dataDir, `soak-${connections / 1000}k.pcap`);
  const params = JSON.stringify({ ...SOAK, connections, seed: `bench-${connections}` });
  const stamp = `${out}.params`;
  if (existsSync(out) && existsSync(truthPath(out)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === params) return { out, genSeconds: null };
  say(`generating ${basename(out)} (${fmt(connections)} connections)\n`);
  const t0 = process.hrtime.bigint();
  generate({ ...SOAK, connections, seed: `bench-${connections}`, out });
  writeFileSync(stamp, params);
  return { out, genSeconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/**
 * Measures each size: generates (or reuses) its capture, times `cliArgs(file)` once with
 * `measure` (bench/run.js's: wall seconds and peak RSS), and checks the decoding. With `drop`,
 * captures larger than that many bytes are deleted afterwards (the largest takes tens of GB).
 */
export async function measureSoak({ dataDir, sizes, cli, measure, say = (s) => process.stderr.write(s), drop = Infinity }) {
  const rows = [];
  for (const connections of sizes) {
    const { out, genSeconds } = captureOf(dataDir, connections, say);
    const bytes = statSync(out).size;
    say(`measuring ${basename(out)}: tracecap --verbosity debug (${fmt(bytes / 1e9, 2)} GB)\n`);
    const run = measure(process.execPath, [cli, '--verbosity', 'debug', out]);
    say(`checking ${basename(out)} against its ground truth\n`);
    const t0 = process.hrtime.bigint();
    const r = await check({ pcap: out, threads: 1 });
    const checkSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // Per item type over every mix: right, wrong, missing, and skipped by reason.
    const types = {};
    for (const type of TYPES) {
      for (const m of Object.values(r.mixes)) {
        const c = m[type];
        if (!c) continue;
        const t = (types[type] ??= { right: 0, wrong: 0, missing: 0, skipped: {} });
        t.right += c.right; t.wrong += c.wrong; t.missing += c.missing;
        for (const [why, n] of Object.entries(c.skipped)) t.skipped[why] = (t.skipped[why] ?? 0) + n;
      }
    }
    const worst = {};
    for (const type of Object.keys(types)) {
      const rates = r.tenths.map((t) => (t[type] ? rightRate(t[type]) : null)).filter((x) => x !== null);
      if (rates.length) worst[type] = { first: rates[0], min: Math.min(...rates) };
    }
    rows.push({ connections, file: basename(out), bytes, packets: r.packets, records: r.records, genSeconds, wall: run.wall, rss: run.rss,
      checkSeconds, ok: r.ok, sha256: r.sha256, types, worst, translatorSkipped: r.translatorSkipped ?? null });
    if (bytes > drop) { unlinkSync(out); unlinkSync(truthPath(out)); say(`deleted ${basename(out)} (${fmt(bytes / 1e9, 1)} GB; made again next run)\n`); }
  }
  return { ...SOAK, rows };
}

/** The soak's section of results.md. */
export function soakSection(soak) {
  const lines = ['## Soak: long captures with churn', ''];
  if (!soak) return [...lines, 'Not measured in this run.', ''];
  lines.push(`bench/soak/gen.js \`--mix ${soak.mix} --hours ${soak.hours} --concurrency ${soak.concurrency}\`: every feature of the soak generator, connections arriving over ${soak.hours} hours of capture time, about ${soak.concurrency} open at once. Speed: \`tracecap --verbosity debug CAPTURE > /dev/null\`, one whole process (default threads). Decode quality: bench/soak/check.js, every item the ground truth names — right, skipped with the reason the record gives, wrong, or missing — and the right-rate of the worst tenth of the connections (in order of arrival) against the first.`, '');
  lines.push('| connections | packets | capture | tracecap DEBUG | items right | skipped | wrong | missing | worst tenth vs first |', '|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of soak.rows) {
    const all = Object.values(r.types);
    const sum = (k) => all.reduce((a, c) => a + c[k], 0);
    const skipped = {};
    for (const c of all) for (const [why, n] of Object.entries(c.skipped)) skipped[why] = (skipped[why] ?? 0) + n;
    const skippedText = Object.entries(skipped).map(([why, n]) => `${fmt(n)} ${why}`).join(', ') || '0';
    const worst = Object.entries(r.worst).filter(([, w]) => w.min < w.first).map(([t, w]) => `${t} ${fmt(100 * w.min, 2)} % (first ${fmt(100 * w.first, 2)} %)`).join('; ') || 'every type: as the first';
    lines.push(`| ${fmt(r.connections)} | ${fmt(r.packets)} | ${fmt(r.bytes / 1e9, 2)} GB | ${fmt(r.packets / r.wall)} pkt/s, ${fmt(r.bytes / 1e6 / r.wall, 1)} MB/s in, ${fmt(r.rss / 1024, 1)} MB RSS | ${fmt(sum('right'))} | ${skippedText} | ${fmt(sum('wrong'))} | ${fmt(sum('missing'))} | ${worst} |`);
  }
  lines.push('', 'By item type (right / skipped / wrong / missing):', '');
  for (const r of soak.rows) {
    lines.push(`- ${fmt(r.connections)} connections (${r.ok ? 'nothing wrong or missing' : '**wrong or missing items**'}; generated in ${r.genSeconds === null ? 'an earlier run' : `${fmt(r.genSeconds)} s`}, checked in ${fmt(r.checkSeconds)} s): ` +
      Object.entries(r.types).map(([t, c]) => `${t} ${fmt(c.right)} / ${fmt(Object.values(c.skipped).reduce((a, b) => a + b, 0))} / ${fmt(c.wrong)} / ${fmt(c.missing)}`).join('; '));
  }
  lines.push('');
  return lines;
}
