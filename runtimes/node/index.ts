/** @module tracecap/node — the Node host: the packaged core, the CLI's entry point, live capture, filter compilation with tcpdump, and the browser app's local server. */
export { loadCore, createNodeTranslator, wasmPath } from './core.js';
export { main } from './cli.js';
export { serveApp, appRoot, contentType, safeSegments, parseRange, AppServerError, SECURITY_HEADERS, CONTENT_SECURITY_POLICY, CAPTURE_PREFIX, type AppServer, type AppServerOptions } from './app.js';
export { runLive, summaryLine, MERGE_WAIT_MS, MERGE_HELD_MAX, type LiveOptions } from './live.js';
export { openEngine, defaultEngine, listInterfaces, selectInterfaces, ANY_INTERFACE, CaptureStartError, type CaptureEngine, type CaptureRequest, type CaptureStats, type CapturedPacket, type OsInterface, type EngineKind, type EngineHandlers } from './capture/index.js';
export { compileBpf, captureLinkTypes, captureLinkTypesIn, BpfCompileError, COMMON_LINKTYPES } from './bpf.js';
export * from './output/index.js';
export * from '../../src/index.js';
export {
  createTriggerRing, triggerAll, followTriggerFile, watchTriggers, compileTriggerRegex, wallClock,
  type TriggerRing, type TriggerRingOptions, type TriggerSources, type RingStats, type WindowEvent, type Instant,
} from './ring.js';
export { argsFromEnv, sidecarArgv, sidecarCommand, sidecarNotices, commandKind, sidecarContext, EnvError, SIDECAR_DEFAULTS, ALIASES, NOT_SUPPORTED, PCAP_OVER_IP_VARIABLE, filePlan, type FilePlan, type CommandKind, type SidecarOptions } from './env.js';
export { parseSchedule, localTime, ScheduleError, type Schedule } from './schedule.js';
export { watchHosts, hostsPrograms, hostsExpression, DEFAULT_RESOLVE_SECS, type HostWatch, type HostWatchOptions } from './hosts.js';
export { ringSettings, runTriggered, describeWindow, DEFAULT_AFTER_SECS, type RingFlags, type RingSettings, type TriggeredRun } from './triggered.js';
