// Builds the browser app (runtimes/browser/app/) into the static site build/app/:
//   index.html   the page (its Content-Security-Policy allows only this origin and wasm compilation)
//   app.js       the page's script (Preact, uPlot, @tanstack/virtual-core bundled), app.css its styles
//   worker.js    the Web Worker running the core (tracecap.wasm), http-worker.js the one pairing HTTP
//   shard-worker.js  one thread of a parallel translation (runtimes/browser/shard-worker.ts),
//                started by worker.js for a large capture (PARALLEL_MIN_BYTES), over
//                tracecap-shared.wasm (the core with shared memory) when cross-origin isolated
// and prints each file's size, raw and gzipped. Run after `npm run build:wasm`.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const appDir = join(root, 'build', 'app');
const src = join(root, 'runtimes', 'browser', 'app');

/** Builds build/app/; resolves to the sizes of its files. */
export async function buildApp() {
  const wasm = join(root, 'build', 'tracecap.wasm');
  if (!existsSync(wasm)) throw new Error('build/tracecap.wasm is missing: run `npm run build:wasm` first');
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  const common = { bundle: true, format: 'esm', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'warning', platform: 'browser', jsx: 'automatic', jsxImportSource: 'preact' };
  await Promise.all([
    // The charts are a chunk of their own (chunk-*.js, charts.css), loaded when a view needs them.
    build({ ...common, entryPoints: { app: join(src, 'main.tsx') }, outdir: appDir, loader: { '.css': 'css' }, splitting: true, chunkNames: '[name]-[hash]' }),
    build({ ...common, entryPoints: { worker: join(src, 'worker.ts'), 'http-worker': join(src, 'http-worker.ts'), 'shard-worker': join(src, '..', 'shard-worker.ts') }, outdir: appDir }),
  ]);
  copyFileSync(join(src, 'index.html'), join(appDir, 'index.html'));
  copyFileSync(wasm, join(appDir, 'tracecap.wasm'));
  // The same core with shared memory, for the threads of a large capture (cross-origin isolated).
  const shared = join(root, 'build', 'tracecap-shared.wasm');
  if (!existsSync(shared)) throw new Error('build/tracecap-shared.wasm is missing: run `npm run build:wasm` first');
  copyFileSync(shared, join(appDir, 'tracecap-shared.wasm'));
  const sizes = {};
  for (const f of readdirSync(appDir).sort()) {
    const bytes = readFileSync(join(appDir, f));
    sizes[f] = { bytes: statSync(join(appDir, f)).size, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  return sizes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = await buildApp();
  let total = 0, gz = 0;
  for (const [f, s] of Object.entries(sizes)) { total += s.bytes; gz += s.gzip; console.log(`build/app/${f}: ${(s.bytes / 1024).toFixed(1)} KiB (gzip ${(s.gzip / 1024).toFixed(1)} KiB)`); }
  console.log(`build/app: ${(total / 1024).toFixed(1)} KiB in all (gzip ${(gz / 1024).toFixed(1)} KiB)`);
}
