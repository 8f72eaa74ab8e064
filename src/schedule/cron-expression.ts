// Cron expressions checked up front, with the reason when one is wrong (node-cron's per-field validation).
import cron from 'node-cron';
import { usageError } from '../errors/catalogue.js';

export function checkCronExpression(expr: string): void {
  const fields = expr.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw usageError(
      `--cron "${expr}": expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), found ${fields.length}. Example: "0 */4 * * *".`,
    );
  }
  const result = cron.validateDetailed(expr);
  if (!result.valid) {
    const why = result.errors.map((e) => fieldProblem(e.field, e.value === undefined ? undefined : String(e.value))).join('; ');
    throw usageError(`--cron "${expr}": ${why}. Example: "0 */4 * * *".`);
  }
}

/** node-cron's field names, as crontab(5) names them, with the values each allows. */
const FIELDS: Record<string, { readonly name: string; readonly min: number; readonly max: number; readonly names?: string }> = {
  second: { name: 'second', min: 0, max: 59 },
  minute: { name: 'minute', min: 0, max: 59 },
  hour: { name: 'hour', min: 0, max: 23 },
  dayOfMonth: { name: 'day of month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: 'or jan–dec' },
  dayOfWeek: { name: 'day of week', min: 0, max: 7, names: 'or sun–sat' },
};

/** "minute 61 is outside 0–59", rather than node-cron's "61 is a invalid expression for minute". */
function fieldProblem(field: string, value: string | undefined): string {
  const f = FIELDS[field];
  if (!f) return `${field}${value === undefined ? '' : ` "${value}"`} is not valid`;
  const allowed = `${f.min}–${f.max}${f.names ? ` ${f.names}` : ''}`;
  if (value === undefined) return `the ${f.name} field is missing (${allowed})`;
  const numbers = (value.match(/\d+/g) ?? []).map(Number);
  // A step of 0 is a number in range that still means nothing.
  if (/\/0+(?:\D|$)/.test(value)) return `${f.name} ${value}: a step of 0 never advances`;
  const outside = numbers.find((n, i) => (/\//.test(value) && i === numbers.length - 1 ? false : n < f.min || n > f.max));
  if (outside !== undefined) return `${f.name} ${outside} is outside ${allowed}`;
  return `${f.name} "${value}" is not a value (${allowed}), a range (1-5), a list (1,15), a step (*/15) or *`;
}

export function checkTimezone(tz: string | undefined): void {
  if (tz === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw usageError(`--timezone ${tz}: not a known IANA time zone (for example Europe/Berlin or UTC).`);
  }
}
