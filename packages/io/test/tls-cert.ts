// A self-signed certificate for localhost/127.0.0.1, made at test time with the openssl CLI.
// Without openssl the TLS tests are skipped with that reason (nothing is shipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  key: Buffer;
  cert: Buffer;
  keyPath: string;
  certPath: string;
}

/** A new self-signed certificate for `cn` (localhost and 127.0.0.1 as its names), or why not. */
export function make(cn = 'localhost'): TestCert | string {
  const dir = mkdtempSync(join(tmpdir(), 'x-io-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch (e) {
    return `the openssl command is not available to make a test certificate (${(e as Error).message})`;
  }
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), keyPath, certPath };
}

export const CERT = make();
