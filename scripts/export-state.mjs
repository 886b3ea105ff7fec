// Writes build/tracecap-snap.wasm: build/tracecap.wasm with every mutable global exported as
// g0, g1, … in the module's order, so that a host can checkpoint a running core (its state is
// its memory and those globals: runtime "stub", no tables written at run time) and resume it in
// a new instance, in another process or on another machine — the Worker's jobs cut a capture
// larger than one queue consumer can read into segments this way (src/jobs.ts).
// Binaryen (already installed with AssemblyScript) reads and writes the module: no code changes,
// only exports added. A separate file, so the CLI's and the app's module keep their size.
//   node scripts/export-state.mjs [IN.wasm OUT.wasm]
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [input = `${root}build/tracecap.wasm`, output = `${root}build/tracecap-snap.wasm`] = process.argv.slice(2);
const mod = binaryen.readBinary(readFileSync(input));
// Features only let the validator accept what the module already uses (asc enables SIMD and
// the default post-MVP set); the code is written back as it was read.
mod.setFeatures(binaryen.Features.All);
let exported = 0;
for (let i = 0; i < mod.getNumGlobals(); i++) {
  const info = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
  if (info.mutable && !info.module) mod.addGlobalExport(info.name, `g${exported++}`);
}
if (!mod.validate()) { console.error(`export-state: ${output} would not validate`); process.exit(1); }
const bytes = mod.emitBinary();
mod.dispose();
writeFileSync(output, bytes);
console.log(`export-state: ${output}, ${bytes.length} bytes, ${exported} globals exported`);
