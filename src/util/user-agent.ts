// Identify ourselves to the upstream, as a polite client does.
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
export const VERSION: string = pkg.version;
export const USER_AGENT = `mdatp-mirror/${VERSION} (+offline security-intelligence mirror; node ${process.versions.node})`;
