// Translates --every and --cron into each scheduler's own notation (cron line, systemd OnCalendar, launchd dicts).
import cron from 'node-cron';
import { usageError } from '../../errors/catalogue.js';
import { formatDuration } from '../../util/duration.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface CalendarFields {
  readonly minute: number[];
  readonly hour: number[];
  readonly dayOfMonth: number[];
  readonly month: number[];
  readonly dayOfWeek: number[];
}

/** A cron expression for an interval cron can express (minutes dividing an hour, hours dividing a day, days). */
export function everyToCron(ms: number): string {
  if (ms % MIN === 0 && ms < HOUR && 60 % (ms / MIN) === 0) return `*/${ms / MIN} * * * *`;
  if (ms === HOUR) return '0 * * * *';
  if (ms % HOUR === 0 && ms < DAY && 24 % (ms / HOUR) === 0) return `0 */${ms / HOUR} * * *`;
  if (ms === DAY) return '0 0 * * *';
  throw usageError(
    `--every ${formatDuration(ms)} cannot be written as a cron schedule; use a divisor of an hour or a day, or give --cron.`,
  );
}

export function cronFields(expr: string): CalendarFields {
  const f = expr.trim().split(/\s+/);
  if (f.length === 6 && f[0] !== '0')
    throw usageError(`--cron "${expr}": seconds are not supported when installing a schedule; use 5 fields.`);
  const p = cron.parse(expr);
  const nums = (xs: (number | string)[]): number[] => xs.map(Number);
  return { minute: p.minute, hour: p.hour, dayOfMonth: nums(p.dayOfMonth), month: p.month, dayOfWeek: nums(p.dayOfWeek).map((d) => d % 7) };
}

/** The expression as cron(8) reads it: five fields (a seconds field of 0 is dropped; any other is refused). */
export function fiveFieldCron(expr: string): string {
  cronFields(expr);
  const f = expr.trim().split(/\s+/);
  return (f.length === 6 ? f.slice(1) : f).join(' ');
}

const isAll = (xs: number[], from: number, to: number): boolean => xs.length === to - from + 1;
const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number): string => String(n).padStart(2, '0');

/** systemd.time(7) calendar event for a cron expression. */
export function cronToOnCalendar(expr: string): string {
  const c = cronFields(expr);
  const list = (xs: number[], from: number, to: number): string => (isAll(xs, from, to) ? '*' : xs.map(two).join(','));
  const dow = isAll([...new Set(c.dayOfWeek)], 0, 6)
    ? ''
    : `${[...new Set(c.dayOfWeek)]
        .sort()
        .map((d) => DOW[d])
        .join(',')} `;
  return `${dow}*-${list(c.month, 1, 12)}-${list(c.dayOfMonth, 1, 31)} ${list(c.hour, 0, 23)}:${list(c.minute, 0, 59)}:00`;
}

/** launchd StartCalendarInterval entries: one dict per combination of the fields that are not "every". */
export function cronToLaunchdIntervals(expr: string): Record<string, number>[] {
  const c = cronFields(expr);
  const axes: [string, number[], number, number][] = [
    ['Minute', c.minute, 0, 59],
    ['Hour', c.hour, 0, 23],
    ['Day', c.dayOfMonth, 1, 31],
    ['Month', c.month, 1, 12],
    ['Weekday', [...new Set(c.dayOfWeek)], 0, 6],
  ];
  let combos: Record<string, number>[] = [{}];
  for (const [key, values, from, to] of axes) {
    if (isAll(values, from, to)) continue;
    combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
    if (combos.length > 500) throw usageError(`--cron "${expr}" expands to more than 500 launchd entries; use --every for launchd.`);
  }
  return combos;
}

/** Daily start times, for schedulers that only take "every day at these times" (Task Scheduler). */
export function cronToDailyTimes(expr: string): string[] {
  const c = cronFields(expr);
  if (!isAll(c.dayOfMonth, 1, 31) || !isAll(c.month, 1, 12) || !isAll([...new Set(c.dayOfWeek)], 0, 6)) {
    throw usageError(
      `--cron "${expr}": windows-task takes daily times only (day, month and weekday "*"); use --every for other schedules.`,
    );
  }
  if (c.hour.length * c.minute.length > 48) throw usageError(`--cron "${expr}": more than 48 times a day; use --every for windows-task.`);
  return c.hour.flatMap((h) => c.minute.map((m) => `${two(h)}:${two(m)}:00`));
}

/** ISO 8601 duration for Task Scheduler (PT4H, PT30M, P1D). */
export function isoDuration(ms: number): string {
  if (ms % DAY === 0) return `P${ms / DAY}D`;
  if (ms % HOUR === 0) return `PT${ms / HOUR}H`;
  return `PT${Math.max(1, Math.round(ms / MIN))}M`;
}
