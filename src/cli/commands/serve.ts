// Registers `serve`; the server loads on use.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { ServeCliOptions } from '../actions/serve.js';
import type { ServeInstallOptions } from '../actions/serve-install.js';

export function registerServe(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  const serve = program
    .command('serve')
    .description('serve the download folder to endpoints over HTTP(S), with /healthz, /metrics and a /status page')
    .option('--host <h>', 'address to listen on (default: all interfaces)')
    .option('--port <p>', 'port', '8080')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key (PEM) for --tls-cert')
    .option('--browse', 'list folders of the mirror tree')
    .option('--grace <duration>', 'on SIGTERM, how long running transfers may finish', '30s')
    .option('--no-access-log', 'do not print an access log line (JSON) per request')
    .option('--max-connections <n>', 'most client connections open at once; at the cap the longest-idle one is closed', '10000')
    .option('--idle-timeout <duration>', 'close a connection idle (keep-alive, slow request head, stalled reader) this long', '60s')
    .option('--workers <n>', 'worker processes sharing the port (default 1; more helps on machines with spare cores)')
    .option(
      '--fleet-window <duration>',
      "on /status, a client that fetched no whole bundle for this long counts as not seen lately (2 x the endpoints' update interval)",
      '16h',
    )
    .option('--no-fleet', 'do not record which clients fetched which version (fleet adoption on /status and /metrics)')
    .action(async (_o: ServeCliOptions, cmd: Command) => {
      const { serve: runServe } = await import('../actions/serve.js');
      await run((io) => runServe(cmd.optsWithGlobals<ServeCliOptions>(), io));
    });
  serve
    .command('install')
    .description('write a service that keeps serve running: a systemd unit, a launchd daemon or a Windows task')
    .requiredOption('--with <kind>', 'systemd | launchd | windows-task')
    .option('--user <name>', 'the account it runs as (default: the owner of downloadFolder)')
    .option('--host <h>', 'address to listen on (default: all interfaces)')
    .option('--port <p>', 'port', '8080')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key (PEM) for --tls-cert')
    .option('--dry-run', 'print the files instead of writing them')
    .option('--out <dir>', 'where to write the files (default: the current folder)')
    .action(async (_o: ServeInstallOptions, cmd: Command) => {
      const { serveInstall } = await import('../actions/serve-install.js');
      await run((io) => serveInstall(cmd.optsWithGlobals<ServeInstallOptions>(), io));
    });
}
