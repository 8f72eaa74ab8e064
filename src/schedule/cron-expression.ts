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
    const why = result.errors.map((e) => `${e.field} ${e.value === undefined ? '' : `"${e.value}" `}${e.message}`).join('; ');
    throw usageError(`--cron "${expr}": ${why}.`);
  }
}

export function checkTimezone(tz: string | undefined): void {
  if (tz === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw usageError(`--timezone ${tz}: not a known IANA time zone (for example Europe/Berlin or UTC).`);
  }
}
