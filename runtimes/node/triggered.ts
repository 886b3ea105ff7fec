/**
 * Live capture on a trigger, assembled: the ring flags of the CLI checked and turned into
 * settings (ringSettings), and running engines wired to one trigger ring each, fired together by
 * SIGUSR1 or the trigger file, stopped after --max-triggers windows (runTriggered).
 */
import type { CaptureEngine } from './capture/types.js';
import { skipSummary, type TranslatorOptions } from '../../src/index.js';
import {
  createTriggerRing, watchTriggers, triggerAll, compileTriggerRegex, MAX_RING_SECS, MIN_RING_BYTES, MAX_RING_BYTES,
  type Instant, type TriggerRing, type TriggerSources, type WindowEvent,
} from './ring.js';

/** `--after` when not given: enough for the responses to what was in flight at the trigger. */
export const DEFAULT_AFTER_SECS = 5;

/** The CLI's ring flags as given (strings; undefined when absent). */
export interface RingFlags {
  ring?: string;
  ringMb?: string;
  after?: string;
  maxTriggers?: string;
  triggerFile?: string;
  triggerRegex?: string;
}

/** Checked ring settings (createTriggerRing's bounds and watchTriggers' sources). */
export interface RingSettings {
  secs?: number;
  bytes: number;
  afterSecs: number;
  maxTriggers?: number;
  triggers: TriggerSources;
}

const MiB = 1 << 20;

function number(flag: string, v: string, lo: number, hi: number, what: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < lo || Number(v) > hi) throw new RangeError(`${flag} needs ${what} from ${lo} to ${hi}, not ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * The ring settings of the flags, or null when neither --ring nor --ring-mb is given (capture
 * writes everything). Throws RangeError with one line naming the flag.
 */
export function ringSettings(f: RingFlags): RingSettings | null {
  if (f.ring === undefined && f.ringMb === undefined) {
    const stray = ([['--after', f.after], ['--max-triggers', f.maxTriggers], ['--trigger-file', f.triggerFile], ['--trigger-regex', f.triggerRegex]] as const).find(([, v]) => v !== undefined);
    if (stray) throw new RangeError(`${stray[0]} needs --ring or --ring-mb`);
    return null;
  }
  if ((f.triggerFile === undefined) !== (f.triggerRegex === undefined)) {
    throw new RangeError(f.triggerFile === undefined ? '--trigger-regex needs --trigger-file' : '--trigger-file needs --trigger-regex');
  }
  const s: RingSettings = {
    bytes: f.ringMb === undefined ? 64 * MiB : number('--ring-mb', f.ringMb, MIN_RING_BYTES / MiB, MAX_RING_BYTES / MiB, 'a size in MiB') * MiB,
    afterSecs: f.after === undefined ? DEFAULT_AFTER_SECS : number('--after', f.after, 0, MAX_RING_SECS, 'seconds'),
    triggers: { signal: 'SIGUSR1' },
  };
  if (f.ring !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(f.ring) || !(Number(f.ring) > 0) || Number(f.ring) > MAX_RING_SECS) {
      throw new RangeError(`--ring needs seconds, more than 0 and at most ${MAX_RING_SECS}, not ${JSON.stringify(f.ring)}`);
    }
    s.secs = Number(f.ring);
  }
  if (f.maxTriggers !== undefined) {
    if (!/^\d+$/.test(f.maxTriggers) || Number(f.maxTriggers) < 1) throw new RangeError(`--max-triggers needs a positive integer, not ${JSON.stringify(f.maxTriggers)}`);
    s.maxTriggers = Number(f.maxTriggers);
  }
  if (f.triggerFile !== undefined) s.triggers = { ...s.triggers, file: f.triggerFile, regex: compileTriggerRegex(f.triggerRegex!) };
  return s;
}

/** One line for stderr about a window of an interface. */
export function describeWindow(iface: string, e: WindowEvent): string {
  return e.phase === 'start'
    ? `tracecap: ${iface}: window ${e.window} opened by ${e.reason}: ${e.packets} packets from the ring, from serial ${e.serial}`
    : `tracecap: ${iface}: window ${e.window} closed: ${e.packets} packets written, next serial ${e.serial}${e.skipped && skipSummary(e.skipped) ? `; ${skipSummary(e.skipped)}` : ''}`;
}

/** Options of runTriggered. */
export interface TriggeredOptions {
  /** The compiled core (loadCore()). */
  core: WebAssembly.Module;
  /** From ringSettings(). */
  settings: RingSettings;
  /** Translator options of an engine's interface (name, index, addresses, verbosity, ...). */
  translatorOptions: (engine: CaptureEngine) => TranslatorOptions;
  /** Receives NDJSON views (valid during the call) of every interface. */
  sink: (ndjson: Uint8Array) => void;
  /** Receives each packet of an engine's windows as a nanosecond pcap record (TriggerRingOptions.onRecord). */
  onRecord?: (engine: CaptureEngine, record: Uint8Array) => void;
  /** Told when a window of an interface opens or closes. */
  onWindow?: (engine: CaptureEngine, event: WindowEvent) => void;
  /** Told about translation and trigger-file problems, in one line. */
  onError?: (message: string) => void;
  /** The rings' clock (default: the wall clock); tests inject capture time. */
  now?: () => Instant;
}

/** A running capture on a trigger. */
export interface TriggeredRun {
  /** One ring per engine, in the engines' order. */
  readonly rings: readonly TriggerRing[];
  /** Resolves once capturing stopped: after --max-triggers windows, or stop(). */
  readonly done: Promise<void>;
  /** Stops listening for triggers and the engines, then writes an open window's records. */
  stop(): Promise<void>;
}

/**
 * Feeds each started engine into a trigger ring of its own and fires them all on each trigger;
 * after --max-triggers windows on every interface, stops the engines (the CLI then exits 0).
 */
export function runTriggered(engines: readonly CaptureEngine[], o: TriggeredOptions): TriggeredRun {
  const { settings } = o;
  const rings = engines.map((engine) => {
    const ring = createTriggerRing({
      core: o.core, linktype: engine.linktype, secs: settings.secs, bytes: settings.bytes,
      afterSecs: settings.afterSecs, maxTriggers: settings.maxTriggers,
      translatorOptions: o.translatorOptions(engine), sink: o.sink, now: o.now,
      onRecord: o.onRecord && ((r) => o.onRecord!(engine, r)),
      onWindow: o.onWindow && ((e) => o.onWindow!(engine, e)),
      onError: o.onError && ((m) => o.onError!(`${engine.iface.name}: ${m}`)),
    });
    engine.onPacket = (p) => ring.push(p);
    return ring;
  });
  const unwatch = watchTriggers({ ...settings.triggers, onError: o.onError }, (reason) => triggerAll(rings, reason, o.now?.()));
  let stopping: Promise<void> | null = null;
  // Engines first: their stop() delivers every packet captured before it, into an open window.
  const stop = (): Promise<void> => (stopping ??= (async () => {
    unwatch();
    await Promise.all(engines.map((e) => e.stop()));
    for (const r of rings) r.close();
  })());
  const done = Promise.all(rings.map((r) => r.done)).then(stop);
  return { rings, done, stop };
}
