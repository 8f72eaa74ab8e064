// Every kind of object store a publish target can name, in one table: how to open it (its SDK loaded only then), what
// to call the place its objects go, and the errors only its SDK raises. The table is typed against the settings'
// target types, so a new type (Google Cloud Storage, say) is its settings schema, one folder-local store file and
// one entry here, and the compiler names each place that is missing.
import type { AzureTarget, PublishTarget, S3Target } from '../settings/publish-targets.js';
import type { ObjectStore } from './object-store.js';

/** The fields the SDKs' errors carry (AWS: name and $metadata; Azure: code and statusCode). */
export interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export interface StoreType<T extends PublishTarget> {
  readonly open: (target: T, mirrorName: string, env: NodeJS.ProcessEnv) => Promise<ObjectStore>;
  /** The container of its objects, in messages: bucket "x", container "y". */
  readonly where: (target: T) => string;
  /** Words for an error only this service raises; undefined leaves it to the errors every service shares. */
  readonly explain: (e: SdkError, message: string, target: T) => string | undefined;
}

const s3: StoreType<S3Target> = {
  open: async (target, mirrorName) => new (await import('./s3-store.js')).S3Store(target, mirrorName),
  where: (t) => `bucket "${t.bucket}"`,
  explain: (e, message, t) => {
    if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(message))
      return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment of the service, or run where an instance or task role applies.';
    if (/Region is missing/i.test(message)) return `no AWS region: set "region" on the target (or AWS_REGION in the environment).`;
    if ((e.code ?? e.name) === 'NoSuchBucket')
      return `${s3.where(t)} does not exist: create it (the tool never creates buckets or containers), or fix the name in settings.`;
    return undefined;
  },
};

const azureBlob: StoreType<AzureTarget> = {
  open: async (target, mirrorName, env) => (await import('./azure-store.js')).AzureStore.open(target, mirrorName, env),
  where: (t) => `container "${t.container}"`,
  explain: (e, _message, t) =>
    e.code === 'ContainerNotFound'
      ? `${azureBlob.where(t)} does not exist: create it (the tool never creates buckets or containers), or fix the name in settings.`
      : undefined,
};

const STORE_TYPES = { s3, 'azure-blob': azureBlob } satisfies {
  readonly [K in PublishTarget['type']]: StoreType<Extract<PublishTarget, { type: K }>>;
};

/** The entry for a target's type. (TypeScript cannot follow the link between a union's tag and the table's key.) */
export const storeTypeOf = <T extends PublishTarget>(target: T): StoreType<T> => STORE_TYPES[target.type] as unknown as StoreType<T>;
