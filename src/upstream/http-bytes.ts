// The HTTP side of a source's bytes: the Range and If-Range a request sends, and what the status, Content-Range,
// Content-Length, Accept-Ranges and validators of the answer mean, in one place for every HTTP source.
import { MirrorError } from '../errors/catalogue.js';
import type { UpstreamResponse } from './http-client.js';
import { statusError } from './http-errors.js';
import { StartOver, type BundleBytes, type OpenRequest } from './source.js';
import { displayUrl } from './urls.js';

type Get = (headers: Record<string, string>) => Promise<UpstreamResponse>;

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function contentRange(v: string | string[] | undefined): { start: number; end: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(v ?? '').trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) + 1, total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** If-Range needs a strong validator: a weak ETag cannot be used to resume. */
function validatorOf(res: UpstreamResponse): string | undefined {
  const etag = header(res.headers.etag);
  return etag && !etag.startsWith('W/') ? etag : header(res.headers['last-modified']);
}

export async function openOverHttp(get: Get, req: OpenRequest): Promise<BundleBytes> {
  const offset = req.offset ?? 0;
  const ranged = req.end !== undefined || offset > 0;
  const headers: Record<string, string> = ranged
    ? { range: `bytes=${offset}-${req.end === undefined ? '' : req.end - 1}`, ...(req.validator ? { 'if-range': req.validator } : {}) }
    : {};
  const res = await get(headers);
  const refuse = async (e: MirrorError): Promise<never> => {
    await res.body.dump().catch(() => undefined);
    throw e;
  };

  if (req.end !== undefined) {
    // A range of a split download: exactly these bytes, or the caller falls back to one connection.
    const got = res.statusCode === 206 ? contentRange(res.headers['content-range']) : undefined;
    if (got?.start !== offset || got.end !== req.end) {
      if (res.statusCode !== 206 && res.statusCode !== 200) return refuse(statusError(res.statusCode, res.headers, res.finalUrl));
      return refuse(
        new MirrorError(
          'UPSTREAM_HTTP_STATUS',
          `a range request for bytes ${offset}-${req.end - 1} was answered with the wrong part (HTTP ${res.statusCode}); resuming on one connection`,
          { retryable: true },
        ),
      );
    }
    return { body: res.body, offset, total: got.total, validator: req.validator, ranges: true, from: displayUrl(res.finalUrl) };
  }
  if (res.statusCode === 206 && offset > 0) {
    const got = contentRange(res.headers['content-range']);
    if (got?.start !== offset)
      return refuse(new StartOver(`unexpected Content-Range ${String(res.headers['content-range'])}; starting over`));
    return { body: res.body, offset, total: got.total, validator: req.validator, ranges: true, from: displayUrl(res.finalUrl) };
  }
  if (res.statusCode !== 200) return refuse(statusError(res.statusCode, res.headers, res.finalUrl));
  const length = header(res.headers['content-length']);
  const validator = validatorOf(res);
  const acceptsRanges = String(res.headers['accept-ranges'] ?? '')
    .toLowerCase()
    .split(',')
    .some((v) => v.trim() === 'bytes');
  return {
    body: res.body,
    offset: 0,
    total: length === undefined ? undefined : Number(length),
    validator,
    ranges: acceptsRanges && validator !== undefined && length !== undefined,
    from: displayUrl(res.finalUrl),
  };
}
