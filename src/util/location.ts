// What kind of location a person gave: an http(s) URL, or an absolute path on this or another platform's file system.

export const isHttpUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** POSIX "/srv/…", Windows "C:\…" or "C:/…", or a UNC share "\\server\share\…". */
export const isAbsoluteLocalPath = (s: string): boolean => s.startsWith('/') || /^[a-z]:[\\/]/i.test(s) || s.startsWith('\\\\');
