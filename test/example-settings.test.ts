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
  expect(keys.sort()).toEqual([...KNOWN_KEYS].filter((k) => k !== 'proxy' && k !== 'caFile').sort());
});
