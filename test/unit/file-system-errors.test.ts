import { describe, expect, it } from 'vitest';
import { MirrorError } from '../../src/errors/catalogue.js';
import { fileSystemError } from '../../src/errors/file-system.js';

const errno = (code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, ...(dest ? { dest } : {}) });

describe('fileSystemError', () => {
  it('names the destination of a failed rename and the fix', () => {
    const e = fileSystemError(errno('EISDIR', 'rename', '/m/tmp/x.tmp', '/m/linux/production/updates.zip'));
    expect(e?.code).toBe('LOCAL_FILE');
    expect(e?.message).toMatch(/\/m\/linux\/production\/updates\.zip is a folder where a file belongs; remove or rename that folder/);
  });

  it('finds the errno in the cause chain, and makes ENOSPC a full disk', () => {
    const wrapped = new Error('write failed', { cause: errno('ENOSPC', 'write', '/m/tmp/x.tmp') });
    expect(fileSystemError(wrapped)?.code).toBe('DISK_FULL');
  });

  it('leaves network errors and catalogue errors alone', () => {
    expect(fileSystemError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBeUndefined();
    expect(fileSystemError(new MirrorError('UPSTREAM_NETWORK', 'x'))).toBeUndefined();
    expect(fileSystemError('text')).toBeUndefined();
  });
});
