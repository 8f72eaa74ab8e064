// Parses the service's version document (&action=info) as XML; order, whitespace and extra elements vary.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MirrorError } from '../errors/catalogue.js';

export interface VersionInfo {
  readonly engine: string;
  readonly signatures: string;
  readonly platform?: string | undefined;
  readonly signaturesDate?: string | undefined;
}

const VERSION = /^\d+(\.\d+){1,4}$/;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && node !== null && '#text' in node) {
    const t = (node as Record<string, unknown>)['#text'];
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

function invalid(what: string, source: string): MirrorError {
  return new MirrorError('VERSION_DOCUMENT_INVALID', `version document from ${source} ${what}`, { retryable: true });
}

/** The real document is three elements deep at most; a generous bound still stops a nesting bomb before parsing. */
const MAX_DEPTH = 16;

/** Not retried: the same server will send the same hostile document again. */
function refused(what: string, source: string): MirrorError {
  return new MirrorError('VERSION_DOCUMENT_REFUSED', `version document from ${source} refused: ${what}`);
}

/** Constructs no real version document needs, checked before any parser sees the text. */
function refuseHostileConstructs(xml: string, source: string): void {
  if (/<!DOCTYPE/i.test(xml)) throw refused('it has a DOCTYPE (entity definitions are never accepted)', source);
  if (/<!ENTITY/i.test(xml)) throw refused('it defines entities', source);
  let depth = 0;
  for (const m of xml.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else if (!m[2]) depth++;
    if (depth > MAX_DEPTH) throw refused(`it nests elements deeper than ${MAX_DEPTH} levels`, source);
  }
}

export function parseVersionInfo(xml: string, source: string): VersionInfo {
  refuseHostileConstructs(xml, source);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw invalid(`is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`, source);
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc['versions'];
  if (typeof root !== 'object' || root === null) throw invalid('has no <versions> element', source);
  const r = root as Record<string, unknown>;
  const engine = text(r['engine']);
  const signatures = text(r['signatures']);
  if (!engine || !VERSION.test(engine)) throw invalid(`has no valid <engine> version (found ${JSON.stringify(engine ?? null)})`, source);
  if (!signatures || !VERSION.test(signatures))
    throw invalid(`has no valid <signatures> version (found ${JSON.stringify(signatures ?? null)})`, source);
  const platform = text(r['platform']);
  const sig = r['signatures'];
  const date = typeof sig === 'object' && sig !== null ? (sig as Record<string, unknown>)['@date'] : undefined;
  return { engine, signatures, platform, signaturesDate: typeof date === 'string' ? date : undefined };
}
