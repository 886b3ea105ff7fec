// File-name templates for -w: a small, documented strftime subset rendered in an IANA time zone.

/** The conversions a template may use; any other `%x` is a usage error. */
export const STRFTIME_FIELDS: Readonly<Record<string, string>> = {
  Y: 'year, 4 digits',
  m: 'month 01-12',
  d: 'day of the month 01-31',
  H: 'hour 00-23',
  M: 'minute 00-59',
  S: 'second 00-60',
  j: 'day of the year 001-366',
  s: 'seconds since the epoch (UTC, whatever the zone)',
  z: 'offset from UTC, +hhmm',
  '%': 'a literal %',
};

/** A template or time zone the user gave is not valid (the CLI reports it as a usage error). */
export class TemplateError extends Error {
  constructor(message: string) { super(message); this.name = 'TemplateError'; }
}

type Part = string | { field: string };

/** A compiled template: render(ms) gives the name for that instant. */
export interface Template {
  /** The name for the instant `ms` (milliseconds since the epoch). */
  render(ms: number): string;
  /** True when the template has a time conversion (rotation can give distinct names). */
  readonly hasTime: boolean;
}

/** Checks `tz` (an IANA name such as `Europe/Paris`, or `UTC`); throws TemplateError if unknown. */
export function checkTimeZone(tz: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  } catch {
    throw new TemplateError(`unknown time zone ${JSON.stringify(tz)} (use an IANA name such as Europe/Paris, or UTC)`);
  }
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Compiles `template` for zone `tz` (default UTC); throws TemplateError on an unknown `%x` or zone. */
export function compileTemplate(template: string, tz = 'UTC'): Template {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '%') { lit += c; continue; }
    const f = template[++i];
    if (f === undefined) throw new TemplateError(`-w template ${JSON.stringify(template)} ends with a lone %`);
    if (!(f in STRFTIME_FIELDS)) {
      throw new TemplateError(`-w template ${JSON.stringify(template)}: unknown conversion %${f} (known: ${Object.keys(STRFTIME_FIELDS).map((k) => '%' + k).join(' ')})`);
    }
    if (f === '%') { lit += '%'; continue; }
    if (lit) { parts.push(lit); lit = ''; }
    parts.push({ field: f });
  }
  if (lit) parts.push(lit);
  const fmt = tz === 'UTC' ? null : checkTimeZone(tz);
  const hasTime = parts.some((p) => typeof p !== 'string');

  // Wall-clock fields of `ms` in the zone; UTC without Intl (faster, and the common case).
  const fields = (ms: number): { Y: number; m: number; d: number; H: number; M: number; S: number } => {
    if (fmt === null) {
      const t = new Date(ms);
      return { Y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), H: t.getUTCHours(), M: t.getUTCMinutes(), S: t.getUTCSeconds() };
    }
    const out: Record<string, number> = {};
    for (const p of fmt.formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
    return { Y: out.year!, m: out.month!, d: out.day!, H: out.hour! % 24, M: out.minute!, S: out.second! };
  };

  return {
    hasTime,
    render(ms: number): string {
      if (!hasTime) return parts.join('');
      const f = fields(ms);
      let s = '';
      for (const p of parts) {
        if (typeof p === 'string') { s += p; continue; }
        switch (p.field) {
          case 'Y': s += pad(f.Y, 4); break;
          case 'm': s += pad(f.m, 2); break;
          case 'd': s += pad(f.d, 2); break;
          case 'H': s += pad(f.H, 2); break;
          case 'M': s += pad(f.M, 2); break;
          case 'S': s += pad(f.S, 2); break;
          case 'j': s += pad(Math.round((Date.UTC(f.Y, f.m - 1, f.d) - Date.UTC(f.Y, 0, 1)) / 86400000) + 1, 3); break;
          case 's': s += String(Math.floor(ms / 1000)); break;
          case 'z': {
            // The zone's offset at this instant: its wall clock read as UTC, minus the instant.
            const wall = Date.UTC(f.Y, f.m - 1, f.d, f.H, f.M, f.S);
            const off = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
            const a = Math.abs(off);
            s += (off < 0 ? '-' : '+') + pad(Math.floor(a / 60), 2) + pad(a % 60, 2);
            break;
          }
        }
      }
      return s;
    },
  };
}
