// Every command's --help ends with an example that uses only options the command has, and a docs page that exists.
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { expect, it } from 'vitest';
import { HELP_EXAMPLES } from '../../src/cli/help-examples.js';
import { buildProgram } from '../../src/cli/main.js';

const program = buildProgram({ stdout: new PassThrough(), stderr: new PassThrough(), cwd: '.', env: {}, now: () => new Date(0) }, () => {});

function commands(cmd: Command, prefix = ''): [string, Command][] {
  return cmd.commands.flatMap((c) => [[`${prefix}${c.name()}`, c] as [string, Command], ...commands(c, `${prefix}${c.name()} `)]);
}

it('gives every command an example and a docs page that exists', () => {
  const paths = commands(program).map(([p]) => p);
  expect(Object.keys(HELP_EXAMPLES).sort()).toEqual(paths.sort());
  for (const { page } of Object.values(HELP_EXAMPLES)) expect(existsSync(new URL(`../../docs/${page}`, import.meta.url)), page).toBe(true);
});

it("uses in each example only the command's own options and the global ones", () => {
  const global = program.options.map((o) => o.long);
  for (const [path, cmd] of commands(program)) {
    const example = HELP_EXAMPLES[path]!.example;
    expect(example, path).toContain(`mdatp-mirror ${path}`);
    const known = new Set([...global, ...cmd.options.map((o) => o.long)]);
    for (const flag of example.match(/(?<= )--[a-z-]+/g) ?? []) expect(known, `${path}: ${flag}`).toContain(flag);
  }
});

it('prints the example and the pointer at the end of --help', () => {
  const [, serve] = commands(program).find(([p]) => p === 'serve')!;
  let out = '';
  serve.configureOutput({ writeOut: (s) => (out += s) });
  serve.outputHelp();
  expect(out).toMatch(/Example:\n {2}mdatp-mirror serve --port 8080 [^\n]+\n\nDocs: docs\/serving\.md/);
});
