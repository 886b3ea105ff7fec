/** @module tracecap/node — the Node host: the packaged core, and the CLI's entry point. */
export { loadCore, createNodeTranslator, wasmPath } from './core.js';
export { main } from './cli.js';
export * from '../../src/index.js';
export {
  createTriggerRing, triggerAll, followTriggerFile, watchTriggers, compileTriggerRegex, wallClock,
  type TriggerRing, type TriggerRingOptions, type TriggerSources, type RingStats, type WindowEvent, type Instant,
} from './ring.js';
export { argsFromEnv, sidecarArgv, sidecarContext, EnvError, SIDECAR_DEFAULTS } from './env.js';
export { ringSettings, runTriggered, describeWindow, DEFAULT_AFTER_SECS, type RingFlags, type RingSettings, type TriggeredRun } from './triggered.js';
