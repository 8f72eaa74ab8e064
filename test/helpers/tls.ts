// A throwaway CA and a server certificate for 127.0.0.1, made with openssl in a temp folder (never stored in git).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  readonly caFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function makeCertificates(dir: string): TestCertificates {
  const p = (f: string): string => join(dir, f);
  const run = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=mdatp-mirror test CA',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server.key'), '-out', p('server.csr'));
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    p('san.ext'),
    '-out',
    p('server.pem'),
  );
  return { caFile: p('ca.pem'), cert: readFileSync(p('server.pem')), key: readFileSync(p('server.key')) };
}
