// `chatbox user ...` against the database of a running server: the server
// sees every change at once.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ChatClient, ChatError } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { CHATBOX_BIN, startServer, TEST_SCRYPT, type TestServer } from '../helpers/server.js';

function user(server: TestServer, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CHATBOX_BIN, 'user', ...args, '--db', server.dbPath, ...TEST_SCRYPT], {
    input,
    encoding: 'utf8',
    env: { ...process.env, CHATBOX_DB: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('user administration while serving', () => {
  let server: TestServer;
  let c: ChatClient;
  before(async () => {
    server = await startServer({ demo: false });
    c = await ChatClient.connect({ port: server.port });
  });
  after(async () => {
    c?.destroy();
    await server?.stop();
  });

  it('says how to add an account when there is none', () => {
    assert.match(server.stderr(), /no accounts yet.*chatbox user add/);
    assert.match(user(server, ['list']).out, /no users yet/);
  });

  it('adds a user the running server accepts at once', async () => {
    await assert.rejects(c.auth('budi', 'rahasia1'), (e: unknown) => (e as ChatError).code === Errors.noUser);
    const r = user(server, ['add', 'budi', '--name', 'Budi Santoso', '--country', 'Indonesia', '--password-stdin'], 'rahasia1\n');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /user budi added/);
    const token = await c.auth('budi', 'rahasia1');
    assert.ok(token);
    const list = user(server, ['list']);
    assert.match(list.out, /budi\s+Budi Santoso\s+Indonesia/);
  });

  it('refuses a duplicate, a bad username, a bad password and missing fields with one line each', () => {
    const cases: Array<[string[], string | undefined, RegExp]> = [
      [['add', 'budi', '--name', 'X', '--country', 'Y', '--password-stdin'], 'pw\n', /already exists/],
      [['add', 'bad/name', '--name', 'X', '--country', 'Y', '--password-stdin'], 'pw\n', /not a valid username/],
      [['add', 'siti', '--name', 'X', '--country', 'Y', '--password-stdin'], 'two words\n', /must not contain spaces/],
      [['add', 'siti', '--name', 'X', '--password-stdin'], 'pw\n', /needs --name and --country/],
      [['add', 'siti', '--name', 'X\u001b[2J', '--country', 'Y', '--password-stdin'], 'pw\n', /printable/],
      [['add', 'siti', '--name', 'X', '--country', 'Y'], undefined, /not a terminal.*--password-stdin/],
      [['frobnicate'], undefined, /unknown action/],
      [['remove', 'nobody'], undefined, /no user nobody/],
    ];
    for (const [args, input, re] of cases) {
      const r = user(server, args, input);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, re);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });

  it('passwd changes the password and ends the sessions', async () => {
    const token = await c.auth('budi', 'rahasia1');
    const r = user(server, ['passwd', 'budi', '--password-stdin'], 'baru123\n');
    assert.equal(r.code, 0, r.err);
    await assert.rejects(c.online(token), (e: unknown) => (e as ChatError).code === Errors.noSession);
    await assert.rejects(c.auth('budi', 'rahasia1'), (e: unknown) => (e as ChatError).code === Errors.badPassword);
    assert.ok(await c.auth('budi', 'baru123'));
  });

  it('a mistyped --db is refused, names the file, and creates nothing; --create makes it', () => {
    const typo = server.dbPath.replace(/chat\.db$/, 'caht.db');
    for (const args of [['list'], ['remove', 'budi'], ['passwd', 'budi', '--password-stdin']]) {
      const r = spawnSync(process.execPath, [CHATBOX_BIN, 'user', ...args, '--db', typo, ...TEST_SCRYPT], {
        input: 'rahasia2\n',
        encoding: 'utf8',
        env: { ...process.env, CHATBOX_DB: '' },
      });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr, `chatbox: no database at ${typo} (check --db, or add --create to make a new one)\n`);
      assert.equal(existsSync(typo), false, 'no empty database left behind');
    }
    // CHATBOX_DB is checked the same way.
    const env = spawnSync(process.execPath, [CHATBOX_BIN, 'user', 'list'], { encoding: 'utf8', env: { ...process.env, CHATBOX_DB: typo } });
    assert.equal(env.status, 2);
    const made = spawnSync(
      process.execPath,
      [CHATBOX_BIN, 'user', 'add', 'siti', '--name', 'Siti', '--country', 'Indonesia', '--password-stdin', '--db', typo, '--create', ...TEST_SCRYPT],
      { input: 'rahasia2\n', encoding: 'utf8', env: { ...process.env, CHATBOX_DB: '' } },
    );
    assert.equal(made.status, 0, made.stderr);
    assert.equal(made.stderr, `chatbox: using database ${typo}\n`);
    assert.ok(existsSync(typo));
    // The served database is said too, on stderr, keeping stdout for the answer.
    const list = user(server, ['list']);
    assert.equal(list.err, `chatbox: using database ${server.dbPath}\n`);
    assert.doesNotMatch(list.out, /using database/);
  });

  it("takes the database from the server's config file, a flag still winning", () => {
    const cfg = join(server.dir, 'chatbox.json');
    writeFileSync(cfg, JSON.stringify({ db: server.dbPath, port: 8889 }));
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [CHATBOX_BIN, 'user', 'list', ...args], { encoding: 'utf8', env: { ...process.env, CHATBOX_DB: '', CHATBOX_CONFIG: '', ...env } });
    const viaFile = run(['--config', cfg]);
    assert.equal(viaFile.status, 0, viaFile.stderr);
    assert.equal(viaFile.stderr, `chatbox: using database ${server.dbPath}\n`);
    assert.match(viaFile.stdout, /budi/);
    assert.equal(run([], { CHATBOX_CONFIG: cfg }).status, 0);
    const flagWins = run(['--config', cfg, '--db', join(server.dir, 'other.db')]);
    assert.equal(flagWins.status, 2);
    assert.match(flagWins.stderr, /no database at .*other\.db/);
    writeFileSync(cfg, JSON.stringify({ dbb: server.dbPath }));
    assert.match(run(['--config', cfg]).stderr, /^chatbox: config file .*chatbox\.json: unknown option "dbb"\n$/);
  });

  it('remove deletes the user, its sessions and its waiting messages', async () => {
    user(server, ['add', 'siti', '--name', 'Siti', '--country', 'Indonesia', '--password-stdin'], 'pw\n');
    const budi = await c.auth('budi', 'baru123');
    const siti = await c.auth('siti', 'pw');
    await c.send(siti, 'budi', 'halo budi');
    const r = user(server, ['remove', 'budi']);
    assert.equal(r.code, 0, r.err);
    await assert.rejects(c.inbox(budi), (e: unknown) => (e as ChatError).code === Errors.noSession);
    await assert.rejects(c.auth('budi', 'baru123'), (e: unknown) => (e as ChatError).code === Errors.noUser);
    await assert.rejects(c.send(siti, 'budi', 'x'), (e: unknown) => (e as ChatError).code === Errors.noDestination);
    const db = new Database(server.dbPath, { readonly: true });
    try {
      const left = db.prepare("SELECT count(*) AS n FROM messages WHERE recipient = 'budi' AND delivered = 0").get() as { n: number };
      assert.equal(left.n, 0);
    } finally {
      db.close();
    }
  });
  it('a user removed and added again is a new person: none of the old conversations, tokens or waiting messages', async () => {
    const add = (name: string, nama: string, pw: string) =>
      user(server, ['add', name, '--name', nama, '--country', 'X', '--password-stdin'], `${pw}\n`);
    assert.equal(add('messi', 'Lionel Messi', 'lama123').code, 0);
    assert.equal(add('henderson', 'Jordan Henderson', 'pw').code, 0);
    const oldMessi = await c.auth('messi', 'lama123');
    const henderson = await c.auth('henderson', 'pw');
    await c.send(oldMessi, 'henderson', 'rahasia lama');
    await c.send(henderson, 'messi', 'balasan lama');
    assert.equal((await c.inbox(oldMessi)).henderson?.length, 1);
    await c.send(henderson, 'messi', 'belum dibaca');

    assert.equal(user(server, ['remove', 'messi']).code, 0);
    assert.equal(add('messi', 'Messi Baru', 'baru123').code, 0);
    const newMessi = await c.auth('messi', 'baru123');
    assert.deepEqual(await c.history(newMessi, 'henderson'), [], 'the new messi reads none of the old conversation');
    assert.deepEqual(Object.keys(await c.inbox(newMessi)), [], 'nor what was waiting for the old one');
    await assert.rejects(c.inbox(oldMessi), (e: unknown) => (e as ChatError).code === Errors.noSession);
    assert.deepEqual(await c.history(henderson, 'messi'), [], 'henderson and the new messi have not spoken yet');
    await c.send(henderson, 'messi', 'halo messi baru');
    assert.deepEqual((await c.history(newMessi, 'henderson')).map((m) => [m.msg_from, m.msg_to, m.msg]), [
      ['Jordan Henderson', 'Messi Baru', 'halo messi baru'],
    ]);
    // The old conversation stays stored for henderson, under the old account's nama.
    const db = new Database(server.dbPath, { readonly: true });
    try {
      const kept = db.prepare("SELECT msg_from, msg_to, body FROM messages WHERE body LIKE '%lama' ORDER BY id").all();
      assert.deepEqual(kept, [
        { msg_from: 'Lionel Messi', msg_to: 'Jordan Henderson', body: 'rahasia lama' },
        { msg_from: 'Jordan Henderson', msg_to: 'Lionel Messi', body: 'balasan lama' },
      ]);
    } finally {
      db.close();
    }
  });
});
