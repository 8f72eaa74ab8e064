// /healthz: 200 when every configured bundle is present and matches its manifest, 503 otherwise, with the detail.
import type { BundleId } from '../bundle/identity.js';
import { bundleKey } from '../bundle/identity.js';
import { inspectPair, type PairHealth } from '../status/inspect.js';
import type { StoreLayout } from '../store/layout.js';

export interface TreeHealth {
  readonly healthy: boolean;
  readonly bundles: readonly (PairHealth & { readonly bundle: string; readonly tree: string })[];
}

export async function treeHealth(layouts: readonly StoreLayout[], plan: readonly BundleId[], now: () => Date): Promise<TreeHealth> {
  const bundles = await Promise.all(
    layouts.flatMap((layout) =>
      plan.map(async (id) => ({
        bundle: bundleKey(id),
        tree: layout.tree,
        ...(await inspectPair(layout.bundleDir(id), { verify: false, maxAgeMs: undefined, upstream: undefined, now: now() })),
      })),
    ),
  );
  // The live tree decides health; a staging tree may legitimately be empty, so only what it holds is reported.
  const reported = bundles.filter((b) => b.tree === 'live' || b.state !== 'missing');
  return { healthy: reported.filter((b) => b.tree === 'live').every((b) => b.state === 'ok'), bundles: reported };
}
