// Registers `simulate-upstream`; the emulator is loaded only when the command runs.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { SimulateOptions } from '../actions/simulate-upstream.js';

export function registerSimulateUpstream(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('simulate-upstream')
    .description('serve an emulation of the update service on loopback, for rehearsals, CI and the demo')
    .option('--port <n>', 'port (0 picks a free one)', '8741')
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .option('--dir <d>', 'where generated bundles are cached')
    .option('--bundle-size <size>', 'size of each generated bundle', '4MB')
    .option('--bundle-shape <shape>', 'realistic (deflated entries, as Microsoft builds them) or stored (uncompressed)', 'realistic')
    .option('--rate <MBps>', 'per-connection rate limit in MB/s (WAN-like CDN)')
    .option('--latency-ms <n>', 'delay before every response, redirects included')
    .option(
      '--fault <json>',
      'inject a fault (repeatable), e.g. {"target":"bundle","action":{"type":"status","status":500},"times":2}',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(async (opts: SimulateOptions) => {
      const { simulateUpstream } = await import('../actions/simulate-upstream.js');
      await run((io) => simulateUpstream(opts, io));
    });
}
