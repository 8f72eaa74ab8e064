// What went wrong with a target, in words that name the target and the fix, with every secret cut out (a SAS token
// in a URL, an account key in a connection string).
import { isMirrorError } from '../errors/catalogue.js';
import type { PublishTarget } from '../settings/publish-targets.js';

/** Cuts query strings (SAS tokens) and key/signature fields out of any text that may echo a request. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s"'?]*)\?[^\s"']*/g, '$1?[redacted]')
    .replace(
      /\b(AccountKey|SharedAccessSignature|sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=[^;&\s"']*/gi,
      '$1=[redacted]',
    );
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function describeReplicaError(e: unknown, target: PublishTarget): string {
  if (isMirrorError(e)) return redactSecrets(e.message);
  const err = (e ?? {}) as SdkError;
  const name = err.name ?? '';
  const code = err.code ?? name;
  const status = err.statusCode ?? err.$metadata?.httpStatusCode;
  const where = target.type === 's3' ? `bucket "${target.bucket}"` : `container "${target.container}"`;
  const what = redactSecrets(err.message ?? String(e));
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(what))
    return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment of the service, or run where an instance or task role applies.';
  if (/Region is missing/i.test(what)) return `no AWS region: set "region" on the target (or AWS_REGION in the environment).`;
  if (code === 'NoSuchBucket' || code === 'ContainerNotFound')
    return `${where} does not exist: create it (the tool never creates buckets or containers), or fix the name in settings.`;
  if (
    status === 403 ||
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AuthenticationFailed', 'AuthorizationPermissionMismatch'].includes(
      code,
    )
  )
    return `access to ${where} was refused (${code || status}): the credentials need list, read, write and delete under prefix "${target.prefix}" (docs/large-fleets.md).`;
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'REQUEST_SEND_ERROR'].includes(code))
    return `cannot reach the service (${code}): ${what}. Check the network, the proxy, and the target's endpoint or accountUrl.`;
  return `${code || 'error'}${status ? ` (HTTP ${status})` : ''}: ${what}`;
}
