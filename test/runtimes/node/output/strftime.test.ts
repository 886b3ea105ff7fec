// -w file-name templates: the documented strftime subset, rendered in UTC or an IANA zone.
import { describe, it, expect } from 'vitest';
import { compileTemplate, checkTimeZone, TemplateError, STRFTIME_FIELDS } from '../../../../runtimes/node/output/strftime.js';

// 2023-11-14T22:13:20.750Z, a Tuesday, day 318 of the year; epoch second 1700000000.
const T = 1700000000750;

describe('strftime templates', () => {
  it('renders every documented field in UTC by default', () => {
    expect(compileTemplate('part_%Y%m%d_%H%M%S.json').render(T)).toBe('part_20231114_221320.json');
    expect(compileTemplate('%j|%s|%z|100%%').render(T)).toBe('318|1700000000|+0000|100%');
    expect(Object.keys(STRFTIME_FIELDS).sort()).toEqual(['%', 'H', 'M', 'S', 'Y', 'd', 'j', 'm', 's', 'z']);
  });
  it('pads: January 1st, 00:00:05 is day 001', () => {
    expect(compileTemplate('%Y-%m-%dT%H:%M:%S %j').render(Date.UTC(2024, 0, 1, 0, 0, 5))).toBe('2024-01-01T00:00:05 001');
    expect(compileTemplate('%j').render(Date.UTC(2024, 11, 31, 12))).toBe('366'); // leap year
  });
  it('renders in an IANA zone, with its offset, across a DST change', () => {
    const paris = compileTemplate('%Y%m%d %H%M%S %z', 'Europe/Paris');
    expect(paris.render(T)).toBe('20231114 231320 +0100');
    expect(paris.render(Date.UTC(2023, 6, 1, 12))).toBe('20230701 140000 +0200');
    const ny = compileTemplate('%d %H %z %j', 'America/New_York');
    expect(ny.render(Date.UTC(2024, 0, 1, 3))).toBe('31 22 -0500 365'); // still 2023-12-31 there
    expect(compileTemplate('%H%M %z', 'Asia/Kolkata').render(T)).toBe('0343 +0530');
    // %s is the epoch second whatever the zone.
    expect(compileTemplate('%s', 'Asia/Tokyo').render(T)).toBe('1700000000');
  });
  it('midnight renders as hour 00, never 24', () => {
    expect(compileTemplate('%H%M', 'Europe/Berlin').render(Date.UTC(2023, 0, 1, 23, 0))).toBe('0000');
  });
  it('a template without fields renders as itself', () => {
    const t = compileTemplate('out.ndjson');
    expect(t.hasTime).toBe(false);
    expect(t.render(T)).toBe('out.ndjson');
    expect(compileTemplate('a%%b').hasTime).toBe(false);
    expect(compileTemplate('a%Sb').hasTime).toBe(true);
  });
  it('an unknown conversion or a lone % is a usage error naming it', () => {
    expect(() => compileTemplate('x_%Y_%q.json')).toThrow(TemplateError);
    expect(() => compileTemplate('x_%Y_%q.json')).toThrow(/unknown conversion %q/);
    expect(() => compileTemplate('x_%')).toThrow(/lone %/);
  });
  it('an unknown zone is an error, not a silent UTC', () => {
    expect(() => compileTemplate('%H', 'Mars/Olympus')).toThrow(TemplateError);
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => checkTimeZone('UTC')).not.toThrow();
  });
});
