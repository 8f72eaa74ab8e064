// Which build this is (version, commit), and how we identify ourselves to the upstream, as a polite client does.
import { isSingleExecutable } from '../runtime/single-executable.js';

/** Replaced by the bundler (scripts/build.mjs) with package.json's version; unbundled code reports a dev version. */
declare const __MDATP_MIRROR_VERSION__: string | undefined;
/** Replaced by the bundler with the commit it built from (`git describe`-like, "+dirty" for uncommitted changes). */
declare const __MDATP_MIRROR_COMMIT__: string | undefined;

const VERSION: string = typeof __MDATP_MIRROR_VERSION__ === 'string' ? __MDATP_MIRROR_VERSION__ : '0.0.0-dev';
const COMMIT: string = typeof __MDATP_MIRROR_COMMIT__ === 'string' ? __MDATP_MIRROR_COMMIT__ : 'unknown';

/** `mdatp-mirror --version`: the version first (scripts read the first word), then what it was built from. */
export const versionLine = (): string =>
  `${VERSION} (commit ${COMMIT}; Node.js ${process.versions.node}${isSingleExecutable() ? ', single executable' : ''})`;

export const USER_AGENT = `mdatp-mirror/${VERSION} (+offline security-intelligence mirror; node ${process.versions.node})`;
