// The command line: usage errors, operational errors and help each give one
// clear line and the right exit status, never a stack trace.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { describe, it } from 'node:test';
import { CHATBOX_BIN, makeTempDir, removeDir } from './helpers/server.js';

function chatbox(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CHATBOX_BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_DB: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertOneLine(err: string): void {
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  assert.equal(err.trim().split('\n').length, 1, `one line, got:\n${err}`);
}

describe('chatbox command line', () => {
  it('prints help and version', () => {
    assert.match(chatbox(['--help']).out, /chatbox serve/);
    assert.match(chatbox(['--version']).out, /^chatbox \d+\.\d+\.\d+/);
    const serveHelp = chatbox(['serve', '--help']).out;
    for (const flag of ['--max-line-bytes', '--max-connections-per-ip', '--auth-failures', '--reply-buffer', '--session-lifetime', '--presence-window']) {
      assert.ok(serveHelp.includes(flag), flag);
    }
  });

  const usage: Array<[string[], RegExp]> = [
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['serve', '--port', 'eighty'], /--port must be a whole number/],
    [['serve', '--port', '70000'], /--port must be between 0 and 65535/],
    [['serve', '--log-level', 'loud'], /--log-level must be one of/],
    [['serve', '--session-lifetime', 'forever'], /--session-lifetime must be a duration/],
    [['serve', '--max-sessions-per-user', '0'], /--max-sessions-per-user must be between 1/],
    [['serve', '--scrypt-cost', '10'], /--scrypt-cost must be between 17/],
    [['serve', '--tls-cert', 'x.pem'], /--tls-cert and --tls-key go together/],
    [['serve', 'extra'], /unexpected argument 'extra'/],
  ];
  for (const [args, re] of usage) {
    it(`${args.join(' ')} is a usage error`, () => {
      const r = chatbox(args);
      assert.equal(r.code, 2);
      assert.match(r.err, re);
      assertOneLine(r.err);
    });
  }

  it('reads settings from CHATBOX_* variables, and rejects bad ones', () => {
    const r = chatbox(['serve'], { CHATBOX_PORT: 'x' });
    assert.equal(r.code, 2);
    assert.match(r.err, /^chatbox: CHATBOX_PORT must be a whole number, got 'x'\n$/);
    const cap = chatbox(['serve'], { CHATBOX_MAX_SESSIONS_PER_USER: 'many' });
    assert.equal(cap.code, 2);
    assert.match(cap.err, /CHATBOX_MAX_SESSIONS_PER_USER must be a whole number/);
  });

  it('a missing database directory is one line and exit 1', () => {
    const r = chatbox(['serve', '--port', '0', '--db', '/nonexistent/dir/chat.db']);
    assert.equal(r.code, 1);
    assert.match(r.err, /\/nonexistent\/dir.*does not exist/);
    assertOneLine(r.err);
  });

  it('a port in use is one line and exit 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = makeTempDir();
    try {
      const r = chatbox(['serve', '--port', String(port), '--db', `${dir}/chat.db`, '--log-level', 'error']);
      assert.equal(r.code, 1);
      assert.match(r.err, new RegExp(`port ${port} on 127.0.0.1 is already in use`));
      assertOneLine(r.err);
    } finally {
      blocker.close();
      removeDir(dir);
    }
  });

  it('serve honours CHATBOX_PORT and CHATBOX_DB, warns about unsafe hashing, and stops cleanly on SIGTERM', async () => {
    const dir = makeTempDir();
    try {
      const proc = spawn(process.execPath, [CHATBOX_BIN, 'serve', '--unsafe-scrypt-cost', '10', '--demo'], {
        env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '0', CHATBOX_DB: join(dir, 'env.db') },
      });
      let out = '';
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
      await new Promise<void>((resolve) => proc.stdout.on('data', (d: Buffer) => (out += d.toString()).includes('listening') && resolve()));
      assert.match(out, /^listening on 127\.0\.0\.1:\d+\n$/);
      assert.ok(existsSync(join(dir, 'env.db')));
      proc.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(err, /unsafe password hashing/);
      assert.match(err, /stopped/);
    } finally {
      removeDir(dir);
    }
  });
});
