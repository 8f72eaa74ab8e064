// Opens a target's store, loading its SDK only now: a download with no targets never pays for the cloud SDKs.
import type { Logger } from '../log/logger.js';
import type { PublishTarget } from '../settings/publish-targets.js';
import { keepYoungGenerationSmall } from '../util/v8-heap.js';
import type { ObjectStore } from './object-store.js';
import { storeTypeOf } from './store-types.js';

let warningsRouted = false;

/**
 * The SDKs emit process warnings of their own (the AWS SDK's Node-version notice, dependencies' deprecations):
 * they go to the log at debug level, never to the user's terminal.
 */
function routeThirdPartyWarnings(logger: Logger): void {
  if (warningsRouted) return;
  warningsRouted = true;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : ((rest[0] as { type?: string } | undefined)?.type ?? 'Warning');
    logger.debug({ event: 'library-warning', type }, text.split('\n')[0] ?? text);
  };
}

export async function openStore(target: PublishTarget, mirrorName: string, env: NodeJS.ProcessEnv, logger: Logger): Promise<ObjectStore> {
  routeThirdPartyWarnings(logger);
  const store = await storeTypeOf(target).open(target, mirrorName, env);
  keepYoungGenerationSmall();
  return store;
}
