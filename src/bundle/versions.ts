// What identifies a release of a bundle (engine + signatures versions), how two compare, and how people name one.

export interface Versions {
  readonly engine: string;
  readonly signatures: string;
}

/** Only the identifying pair, from anything that carries it (a version document, a hold). */
export const versionsOf = (v: Versions): Versions => ({ engine: v.engine, signatures: v.signatures });

/** A manifest's pair (manifest.json names them as the old scripts did). */
export const manifestVersions = (m: { readonly EngineVersion: string; readonly DefinitionVersion: string }): Versions => ({
  engine: m.EngineVersion,
  signatures: m.DefinitionVersion,
});

export const sameVersions = (a: Versions, b: Versions): boolean => a.engine === b.engine && a.signatures === b.signatures;

/** "engine-signatures": the name of a retained version's folder, and what `rollback --to` accepts besides signatures. */
export const versionLabel = (v: Versions): string => `${v.engine}-${v.signatures}`;

/** Whether a version a person typed ("1.421.9.0" or "1.1.24030.4-1.421.9.0") names this release. */
export const versionMatches = (v: Versions, typed: string): boolean => v.signatures === typed || versionLabel(v) === typed;

/** Dotted numeric versions compared part by part as numbers ("1.421.10.0" is newer than "1.421.9.0"). */
export function compareVersionStrings(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Release order: signatures first (released several times a day), the engine (monthly) breaks ties. */
export function compareVersions(a: Versions, b: Versions): number {
  return compareVersionStrings(a.signatures, b.signatures) || compareVersionStrings(a.engine, b.engine);
}
