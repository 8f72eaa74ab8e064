// Faults the simulated upstream can inject, so retries, resume, verification and publishing can be rehearsed.
import { matchesFilter, type BundleId } from '../bundle/identity.js';

export type FaultAction =
  /** Answer with this status (and Retry-After, when given) instead of the resource. */
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: string }
  /** Close the connection after this fraction of the body. */
  | { readonly type: 'cut'; readonly at: number }
  /** Send this fraction of the body, then nothing, holding the connection open. */
  | { readonly type: 'stall'; readonly at: number }
  /** Answer a Range request with the whole file (200), as some servers do. */
  | { readonly type: 'ignore-range' }
  /** Flip one byte in the middle of the body: same length, broken CRC. */
  | { readonly type: 'corrupt' }
  /** A 200 with an HTML error page instead of the bundle (what the old script saved as updates.zip). */
  | { readonly type: 'html-200' }
  /** A version document that is not well-formed XML. */
  | { readonly type: 'malformed-info' }
  /** Answer the version request with exactly this document (a hostile or unusual one). */
  | { readonly type: 'info-body'; readonly body: string }
  /** A new release is published while this body is being sent. */
  | { readonly type: 'release-during-download' }
  /** Send the body one byte every byteEveryMs, as a dying link does. */
  | { readonly type: 'trickle'; readonly byteEveryMs: number }
  /** A 200 without Content-Length whose body never ends. */
  | { readonly type: 'endless' }
  /** A 200 whose body is this file (a crafted zip) instead of the bundle. */
  | { readonly type: 'file'; readonly path: string }
  /** Redirect the request to this URL. */
  | { readonly type: 'redirect'; readonly location: string };

export interface Fault {
  readonly target: 'bundle' | 'info';
  readonly action: FaultAction;
  readonly filter?: Partial<BundleId>;
  /** Only requests that carry a Range header (true) or only those that do not (false); both when absent. */
  readonly ranged?: boolean;
  /** How many matching requests it applies to; Infinity for all. */
  times: number;
}

export class FaultPlan {
  private readonly faults: Fault[] = [];

  add(fault: Omit<Fault, 'times'> & { times?: number }): void {
    this.faults.push({ ...fault, times: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first fault that applies to this request, consuming one of its uses. */
  take(target: Fault['target'], id: BundleId, ranged = false): FaultAction | undefined {
    const f = this.faults.find(
      (x) => x.times > 0 && x.target === target && matchesFilter(id, x.filter ?? {}) && (x.ranged === undefined || x.ranged === ranged),
    );
    if (!f) return undefined;
    f.times--;
    return f.action;
  }
}
