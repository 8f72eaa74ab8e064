// What went wrong with a target, in words that name the target and the fix, with every secret cut out (a SAS token
// in a URL, an account key in a connection string).
import { isMirrorError } from '../errors/catalogue.js';
import type { PublishTarget } from '../settings/publish-targets.js';
import { storeTypeOf, type SdkError } from './store-types.js';

/** Cuts query strings (SAS tokens) and key/signature fields out of any text that may echo a request. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s"'?]*)\?[^\s"']*/g, '$1?[redacted]')
    .replace(
      /\b(AccountKey|SharedAccessSignature|sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=[^;&\s"']*/gi,
      '$1=[redacted]',
    );
}

/** What every service's errors share (refused access, an unreachable service); each type's own are in store-types.ts. */
export function describeReplicaError(e: unknown, target: PublishTarget): string {
  if (isMirrorError(e)) return redactSecrets(e.message);
  const err = (e ?? {}) as SdkError;
  const code = err.code ?? err.name ?? '';
  const status = err.statusCode ?? err.$metadata?.httpStatusCode;
  const type = storeTypeOf(target);
  const what = redactSecrets(err.message ?? String(e));
  const own = type.explain(err, what, target);
  if (own) return own;
  if (
    status === 403 ||
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AuthenticationFailed', 'AuthorizationPermissionMismatch'].includes(
      code,
    )
  )
    return `access to ${type.where(target)} was refused (${code || status}): the credentials need list, read, write and delete under prefix "${target.prefix}" (docs/large-fleets.md).`;
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'REQUEST_SEND_ERROR'].includes(code))
    return `cannot reach the service (${code}): ${what}. Check the network, the proxy, and the target's endpoint or accountUrl.`;
  return `${code || 'error'}${status ? ` (HTTP ${status})` : ''}: ${what}`;
}
