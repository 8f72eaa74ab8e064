import { describe, expect, it } from 'vitest';
import { cronFields, cronToOnCalendar, everyToCron, isoDuration } from '../../src/schedule/install/calendar.js';
import { formatDuration, parseDuration } from '../../src/util/duration.js';
import { parseSize } from '../../src/util/size.js';
import { endpointLocation } from '../../src/endpoint/schema.js';
import { suggestKey } from '../../src/settings/format-issues.js';

describe('durations, sizes and calendars', () => {
  it('parses durations as people write them', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration(' 4h ')).toBe(14_400_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    for (const bad of ['4 hours', '4', '-1s', 'h', '']) expect(parseDuration(bad)).toBeUndefined();
    expect(formatDuration(3_723_000)).toBe('1h02m');
    expect(formatDuration(59_000)).toBe('59s');
  });

  it('parses sizes in binary units', () => {
    expect(parseSize('4MB')).toBe(4 * 1024 ** 2);
    expect(parseSize('1 GiB')).toBe(1024 ** 3);
    expect(parseSize('65536')).toBe(65536);
    expect(parseSize('4 MiBs')).toBeUndefined();
  });

  it('translates schedules for the OS schedulers', () => {
    expect(everyToCron(4 * 3_600_000)).toBe('0 */4 * * *');
    expect(cronToOnCalendar('30 2 * * *')).toBe('*-*-* 02:30:00');
    expect(cronFields('0 */6 * * 1-5')).toMatchObject({ minute: [0], hour: [0, 6, 12, 18], dayOfWeek: [1, 2, 3, 4, 5] });
    expect(() => cronFields('30 0 */4 * * *')).toThrow(/seconds are not supported/);
    expect(isoDuration(4 * 3_600_000)).toBe('PT4H');
  });

  it('builds the endpoint location up to <os>/<channel>', () => {
    expect(endpointLocation('http://m:8080', 'linux', 'production')).toBe('http://m:8080/linux/production/');
    expect(endpointLocation('http://m:8080/mac/preview/', 'linux', 'production', true)).toBe('http://m:8080/staging/linux/production/');
    expect(endpointLocation('/mnt/mirror/', 'mac', 'production')).toBe('/mnt/mirror/mac/production');
  });

  it('suggests the settings key a typo meant', () => {
    expect(suggestKey('downloadFoler', ['downloadFolder', 'logFilePath'])).toBe('downloadFolder');
    expect(suggestKey('somethingElse', ['downloadFolder', 'logFilePath'])).toBeUndefined();
  });
});
