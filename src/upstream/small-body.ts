// A small response body read whole (a version document, a signed index), refused past a bound: a hostile or broken
// server never makes us buffer without limit.
import { MirrorError } from '../errors/catalogue.js';
import { networkError } from './http-errors.js';
import type { UpstreamResponse } from './http-client.js';

export async function readSmallBody(res: UpstreamResponse, limit: number, tooLarge: () => MirrorError): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        res.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof MirrorError) throw e;
    throw networkError(e, res.finalUrl);
  }
  return Buffer.concat(chunks);
}
