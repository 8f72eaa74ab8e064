// `mdatp-mirror check`: prints each step of runCheck with its result; exit 0 when all passed, 2 for a mistake in the
// settings or the environment, 1 when the upstream could not be asked.
import { runCheck } from '../../check/run-check.js';
import { formatTable } from '../../util/table.js';
import type { CommandIo, GlobalOptions } from '../io.js';

export async function check(o: GlobalOptions, io: CommandIo): Promise<number> {
  const report = await runCheck(o.settings, io);
  if (o.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.exitCode;
  }
  const rows = [['STEP', 'RESULT', 'DETAIL'], ...report.steps.map((s) => [s.step, s.ok ? 'ok' : 'FAILED', s.detail])];
  const failed = report.steps.filter((s) => !s.ok).length;
  const verdict =
    failed === 0
      ? 'all checks passed: mdatp-mirror download is ready to run'
      : `${failed} check(s) failed; fix them and run mdatp-mirror check again`;
  const out = failed === 0 ? io.stdout : io.stderr;
  if (!(o.quiet && failed === 0)) out.write(`${formatTable(rows)}\n${verdict}\n`);
  return report.exitCode;
}
