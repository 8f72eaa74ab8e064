// What every bench script measures a command with: GNU time's wall, CPU and peak RSS, and the median of rounds.
import { spawn } from 'node:child_process';

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

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
