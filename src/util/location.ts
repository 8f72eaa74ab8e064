// What kind of location a person gave: an http(s) URL, or an absolute path on this or another platform's file system.

export const isHttpUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** Any URL with a scheme ("https://", "socks5://", "s3://"), as opposed to a path or a bare "host:port". */
export const hasUrlScheme = (s: string): boolean => /^[a-z][a-z\d+.-]*:\/\//i.test(s);

/** Windows "C:\…" or "C:/…", or a UNC share "\\server\share\…". */
export const isWindowsPath = (s: string): boolean => /^[a-z]:[\\/]/i.test(s) || s.startsWith('\\\\');

/** POSIX "/srv/…", or a Windows path. */
export const isAbsoluteLocalPath = (s: string): boolean => s.startsWith('/') || isWindowsPath(s);
