// Registers `endpoint-config` and `endpoint-config lint`; implementations load on use.
import { Option, type Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { EndpointConfigOptions, EndpointLintOptions } from '../actions/endpoint-config.js';

type Run = (fn: (io: CommandIo) => Promise<number>) => Promise<void>;

export function registerEndpointConfig(program: Command, run: Run): void {
  const cmd = program
    .command('endpoint-config')
    .description('print the endpoint configuration (mdatp_managed.json or a .mobileconfig) that points at this mirror')
    .option('--url <url>', 'the mirror server (http://host:port) or mounted directory')
    .addOption(new Option('--os <os>', 'endpoint OS').choices(['linux', 'mac']))
    .addOption(new Option('--channel <channel>', 'channel').choices(['production', 'preview']).default('production'))
    .option('--fallback-to-cloud', 'let endpoints update from Microsoft when the mirror fails')
    .option('--no-fallback-to-cloud', 'never update from Microsoft (the default)')
    .option('--interval <seconds>', 'how often endpoints check: seconds or a duration, 60s-24h (default 8h)')
    .addOption(new Option('--format <format>', 'json (Linux default) or mobileconfig (macOS default)').choices(['json', 'mobileconfig']))
    .option('--staging', 'point test devices at the staging tree')
    .option(
      '--endpoint-version <version>',
      "the endpoints' product version (mdatp version), e.g. 101.26062.0005: leaves out keys it deprecates",
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (_o: EndpointConfigOptions, c: Command) => {
      const { endpointConfig } = await import('../actions/endpoint-config.js');
      await run((io) => endpointConfig(c.optsWithGlobals<EndpointConfigOptions>(), io));
    });
  cmd
    .command('lint <file>')
    .description('check a managed JSON or configuration profile; exit 1 on problems')
    .addOption(new Option('--os <os>', 'endpoint OS (default: linux for JSON, mac for a profile)').choices(['linux', 'mac']))
    .option('--endpoint-version <version>', "the endpoints' product version (mdatp version): also check what it deprecates")
    .action(async (file: string, _o: EndpointLintOptions, c: Command) => {
      const { endpointConfigLint } = await import('../actions/endpoint-config.js');
      await run((io) => endpointConfigLint(file, c.optsWithGlobals<EndpointLintOptions>(), io));
    });
}
