// The simulated service's current releases: an (engine, signatures) pair per bundle, bumped on demand.
import { ALL_BUNDLES, bundleKey, matchesFilter, type BundleId } from '../bundle/identity.js';

export interface Release {
  readonly engine: string;
  readonly signatures: string;
  readonly platform: string;
  readonly date: string;
}

export class Catalog {
  private readonly releases = new Map<string, Release>();

  constructor(now: () => Date = () => new Date()) {
    for (const id of ALL_BUNDLES) {
      const preview = id.channel === 'preview' ? 1 : 0;
      this.releases.set(bundleKey(id), {
        engine: `1.1.24030.${4 + preview}`,
        signatures: `1.421.${100 + preview}.0`,
        platform: '101.25012.0003',
        date: now().toISOString(),
      });
    }
  }

  get(id: BundleId): Release {
    return this.releases.get(bundleKey(id))!;
  }

  /** A new signatures release for every bundle the filter matches (all by default); returns the bumped bundles. */
  bump(filter: Partial<BundleId> = {}, engineToo = false): BundleId[] {
    return this.step(filter, 1, engineToo);
  }

  /** The latest signatures release pulled, as Microsoft pulls a bad one: the service offers the one before again. */
  withdraw(filter: Partial<BundleId> = {}): BundleId[] {
    return this.step(filter, -1, false);
  }

  private step(filter: Partial<BundleId>, by: 1 | -1, engineToo: boolean): BundleId[] {
    const bumped = ALL_BUNDLES.filter((id) => matchesFilter(id, filter));
    for (const id of bumped) {
      const r = this.get(id);
      const sig = r.signatures.split('.').map(Number);
      sig[2] = (sig[2] ?? 0) + by;
      const eng = r.engine.split('.').map(Number);
      if (engineToo) eng[3] = (eng[3] ?? 0) + 1;
      this.releases.set(bundleKey(id), { ...r, signatures: sig.join('.'), engine: eng.join('.'), date: new Date().toISOString() });
    }
    return bumped;
  }
}

/** The version document, written with CRLF line endings and an extra element as the real one may be. */
export function versionDocument(r: Release): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<versions>',
    `  <platform>${r.platform}</platform>`,
    `  <engine>${r.engine}</engine>`,
    `  <signatures date="${r.date}">${r.signatures}</signatures>`,
    '  <simulated>true</simulated>',
    '</versions>',
    '',
  ].join('\r\n');
}
