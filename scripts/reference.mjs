// Writes the reference generated from the code, so it cannot drift: docs/reference/commands.md and errors.md, and the
// man page docs/man/mdatp-mirror.1 (which the packages install). `--check` fails when a checked-in file is stale.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildProgram } from '../dist/cli/main.js';
import { ERROR_CODES, ExitCode } from '../dist/errors/catalogue.js';
import { SETTING_HELP, TIMEOUT_HELP } from '../dist/settings/help.js';
import { settingsSchema } from '../dist/settings/schema.js';
import * as z from 'zod/mini';
import { MirrorMetrics } from '../dist/serve/metrics.js';
import { HELP_EXAMPLES } from '../dist/cli/help-examples.js';

const root = new URL('../', import.meta.url).pathname;
// The man page's date and version are the latest release's in CHANGELOG.md, so the page changes only with a release.
const [, release, released] = /^## (\S+) - (\d{4}-\d{2}-\d{2})$/m.exec(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'));
const check = process.argv.includes('--check');
const sink = { write: () => true };
const program = buildProgram({ stdout: sink, stderr: sink, cwd: root, env: {}, now: () => new Date(0) }, () => {});

const commands = [];
const walk = (cmd, prefix) => {
  for (const sub of cmd.commands) {
    const name = `${prefix}${sub.name()}`;
    commands.push({ name, cmd: sub });
    walk(sub, `${name} `);
  }
};
walk(program, '');
const usage = (c) => `mdatp-mirror ${c.name} ${c.cmd.usage()}`.replace(/ \[options\]/, ' [options]');
const options = (cmd) => cmd.options.filter((o) => !o.hidden);
const globalOptions = options(program);

const exitRows = [
  [0, 'success: everything asked for is done (or was already current)'],
  [
    1,
    'a bundle failed (the others went on and failed ones still serve their previous pair); a check found problems; or a request was refused',
  ],
  [2, 'a usage or settings mistake, named with the fix: nothing was changed'],
  [3, 'another run holds the lock; status --check-upstream could not ask the upstream (Nagios UNKNOWN)'],
  [70, 'an unexpected error: a bug in mdatp-mirror (EX_SOFTWARE); the message says what to report. The served tree is never left partial'],
  [130, 'stopped by SIGINT (Ctrl-C)'],
  [143, 'stopped by SIGTERM'],
];
for (const [code] of exitRows) if (!Object.values(ExitCode).includes(code)) throw new Error(`exit code ${code} is not in ExitCode`);

const md = {
  commands: [
    '# Command reference',
    '',
    'Generated from the command definitions by `npm run docs:generate`; do not edit. Every command also takes the global options.',
    '',
    '## Global options',
    '',
    ...globalOptions.map((o) => `- \`${o.flags}\`: ${o.description}`),
    '',
    ...commands.flatMap(({ name, cmd }) => [
      `## ${name}`,
      '',
      cmd.description(),
      '',
      '```',
      usage({ name, cmd }),
      '```',
      '',
      ...options(cmd).map(
        (o) => `- \`${o.flags}\`: ${o.description}${o.defaultValue !== undefined ? ` (default ${JSON.stringify(o.defaultValue)})` : ''}`,
      ),
      '',
    ]),
  ].join('\n'),
  errors: [
    '# Exit codes and error codes',
    '',
    'Generated from the error catalogue (`src/errors/catalogue.ts`) by `npm run docs:generate`; do not edit. A log line or a',
    '`--json` result names the code (`"code": "UPSTREAM_TLS"`); search this page for it.',
    '',
    '## Exit codes',
    '',
    '| exit | meaning |',
    '|---|---|',
    ...exitRows.map(([c, m]) => `| ${c} | ${m} |`),
    '',
    '## Error codes',
    '',
    ...Object.entries(ERROR_CODES).flatMap(([code, e]) => [`### ${code}`, '', `Exit ${e.exitCode}. ${e.cause}`, '', `Fix: ${e.fix}`, '']),
  ].join('\n'),
};

