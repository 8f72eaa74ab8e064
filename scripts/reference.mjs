// Writes the reference generated from the code, so it cannot drift: docs/reference/commands.md and errors.md, and the
// man page docs/man/mdatp-mirror.1 (which the packages install). `--check` fails when a checked-in file is stale.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildProgram } from '../dist/cli/main.js';
import { ERROR_CODES, ExitCode } from '../dist/errors/catalogue.js';

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
    'a bundle failed (the others went on and failed ones still serve their previous pair); a check found problems; a request was refused; or an unexpected error (a bug)',
  ],
  [2, 'a usage or settings mistake, named with the fix: nothing was changed'],
  [3, 'another run holds the lock; status --check-upstream could not ask the upstream (Nagios UNKNOWN)'],
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
