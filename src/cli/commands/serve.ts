// Registers `serve`; the server loads on use.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { ServeCliOptions } from '../actions/serve.js';

export function registerServe(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('serve')
    .description('serve the download folder to endpoints over HTTP(S), with /healthz and /metrics')
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
    .action(async (_o: ServeCliOptions, cmd: Command) => {
      const { serve } = await import('../actions/serve.js');
      await run((io) => serve(cmd.optsWithGlobals<ServeCliOptions>(), io));
    });
}
