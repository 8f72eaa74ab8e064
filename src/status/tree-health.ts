// /healthz: 200 when every configured bundle is present and matches its manifest, 503 otherwise, with the detail.
import type { BundleId } from '../bundle/identity.js';
import { bundleKey } from '../bundle/identity.js';
import { inspectPair, type PairHealth } from './inspect.js';
import { bundlePath, type StoreLayout } from '../store/layout.js';

export interface TreeHealth {
  readonly healthy: boolean;
  readonly bundles: readonly (PairHealth & { readonly bundle: string; readonly tree: string })[];
}

export async function treeHealth(
  layouts: readonly StoreLayout[],
  plan: readonly BundleId[],
  now: () => Date,
  /** serve's proof that each file still has its manifest's SHA-256 (cached by file identity). */
  content?: { matches(path: string, sha256: string): Promise<boolean | undefined> },
): Promise<TreeHealth> {
  const bundles = await Promise.all(
    layouts.flatMap((layout) =>
      plan.map(async (id) => {
        const pair = await inspectPair(layout.bundleDir(id), { verify: false, maxAgeMs: undefined, upstream: undefined, now: now() });
        const proven =
          pair.state === 'ok' && pair.sha256 && content ? await content.matches(bundlePath(layout.bundleDir(id)), pair.sha256) : undefined;
        const health: PairHealth =
          proven === false
            ? { ...pair, state: 'broken', reason: 'SHA-256 does not match the manifest (the bundle changed on disk)' }
            : pair;
        return { bundle: bundleKey(id), tree: layout.tree, ...health };
      }),
    ),
  );
  // The live tree decides health; a staging tree may legitimately be empty, so only what it holds is reported.
  const reported = bundles.filter((b) => b.tree === 'live' || b.state !== 'missing');
  return { healthy: reported.filter((b) => b.tree === 'live').every((b) => b.state === 'ok'), bundles: reported };
}
