import { describe, expect, it } from 'vitest';
import { addressRange } from '../../src/util/address-range.js';

describe('addressRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['localhost', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.10', 'private'],
    ['[fd00::1]', 'private'],
    ['169.254.169.254', 'link-local'],
    ['[::ffff:169.254.169.254]', 'link-local'],
    [new URL('http://[::ffff:169.254.169.254]/').hostname, 'link-local'],
    [new URL('http://2852039166/').hostname, 'link-local'],
    ['[fe80::1]', 'link-local'],
    ['metadata.google.internal', 'link-local'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['updates.example.net', 'public'],
  ])('%s is %s', (host, range) => {
    expect(addressRange(host)).toBe(range);
  });
});
