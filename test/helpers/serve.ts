// Starts `mdatp-mirror serve` as a real process on a free port and waits for its startup line; clients that test it.
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { startCli } from './cli.js';

export interface RunningServe {
  readonly child: ReturnType<typeof startCli>;
  readonly port: number;
  readonly base: string;
  readonly stdout: () => string;
}

export function startServe(args: string[], scheme = 'http'): Promise<RunningServe> {
  const child = startCli(['serve', '--port', '0', '--host', '127.0.0.1', ...args]);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /serving .* on https?:\/\/[^:]+:(\d+)/.exec(err);
      if (m) resolve({ child, port: Number(m[1]), base: `${scheme}://127.0.0.1:${m[1]}`, stdout: () => out });
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/** Sends bytes exactly as given (no URL normalisation by a client library) and returns the raw response. */
export function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

/** A GET that reads its first chunk and then stops reading, so the server holds the file open until finish(). */
export async function pausedDownload(url: string): Promise<{ finish: () => Promise<Buffer> }> {
  const chunks: Buffer[] = [];
  const res = await new Promise<IncomingMessage>((resolve) => get(url, resolve));
  res.once('data', (c: Buffer) => chunks.push(c));
  await once(res, 'data');
  res.pause();
  return {
    async finish() {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.resume();
      await once(res, 'end');
      return Buffer.concat(chunks);
    },
  };
}
