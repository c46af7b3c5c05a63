// A reader that closes its end at once (`chatbox user list | head -1`, `| true`):
// the command ends quietly with status 0, as `head` expects, never a stack trace.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CHATBOX_BIN, makeTempDir, removeDir, TEST_SCRYPT } from './helpers/server.js';

/** Runs chatbox with its stdout read by nobody: the read end is closed before the child starts writing. */
function intoClosedPipe(args: string[]): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [CHATBOX_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_DB: '', CHATBOX_REDIS: '' },
  });
  child.stdout!.destroy();
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chatbox ${args.join(' ')} still running after 20 s:\n${err}`));
    }, 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

describe('output into a closed pipe', () => {
  const dir = makeTempDir();
  const db = join(dir, 'chat.db');
  after(() => removeDir(dir));

  // A few accounts, so that `user list` writes a table rather than one line.
  for (const name of ['ayu', 'budi', 'citra']) {
    const r = spawnSync(
      process.execPath,
      [CHATBOX_BIN, 'user', 'add', name, '--name', `Name ${name}`, '--country', 'Indonesia', '--password-stdin', '--db', db, '--create', ...TEST_SCRYPT],
      { input: 'Pa55word-x\n', encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
  }

  const cases: string[][] = [
    ['user', 'list', '--db', db],
    ['user', '--help'],
    ['serve', '--help'],
    ['--help'],
    ['--version'],
  ];
  for (const args of cases) {
    it(`chatbox ${args.join(' ').replace(db, 'DB')} exits 0 with no error on stderr`, async () => {
      const r = await intoClosedPipe(args);
      // Only the line saying which database was opened.
      assert.equal(r.err.replace(/^chatbox: using database \S+\n/, ''), '', 'stderr holds nothing else');
      assert.equal(r.code, 0);
    });
  }
});
