import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_NODE, isSupportedNode, unsupportedNodeMessage } from '../../src/util/supported-node.js';

describe('supported Node.js versions', () => {
  it('are the ones package.json declares in engines', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(SUPPORTED_NODE);
  });

  it.each([
    ['20.20.2', false],
    ['21.7.3', false],
    ['22.12.0', false],
    ['22.22.1', false],
    ['22.22.2', true],
    ['22.23.3', true],
    ['23.11.1', false],
    ['24.14.9', false],
    ['24.15.0', true],
    ['24.21.0', true],
    ['25.0.0', true],
    ['26.1.0', true],
  ])('%s: %s', (version, supported) => {
    expect(isSupportedNode(version)).toBe(supported);
    expect(unsupportedNodeMessage(version, '/usr/bin/node') === undefined).toBe(supported);
  });

  it('the refusal names the version, the node that ran, and a way to get a supported one', () => {
    const message = unsupportedNodeMessage('20.20.2', '/usr/bin/node') ?? '';
    expect(message).toContain('Node.js 20.20.2 (/usr/bin/node) is not supported');
    expect(message).toContain('npm install --prefix /opt/node24 node@24');
  });
});
