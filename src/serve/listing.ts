// --browse: a plain HTML index of a folder in the mirror tree (only entries that are part of the tree).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decidePath } from './mirror-paths.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function listing(root: string, rel: string, canonical: string): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch {
    return undefined;
  }
  const items = entries
    .map((e) => `${canonical}${e.name}${e.isDirectory() ? '/' : ''}`)
    .filter((p) => decidePath(p).kind === 'file' || decidePath(p).kind === 'dir')
    .sort();
  const links = items.map((p) => `<li><a href="${esc(p)}">${esc(p.slice(canonical.length))}</a></li>`).join('\n');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(canonical)}</title></head><body><h1>${esc(canonical)}</h1><ul>\n${canonical === '/' ? '' : '<li><a href="../">../</a></li>\n'}${links}\n</ul></body></html>\n`;
}
