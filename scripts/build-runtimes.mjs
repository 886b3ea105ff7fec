// Bundles the browser adapter and the Cloudflare Worker with esbuild into build/runtimes/, and
// the Node CLI into one module (a CLI run then loads two files instead of eight; ~5 ms):
//   build/runtimes/browser.js  ES module, the browser adapter (runtimes/browser/index.ts) and the API
//   build/runtimes/worker.js   ES module Worker; imports "../tracecap.wasm" (build/tracecap.wasm),
//                              which the runtime provides as a compiled WebAssembly.Module
//   build/edge/edge.js         ES module, the deployable Worker (runtimes/workers/edge/edge.ts, the entry of
//                              runtimes/workers/wrangler.jsonc), beside a copy of the core it imports as
//                              "./tracecap.wasm": wrangler uploads every module of its folder, and build/
//                              has other .wasm files (build/app's) that must not go with it
//   build/runtimes/node-shard.js  ES module, one thread of a parallel translation in Node
//                              (runtimes/node/shard-worker.ts), started by runtimes/node/parallel.ts
//   build/runtimes/browser-shard.js  ES module Web Worker, one thread of a parallel translation in
//                              a browser (runtimes/browser/shard-worker.ts): the workerUrl of
//                              createBrowserParallelTranslator() / translateFileParallel()
//   dist/runtimes/node/cli.bundle.js  the CLI (runtimes/node/cli.ts) for bin/tracecap.js; it sits
//                              beside dist/runtimes/node/core.js so the core's relative path holds
// Run after `npm run build:wasm`:  node scripts/build-runtimes.mjs
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = join(root, 'build', 'runtimes');
/** The specifier worker.js uses for the core, relative to build/runtimes/worker.js. */
export const wasmSpecifier = '../tracecap.wasm';

const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', legalComments: 'none' };

/** Keeps every `.wasm` import as an external import of the core at `specifier`. */
const wasmExternal = (specifier) => ({
  name: 'wasm-external',
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, () => ({ path: specifier, external: true }));
  },
});

/** The deployable Worker's folder (wrangler.jsonc's base_dir): edge.js and tracecap.wasm. */
export const edgeDir = join(root, 'build', 'edge');

/** Builds the bundles; resolves to their paths. */
export async function buildRuntimes() {
  if (!existsSync(join(root, 'build', 'tracecap.wasm'))) throw new Error('build/tracecap.wasm is missing: run `npm run build:wasm` first');
  const browser = join(outDir, 'browser.js');
  const worker = join(outDir, 'worker.js');
  const edge = join(edgeDir, 'edge.js');
  mkdirSync(edgeDir, { recursive: true });
  // The core with its state exported (scripts/export-state.mjs; the same code): the jobs' shards
  // checkpoint it between a capture's segments.
  if (!existsSync(join(root, 'build', 'tracecap-snap.wasm'))) throw new Error('build/tracecap-snap.wasm is missing: run `npm run build:wasm` first');
  copyFileSync(join(root, 'build', 'tracecap-snap.wasm'), join(edgeDir, 'tracecap.wasm'));
  const cli = join(root, 'dist', 'runtimes', 'node', 'cli.bundle.js');
  const nodeShard = join(outDir, 'node-shard.js');
  const browserShard = join(outDir, 'browser-shard.js');
  await Promise.all([
    build({ ...common, entryPoints: [join(root, 'runtimes/browser/shard-worker.ts')], outfile: browserShard, platform: 'browser' }),
    build({ ...common, entryPoints: [join(root, 'runtimes/node/shard-worker.ts')], outfile: nodeShard, platform: 'node' }),
    build({ ...common, entryPoints: [join(root, 'runtimes/node/cli.ts')], outfile: cli, platform: 'node' }),
    build({ ...common, entryPoints: [join(root, 'runtimes/browser/index.ts')], outfile: browser, platform: 'browser' }),
    ...[['worker.ts', worker, wasmSpecifier], ['edge/edge.ts', edge, './tracecap.wasm']].map(([entry, outfile, specifier]) => build({
      ...common,
      entryPoints: [join(root, 'runtimes/workers', entry)],
      outfile,
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      plugins: [wasmExternal(specifier)],
    })),
  ]);
  return { browser, worker, edge, cli, nodeShard, browserShard };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildRuntimes();
  for (const p of Object.values(out)) console.log(p);
}
