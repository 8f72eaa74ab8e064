// The "publish" setting: object-storage replicas of the served tree (S3 or S3-compatible, Azure Blob Storage).
// Credentials are never part of it: the SDKs' standard chains, or an environment variable named here, supply them.
import * as z from 'zod/mini';
import '../util/zod-english.js';

const targetName = z.string().check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
    message: 'must be 1-63 letters, digits, ".", "_" or "-" (it names the target in output)',
  }),
);

/** A key prefix: "" (the bucket's root) or "a/b/", never absolute and never climbing out with "..". */
const prefix = z._default(
  z.pipe(
    z.string().check(
      z.refine((p) => !p.startsWith('/') && !p.includes('\\'), {
        message: 'must be a relative key prefix like "mirror/" (no leading "/", no "\\")',
      }),
      z.refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), { message: 'must not contain "." or ".." segments' }),
    ),
    z.transform((p: string) => (p === '' || p.endsWith('/') ? p : `${p}/`)),
  ),
  '',
);

const serviceUrl = z.string().check(
  z.refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '' && u.search === '';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL without credentials or a query (credentials come from the environment)' },
  ),
);

const s3Target = z.strictObject({
  name: targetName,
  type: z.literal('s3'),
  // S3's rules for new buckets: 3-63 lower-case letters, digits, dots and hyphens.
  bucket: z
    .string()
    .check(
      z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name: 3-63 lower-case letters, digits, "." or "-"' }),
    ),
  prefix,
  region: z.optional(z.string().check(z.regex(/^[a-z0-9-]{2,40}$/, { message: 'must be a region name like "eu-west-1"' }))),
  /** An S3-compatible service (MinIO, Ceph, another cloud): its URL. */
  endpoint: z.optional(serviceUrl),
  forcePathStyle: z.optional(z.boolean()),
});

const azureFields = z.strictObject({
  name: targetName,
  type: z.literal('azure-blob'),
  container: z.string().check(
    z.regex(/^(\$web|\$root|(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/, {
      message: 'must be an Azure container name: 3-63 lower-case letters, digits or single "-" (or $web, $root)',
    }),
  ),
  prefix,
  /** https://ACCOUNT.blob.core.windows.net (used with the default Azure credential, or with a SAS token from the environment). */
  accountUrl: z.optional(serviceUrl),
  /** The name of an environment variable holding a connection string, a SAS URL or (with accountUrl) a SAS token. */
  connectionStringEnv: z.optional(
    z
      .string()
      .check(
        z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be the name of an environment variable, like "MIRROR_AZURE_CONNECTION"' }),
      ),
  ),
});

const azureTarget = azureFields.check(
  z.refine((t) => t.accountUrl !== undefined || t.connectionStringEnv !== undefined, {
    message:
      'needs "connectionStringEnv" (an environment variable with a connection string or SAS URL) or "accountUrl" (for the default Azure credential)',
  }),
);

const publishTargetSchema = z.discriminatedUnion('type', [s3Target, azureTarget]);

export const publishSchema = z._default(
  z.array(publishTargetSchema).check(
    z.refine((targets) => new Set(targets.map((t) => t.name)).size === targets.length, {
      message: 'names two targets the same: give each its own "name"',
    }),
  ),
  [],
);

export type PublishTarget = z.output<typeof publishTargetSchema>;
export type S3Target = Extract<PublishTarget, { type: 's3' }>;
export type AzureTarget = Extract<PublishTarget, { type: 'azure-blob' }>;

/** Field names a target accepts, for typo suggestions. */
export const targetKeys = (type: unknown): readonly string[] => Object.keys((type === 'azure-blob' ? azureFields : s3Target).shape);

/** Fields people reach for that would put a secret in the file: refused with a pointer to where secrets go. */
export const SECRET_FIELDS = [
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'connectionString',
  'accountKey',
  'sasToken',
  'sas',
  'password',
];
