// SIGHUP: a real server swaps its TLS certificate and its log level (from the
// config file) without dropping a connection: new TLS connections get the new
// certificate, an old one keeps working; a broken file changes nothing.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { makeTestCert, type TestCert } from '../helpers/certs.js';
import { CHATBOX_BIN, makeTempDir, removeDir, TEST_SCRYPT } from '../helpers/server.js';

/** A TLS connection that sends lines and reads replies. */
class TlsLine {
  private buf = '';
  private waiters: Array<() => void> = [];
  /** The certificate the server presented in the handshake. */
  readonly fingerprint: string;
  private constructor(readonly socket: tls.TLSSocket) {
    this.fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
    socket.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static connect(port: number): Promise<TlsLine> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(new TlsLine(s)));
      s.once('error', reject);
    });
  }
  async request(line: string): Promise<string> {
    this.socket.write(line + '\n');
    while (!this.buf.includes('\r\n\r\n')) await new Promise<void>((r) => this.waiters.push(r));
    const i = this.buf.indexOf('\r\n\r\n');
    const reply = this.buf.slice(0, i);
    this.buf = this.buf.slice(i + 4);
    return reply;
  }
}

describe('SIGHUP reloads the certificate and the log level', () => {
  const dir = makeTempDir();
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const configPath = join(dir, 'chatbox.json');
  let first: TestCert;
  let second: TestCert;
  let proc: ChildProcess;
  let port = 0;
  let stderr = '';
  const writeConfig = (extra: Record<string, unknown>): void =>
    writeFileSync(configPath, JSON.stringify({ 'tls-cert': certPath, 'tls-key': keyPath, 'log-level': 'info', ...extra }));
  const waitLog = async (re: RegExp, from: number): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!re.test(stderr.slice(from))) {
      if (Date.now() > deadline) throw new Error(`no ${re} in the log:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const fp = (c: TestCert): string => new X509Certificate(c.cert).fingerprint256;

  before(async () => {
    first = makeTestCert('first');
    second = makeTestCert('second');
    copyFileSync(first.certPath, certPath);
    copyFileSync(first.keyPath, keyPath);
    writeConfig({});
    proc = spawn(process.execPath, [CHATBOX_BIN, 'serve', '--config', configPath, '--port', '0', '--db', join(dir, 'chat.db'), '--demo', ...TEST_SCRYPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_DB: '', CHATBOX_LOG_LEVEL: '', CHATBOX_TLS_CERT: '', CHATBOX_TLS_KEY: '' },
    });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on \S+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', () => reject(new Error(`server exited:\n${stderr}`)));
    });
  });
  after(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    first?.remove();
    second?.remove();
    removeDir(dir);
  });

  it('new connections get the new certificate, an open one keeps working, the new log level applies', async () => {
    const old = await TlsLine.connect(port);
    assert.equal(old.fingerprint, fp(first));
    const token = (JSON.parse(await old.request('auth messi surabaya')) as { tokenid: string }).tokenid;
    assert.ok(token);
    assert.doesNotMatch(stderr, / debug request /, 'no request lines at info');

    copyFileSync(second.certPath, certPath);
    copyFileSync(second.keyPath, keyPath);
    writeConfig({ 'log-level': 'debug' });
    const mark = stderr.length;
    proc.kill('SIGHUP');
    await waitLog(/info reloaded signal=SIGHUP log_level=debug tls=reloaded/, mark);

    const fresh = await TlsLine.connect(port);
    assert.equal(fresh.fingerprint, fp(second), 'a new connection gets the new certificate');
    assert.match(await old.request(`online ${token}`), /"status": ?"OK"/, 'the old connection still answers');
    await waitLog(/debug request .*cmd=online/, mark);
    old.socket.destroy();
    fresh.socket.destroy();
  });

  it('a broken config file or key is logged and changes nothing', async () => {
    writeFileSync(configPath, '{"log-level": "loud"}');
    let mark = stderr.length;
    proc.kill('SIGHUP');
    await waitLog(/error reload failed, settings unchanged signal=SIGHUP error=.*log-level in .*chatbox\.json must be one of/, mark);
    writeConfig({ 'log-level': 'info' });
    writeFileSync(keyPath, 'not a key');
    mark = stderr.length;
    proc.kill('SIGHUP');
    await waitLog(/reload failed, settings unchanged/, mark);
    const c = await TlsLine.connect(port);
    assert.equal(c.fingerprint, fp(second), 'the last good certificate still serves');
    assert.match(await c.request('auth messi surabaya'), /tokenid/);
    await waitLog(/debug request .*cmd=auth/, mark);
    c.socket.destroy();
    assert.equal(proc.exitCode, null, 'still running');
  });
});
