// Throwaway TLS material for tests: a self-signed certificate for 127.0.0.1
// and localhost, made by the `openssl` command in a temp dir that the caller
// removes. No private key is ever stored in the repository.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as files for `chatbox serve` and as PEM for clients. */
export interface TestCert {
  dir: string;
  certPath: string;
  keyPath: string;
  /** The certificate (PEM): what a client passes as `ca` to trust the server. */
  cert: Buffer;
  /** Removes the temp dir and the key with it. */
  remove(): void;
}

/** Makes a fresh self-signed certificate (P-256, valid one day) for `commonName`, with 127.0.0.1 and localhost as names. */
export function makeTestCert(commonName = 'chatbox-test'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'chatbox-cert-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyPath, '-out', certPath, '-days', '1',
        '-subj', `/CN=${commonName}`,
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make a test certificate: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
  return {
    dir,
    certPath,
    keyPath,
    cert: readFileSync(certPath),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
