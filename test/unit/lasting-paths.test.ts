import { describe, expect, it } from 'vitest';
import { checkLastingPaths, inNpxCache } from '../../src/schedule/install/lasting-paths.js';

describe('paths a generated job may keep', () => {
  it.each([
    ['/root/.npm/_npx/4f1e2a/node_modules/node/bin/node', true],
    ['C:\\Users\\ops\\AppData\\Local\\npm-cache\\_npx\\4f1e\\node_modules\\node\\bin\\node.exe', true],
    ['/opt/node24/node_modules/node/bin/node', false],
    ['/usr/bin/node', false],
    ['/srv/my_npx_tools/node', false],
  ])('%s in npx cache: %s', (path, inCache) => {
    expect(inNpxCache(path)).toBe(inCache);
  });

  it('names the CLI when only the CLI runs from the cache', () => {
    expect(() =>
      checkLastingPaths({ program: '/usr/bin/node', script: '/root/.npm/_npx/9c/node_modules/mdatp-mirror/bin/mdatp-mirror.js' }),
    ).toThrow(/mdatp-mirror \(\/root\/\.npm\/_npx\/9c\/node_modules\/mdatp-mirror\/bin\/mdatp-mirror\.js\) runs from npx's cache/);
    expect(() =>
      checkLastingPaths({ program: '/usr/bin/node', script: '/usr/lib/node_modules/mdatp-mirror/bin/mdatp-mirror.js' }),
    ).not.toThrow();
  });
});
