// Secrets stay secret: passwords are stored only as salted scrypt hashes and
// tokens only as digests (checked in the SQLite file itself), neither ever
// reaches the server's log at any level, and a stored hash is compared in
// constant time and never matches when malformed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ChatClient } from '../../src/client.js';
import { hashPassword, verifyPassword } from '../../src/server/passwords.js';
import { CHATBOX_BIN, RawClient, removeDir, makeTempDir, startServer, TEST_SCRYPT } from '../helpers/server.js';

const SCRYPT_RE = /^scrypt\$(\d+)\$8\$1\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;

/** Adds a user through the admin command, the password on standard input. */
function addUser(db: string, username: string, password: string): void {
  const r = spawnSync(
    process.execPath,
    [CHATBOX_BIN, 'user', 'add', username, '--name', `Name ${username}`, '--country', 'Indonesia', '--password-stdin', '--db', db, '--create', ...TEST_SCRYPT],
    { input: `${password}\n`, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'the admin command does not echo the password');
}

/** Every byte of the database: the main file, and the write-ahead log if any. */
function databaseBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('chat.db')).map((f) => readFileSync(join(dir, f))));
}

describe('secrets', () => {
  it('stores passwords only as salted scrypt hashes and tokens only as digests; none reach the log, even at debug', async () => {
    const dir = makeTempDir();
    const db = join(dir, 'chat.db');
    const shared = 'Same-Secret-4-Both!';
    addUser(db, 'ayu', shared);
    addUser(db, 'budi', shared);
    addUser(db, 'citra', 'citra-only-Pa55');
    const passwords = [shared, 'citra-only-Pa55', 'surabaya'];
    const tokens: string[] = [];
    const server = await startServer({ dir, args: ['--log-level', 'debug'] });
    try {
      const c = await ChatClient.connect({ port: server.port });
      for (const [u, p] of [['ayu', shared], ['budi', shared], ['citra', 'citra-only-Pa55'], ['messi', 'surabaya']] as const) tokens.push(await c.auth(u, p));
      const [ayu, budi, citra, messi] = tokens as [string, string, string, string];
      await c.send(ayu, 'budi', 'hello');
      await c.send(messi, 'citra', 'halo');
      await c.inbox(budi);
      await c.inbox(citra, 0);
      await c.online(ayu);
      await c.users(budi);
      await c.history(citra, 'messi');
      // Mistakes that carry secrets where a careless log would print them.
      const wrong = ['wrong-Guess-1', 'wrong-Guess-2'];
      passwords.push(...wrong);
      const r = await RawClient.connect(server.port);
      await r.ask(`auth ayu ${wrong[0]}`);
      await r.ask(`auth ${wrong[1]} ayu`);
      await r.ask(`auht ayu ${shared}`);
      await r.ask(`auth ayu ${shared} extra`);
      await r.ask(`send ${ayu}`);
      await r.ask(`inbox ${budi} not-a-number`);
      await r.ask(`history ${citra} nobody`);
      await r.ask(`${messi}`);
      r.write(`auth messi surabaya ${'x'.repeat(70_000)}\r\n`);
      assert.equal((await r.reply()).message, 'Request Terlalu Panjang');
      await c.logout(ayu);
      const r2 = await RawClient.connect(server.port);
      await r2.ask(`online ${ayu}`);
      r2.close();
      c.destroy();
    } finally {
      await server.stop({ keepDir: true });
    }
    try {
      const log = server.stderr();
      assert.match(log, / debug | info /, 'the log was written');
      for (const secret of [...passwords, ...tokens]) assert.ok(!log.includes(secret), `the log holds ${secret}`);

      for (const f of readdirSync(dir).filter((n) => n.startsWith('chat.db'))) {
        assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, `${f} is readable by its owner only`);
      }
      const bytes = databaseBytes(dir);
      for (const secret of [...passwords, ...tokens]) assert.equal(bytes.indexOf(secret), -1, `the database holds ${secret}`);
      const sqlite = new Database(db, { readonly: true });
      try {
        const rows = sqlite.prepare('SELECT username, password_hash FROM users ORDER BY username').all() as Array<{ username: string; password_hash: string }>;
        assert.deepEqual(rows.map((r) => r.username), ['ayu', 'budi', 'citra', 'henderson', 'lineker', 'messi']);
        const salts = new Set<string>();
        for (const { username, password_hash } of rows) {
          const m = SCRYPT_RE.exec(password_hash);
          assert.ok(m, `${username}: ${password_hash} is a scrypt hash`);
          assert.equal(Buffer.from(m[2]!, 'base64').length, 16, 'a 16-byte salt');
          assert.equal(Buffer.from(m[3]!, 'base64').length, 32, 'a 32-byte key');
          salts.add(m[2]!);
        }
        assert.equal(salts.size, rows.length, 'every hash has its own salt');
        const byName = new Map(rows.map((r) => [r.username, r.password_hash]));
        assert.notEqual(byName.get('ayu'), byName.get('budi'), 'the same password hashes differently for two users');
        assert.notEqual(byName.get('messi'), byName.get('henderson'));
        const sessions = sqlite.prepare('SELECT token_hash FROM sessions').pluck().all() as string[];
        assert.ok(sessions.length >= 3 && sessions.every((h) => /^[0-9a-f]{64}$/.test(h)), 'sessions are kept by digest');
      } finally {
        sqlite.close();
      }
    } finally {
      removeDir(dir);
    }
  });

  it('hands out random version 4 tokens, a new one at every login', async () => {
    const server = await startServer({ args: ['--log-level', 'warn'] });
    try {
      const c = await ChatClient.connect({ port: server.port });
      const tokens = await Promise.all(Array.from({ length: 100 }, () => c.auth('messi', 'surabaya')));
      for (const t of tokens) assert.match(t, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(new Set(tokens).size, tokens.length);
      c.destroy();
    } finally {
      await server.stop();
    }
  });

  it('verifyPassword accepts the right password, refuses a wrong one, and never matches a malformed hash', async () => {
    const stored = await hashPassword('correct horse', 10);
    assert.equal(await verifyPassword('correct horse', stored), true);
    for (const wrong of ['correct hors', 'correct horse ', 'Correct horse', '', 'correct horse'.repeat(50)]) {
      assert.equal(await verifyPassword(wrong, stored), false, JSON.stringify(wrong));
    }
    const [, cost, r, p, salt, key] = stored.split('$') as [string, string, string, string, string, string];
    const flipped = Buffer.from(key, 'base64');
    flipped[31] = flipped[31]! ^ 1;
    const malformed = [
      '',
      'scrypt',
      'correct horse',
      stored.replace('scrypt$', 'bcrypt$'),
      stored + '$',
      ['scrypt', cost, r, p, salt].join('$'),
      ['scrypt', 'x', r, p, salt, key].join('$'),
      ['scrypt', '0', r, p, salt, key].join('$'),
      ['scrypt', '-10', r, p, salt, key].join('$'),
      ['scrypt', '99', r, p, salt, key].join('$'),
      ['scrypt', '10.5', r, p, salt, key].join('$'),
      ['scrypt', cost, '0', p, salt, key].join('$'),
      ['scrypt', cost, r, p, salt, ''].join('$'),
      ['scrypt', cost, r, p, salt, key.slice(0, 20)].join('$'),
      ['scrypt', cost, r, p, salt, Buffer.alloc(33).toString('base64')].join('$'),
      ['scrypt', cost, r, p, salt, flipped.toString('base64')].join('$'),
    ];
    for (const hash of malformed) assert.equal(await verifyPassword('correct horse', hash), false, hash);
    // The comparison of the derived key is the constant-time one.
    assert.match(verifyPassword.toString(), /timingSafeEqual\(/);
    assert.doesNotMatch(verifyPassword.toString(), /\.equals\(|===\s*expected|expected\s*===/);
  });
});
