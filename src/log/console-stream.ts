// The run log as a person at a terminal sees it: one line per notable event (a retry, a failure, a publish, a
// downgrade, a promotion, a stop), the progress rows and the summary doing the rest. The full records stay in
// logFilePath, and come to the terminal too with --verbose (pino-pretty, loaded only then).
import { bundleLabel, parseBundleLabel } from '../bundle/identity.js';
import { paint } from '../util/colour.js';
import { prettyLine } from './pretty.js';

const NOTABLE_DECISIONS = new Set(['downloaded', 'downgraded', 'held']);
const NOTABLE_EVENTS = new Set(['promoted', 'interrupted', 'replica-failed', 'replica-end']);
const LEVEL = { warn: 40, error: 50 } as const;

export interface ConsoleOptions {
  /** Where a finished line goes (through the progress display, so its rows stay below). */
  readonly write: (text: string) => void;
  readonly verbose: boolean;
  readonly colour: boolean;
}

interface Record {
  readonly level?: number;
  readonly time?: string;
  readonly msg?: string;
  readonly bundle?: string;
  readonly decision?: string;
  readonly event?: string;
}

/** The record's bundle (its key, linux/production/arch_x86_64) as the tables name it: linux/production/x86_64. */
function label(bundle: string | undefined): string {
  if (bundle === undefined) return '';
  const id = parseBundleLabel(bundle);
  return `${id ? bundleLabel(id) : bundle}  `;
}

function notable(r: Record): boolean {
  return (r.level ?? 0) >= LEVEL.warn || NOTABLE_DECISIONS.has(r.decision ?? '') || NOTABLE_EVENTS.has(r.event ?? '');
}

function eventLine(r: Record, colour: boolean): string {
  const time = r.time ? new Date(r.time).toTimeString().slice(0, 8) : '';
  const level = r.level ?? 0;
  const text = `${label(r.bundle)}${r.msg ?? ''}`;
  const painted = !colour ? text : level >= LEVEL.error ? paint(text, 'red') : level >= LEVEL.warn ? paint(text, 'yellow') : text;
  return `${time} ${painted}\n`;
}

export async function consoleStream(o: ConsoleOptions): Promise<{ write: (line: string) => void }> {
  if (o.verbose) {
    const pretty = await prettyLine({ colour: o.colour, translateTime: 'SYS:HH:MM:ss' });
    return { write: (line) => o.write(pretty(line)) };
  }
  return {
    write: (line) => {
      const record = JSON.parse(line) as Record;
      if (notable(record)) o.write(eventLine(record, o.colour));
    },
  };
}
