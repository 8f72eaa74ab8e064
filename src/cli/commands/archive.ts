// Registers the commands that carry bundles beyond this machine: keygen, export, import and publish. Implementations load on use.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { KeygenOptions } from '../actions/keygen.js';
import type { ExportCliOptions } from '../actions/export.js';
import type { ImportCliOptions } from '../actions/import.js';
import type { PublishCliOptions } from '../actions/publish.js';
import { DEFAULT_LOCK_WAIT_SECONDS } from '../../settings/defaults.js';

type Run = (fn: (io: CommandIo) => Promise<number>) => Promise<void>;

export function registerArchiveCommands(program: Command, run: Run): void {
  program
    .command('keygen')
    .description('write an Ed25519 key pair in minisign format: DIR/mdatp-mirror.key (secret, 0600) and DIR/mdatp-mirror.pub')
    .requiredOption('--out <dir>', 'folder for the two key files (created if missing; existing keys are never replaced)')
    .action(async (_o: KeygenOptions, cmd: Command) => {
      const { keygen } = await import('../actions/keygen.js');
      await run((io) => keygen(cmd.optsWithGlobals<KeygenOptions>(), io));
    });

  program
    .command('export')
    .description('write the live bundles, their manifests and a signed index.json into one POSIX tar (for an air gap or a CI artifact)')
    .requiredOption('--out <file>', 'the archive to write, or - for standard output')
    .option('--since <last>', 'only bundles whose versions changed since the previous export from this folder ("last")')
    .option('--bundles <list>', 'only these bundles, comma-separated, e.g. linux/production/x86_64,linux/production/arm64')
    .action(async (_o: ExportCliOptions, cmd: Command) => {
      const { exportArchive } = await import('../actions/export.js');
      await run((io) => exportArchive(cmd.optsWithGlobals<ExportCliOptions>(), io));
    });

  program
    .command('import')
    .description('verify an exported archive (signature, sizes, SHA-256, every zip CRC) and publish it as a download would')
    .argument('<file>', 'the archive, or - for standard input')
    .option('--allow-unsigned', 'accept an archive without a signature (its sizes and hashes are still checked)')
    .option('--allow-downgrade', 'import bundles older than the live ones (they are skipped otherwise)')
    .option('--wait [seconds]', `wait for another run's lock instead of exiting 3 (default ${DEFAULT_LOCK_WAIT_SECONDS}s)`)
    .action(async (file: string, _o: ImportCliOptions, cmd: Command) => {
      const { importArchive } = await import('../actions/import.js');
      await run((io) => importArchive(file, cmd.optsWithGlobals<ImportCliOptions>(), io));
    });

  program
    .command('publish')
    .description('replicate the served tree to the object-storage targets in "publish" (S3, Azure Blob); only what changed is sent')
    .option('--target <name>', 'only this target')
    .option('--dry-run', 'list what would be put and deleted, change nothing')
    .option('--wait [seconds]', `wait for another run's lock instead of exiting 3 (default ${DEFAULT_LOCK_WAIT_SECONDS}s)`)
    .action(async (_o: PublishCliOptions, cmd: Command) => {
      const { publish } = await import('../actions/publish.js');
      await run((io) => publish(cmd.optsWithGlobals<PublishCliOptions>(), io));
    });
}
