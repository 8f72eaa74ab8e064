// The command line: parses arguments, calls one command, prints errors, and turns the outcome into an exit code.
import { Command, CommanderError, Help, Option } from 'commander';
import { ExitCode, isMirrorError } from '../errors/catalogue.js';
import { fileSystemError } from '../errors/file-system.js';
import { versionLine } from '../util/user-agent.js';
import { registerArchiveCommands } from './commands/archive.js';
import { addHelpExamples } from './help-examples.js';
import { registerCheck } from './commands/check.js';
import { registerInit } from './commands/init.js';
import { registerLog } from './commands/log.js';
import { registerCompletion } from './commands/completion.js';
import { registerDemo } from './commands/demo.js';
import { registerDownload } from './commands/download.js';
import { registerPromote, registerRollback, registerStatus } from './commands/operate.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServe } from './commands/serve.js';
import { registerEndpointConfig } from './commands/endpoint-config.js';
import { registerVerify } from './commands/verify.js';
import { registerSimulateUpstream } from './commands/simulate-upstream.js';
import { processIo, type CommandIo } from './io.js';
import { unknownWordMistake } from './unknown-words.js';

export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('mdatp-mirror')
    .description('Verified, atomic offline security-intelligence mirror for Microsoft Defender for Endpoint (Linux, macOS)')
    .option('-s, --settings <file>', 'settings file (default ./settings.json, or $MDATP_MIRROR_SETTINGS)')
    .option('--json', 'print the result as one JSON document')
    .option('-q, --quiet', 'print nothing when all went well')
    .option('-v, --verbose', 'log debug details')
    .showHelpAfterError('(run mdatp-mirror --help for usage)')
    // Subcommand help lists --settings, --json and --quiet too; --version is answered in main(), not by commander
    // (whose program-level --version would swallow `promote --version V`), so it is only shown.
    .configureHelp({
      showGlobalOptions: true,
      visibleOptions: (cmd) => {
        const shown = new Help().visibleOptions(cmd);
        return cmd.parent ? shown : [new Option('-V, --version', 'print the version'), ...shown];
      },
    })
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const run = async (fn: (io: CommandIo) => Promise<number>): Promise<void> => {
    setExitCode(await fn(io));
  };
  registerDownload(program, run);
  registerInit(program, run);
  registerCheck(program, run);
  registerStatus(program, run);
  registerRollback(program, run);
  registerPromote(program, run);
  registerSchedule(program, run);
  registerServe(program, run);
  registerEndpointConfig(program, run);
  registerVerify(program, run);
  registerLog(program, run);
  registerArchiveCommands(program, run);
  registerSimulateUpstream(program, run);
  registerDemo(program, run);
  registerCompletion(program, run);
  addHelpExamples(program);
  return program;
}

export async function main(argv: string[], given?: CommandIo): Promise<number> {
  let io: CommandIo;
  try {
    io = given ?? processIo();
  } catch (e) {
    process.stderr.write(`mdatp-mirror: ${(e as Error).message}\n`);
    return ExitCode.usage;
  }
  // Answered here rather than by commander, whose program-level --version would swallow `promote --version V`.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${versionLine()}\n`);
    return ExitCode.ok;
  }
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (c) => (exitCode = c));
  const json = argv.includes('--json');
  const mistake = unknownWordMistake(program, argv);
  if (mistake !== undefined) {
    io.stderr.write(`error: ${mistake}\n(run mdatp-mirror --help for usage)\n`);
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return thrown.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    // An operating-system file error no command anticipated is still named as one (path, cause, fix), not as a bug.
    const e = fileSystemError(thrown) ?? thrown;
    if (isMirrorError(e)) {
      if (json) io.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message }, exitCode: e.exitCode }, null, 2)}\n`);
      io.stderr.write(`mdatp-mirror: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(
      `mdatp-mirror: unexpected error (a bug; the served tree is never left partial, publishing only renames verified files): ${(e as Error)?.stack ?? String(e)}\n` +
        'Run again with --verbose and NODE_OPTIONS=--enable-source-maps (source lines in the trace), and report that output together with the log file.\n',
    );
    return ExitCode.unexpected;
  }
}
