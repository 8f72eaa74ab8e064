// The one place where an operating-system file error (errno) becomes a catalogue error that names the path, what is
// wrong and the fix, so a local problem is never reported as a network one or as "a bug".
import { ExitCode, MirrorError, type ExitCodeValue } from './catalogue.js';

interface SystemFileError {
  readonly code: string;
  readonly syscall: string;
  readonly path: string;
  readonly dest?: string;
}

function asFileError(e: unknown): SystemFileError | undefined {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const { code, syscall, path } = cur as Partial<Record<'code' | 'syscall' | 'path', unknown>>;
    if (typeof code === 'string' && typeof syscall === 'string' && typeof path === 'string') return cur as SystemFileError;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

const onWindows = process.platform === 'win32';

function explain(f: SystemFileError): string {
  const what = f.dest ? `${f.syscall} ${f.path} -> ${f.dest}` : `${f.syscall} ${f.path}`;
  // Where a rename fails on its destination, the destination is what the person has to look at.
  const target = f.dest ?? f.path;
  switch (f.code) {
    case 'EACCES':
    case 'EPERM':
      return onWindows && f.syscall === 'rename'
        ? `${what}: Windows refused the rename because another program holds the file open without delete sharing (an antivirus scanner, a backup agent or an editor); exclude the mirror folder from it, or close it, and run again`
        : `${what}: permission denied for this user; give the user write access to the folder (chown or icacls), or choose another folder`;
    case 'EBUSY':
      return `${what}: the file is busy (held open by another program); close it, or exclude the mirror folder from scanners, and run again`;
    case 'EROFS':
      return `${what}: the filesystem is read-only; remount it read-write, or choose a folder on a writable volume`;
    case 'ENOENT':
      // makeDirectories only makes a folder whose parent it has just found: that parent takes no new folders.
      if (f.syscall === 'mkdir')
        return `${what}: the folder above it takes no new folders (a special file system such as /proc or /sys), or was removed meanwhile; choose a folder on an ordinary volume`;
      return `${what}: the file or folder disappeared while in use; is another program (or a second mirror without the lock) cleaning this folder?`;
    case 'ENOTDIR':
      return `${what}: a part of ${target} is a file where a folder belongs; move the file away, or choose another folder`;
    case 'EISDIR':
      return `${what}: ${target} is a folder where a file belongs; remove or rename that folder`;
    case 'EEXIST':
      return `${what}: something already exists at ${target}; move it away, or choose another path`;
    case 'EMFILE':
    case 'ENFILE':
      return `${what}: too many open files; raise the limit (ulimit -n, LimitNOFILE=) or lower concurrency`;
    case 'EXDEV':
      return `${what}: the temp file and its destination are on different volumes; keep the whole downloadFolder on one volume`;
    default:
      return `${what}: ${f.code}`;
  }
}

/**
 * A catalogue error for an operating-system file failure anywhere in `e`'s cause chain, or undefined when `e` is not
 * one. A full disk is DISK_FULL; every other errno is LOCAL_FILE.
 */
export function fileSystemError(e: unknown, exitCode: ExitCodeValue = ExitCode.bundleFailed): MirrorError | undefined {
  if (e instanceof MirrorError) return undefined;
  const f = asFileError(e);
  if (!f) return undefined;
  if (f.code === 'ENOSPC') {
    return new MirrorError('DISK_FULL', `disk full writing ${f.path}: free some space, or choose a downloadFolder on a larger volume`, {
      exitCode,
      cause: e,
    });
  }
  return new MirrorError('LOCAL_FILE', explain(f), { exitCode, cause: e });
}
