// The alert rules and the dashboard that ship in monitoring/, checked by Prometheus's own promtool, against the
// metrics a real serve exposes; and metricsFile, the textfile every run writes for mirrors without serve.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { runCli } from './helpers/cli.js';
import { removeDir, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';
import { startServe } from './helpers/serve.js';

const run = promisify(execFile);
const MONITORING = new URL('../monitoring/', import.meta.url).pathname;
const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;

/** promtool check metrics, with its exit code and findings (it reads the text on stdin). */
function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(text);
  });
}

interface Dashboard {
  readonly panels: readonly { readonly title: string; readonly targets: readonly { readonly expr: string }[] }[];
}

const dashboardExpressions = async (): Promise<string[]> =>
  (JSON.parse(await readFile(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as Dashboard).panels.flatMap((p) =>
    p.targets.map((t) => t.expr),
  );

/** Metric names an expression names: ours all start with mdatp_mirror_. */
const namesIn = (text: string): string[] => [...new Set(text.match(/\bmdatp_mirror_[a-z_]+/g) ?? [])];

let upstream: SimulatedUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startUpstream({ bundleSize: 128 * 1024 });
  dir = await tempDir();
});
afterAll(async () => {
  await upstream.stop();
  await removeDir(dir);
});

describe('monitoring/: alert rules and dashboard', () => {
  it('the rules pass promtool check rules and their unit tests (each alert firing and not firing)', async () => {
    await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: MONITORING });
    const { stdout } = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: MONITORING });
    expect(stdout).toContain('SUCCESS');
    // Every rule has a unit test.
    const alerts = (await readFile(join(MONITORING, 'alerts.yml'), 'utf8')).match(/- alert: (\w+)/g)!.map((a) => a.slice(9));
    const tested = await readFile(join(MONITORING, 'alerts.test.yml'), 'utf8');
    for (const alert of alerts) expect(tested, alert).toContain(`alertname: ${alert}`);
  });

  it('every dashboard query is a valid PromQL expression (promtool parses each as a recording rule)', async () => {
    const exprs = await dashboardExpressions();
    expect(exprs.length).toBeGreaterThan(5);
    const rules = { groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] };
    const file = join(dir, 'dashboard-rules.yml');
    // JSON is YAML.
    await writeFile(file, JSON.stringify(rules));
    const { stdout } = await run('promtool', ['check', 'rules', file]);
    expect(stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('names no metric that a real serve does not expose', async () => {
    await writeSettings(dir, upstream, { architectures: ['x86_64'] });
    expect((await runCli(['download', '--settings', join(dir, 'settings.json')])).code).toBe(0);
    const serve = await startServe(['--settings', join(dir, 'settings.json')]);
    try {
      const scraped = await (await fetch(`${serve.base}/metrics`)).text();
      const exposed = new Set([...scraped.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      const named = namesIn(`${await readFile(join(MONITORING, 'alerts.yml'), 'utf8')}\n${(await dashboardExpressions()).join('\n')}`);
      expect(named.length).toBeGreaterThan(8);
      expect(named.filter((n) => !exposed.has(n))).toEqual([]);
      // Our own metrics pass promtool's lint (prom-client's process metrics are not ours to name).
      const own = scraped
        .split('\n')
        .filter((l) => !/mdatp_mirror_(process|nodejs)_/.test(l))
        .join('\n');
      const check = await promtoolCheckMetrics(own);
      expect(check.output).toBe('');
      expect(check.code).toBe(0);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.child.result;
    }
  });
});

describe('metricsFile', () => {
  it('every run rewrites it atomically, in a form promtool accepts, with the bundle and run metrics', async () => {
    const prom = join(dir, 'textfile', 'mdatp_mirror.prom');
    const m = join(dir, 'metrics-file');
    await writeSettings(dir, upstream, { architectures: ['x86_64'], downloadFolder: m, metricsFile: 'textfile/mdatp_mirror.prom' });
    await mkdir(join(dir, 'textfile'));
    expect((await runCli(['download', '--settings', join(dir, 'settings.json')])).code).toBe(0);
    const first = await readFile(prom, 'utf8');
    expect(await promtoolCheckMetrics(first)).toEqual({ code: 0, output: '' });
    expect(first).toMatch(/^mdatp_mirror_bundle_consecutive_failures\{bundle="linux\/production\/arch_x86_64"\} 0$/m);
    expect(first).toMatch(/^mdatp_mirror_bundle_behind_upstream\{bundle="linux\/production\/arch_x86_64"\} 0$/m);
    expect(first).toMatch(/^mdatp_mirror_bundle_info\{tree="live",bundle="linux\/production\/arch_x86_64",.*\} 1$/m);
    // serve's own counts are not in a file no server writes.
    expect(first).not.toMatch(/^mdatp_mirror_(http_|fleet_clients\{)/m);

    upstream.catalog.bump(X86);
    upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 500 } });
    try {
      expect((await runCli(['download', '--settings', join(dir, 'settings.json')])).code).toBe(1);
    } finally {
      upstream.faults.clear();
    }
    const second = await readFile(prom, 'utf8');
    expect(second).toMatch(/^mdatp_mirror_bundle_consecutive_failures\{bundle="linux\/production\/arch_x86_64"\} 1$/m);
    expect(second).toMatch(/^mdatp_mirror_bundle_behind_upstream\{bundle="linux\/production\/arch_x86_64"\} 1$/m);
    // Only the file itself: no temp file left where the collector looks.
    expect(await readdir(join(dir, 'textfile'))).toEqual(['mdatp_mirror.prom']);
  });

  it('must end in .prom, and says so', async () => {
    await writeSettings(dir, upstream, { metricsFile: 'textfile/mdatp_mirror.txt' });
    const r = await runCli(['download', '--settings', join(dir, 'settings.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/metricsFile.*must end in \.prom/);
  });
});
