// --wait [seconds], as every command that takes the folder lock reads it.
import { usageError } from '../errors/catalogue.js';
import { DEFAULT_LOCK_WAIT_SECONDS } from '../settings/defaults.js';

export function lockWaitMs(wait: string | boolean | undefined): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return DEFAULT_LOCK_WAIT_SECONDS * 1000;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw usageError(`--wait ${wait}: give a number of seconds, like --wait 300 (or --wait alone for ${DEFAULT_LOCK_WAIT_SECONDS}).`);
  return seconds * 1000;
}
