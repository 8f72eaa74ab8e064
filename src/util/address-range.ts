// Which kind of network a host name or address literal points into, so a redirect cannot walk a mirror from the
// internet into the machine itself, the LAN, or a cloud's metadata service.
import { BlockList, isIP } from 'node:net';
import { isLoopbackHost } from './loopback.js';

export type AddressRange = 'loopback' | 'private' | 'link-local' | 'public';

const privateV4 = new BlockList();
privateV4.addSubnet('10.0.0.0', 8);
privateV4.addSubnet('172.16.0.0', 12);
privateV4.addSubnet('192.168.0.0', 16);
privateV4.addSubnet('100.64.0.0', 10); // carrier-grade NAT
privateV4.addSubnet('0.0.0.0', 8);

const privateV6 = new BlockList();
privateV6.addSubnet('fc00::', 7, 'ipv6');

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16);
linkLocal.addSubnet('fe80::', 10, 'ipv6');

/** Names that reach a cloud's instance metadata service without an address. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** The IPv4 address inside an IPv4-mapped IPv6 one, in either spelling (URL parsing turns the dotted one into hex). */
function mappedV4(h: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
  if (dotted) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * The range of an address literal (or localhost, or a metadata name). Other DNS names count as public: they are
 * resolved later, possibly by a proxy, and are not looked up here.
 */
export function addressRange(hostname: string): AddressRange {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(h)) return 'loopback';
  if (METADATA_NAMES.has(h)) return 'link-local';
  const mapped = mappedV4(h);
  const v4 = mapped ?? (isIP(h) === 4 ? h : undefined);
  if (v4) {
    if (v4.startsWith('127.')) return 'loopback';
    if (linkLocal.check(v4)) return 'link-local';
    return privateV4.check(v4) ? 'private' : 'public';
  }
  if (isIP(h) === 6) {
    if (h === '::' || h === '::1') return 'loopback';
    if (linkLocal.check(h, 'ipv6')) return 'link-local';
    return privateV6.check(h, 'ipv6') ? 'private' : 'public';
  }
  return 'public';
}
