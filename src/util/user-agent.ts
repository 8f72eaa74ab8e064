// Identify ourselves to the upstream, as a polite client does.

/** Replaced by the bundler (scripts/build.mjs) with package.json's version; unbundled code reports a dev version. */
declare const __MDATP_MIRROR_VERSION__: string | undefined;

export const VERSION: string = typeof __MDATP_MIRROR_VERSION__ === 'string' ? __MDATP_MIRROR_VERSION__ : '0.0.0-dev';
export const USER_AGENT = `mdatp-mirror/${VERSION} (+offline security-intelligence mirror; node ${process.versions.node})`;
