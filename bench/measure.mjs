// What every bench script measures a command with: GNU time's wall, CPU and peak RSS, and the median of rounds;
// the CLI they run, and the options the one-command benches share.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from '../dist/util/size.js';

/** The built CLI. */
export const BIN = join(import.meta.dirname, '..', 'bin', 'mdatp-mirror.js');

/** --size, --repeat, --work (under .bench-tmp/<name>) and --keep, as bench:archive and bench:publish take them. */
export function benchOptions(name) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '256MB' },
      repeat: { type: 'string', default: '3' },
      work: { type: 'string', default: `.bench-tmp/${name}` },
      keep: { type: 'boolean', default: false },
    },
  });
  return { SIZE: parseSize(values.size), REPEAT: Number(values.repeat), WORK: join(process.cwd(), values.work), keep: values.keep };
}

/** Runs a command under GNU time; rejects unless it exits 0. An env value of undefined removes that variable. */
export function timed(cmd, cmdArgs, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '@@TIME %e %U %S %M', cmd, ...cmdArgs], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      const m = /@@TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (!m) return reject(new Error(`no timing from ${cmd}: ${err}`));
      if (code !== 0) return reject(new Error(`${cmd} ${cmdArgs.join(' ')} exited ${code}: ${err}\n${out}`));
      resolve({ wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Number(m[4]) / 1024 });
    });
  });
}

/**
 * Writes the page cache's dirty pages to disk: a run that leaves 1 GB being written back slows whichever run comes
 * next (curl's loopback time varied 1.2-2.4 s with our run before it), so each timed run starts with none.
 */
export function settleDisk() {
  return new Promise((resolve, reject) => spawn('sync', { stdio: 'ignore' }).on('close', resolve).on('error', reject));
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
