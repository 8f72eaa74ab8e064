// `mdatp-mirror export --out FILE|-`: the archive, and a summary on stdout (on stderr when stdout is the archive).
import { resolve } from 'node:path';
import { bundleLabel, parseBundleLabel, type BundleId } from '../../bundle/identity.js';
import { planFor } from '../../settings/plan.js';
import { runExport, type ExportReport } from '../../archive/run-export.js';
import { ExitCode, usageError } from '../../errors/catalogue.js';
import { loadSettings } from '../../settings/load.js';
import { formatBytes } from '../../util/bytes.js';
import { formatDuration } from '../../util/duration.js';
import { formatTable } from '../../util/table.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { loggerFor } from '../logging.js';
import { watchSignals } from '../signals.js';

export interface ExportCliOptions extends GlobalOptions {
  readonly out: string;
  readonly since?: string;
  readonly bundles?: string;
}

function selection(list: string | undefined, plan: readonly BundleId[]): BundleId[] {
  if (list === undefined) return [...plan];
  return list.split(',').map((label) => {
    const id = parseBundleLabel(label);
    if (!id) throw usageError(`--bundles: "${label}" is not a bundle; write it like linux/production/x86_64 (os/channel/arch)`);
    return id;
  });
}

function formatReport(r: ExportReport): string {
  const rows = [['BUNDLE', 'SIGNATURES', 'ENGINE', 'SIZE']];
  for (const b of r.exported) rows.push([bundleLabel(b.id), b.versions.signatures, b.versions.engine, formatBytes(b.size)]);
  const lines = [
    `mdatp-mirror export: ${r.exported.length} bundle(s), ${formatBytes(r.bytes)} to ${r.out} in ${formatDuration(r.durationMs)}, ${r.signedBy ? `signed by key ${r.signedBy}` : 'UNSIGNED (set signingKey to sign)'}`,
  ];
  if (r.exported.length > 0) lines.push(formatTable(rows));
  if (r.unchanged.length > 0) lines.push(`unchanged since the last export, left out: ${r.unchanged.map(bundleLabel).join(', ')}`);
  if (r.missing.length > 0)
    lines.push(`not in the live tree, so not exported: ${r.missing.map(bundleLabel).join(', ')} (run download first)`);
  return `${lines.join('\n')}\n`;
}

export async function exportArchive(o: ExportCliOptions, io: CommandIo): Promise<number> {
  if (o.since !== undefined && o.since !== 'last')
    throw usageError(`--since ${o.since}: only "last" is understood (the previous export from this folder)`);
  const settings = await loadSettings({ settingsFile: o.settings, folderUse: 'read' }, io);
  const ids = selection(o.bundles, planFor(settings));
  const toStdout = o.out === '-';
  const { logger, close } = await loggerFor(settings, {});
  const interruption = watchSignals((name) => logger.warn({ event: 'interrupted', signal: name }, `received ${name}: stopping`));
  try {
    const report = await runExport(settings, {
      file: toStdout ? undefined : resolve(io.cwd, o.out),
      stream: io.stdout,
      ids,
      sinceLast: o.since === 'last',
      now: io.now,
      logger,
      signal: interruption.signal,
    });
    const code = report.missing.length > 0 ? ExitCode.bundleFailed : ExitCode.ok;
    // With the archive on stdout, everything for people goes to stderr.
    const out = toStdout || code !== ExitCode.ok ? io.stderr : io.stdout;
    if (o.json) {
      out.write(
        `${JSON.stringify(
          {
            out: report.out,
            bytes: report.bytes,
            signedBy: report.signedBy ?? null,
            durationMs: report.durationMs,
            bundles: report.exported.map((b) => ({ bundle: bundleLabel(b.id), ...b.versions, size: b.size, sha256: b.sha256 })),
            unchanged: report.unchanged.map(bundleLabel),
            missing: report.missing.map(bundleLabel),
            exitCode: code,
          },
          null,
          2,
        )}\n`,
      );
    } else if (!o.quiet || code !== ExitCode.ok) out.write(formatReport(report));
    return code;
  } catch (e) {
    logger.error({ err: (e as Error).message, code: (e as { code?: string }).code }, 'export failed');
    const exit = interruption.exitCode();
    if (exit !== undefined) {
      io.stderr.write('mdatp-mirror export: interrupted; no archive was left behind\n');
      return exit;
    }
    throw e;
  } finally {
    interruption.dispose();
    close();
  }
}
