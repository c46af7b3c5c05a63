// `chatbox backup` and `chatbox restore` on real databases: a copy taken while a
// server serves and sends go on is complete, checked and private; restoring it
// brings back exactly what it held, with no stale write-ahead log replayed; and
// every unsafe or mistaken use is refused with one line.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ChatClient } from '../../src/client.js';
import { CHATBOX_BIN, makeTempDir, removeDir, startServer } from '../helpers/server.js';

/** Runs chatbox without blocking this process (which may be sending meanwhile). */
function chatbox(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CHATBOX_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHATBOX_DB: '', CHATBOX_REDIS: '' },
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

function refused(r: { code: number | null; err: string }, re: RegExp): void {
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, re);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

/** What a database file holds, read directly. */
function contents(file: string): { version: number; journal: string; users: string[]; bodies: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      version: Number(db.pragma('user_version', { simple: true })),
      journal: String(db.pragma('journal_mode', { simple: true })),
      users: db.prepare<[], string>('SELECT username FROM users ORDER BY username').pluck().all(),
      bodies: db.prepare<[], string>('SELECT body FROM messages ORDER BY id').pluck().all(),
    };
  } finally {
    db.close();
  }
}

const mode = (file: string): number => statSync(file).mode & 0o777;

describe('backup and restore', () => {
  const dir = makeTempDir();
  const backups = makeTempDir('chatbox-backups-');
  after(() => {
    removeDir(dir);
    removeDir(backups);
  });

  it('backs up a database while its server serves and sends go on, then restores exactly that', async () => {
    const server = await startServer({ dir });
    const out = join(backups, 'chat-1.db');
    let sender: Promise<void> | null = null;
    let sending = true;
    const c = await ChatClient.connect({ port: server.port });
    try {
      const messi = await c.auth('messi', 'surabaya');
      for (let i = 1; i <= 5; i++) await c.send(messi, 'henderson', `before ${i}`);
      // Sends keep committing while the copy is taken.
      sender = (async () => {
        for (let i = 0; sending && i < 2000; i++) await c.send(messi, 'lineker', `during ${i}`);
      })();
      await new Promise((r) => setTimeout(r, 50));

      const r = await chatbox(['backup', '--db', server.dbPath, '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      const m = /^backup of \S+ written to \S+: schema version 4, 3 users, (\d+) messages\n$/.exec(r.out);
      assert.ok(m, r.out);
      sending = false;
      await sender;
      assert.equal(mode(out), 0o600, 'the backup is readable by its owner only');
      const copy = contents(out);
      assert.equal(copy.version, 4);
      assert.equal(copy.journal, 'delete', 'one self-contained file');
      assert.deepEqual(copy.users, ['henderson', 'lineker', 'messi']);
      assert.equal(copy.bodies.length, Number(m[1]), 'the count printed is the count in the file');
      assert.deepEqual(copy.bodies.slice(0, 5), ['before 1', 'before 2', 'before 3', 'before 4', 'before 5']);
      const during = copy.bodies.slice(5);
      assert.ok(during.length > 0, 'sends were committing as the copy began');
      assert.deepEqual(during, during.map((_, i) => `during ${i}`), 'a consistent prefix of the sends');
      const copied = copy.bodies.length;

      // An existing backup is replaced only on request.
      const before = readFileSync(out);
      refused(await chatbox(['backup', '--db', server.dbPath, '--out', out]), /already exists; pass --force to replace it/);
      assert.deepEqual(readFileSync(out), before, 'left untouched');
      const forced = await chatbox(['backup', '--db', server.dbPath, '--out', join(backups, 'chat-2.db'), '--force']);
      assert.equal(forced.code, 0, forced.err);

      // A served database is not replaced under its server.
      refused(await chatbox(['restore', '--from', out, '--db', server.dbPath, '--force']), /in use by another process/);

      await c.send(messi, 'henderson', 'after the backup');
      c.close();
      // Killed, so its write-ahead log (holding 'after the backup') stays beside the file.
      await server.kill();
      assert.ok(existsSync(server.dbPath + '-wal'), 'the killed server left its log');

      refused(await chatbox(['restore', '--from', out, '--db', server.dbPath]), /already exists; pass --force to replace it/);
      const restored = await chatbox(['restore', '--from', out, '--db', server.dbPath, '--force']);
      assert.equal(restored.code, 0, restored.err);
      assert.match(restored.out, new RegExp(`^restored \\S+ into \\S+: schema version 4, 3 users, ${copied} messages\\n$`));
      assert.ok(!existsSync(server.dbPath + '-wal') && !existsSync(server.dbPath + '-shm'), 'no stale log beside the restored file');
      assert.equal(mode(server.dbPath), 0o600);

      const again = await server.restart();
      try {
        const c2 = await ChatClient.connect({ port: again.port });
        const token = await c2.auth('henderson', 'surabaya');
        const history = (await c2.history(token, 'messi')).map((msg) => msg.msg);
        assert.deepEqual(history, ['before 1', 'before 2', 'before 3', 'before 4', 'before 5'], 'what the backup held, nothing after it');
        c2.close();
      } finally {
        await again.stop({ keepDir: true });
      }
    } finally {
      sending = false;
      await sender?.catch(() => {});
      c.destroy();
      await server.stop({ keepDir: true });
    }
  });

  it('refuses what is not a ChatBox database, a newer schema, a missing file, and one file for both', async () => {
    const good = join(backups, 'good.db');
    if (!existsSync(good)) {
      const r = await chatbox(['backup', '--db', join(dir, 'chat.db'), '--out', good]);
      assert.equal(r.code, 0, r.err);
    }
    const garbage = join(backups, 'garbage.db');
    writeFileSync(garbage, 'not a database at all, just some text\n'.repeat(200));
    const foreign = join(backups, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE notes (body TEXT)');
    f.close();
    const newer = join(backups, 'newer.db');
    writeFileSync(newer, readFileSync(good));
    const n = new Database(newer);
    n.pragma('user_version = 99');
    n.close();
    const target = join(backups, 'target.db');

    const cases: Array<[string[], RegExp]> = [
      [['restore', '--from', garbage, '--db', target], /is not a ChatBox database \(not an SQLite file\)/],
      [['restore', '--from', foreign, '--db', target], /is not a ChatBox database \(no users, sessions, messages\)/],
      [['restore', '--from', newer, '--db', target], /schema version 99, newer than this chatbox understands/],
      [['restore', '--from', join(backups, 'missing.db'), '--db', target], /backup \S+missing\.db does not exist/],
      [['restore', '--from', good, '--db', join(backups, 'no-such-dir', 'chat.db')], /no-such-dir \(of --db\) does not exist/],
      [['backup', '--db', join(backups, 'missing.db'), '--out', target], /database \S+missing\.db does not exist/],
      [['backup', '--db', garbage, '--out', target], /is not a ChatBox database/],
    ];
    for (const [args, re] of cases) refused(await chatbox(args), re);
    assert.ok(!existsSync(target), 'nothing was written');
    assert.ok(!existsSync(join(backups, 'missing.db')), 'a missing database is not created');

    const usage: Array<[string[], RegExp]> = [
      [['backup', '--db', good], /chatbox backup needs --out BACKUP/],
      [['restore', '--db', target], /chatbox restore needs --from BACKUP/],
      [['backup', '--db', good, '--out', good], /--out must be another file than --db/],
      [['backup', '--redis', 'redis://127.0.0.1:6379', '--out', target], /backed up by Redis itself/],
    ];
    for (const [args, re] of usage) {
      const r = await chatbox(args);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, re);
    }

    // A restore into a new file makes a private, working database.
    const r = await chatbox(['restore', '--from', good, '--db', target]);
    assert.equal(r.code, 0, r.err);
    assert.equal(mode(target), 0o600);
    assert.deepEqual(contents(target).users, ['henderson', 'lineker', 'messi']);
  });

  it('keeps the owner of the database it replaces (root restoring a service user\'s file)', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const good = join(backups, 'good.db');
    const target = join(backups, 'owned.db');
    writeFileSync(target, readFileSync(good), { mode: 0o600 });
    chownSync(target, 4321, 4321);
    const r = await chatbox(['restore', '--from', good, '--db', target, '--force']);
    assert.equal(r.code, 0, r.err);
    const st = statSync(target);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [4321, 4321, 0o600]);
  });
});
