// minisign formats and the index's path rules: the pure parts of signing, checked without files or processes.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, parsePublicKey, parseSecretKey, prehash, signDigest, verifyDigest } from '../../src/signing/minisign.js';
import { parseIndex, INDEX_FORMAT } from '../../src/signed-index/document.js';
import { parseTreePath } from '../../src/store/layout.js';

describe('minisign', () => {
  const pair = generateKeyPair();
  const secret = parseSecretKey(pair.secret);
  const pub = parsePublicKey(pair.public);
  const digest = prehash(Buffer.from('index'));
  const sig = signDigest(secret, digest, 'timestamp:1\tfile:index.json', 'test');

  it('verifies its own signature and reports the key and the trusted comment', () => {
    expect(verifyDigest([pub], digest, sig)).toEqual({ keyId: pair.keyId, trustedComment: 'timestamp:1\tfile:index.json' });
  });

  it('refuses other bytes, an edited trusted comment and an unknown key', () => {
    expect(() => verifyDigest([pub], prehash(Buffer.from('other')), sig)).toThrow(/does not match the signed file/);
    expect(() => verifyDigest([pub], digest, sig.replace('file:index.json', 'file:evil.json'))).toThrow(/trusted comment that was changed/);
    const stranger = parsePublicKey(generateKeyPair().public);
    expect(() => verifyDigest([stranger], digest, sig)).toThrow(/not among the trusted keys/);
  });

  it('refuses a damaged secret key and a public key given as the secret', () => {
    const lines = pair.secret.split('\n');
    const bytes = Buffer.from(lines[1]!, 'base64');
    bytes[100] = bytes[100]! ^ 1;
    expect(() => parseSecretKey(`${lines[0]}\n${bytes.toString('base64')}\n`)).toThrow(/checksum does not match/);
    expect(() => parseSecretKey(pair.public)).toThrow(/decodes to 42 bytes, not 158/);
  });
});

describe('index paths', () => {
  it('accept only bundle and manifest files of a tree', () => {
    expect(parseTreePath('linux/production_back/arch_arm64/updates.zip')).toEqual({
      id: { os: 'linux', channel: 'production', arch: 'arm64' },
      role: 'backup',
      file: 'updates.zip',
    });
    for (const bad of [
      '../etc/passwd',
      '/linux/production/arch_x86_64/updates.zip',
      'linux/production/arch_x86_64/../../x',
      'linux/x/arch_x86_64/updates.zip',
    ]) {
      expect(parseTreePath(bad), bad).toBeUndefined();
    }
  });

  it('an index naming any other path, or a bundle without its manifest, is refused', () => {
    const entry = { path: '../../etc/cron.d/x', size: 1, sha256: 'a'.repeat(64) };
    const doc = (files: unknown[]) => Buffer.from(JSON.stringify({ format: INDEX_FORMAT, mirror: 'm', createdAt: 'now', files }));
    expect(() => parseIndex(doc([entry]), 'x')).toThrow(/not a bundle or manifest path/);
    const bundle = {
      path: 'linux/production/arch_x86_64/updates.zip',
      size: 1,
      sha256: 'a'.repeat(64),
      EngineVersion: '1.1.1.1',
      DefinitionVersion: '1.2.3.4',
    };
    expect(() => parseIndex(doc([bundle]), 'x')).toThrow(/no manifest for linux\/production\/arch_x86_64/);
  });
});
