// Which version of each bundle each client last fetched, for the status page's fleet adoption. Bounded: one entry per
// client and bundle path, at most MAX_CLIENT_ENTRIES (measured: ~240 bytes each on the heap, so ~45 MiB at the bound,
// a 14 MiB fleet.json, and ~75 ms to count them for a page or a scrape); past it the client seen longest ago is
// forgotten, which the page reports as "forgotten". Clients are known by address only:
// behind NAT many endpoints are one client (the page says so).
const MAX_CLIENT_ENTRIES = 200_000;

export interface Sighting {
  /** The bundle key with its tree: linux/production/arch_x86_64, or staging/linux/… */
  readonly bundle: string;
  readonly client: string;
  readonly signatures: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface BundleAdoption {
  /** Clients seen within the window, by the signatures version they last fetched, most clients first. */
  readonly versions: readonly { readonly signatures: string; readonly clients: number }[];
  readonly current: number;
  readonly older: number;
  /** Clients whose last fetch is older than the window. */
  readonly unseen: number;
}

export interface FleetCounts {
  readonly windowMs: number;
  readonly clients: number;
  readonly forgotten: number;
  readonly bundles: Readonly<Record<string, BundleAdoption>>;
}

export interface PersistedFleet {
  readonly version: 1;
  readonly forgotten: number;
  /** [bundle, client, signatures, at], oldest sighting first. */
  readonly sightings: readonly (readonly [string, string, string, number])[];
}

export class FleetRecord {
  /** Keyed by bundle and client; Map order is the order of last sighting, so the first entry is the oldest. */
  private readonly seen = new Map<string, Sighting>();
  private forgotten = 0;
  private dirty = false;

  constructor(private readonly max = MAX_CLIENT_ENTRIES) {}

  observe(s: Sighting): void {
    const key = `${s.bundle}\n${s.client}`;
    this.seen.delete(key);
    this.seen.set(key, s);
    this.dirty = true;
    if (this.seen.size > this.max) {
      this.seen.delete(this.seen.keys().next().value!);
      this.forgotten++;
    }
  }

  /** current: the signatures version each bundle serves now (live tree), by bundle key. */
  counts(current: ReadonlyMap<string, string>, now: number, windowMs: number): FleetCounts {
    const bundles = new Map<string, { versions: Map<string, number>; current: number; older: number; unseen: number }>();
    const clients = new Set<string>();
    for (const s of this.seen.values()) {
      clients.add(s.client);
      let b = bundles.get(s.bundle);
      if (!b) bundles.set(s.bundle, (b = { versions: new Map(), current: 0, older: 0, unseen: 0 }));
      if (now - s.at > windowMs) {
        b.unseen++;
        continue;
      }
      b.versions.set(s.signatures, (b.versions.get(s.signatures) ?? 0) + 1);
      if (current.get(s.bundle) === s.signatures) b.current++;
      else b.older++;
    }
    const out: Record<string, BundleAdoption> = {};
    for (const [key, b] of [...bundles].sort(([a], [c]) => a.localeCompare(c))) {
      out[key] = {
        versions: [...b.versions].map(([signatures, n]) => ({ signatures, clients: n })).sort((x, y) => y.clients - x.clients),
        current: b.current,
        older: b.older,
        unseen: b.unseen,
      };
    }
    return { windowMs, clients: clients.size, forgotten: this.forgotten, bundles: out };
  }

  /** Whether anything changed since the last takeSnapshot(). */
  get changed(): boolean {
    return this.dirty;
  }

  takeSnapshot(): PersistedFleet {
    this.dirty = false;
    return {
      version: 1,
      forgotten: this.forgotten,
      sightings: [...this.seen.values()].map((s) => [s.bundle, s.client, s.signatures, s.at]),
    };
  }

  restore(p: PersistedFleet): void {
    this.forgotten = p.forgotten;
    for (const [bundle, client, signatures, at] of p.sightings) this.observe({ bundle, client, signatures, at });
    this.dirty = false;
  }
}
