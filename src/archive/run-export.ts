// `export` as a whole: the selection, the output (a file that appears only when complete, or stdout), the record
// --since last reads next time, and the log.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { usageError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from '../settings/load.js';
import { loadSigningKey } from '../signing/keys.js';
import { keyIdHex } from '../signing/minisign.js';
import { fsyncFile, removeQuietly, renameDurably } from '../store/fs-safe.js';
import { StoreLayout } from '../store/layout.js';
import { readExportRecord, recordExport } from './export-record.js';
import { writeArchive, type ArchiveResult } from './write-archive.js';

export interface ExportRequest {
  /** A file path, or undefined for the given stream (stdout). */
  readonly file: string | undefined;
  readonly stream: Writable;
  readonly ids: readonly BundleId[];
  readonly sinceLast: boolean;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
}

export interface ExportReport extends ArchiveResult {
  readonly out: string;
  readonly signedBy: string | undefined;
  readonly durationMs: number;
}

async function requireTree(folder: string): Promise<void> {
  const facts = await stat(folder).catch(() => undefined);
  if (!facts?.isDirectory()) {
    throw usageError(`downloadFolder ${folder} holds no mirror yet: run mdatp-mirror download first (or check "downloadFolder")`);
  }
}

async function requireOutFolder(file: string): Promise<void> {
  const into = await stat(file).catch(() => undefined);
  if (into?.isDirectory()) throw usageError(`--out ${file} is a folder: give a file name, like ${join(file, 'mdatp-mirror.tar')}`);
  const folder = await stat(dirname(file)).catch(() => undefined);
  if (!folder?.isDirectory())
    throw usageError(`--out ${file}: its folder ${dirname(file)} does not exist; create it or choose another path`);
}

export async function runExport(settings: Settings, req: ExportRequest): Promise<ExportReport> {
  const started = Date.now();
  const key = settings.signingKey ? await loadSigningKey(settings.signingKey) : undefined;
  await requireTree(settings.downloadFolder);
  if (req.file) await requireOutFolder(req.file);
  const layout = StoreLayout.live(settings.downloadFolder);
  const alreadyExported = req.sinceLast ? (await readExportRecord(layout))?.bundles : undefined;

  // A file appears under its name only once complete: a cut export never looks like an archive.
  const partial = req.file ? join(dirname(req.file), `.${basename(req.file)}.${randomBytes(4).toString('hex')}.partial`) : undefined;
  const out = partial ? createWriteStream(partial, { flags: 'wx' }) : req.stream;
  let result: ArchiveResult;
  try {
    result = await writeArchive(out, {
      layout,
      ids: req.ids,
      alreadyExported,
      key,
      mirrorName: settings.mirrorName,
      now: req.now,
      signal: req.signal,
    });
    if (partial && req.file) {
      await fsyncFile(partial);
      await renameDurably(partial, req.file);
    }
  } catch (e) {
    if (partial) await removeQuietly(partial);
    throw e;
  }
  await recordExport(layout, req.now(), Object.fromEntries(result.exported.map((b) => [bundleKey(b.id), b.versions])));
  const report: ExportReport = {
    ...result,
    out: req.file ?? '-',
    signedBy: key ? keyIdHex(key.keyId) : undefined,
    durationMs: Date.now() - started,
  };
  req.logger.info(
    {
      event: 'exported',
      out: report.out,
      bytes: report.bytes,
      signedBy: report.signedBy ?? null,
      bundles: report.exported.map((b) => ({ bundle: bundleKey(b.id), versions: b.versions, sha256: b.sha256 })),
      unchanged: report.unchanged.map(bundleKey),
      missing: report.missing.map(bundleKey),
    },
    `exported ${report.exported.length} bundle(s)`,
  );
  return report;
}