// Settings: type, default and bounds from the schema itself (as JSON Schema), the meaning from src/settings/help.ts.
const jsonSchema = z.toJSONSchema(settingsSchema, { io: 'input', unrepresentable: 'any' });
const typeOf = (p) => {
  if (p['x-duration-range']) return `duration ${p['x-duration-range'].join('–')}`;
  if (p['x-size']) return 'size (`64MB`, `2GB` or bytes)';
  if (p.type === 'integer') {
    const max = p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER ? p.maximum : undefined;
    return max !== undefined ? `int ${p.minimum}–${max}` : p.minimum !== undefined ? `int ≥ ${p.minimum}` : 'int';
  }
  if (p.type === 'boolean') return 'bool';
  if (p.type === 'array')
    return p.items?.enum
      ? `array of ${p.items.enum.map((v) => `\`${v}\``).join(', ')}`
      : p.items?.type === 'string'
        ? 'array of strings'
        : 'array';
  if (p.type === 'object' || p.anyOf || p.oneOf) return 'object';
  return p.type ?? 'any';
};
const cell = (s) => String(s).replaceAll('|', '\\|');
const defaultOf = (p, help) => help.default ?? (p.default === undefined ? 'none' : `\`${JSON.stringify(p.default)}\``);
const settingRows = [
  ...Object.entries(SETTING_HELP).map(([k, h]) => [k, jsonSchema.properties[k], h]),
  ...Object.entries(TIMEOUT_HELP).map(([k, h]) => [`timeouts.${k}`, jsonSchema.properties.timeouts.properties[k], h]),
];
for (const k of Object.keys(jsonSchema.properties))
  if (!(k in SETTING_HELP)) throw new Error(`setting ${k} has no line in src/settings/help.ts`);
md.settings = [
  '# Settings reference',
  '',
  'Generated from the settings schema (`src/settings/schema.ts`) and `src/settings/help.ts` by `npm run docs:generate`; do not',
  "edit. The first six fields are the official `settings.json` of Microsoft's scripts, with their defaults; every other field is",
  'optional and additive. Unknown fields are refused (exit 2): a misspelled field would otherwise fall back to its default.',
  'Durations are written `500ms`, `90s`, `30m`, `4h`, `2d`. Editors can check a file against',
  '[settings.schema.json](settings.schema.json) (add `"$schema": "…/settings.schema.json"` only in an editor copy: the tool',
  'refuses unknown fields).',
  '',
  '| field | type | default | meaning |',
  '|---|---|---|---|',
  ...settingRows.map(([k, p, h]) => `| \`${k}\` | ${cell(typeOf(p))} | ${cell(defaultOf(p, h))} | ${cell(h.meaning)} |`),
  '',
].join('\n');
for (const [k, , h] of settingRows) {
  const [top, sub] = k.split('.');
  const target = sub ? jsonSchema.properties[top].properties[sub] : jsonSchema.properties[top];
  target.description = h.meaning.replaceAll('`', '');
}

// Metrics: the registry serve's /metrics exposes, built with nothing to count, so every name, type, label and help
// text is the code's own.
const noCounts = { openConnections: () => 0, shedConnections: () => 0, refusedConnections: () => 0, accessLogDropped: () => 0 };
const metrics = new MirrorMetrics(
  async () => ({ tree: { healthy: true, bundles: [] }, status: { bundles: [], publishTargets: [], index: null } }),
  noCounts,
).registry.getMetricsAsArray();
const own = metrics.filter((m) => !/^mdatp_mirror_(process|nodejs)_/.test(m.name));
const runtime = metrics.filter((m) => /^mdatp_mirror_(process|nodejs)_/.test(m.name));
md.metrics = [
  '# Metrics reference',
  '',
  "Generated from serve's metrics registry (`src/serve/metrics.ts`, `src/status/status-metrics.ts`) by `npm run docs:generate`;",
  'do not edit. `serve` exposes them at `/metrics` in the Prometheus text format; with `--workers`, counters are summed over',
  "the workers and tree gauges are one worker's reading. Client addresses are never labels. The bundle, run, index and",
  'publish-target gauges (every `mdatp_mirror_bundle_*`, `signed_index_ok` and `publish_target_current`) are also what',
  '`metricsFile` holds after every run; the HTTP, connection and fleet metrics come only from a running `serve`.',
  '',
  '| metric | type | labels | meaning |',
  '|---|---|---|---|',
  ...own.map(
    (m) =>
      `| \`${m.name}\` | ${m.type ?? m.constructor.name.toLowerCase()} | ${(m.labelNames ?? []).map((l) => `\`${l}\``).join(', ') || '–'} | ${cell(m.help)} |`,
  ),
  '',
  "Also the Node.js process metrics of prom-client's defaults, with the same prefix: " +
    runtime.map((m) => `\`${m.name}\``).join(', ') +
    '.',
  '',
].join('\n');

