// The sandbox every generated systemd unit runs in, in one place: the job may write only its own folders, reach only
// the network, and gain no privileges. Checked with systemd-analyze verify and scored with systemd-analyze security
// in the tests. Not used: MemoryDenyWriteExecute (Node's JIT writes code), PrivateNetwork (the job downloads),
// ProcSubset=pid (libuv reads /proc/cpuinfo and /proc/stat).
export function hardening(user: string, writable: readonly string[], bindPort = false): string[] {
  return [
    `User=${user}`,
    'UMask=0022',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    // "-": a folder that does not exist yet is left out rather than failing the unit; the tool then names it.
    ...(writable.length > 0 ? [`ReadWritePaths=${writable.map((p) => `-${p}`).join(' ')}`] : []),
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RemoveIPC=yes',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'SystemCallFilter=~@privileged',
    // A call outside the filter fails with EPERM, which Node reports, instead of killing the process.
    'SystemCallErrorNumber=EPERM',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    // Only a server on a port below 1024 keeps one capability: binding it.
    ...(bindPort ? ['AmbientCapabilities=CAP_NET_BIND_SERVICE', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE'] : ['CapabilityBoundingSet=']),
  ];
}
