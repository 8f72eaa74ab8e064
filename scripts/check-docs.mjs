// Checks the documentation as a reader follows it: every relative link in README.md and docs/ points at a file that
// exists and, with #anchor, at a heading on that page (GitHub's anchors); every page in docs/ is reached from the
// README by links. Run by `npm run docs:check`.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const walk = (dir) =>
  readdirSync(join(root, dir)).flatMap((n) => {
    const rel = join(dir, n);
    return statSync(join(root, rel)).isDirectory() ? walk(rel) : rel.endsWith('.md') ? [rel] : [];
  });
const pages = ['README.md', ...walk('docs')];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text) {
  const seen = new Map();
  const out = new Set();
  let code = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) code = !code;
    const m = !code && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

const problems = [];
const linkedFrom = new Map(pages.map((p) => [p, new Set()]));
for (const page of pages) {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path, anchor] = target.split('#');
    const file = path ? normalize(join(dirname(page), path)) : page;
    if (!existsSync(join(root, file))) {
      problems.push(`${page}: link to ${target}: ${file} does not exist`);
      continue;
    }
    if (file.endsWith('.md')) linkedFrom.get(file)?.add(page);
    if (anchor && file.endsWith('.md') && !anchors(readFileSync(join(root, file), 'utf8')).has(anchor))
      problems.push(`${page}: link to ${target}: no heading #${anchor} in ${file}`);
  }
}
// Reached from the README, following links page to page.
const reached = new Set(['README.md']);
for (let grew = true; grew;) {
  grew = false;
  for (const [page, from] of linkedFrom) if (!reached.has(page) && [...from].some((f) => reached.has(f))) grew = reached.add(page);
}
for (const page of pages)
  if (!reached.has(page)) problems.push(`${relative(root, join(root, page))}: no page links to it from the README on`);
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
