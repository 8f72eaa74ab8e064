// How an Azure target authenticates, from least to most setup: the environment variable named by
// connectionStringEnv (a connection string, a SAS URL, or a SAS token for accountUrl), else the default Azure
// credential (managed identity, workload identity, Azure CLI login) for accountUrl. Secrets stay in the environment.
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { MirrorError } from '../errors/catalogue.js';
import type { AzureTarget } from '../settings/publish-targets.js';

interface Constructors {
  readonly BlobServiceClient: typeof BlobServiceClient;
  readonly ContainerClient: typeof ContainerClient;
}

/** The caller puts the target's name and location in front. */
const targetError = (message: string): MirrorError => new MirrorError('REPLICA_FAILED', message);

export async function containerFor(target: AzureTarget, env: NodeJS.ProcessEnv, sdk: Constructors): Promise<ContainerClient> {
  if (target.connectionStringEnv) {
    const value = env[target.connectionStringEnv]?.trim();
    if (!value)
      throw targetError(
        `the environment variable ${target.connectionStringEnv} (named by "connectionStringEnv") is not set in this environment. Set it to the storage account's connection string or a SAS URL (in the service's environment, not in settings.json).`,
      );
    if (/^https?:\/\//i.test(value)) {
      const url = new URL(value);
      const path = url.pathname.replace(/^\/+|\/+$/g, '');
      // An account SAS URL names no container; a container SAS URL must name ours.
      if (path === '') return new sdk.BlobServiceClient(value).getContainerClient(target.container);
      if (path.split('/').at(-1) !== target.container)
        throw targetError(`the SAS URL in ${target.connectionStringEnv} is for container "${path}", not "${target.container}".`);
      return new sdk.ContainerClient(value);
    }
    if (/(^|;)\s*(AccountName|BlobEndpoint|SharedAccessSignature|DefaultEndpointsProtocol|UseDevelopmentStorage)\s*=/i.test(value))
      return sdk.BlobServiceClient.fromConnectionString(value).getContainerClient(target.container);
    if (!target.accountUrl)
      throw targetError(
        `${target.connectionStringEnv} holds neither a connection string nor a SAS URL; a bare SAS token also needs "accountUrl".`,
      );
    return new sdk.BlobServiceClient(`${target.accountUrl.replace(/\/+$/, '')}?${value.replace(/^\?/, '')}`).getContainerClient(
      target.container,
    );
  }
  if (!target.accountUrl) throw targetError('needs "accountUrl" (https://ACCOUNT.blob.core.windows.net) or "connectionStringEnv".');
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new sdk.BlobServiceClient(target.accountUrl, new DefaultAzureCredential()).getContainerClient(target.container);
}
