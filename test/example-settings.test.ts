// settings.example.json stays valid: it is what users copy first.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadSettings } from '../src/settings/load.js';
import { KNOWN_KEYS } from '../src/settings/schema.js';
import { readFile } from 'node:fs/promises';

const file = fileURLToPath(new URL('../settings.example.json', import.meta.url));

it('settings.example.json loads, and shows every known field', async () => {
  const s = await loadSettings({ settingsFile: file }, { cwd: '/', env: {} });
  expect(s.downloadLinuxUpdates).toBe(true);
  const keys = Object.keys(JSON.parse(await readFile(file, 'utf8')) as object);
  // Left out: fields that name files or machines of one site (the README's tables and sections show them).
  const siteSpecific = ['proxy', 'caFile', 'signingKey', 'trustedKeys', 'upstreamMirror', 'metricsFile'];
  expect(keys.sort()).toEqual([...KNOWN_KEYS].filter((k) => !siteSpecific.includes(k)).sort());
});
