import { describe, expect, it } from 'vitest';
import { compareVersionStrings, compareVersions, sameVersions, versionLabel, versionMatches } from '../../src/bundle/versions.js';

describe('versions', () => {
  it('orders dotted versions numerically, part by part', () => {
    expect(compareVersionStrings('1.421.10.0', '1.421.9.0')).toBe(1);
    expect(compareVersionStrings('1.421.9.0', '1.421.10.0')).toBe(-1);
    expect(compareVersionStrings('1.421.9', '1.421.9.0')).toBe(0);
    expect(compareVersionStrings('2.0', '1.999.999.999')).toBe(1);
  });

  it('orders releases by signatures first, then engine', () => {
    const a = { engine: '1.1.24030.4', signatures: '1.421.10.0' };
    const b = { engine: '1.1.24040.1', signatures: '1.421.9.0' };
    expect(compareVersions(a, b)).toBe(1);
    expect(compareVersions(b, a)).toBe(-1);
    expect(compareVersions(a, { ...a, engine: '1.1.24040.1' })).toBe(-1);
    expect(compareVersions(a, { ...a })).toBe(0);
  });

  it('names a release and recognises what a person types for it', () => {
    const v = { engine: '1.1.24030.4', signatures: '1.421.9.0' };
    expect(versionLabel(v)).toBe('1.1.24030.4-1.421.9.0');
    expect(versionMatches(v, '1.421.9.0')).toBe(true);
    expect(versionMatches(v, '1.1.24030.4-1.421.9.0')).toBe(true);
    expect(versionMatches(v, '1.1.24030.4')).toBe(false);
    expect(sameVersions(v, { ...v })).toBe(true);
    expect(sameVersions(v, { ...v, engine: '1.1.24030.5' })).toBe(false);
  });
});
