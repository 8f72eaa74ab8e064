// Checks an existing managed JSON or configuration profile the way an endpoint would read it, and says, for each
// problem, what to change: misspellings (the docs' own offlineDefintionUpdateFallbackToCloud), keys in the wrong
// section, wrong types or values, a URL an endpoint cannot use, an interval out of range, deprecated placements.
import { archSegmentIn, treeAtEnd } from '../bundle/identity.js';
import { isHttpUrl } from '../util/location.js';
import { parseJsonText } from '../util/json-text.js';
import { decodeText, textEncodingOf } from '../util/text-file.js';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parsePlist, parseBinary } from 'plist';
import { PREFERENCE_DOMAIN, SCHEMA, SECTIONS, homeOf, type KeySpec, type Section } from './schema.js';
import { OFFLINE_UPDATES_SINCE, VERIFY_SIG_DEPRECATED_SINCE_LINUX, atLeast, verifySigDeprecated } from './releases.js';

export interface LintProblem {
  /** section.key, or the section, or "" for the document. */
  readonly where: string;
  readonly problem: string;
  readonly fix: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ALL_KEYS = SECTIONS.flatMap((s) => Object.keys(SCHEMA[s]));

/** The managed settings inside a JSON file or a .mobileconfig (XML or binary plist). */
export function readEndpointDocument(bytes: Buffer, name: string): { settings: Obj; kind: 'json' | 'mobileconfig' } {
  if (textEncodingOf(bytes) !== 'utf-8' && decodeText(bytes).trimStart().startsWith('{')) {
    throw new Error(
      `${name} is JSON saved as UTF-16 (what Windows PowerShell 5.1's Out-File and > write); JSON exchanged between systems must be UTF-8 (RFC 8259), so an endpoint may not read it: save it as UTF-8 (Set-Content -Encoding utf8) and lint it again`,
    );
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    const v = parseJsonText(text, name);
    if (!isObj(v)) throw new Error(`${name}: expected a JSON object`);
    return { settings: v, kind: 'json' };
  }
  let doc: unknown;
  if (bytes.subarray(0, 6).toString('latin1') === 'bplist') doc = parseBinary(bytes);
  else if (text.includes('<plist')) doc = parsePlist(text);
  else throw new Error(`${name}: neither JSON nor a property list (a signed profile must be unsigned first: security cms -D -i FILE)`);
  const top = isObj(doc) ? doc : {};
  const payloads = Array.isArray(top['PayloadContent']) ? (top['PayloadContent'] as unknown[]).filter(isObj) : [];
  const wdav = payloads.find((p) => p['PayloadType'] === PREFERENCE_DOMAIN) ?? (top['PayloadType'] === PREFERENCE_DOMAIN ? top : undefined);
  if (!wdav) throw new Error(`${name}: no payload for the ${PREFERENCE_DOMAIN} preference domain`);
  return { settings: wdav, kind: 'mobileconfig' };
}

function checkValue(where: string, spec: KeySpec, value: unknown, problems: LintProblem[]): void {
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') {
        problems.push({
          where,
          problem: `must be true or false, found ${JSON.stringify(value)}`,
          fix: typeof value === 'string' ? `write ${value.toLowerCase() === 'true'} without quotes` : 'write true or false',
        });
      }
      return;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
        problems.push({
          where,
          problem: `must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}, found ${JSON.stringify(value)}`,
          fix:
            lower && spec.values.includes(lower)
              ? `write "${lower}" (lower case)`
              : typeof value === 'boolean'
                ? `write "${value ? 'enabled' : 'disabled'}" (a string, not a boolean)`
                : `write "${spec.values[0]}"`,
        });
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        problems.push({
          where,
          problem: `must be a whole number of seconds, found ${JSON.stringify(value)}`,
          fix: `write a number from ${spec.min} to ${spec.max} without quotes`,
        });
      } else if (value < spec.min || value > spec.max) {
        problems.push({
          where,
          problem: `${value} is out of range (${spec.min} to ${spec.max} seconds)`,
          fix: `use a value from ${spec.min} to ${spec.max}; 28800 (8 hours) is the default`,
        });
      }
      return;
    case 'location':
      checkLocation(where, value, problems);
  }
}

function checkLocation(where: string, value: unknown, problems: LintProblem[]): void {
  if (typeof value !== 'string' || value === '') {
    problems.push({
      where,
      problem: `must be the mirror URL or directory, found ${JSON.stringify(value)}`,
      fix: 'write for example "http://mirror.example.com:8080/linux/production/"',
    });
    return;
  }
  const isUrl = isHttpUrl(value);
  // Endpoints run Linux or macOS: a directory location is a POSIX path.
  if (!isUrl && !value.startsWith('/')) {
    problems.push({
      where,
      problem: `"${value}" is neither an http(s) URL nor an absolute directory path`,
      fix: 'write http://server:port/<os>/<channel>/ or /mounted/path/<os>/<channel>',
    });
    return;
  }
  const arch = archSegmentIn(value);
  if (arch) {
    problems.push({
      where,
      problem: `"${value}" includes "${arch[0]}"; endpoints append arch_<arch>/updates.zip themselves`,
      fix: `end it at the channel: "${value.slice(0, arch.index)}/"`,
    });
    return;
  }
  const tree = treeAtEnd(value);
  if (!tree) {
    problems.push({
      where,
      problem: `"${value}" does not end with /<os>/<channel>/`,
      fix: `append the tree, for example "${value.replace(/\/+$/, '')}/linux/production${isUrl ? '/' : ''}"`,
    });
  } else if (isUrl && !tree.trailingSeparator) {
    problems.push({ where, problem: `"${value}" lacks the trailing slash after the channel`, fix: `write "${value}/"` });
  }
}