// man(7): escape what roff treats specially (a leading dot or quote, backslashes, hyphens in options).
const roff = (s) =>
  s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
const man = [
  `.TH MDATP\\-MIRROR 1 ${released} "mdatp\\-mirror ${release}" "User Commands"`,
  '.SH NAME',
  'mdatp\\-mirror \\- verified, atomic offline security\\-intelligence mirror for Microsoft Defender for Endpoint',
  '.SH SYNOPSIS',
  '.B mdatp\\-mirror',
  '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR]',
  '.SH DESCRIPTION',
  roff(
    "mdatp-mirror downloads the security-intelligence bundles of Microsoft Defender for Endpoint on Linux and macOS, verifies them and publishes them atomically in the folder layout endpoints expect, keeping the previous set as a fallback. It reads the settings.json of Microsoft's sample scripts unchanged.",
  ),
  '.SH GLOBAL OPTIONS',
  ...globalOptions.flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(o.description)]),
  '.SH COMMANDS',
  ...commands.flatMap(({ name, cmd }) => [
    '.SS ' + roff(name),
    roff(cmd.description()),
    '.PP',
    `.B ${roff(usage({ name, cmd }))}`,
    ...options(cmd).flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(o.description)]),
  ]),
  '.SH EXIT STATUS',
  ...exitRows.flatMap(([c, m]) => ['.TP', `.B ${c}`, roff(m)]),
  '.SH ERRORS',
  roff('Every failure names a code; each code, its cause and its fix:'),
  ...Object.entries(ERROR_CODES).flatMap(([code, e]) => ['.TP', `.B ${roff(code)}`, roff(`(exit ${e.exitCode}) ${e.cause} Fix: ${e.fix}`)]),
  '.SH EXAMPLES',
  ...Object.entries(HELP_EXAMPLES).flatMap(([name, h]) => ['.TP', `.B ${roff(name)}`, roff(h.example)]),
  '.SH FILES',
  '.TP',
  '.B /etc/mdatp\\-mirror/settings.json',
  roff('The settings the packages install (downloadFolder /var/lib/mdatp-mirror/wdav-update).'),
  '.SH SEE ALSO',
  roff(
    'docs/ in the source and the npm package: installing, configuring, running unattended, serving, air gaps, monitoring, troubleshooting.',
  ),
  '',
].join('\n');

const files = {
  'docs/reference/commands.md': `${md.commands}\n`,
  'docs/reference/errors.md': `${md.errors}\n`,
  'docs/reference/settings.md': md.settings,
  'docs/reference/metrics.md': md.metrics,
  'docs/reference/settings.schema.json': `${JSON.stringify(jsonSchema, null, 2)}\n`,
  'docs/man/mdatp-mirror.1': man,
};
let stale = 0;
for (const [rel, text] of Object.entries(files)) {
  const path = join(root, rel);
  if (check) {
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (old !== text) {
      console.error(`${rel} is stale: run npm run docs:generate and commit it`);
      stale++;
    }
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
process.exit(stale ? 1 : 0);
