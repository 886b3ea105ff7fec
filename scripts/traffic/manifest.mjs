// Merges one capture's ground truth into test/captures/manifest.json (keyed by capture file name).
//   node scripts/traffic/manifest.mjs <manifest.json> <capture file name> <entry.json> [key=value …]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [manifestPath, name, entryPath, ...kv] = process.argv.slice(2);
if (!manifestPath || !name || !entryPath) {
  console.error('usage: node manifest.mjs <manifest.json> <capture file name> <entry.json> [key=value …]');
  process.exit(1);
}
const manifest = existsSync(manifestPath)
  ? JSON.parse(readFileSync(manifestPath, 'utf8'))
  : {
      description: 'Ground truth for the captures in this folder: for each capture, every HTTP exchange as the client sent it (written by scripts/traffic/scenarios.mjs while it ran). See README.md.',
      captures: {},
    };
const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
for (const p of kv) { const i = p.indexOf('='); entry[p.slice(0, i)] = p.slice(i + 1); }
manifest.captures[name] = { capture: name, ...entry };
manifest.captures = Object.fromEntries(Object.entries(manifest.captures).sort(([a], [b]) => a.localeCompare(b)));
// pretty, but one line per exchange / connection so the file stays small and diffable
const ONE_LINE = new Set(['exchanges', 'connections']);
function fmt(v, indent, key) {
  if (Array.isArray(v) && ONE_LINE.has(key)) {
    if (!v.length) return '[]';
    return '[\n' + v.map((x) => indent + '  ' + JSON.stringify(x)).join(',\n') + '\n' + indent + ']';
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const ks = Object.keys(v);
    if (!ks.length) return '{}';
    return '{\n' + ks.map((k) => `${indent}  ${JSON.stringify(k)}: ${fmt(v[k], indent + '  ', k)}`).join(',\n') + '\n' + indent + '}';
  }
  return JSON.stringify(v);
}
writeFileSync(manifestPath, fmt(manifest, '', '') + '\n');
