/** @module tracecap/node — the Node host: the packaged core, the CLI's entry point, and filter compilation with tcpdump. */
export { loadCore, createNodeTranslator, wasmPath } from './core.js';
export { main } from './cli.js';
export { compileBpf, captureLinkTypes, captureLinkTypesIn, BpfCompileError, COMMON_LINKTYPES } from './bpf.js';
export * from '../../src/index.js';
