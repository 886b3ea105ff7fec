import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createTranslator, type Translator, type TranslatorOptions } from '../../src/index.js';

/** Path of the core's wasm file shipped with the package. */
export const wasmPath = fileURLToPath(new URL('../../../build/tracecap.wasm', import.meta.url));

let compiled: Promise<WebAssembly.Module> | undefined;

/** Compiles the packaged core once per process. */
export function loadCore(): Promise<WebAssembly.Module> {
  compiled ??= readFile(wasmPath).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** Creates a translator backed by the packaged core. */
export async function createNodeTranslator(options: TranslatorOptions = {}): Promise<Translator> {
  return createTranslator(await loadCore(), options);
}
