// Servers that end every response by closing the connection (HTTP/1.0, as Python's http.server speaks it): under
// undici 7 a run died in 50-70% of cases with an uncatchable assert(!this.paused) (nodejs/undici#5360). Many runs
// each, against real Python servers on 127.0.0.1 port 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { expectConsistentMirror, readJson, writeSettings } from './helpers/mirror.js';

const f = useMirrorFixture();
const RUNS = 12;
const servers: ChildProcess[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.kill();
});

/** Starts python3 with a script that prints its port on the first line. */
async function startPython(args: string[]): Promise<number> {
  const child = spawn('python3', ['-u', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(child);
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  // Our script prints the bare port; http.server prints "Serving HTTP on 127.0.0.1 port N (http://…) ...".
  const port = /port (\d+)/.exec(first) ?? /^(\d+)$/.exec(first.trim());
  if (!port) throw new Error(`python3 did not announce a port: ${first}`);
  return Number(port[1]);
}

/** An HTTP/1.0 update service: the version document for action=info, the bundle otherwise; each response then closes. */
const HTTP10_SERVICE = `
import sys, http.server, urllib.parse
xml, bundle = sys.argv[1], sys.argv[2]
class Service(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'
    def do_GET(self):
        body = open(xml if 'action=info' in urllib.parse.urlparse(self.path).query else bundle, 'rb').read()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Service)
print(server.server_address[1])
server.serve_forever()
`;

describe('an upstream that closes the connection after every response', () => {
  it(`download succeeds in ${RUNS} of ${RUNS} runs against an HTTP/1.0 server, with a whole, verified bundle`, async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    expect((await runCli(['download', '--settings', join(f.dir, 'settings.json')])).code).toBe(0);
    const source = join(f.mirror, 'linux/production/arch_x86_64');
    const manifest = await readJson<{ EngineVersion: string; DefinitionVersion: string; sha256: string }>(join(source, 'manifest.json'));
    const xml = join(f.dir, 'info.xml');
    await writeFile(
      xml,
      `<?xml version="1.0"?><versions><platform>101.1.1</platform><engine>${manifest.EngineVersion}</engine><signatures>${manifest.DefinitionVersion}</signatures></versions>`,
    );
    await writeFile(join(f.dir, 'service.py'), HTTP10_SERVICE);
    const port = await startPython([join(f.dir, 'service.py'), xml, join(source, 'updates.zip')]);

    for (let run = 0; run < RUNS; run++) {
      const dir = join(f.dir, `run-${run}`);
      await writeSettings(f.dir, `http://127.0.0.1:${port}/fwlink/`, { architectures: ['x86_64'], downloadFolder: dir });
      const r = await runCli(['download', '--settings', join(f.dir, 'settings.json'), '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { bundles: { status: string }[] }).bundles[0]!.status).toBe('downloaded');
      const got = await readJson<{ sha256: string }>(join(dir, 'linux/production/arch_x86_64/manifest.json'));
      expect(got.sha256).toBe(manifest.sha256);
      await expectConsistentMirror(dir);
    }
  });

  it(`verify passes in ${RUNS} of ${RUNS} runs against python3 -m http.server serving the mirror`, async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64', 'arm64'] });
    expect((await runCli(['download', '--settings', join(f.dir, 'settings.json')])).code).toBe(0);
    // The very server Microsoft's documentation suggests for macOS mirrors.
    const port = await startPython(['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', f.mirror]);
    for (let run = 0; run < RUNS; run++) {
      const r = await runCli(['verify', `http://127.0.0.1:${port}/linux/production/`], { cwd: f.dir });
      expect(r.stderr).not.toMatch(/AssertionError|unexpected error/);
      expect(r.code).toBe(0);
    }
    expect((await readFile(join(f.mirror, 'linux/production/arch_x86_64/updates.zip'))).length).toBeGreaterThan(0);
  });
});
