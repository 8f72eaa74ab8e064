// `promote` as a whole, inside the tree-change session: every selected staged bundle is checked first, and if any
// cannot be promoted nothing changes; otherwise each goes live through the live writer, then the session commits.
import { bundleKey, matchesFilter, type BundleId } from '../bundle/identity.js';
import { planFor } from '../settings/plan.js';
import type { Logger } from '../log/logger.js';
import type { ReplicaOutcome } from '../replicate/publish-replicas.js';
import type { Settings } from '../settings/load.js';
import { StoreLayout } from '../store/layout.js';
import { withTreeSession } from '../tree/change-session.js';
import { checkPromotion, promoteChecked, type PromotionCheck } from './promote.js';

export interface PromoteRequest {
  readonly filter: Partial<BundleId>;
  /** Promote only when the staged signatures version is this one. */
  readonly version: string | undefined;
  readonly logger: Logger;
  readonly now: () => Date;
}

interface PromotedBundle {
  readonly kind: 'promoted';
  readonly id: BundleId;
  readonly from: string | null;
  readonly to: string;
}

type AlreadyLive = Extract<PromotionCheck, { kind: 'already-live' }>;

export type PromoteRun =
  | { readonly kind: 'no-match' }
  | { readonly kind: 'refused'; readonly refused: readonly Extract<PromotionCheck, { kind: 'refused' }>[] }
  | {
      readonly kind: 'done';
      readonly promoted: readonly PromotedBundle[];
      /** Every selected bundle in plan order: promoted, or already live. */
      readonly outcomes: readonly (PromotedBundle | AlreadyLive)[];
      readonly replicas: readonly ReplicaOutcome[];
    };

export async function runPromote(settings: Settings, req: PromoteRequest): Promise<PromoteRun> {
  const { logger, now } = req;
  const started = now();
  const staging = StoreLayout.staging(settings.downloadFolder);
  return withTreeSession({ settings, command: 'promote', waitMs: 0, logger, now }, async ({ live, commit, record }) => {
    const plan = planFor(settings).filter((id) => matchesFilter(id, req.filter));
    if (plan.length === 0) return { kind: 'no-match' };
    const checks: PromotionCheck[] = [];
    for (const id of plan) checks.push(await checkPromotion(live.layout, staging, id, req.version));
    const refused = checks.filter((c) => c.kind === 'refused');
    if (refused.length > 0) {
      logger.warn(
        { event: 'promote-refused', refused: refused.map((c) => ({ bundle: bundleKey(c.id), reason: c.reason })) },
        'promotion refused; live unchanged',
      );
      await record({
        command: 'promote',
        startedAt: started.toISOString(),
        finishedAt: now().toISOString(),
        result: 'failed',
        bundles: refused.map((c) => ({ bundle: bundleKey(c.id), status: 'refused', from: null, to: null, offered: null, error: null })),
      });
      return { kind: 'refused', refused };
    }
    const outcomes: (PromotedBundle | AlreadyLive)[] = [];
    for (const c of checks) {
      if (c.kind === 'already-live') outcomes.push(c);
      if (c.kind !== 'ready') continue;
      const to = await promoteChecked(live, staging, c);
      const from = c.live?.DefinitionVersion ?? null;
      outcomes.push({ kind: 'promoted', id: c.id, from, to: to.signatures });
      logger.info({ event: 'promoted', bundle: bundleKey(c.id), from, to }, `promoted ${to.signatures}`);
    }
    const promoted = outcomes.filter((x) => x.kind === 'promoted');
    const { replicas } = await commit({ replicate: promoted.length > 0 });
    await record({
      command: 'promote',
      startedAt: started.toISOString(),
      finishedAt: now().toISOString(),
      result: 'ok',
      bundles: promoted.map((p) => ({ bundle: bundleKey(p.id), status: 'promoted', from: p.from, to: p.to, offered: null, error: null })),
    });
    return { kind: 'done', promoted, outcomes, replicas: replicas ?? [] };
  });
}
