import { describe, expect, it } from 'vitest';
import { dangerousFolderReason, logPathConflict } from '../../src/settings/dangerous-paths.js';
import { findDuplicateKeys } from '../../src/settings/duplicate-keys.js';

describe('dangerous settings paths', () => {
  it('refuses roots and system folders, on POSIX and Windows', () => {
    expect(dangerousFolderReason('/', 'linux')).toMatch(/root/);
    expect(dangerousFolderReason('/proc/self', 'linux')).toMatch(/\/proc/);
    expect(dangerousFolderReason('/usr/local/mirror', 'linux')).toMatch(/\/usr/);
    expect(dangerousFolderReason('/dev', 'darwin')).toMatch(/\/dev/);
    expect(dangerousFolderReason('C:\\', 'win32')).toMatch(/root of a drive/);
    expect(dangerousFolderReason('c:\\WINDOWS\\Temp\\m', 'win32')).toMatch(/Windows system folder/);
    expect(dangerousFolderReason('\\\\server\\share', 'win32')).toMatch(/share/);
  });

  it('accepts ordinary folders, including names that only start like a system folder', () => {
    for (const p of ['/var/lib/mdatp-mirror', '/srv/mirror', '/tmp/wdav-update', '/etcetera', '/home/a/wdav-update']) {
      expect(dangerousFolderReason(p, 'linux')).toBeUndefined();
    }
    expect(dangerousFolderReason('D:\\mirror', 'win32')).toBeUndefined();
    expect(dangerousFolderReason('C:\\WindowsMirror', 'win32')).toBeUndefined();
  });

  it('refuses a log file that is the settings file or sits in the served tree', () => {
    expect(logPathConflict('/etc/m/settings.json', '/etc/m/settings.json', '/srv/m', 'linux')).toMatch(/settings file itself/);
    expect(logPathConflict('/srv/m/mac/production/x.log', '/etc/m/s.json', '/srv/m', 'linux')).toMatch(/mac\//);
    expect(logPathConflict('/srv/m/staging/x.log', '/etc/m/s.json', '/srv/m', 'linux')).toMatch(/staging\//);
    expect(logPathConflict('/srv/m/mirror.log', '/etc/m/s.json', '/srv/m', 'linux')).toBeUndefined();
    expect(logPathConflict('/var/log/m.log', '/etc/m/s.json', '/srv/m', 'linux')).toBeUndefined();
    expect(logPathConflict('C:\\M\\Settings.json', 'c:\\m\\settings.json', 'D:\\m', 'win32')).toMatch(/settings file itself/);
  });

  it('finds keys given twice, with their place, at any depth', () => {
    const text = '{\n  "a": 1,\n  "t": { "x": 1, "x": 2 },\n  "a": 3\n}';
    expect(findDuplicateKeys(text)).toEqual([
      { key: 't.x', line: 3, column: 18 },
      { key: 'a', line: 4, column: 3 },
    ]);
    expect(findDuplicateKeys('{"a": {"b": 1}, "c": {"b": 2}}')).toEqual([]);
  });
});
