// `completion`: scripts generated from the command definitions, checked in the real shells.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/mirror.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => removeDir(dir));

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  expect(r.code).toBe(0);
  const file = join(dir, `completion.${shell}`);
  await writeFile(file, r.stdout);
  return file;
}

/** What the bash function offers for these words (the last one being completed), in bash or zsh. */
function offered(shell: 'bash' | 'zsh', file: string, words: string[]): string[] {
  const array = words.map((w) => `'${w}'`).join(' ');
  const prelude = shell === 'zsh' ? 'setopt ksharrays; autoload -U +X bashcompinit && bashcompinit; ' : '';
  const r = spawnSync(
    shell,
    ['-c', `${prelude}source ${file}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _mdatp_mirror; echo "\${COMPREPLY[@]}"`],
    {
      encoding: 'utf8',
    },
  );
  expect(r.stderr, r.stderr).toBe('');
  const candidates = r.stdout.trim().split(/\s+/).filter(Boolean);
  // zsh's compgen (bashcompinit) returns every word and lets zsh match the typed prefix; do the same here.
  return shell === 'zsh' ? candidates.filter((w) => w.startsWith(words.at(-1)!)) : candidates;
}

describe('completion', () => {
  for (const shell of ['bash', 'zsh'] as const) {
    it(`completes commands, subcommands, options and option values in ${shell}`, async () => {
      const file = await script(shell);
      expect(offered(shell, file, ['mdatp-mirror', 'sch'])).toEqual(['schedule']);
      expect(offered(shell, file, ['mdatp-mirror', 'schedule', 'ins'])).toEqual(['install']);
      expect(offered(shell, file, ['mdatp-mirror', 'schedule', 'install', '--w'])).toEqual(['--with']);
      expect(offered(shell, file, ['mdatp-mirror', '--settings', 's.json', 'endpoint-config', '--os', ''])).toEqual(['linux', 'mac']);
      expect(offered(shell, file, ['mdatp-mirror', 'download', '--b'])).toEqual(['--base-url']);
      // A path comes next: nothing offered, so the shell completes file names.
      expect(offered(shell, file, ['mdatp-mirror', 'download', '--settings', ''])).toEqual([]);
    });
  }

  it('completes commands with their descriptions, and options per command, in fish', async () => {
    const file = await script('fish');
    const complete = (line: string): string[] =>
      spawnSync('fish', ['-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n');
    expect(complete('mdatp-mirror sta')).toEqual([
      'status\thealth of every mirrored bundle; exit 0 when healthy, 1 when missing, broken, stale or behind',
    ]);
    expect(complete('mdatp-mirror serve ins').map((l) => l.split('\t')[0])).toEqual(['install']);
    expect(complete('mdatp-mirror rollback --os ').map((l) => l.split('\t')[0])).toEqual(['linux', 'mac']);
  });

  it('exits 2 for a shell it does not know', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  });
});