/** What lint knows of the endpoints reading the file: their OS, and their product version when given. */
export interface LintTarget {
  readonly os: 'linux' | 'mac';
  readonly version?: string | undefined;
}

export function lintEndpointSettings(settings: Obj, target: LintTarget = { os: 'linux' }): LintProblem[] {
  const problems: LintProblem[] = [];
  if (target.version !== undefined && !atLeast(target.version, OFFLINE_UPDATES_SINCE[target.os])) {
    problems.push({
      where: '',
      problem: `${target.os === 'linux' ? 'Linux' : 'macOS'} endpoints at ${target.version} do not take offline updates (from ${OFFLINE_UPDATES_SINCE[target.os]})`,
      fix: `update the endpoints to ${OFFLINE_UPDATES_SINCE[target.os]} or newer`,
    });
  }
  for (const section of SECTIONS) {
    const found = settings[section];
    if (found !== undefined && !isObj(found))
      problems.push({
        where: section,
        problem: `must be an object { ... }, found ${JSON.stringify(found)}`,
        fix: `write "${section}": { ... }`,
      });
  }
  // Sections themselves misspelled ("antivirusengine", "cloudservice").
  for (const key of Object.keys(settings)) {
    if (SECTIONS.includes(key as Section) || !isObj(settings[key])) continue;
    const near = SECTIONS.find((s) => s.toLowerCase() === key.toLowerCase() || distance(s, key) <= 2);
    if (near)
      problems.push({
        where: key,
        problem: `section "${key}" is misspelled; endpoints ignore it and everything in it`,
        fix: `rename it to "${near}"`,
      });
  }

  for (const section of Object.keys(settings)) {
    const body = settings[section];
    if (!isObj(body)) continue;
    for (const [key, value] of Object.entries(body)) {
      const where = `${section}.${key}`;
      const home = homeOf(key);
      if (home === section) {
        checkValue(where, (SCHEMA[home] as Record<string, KeySpec>)[key]!, value, problems);
      } else if (home) {
        const deprecated = section === 'features' && key === 'offlineDefinitionUpdate';
        problems.push({
          where,
          problem: deprecated
            ? 'placed under "features" as one 2024 revision of the docs had it; that placement is deprecated'
            : `belongs in "${home}", not "${section}"; endpoints ignore it here`,
          fix: `move it to ${home}.${key}`,
        });
      } else {
        const near = closest(key, ALL_KEYS);
        if (distance(key, near) <= 3 || key.toLowerCase() === near.toLowerCase()) {
          problems.push({
            where,
            problem: `misspelled key; endpoints silently ignore it`,
            fix: `rename it to "${near}"${homeOf(near) !== section ? ` and move it to "${homeOf(near)}"` : ''}`,
          });
        }
      }
    }
  }

  const engine = isObj(settings['antivirusEngine']) ? settings['antivirusEngine'] : {};
  const cloud = isObj(settings['cloudService']) ? settings['cloudService'] : {};
  if (engine['offlineDefinitionUpdateUrl'] === undefined) {
    problems.push({
      where: 'antivirusEngine.offlineDefinitionUpdateUrl',
      problem: 'missing: endpoints do not know where the mirror is',
      fix: 'add it (mdatp-mirror endpoint-config --url ... prints a complete file)',
    });
  }
  if (
    engine['offlineDefinitionUpdate'] === 'disabled' ||
    (engine['offlineDefinitionUpdate'] === undefined && !(isObj(settings['features']) && 'offlineDefinitionUpdate' in settings['features']))
  ) {
    problems.push({
      where: 'antivirusEngine.offlineDefinitionUpdate',
      problem: 'offline updates are not enabled',
      fix: 'set it to "enabled"',
    });
  }
  if (cloud['automaticDefinitionUpdateEnabled'] === false) {
    problems.push({
      where: 'cloudService.automaticDefinitionUpdateEnabled',
      problem: 'false: endpoints only update when someone runs mdatp definitions update',
      fix: 'set it to true',
    });
  }
  const features = isObj(settings['features']) ? settings['features'] : {};
  if (features['offlineDefinitionUpdateVerifySig'] !== undefined && verifySigDeprecated(target.os, target.version)) {
    problems.push({
      where: 'features.offlineDefinitionUpdateVerifySig',
      problem: `deprecated from Linux ${VERIFY_SIG_DEPRECATED_SINCE_LINUX}: engine signatures are always verified, and mdatp health shows the key as DEPRECATED`,
      fix: 'remove it (endpoint-config --endpoint-version leaves it out)',
    });
  } else if (features['offlineDefinitionUpdateVerifySig'] === 'disabled') {
    problems.push({
      where: 'features.offlineDefinitionUpdateVerifySig',
      problem: 'signature verification of downloaded bundles is turned off',
      fix: 'set it to "enabled"',
    });
  }
  return problems;
}
