// Usernames that are Object.prototype names (`__proto__`, `constructor`,
// `toString`, ...), over real sockets on every store: such a user logs in,
// sends and receives like anyone, and what they send reaches the recipient's
// inbox grouped under their name, next to other senders' messages, by the
// plain and the acknowledged inbox alike.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ChatClient, type Inbox } from '../../src/client.js';
import type { Message } from '../../src/protocol.js';
import { hashPassword } from '../../src/server/passwords.js';
import { RedisStore } from '../../src/server/store/redis.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/types.js';
import { PROTO_NAMES } from '../helpers/proto-names.js';
import { redisSkip, startRedis } from '../helpers/redis.js';
import { CHATBOX_BIN, RawClient, startServer, TEST_SCRYPT, type TestServer } from '../helpers/server.js';
import { POLICY, profile } from '../helpers/stores.js';

const PASSWORD = 'surabaya';
/** Added with `chatbox user add`, as an operator would; the others straight into the store. */
const BY_ADMIN = ['__proto__', 'constructor'];
/** Valid usernames that a JavaScript object puts before every other key. */
const NUMERIC = ['7', '42'];

/** A server on one store, and how to reach that store from the test. */
interface Running {
  server: TestServer;
  /** The `chatbox user` flags naming the store. */
  storeArgs: string[];
  openStore(): Promise<Store>;
  stop(): Promise<void>;
}

const kinds: Array<{ name: string; skip: () => string | false; start: () => Promise<Running> }> = [
  {
    name: 'sqlite',
    skip: () => false,
    async start() {
      const server = await startServer();
      return {
        server,
        storeArgs: ['--db', server.dbPath],
        openStore: async () => SqliteStore.open(server.dbPath, POLICY),
        stop: async () => void (await server.stop()),
      };
    },
  },
  {
    name: 'redis',
    skip: () => redisSkip(),
    async start() {
      const redis = await startRedis();
      const server = await startServer({ redis: redis.url });
      return {
        server,
        storeArgs: ['--redis', redis.url],
        openStore: () => RedisStore.open(redis.url, POLICY),
        async stop() {
          await server.stop();
          await redis.stop();
        },
      };
    },
  },
];

function addWithAdmin(storeArgs: string[], name: string): void {
  const p = profile(name);
  const r = spawnSync(
    process.execPath,
    [CHATBOX_BIN, 'user', 'add', name, '--name', p.nama, '--country', p.negara, '--password-stdin', ...storeArgs, ...TEST_SCRYPT],
    { input: `${PASSWORD}\n`, encoding: 'utf8', env: { ...process.env, CHATBOX_DB: '', CHATBOX_REDIS: '' } },
  );
  assert.equal(r.status, 0, r.stderr);
}

/** What an inbox holds, as [sender, texts] in reply order; checks each message sits under its own sender. */
function groups(inbox: Inbox): Array<[string, string[]]> {
  return Object.entries(inbox).map(([sender, list]) => {
    for (const m of list) assert.equal(m.sender, sender, `a message of ${m.sender} is filed under ${sender}`);
    return [sender, list.map((m) => m.msg)];
  });
}

const nameOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

for (const kind of kinds) {
  describe(`Object.prototype names as usernames on ${kind.name}`, { skip: kind.skip() }, () => {
    let running: Running;
    let c: ChatClient;
    const token = new Map<string, string>();

    before(async () => {
      running = await kind.start();
      for (const name of BY_ADMIN) addWithAdmin(running.storeArgs, name);
      const store = await running.openStore();
      try {
        const passwordHash = await hashPassword(PASSWORD, 10);
        for (const name of [...PROTO_NAMES, ...NUMERIC]) {
          if (!BY_ADMIN.includes(name)) assert.equal(await store.addUser({ ...profile(name), passwordHash }), true, name);
        }
      } finally {
        await store.close();
      }
      c = await ChatClient.connect({ port: running.server.port });
      for (const name of ['messi', 'henderson', 'lineker', ...PROTO_NAMES, ...NUMERIC]) token.set(name, await c.auth(name, PASSWORD));
    });
    beforeEach(async () => {
      // A test that failed may have lost the connection: the next one starts on a new one.
      if (!c.connected) c = await ChatClient.connect({ port: running.server.port });
    });
    after(async () => {
      c?.destroy();
      await running?.stop();
    });

    it('each logs in, sends to a normal user and receives from one, through every command', async () => {
      const hend = token.get('henderson')!;
      const messi = token.get('messi')!;
      assert.deepEqual(Object.keys(await c.inbox(hend)), []);
      for (const name of PROTO_NAMES) {
        const t = await c.auth(name, PASSWORD);
        assert.deepEqual(Object.keys(await c.inbox(t)), [], name);
        await c.send(t, 'henderson', `from ${name}`);
        await c.send(messi, name, `to ${name}`);

        const got = await c.inbox(hend);
        assert.deepEqual(groups(got), [[name, [`from ${name}`]]], name);
        const m: Message = got[name]![0]!;
        assert.deepEqual([m.msg_from, m.msg_to, m.recipient], [profile(name).nama, 'Jordan Henderson', 'henderson'], name);
        assert.deepEqual(Object.keys(await c.inbox(hend)), [], `${name}: drained once`);

        assert.deepEqual(groups(await c.inbox(t, 0)), [['messi', [`to ${name}`]]], name);
        const mine = await c.inbox(t);
        assert.deepEqual(groups(mine), [['messi', [`to ${name}`]]], name);
        assert.equal(mine['messi']![0]!.recipient, name);
        assert.deepEqual(Object.keys(await c.inbox(t, 0)), [], `${name}: received`);

        assert.deepEqual((await c.history(hend, name)).map((x) => [x.sender, x.recipient, x.msg]), [[name, 'henderson', `from ${name}`]]);
        assert.deepEqual((await c.history(t, 'messi')).map((x) => [x.sender, x.recipient, x.msg]), [['messi', name, `to ${name}`]]);
        assert.ok((await c.online(t)).some((u) => u.username === 'henderson'), name);
        assert.ok(!(await c.users(t)).some((u) => u.username === name), `${name} is not listed to themselves`);
        await c.logout(t);
      }
    });

    it('groups one batch of all of them among normal senders exactly, in the plain and the acknowledged inbox', async () => {
      const hend = token.get('henderson')!;
      await c.inbox(hend);
      const expected = new Map<string, string[]>();
      const send = async (from: string, text: string): Promise<void> => {
        await c.send(token.get(from)!, 'henderson', text);
        expected.set(from, [...(expected.get(from) ?? []), text]);
      };
      await send('messi', 'messi first');
      for (const [i, name] of PROTO_NAMES.entries()) {
        await send(name, `${name} #1`);
        if (i % 3 === 0) await send('lineker', `lineker after ${name}`);
      }
      for (const name of [...PROTO_NAMES].reverse()) await send(name, `${name} #2`);
      await send('messi', 'messi last');
      const want = [...expected];

      const peek = await c.inbox(hend, 0);
      assert.deepEqual(groups(peek), want);
      assert.deepEqual(groups(await c.inbox(hend, 0)), want, 'a peek marks nothing received');
      const ids = Object.values(peek).flatMap((list) => list.map((m) => m.id));
      assert.equal(new Set(ids).size, ids.length);

      assert.deepEqual(groups(await c.inbox(hend)), want, 'the plain inbox drains the same batch');
      assert.deepEqual(Object.keys(await c.inbox(hend)), [], 'and it was received');
      assert.deepEqual(Object.keys(await c.inbox(hend, 0)), []);

      for (const name of PROTO_NAMES) {
        assert.deepEqual((await c.history(hend, name)).slice(-2).map((m) => [m.sender, m.msg]), [[name, `${name} #1`], [name, `${name} #2`]], name);
      }
    });

    it('lists them in online and users, with their profiles, to others and to each other', async () => {
      const everyone = ['messi', 'henderson', 'lineker', ...PROTO_NAMES, ...NUMERIC];
      // A fresh session each, well inside the presence window.
      for (const name of everyone) token.set(name, await c.auth(name, PASSWORD));
      for (const me of ['henderson', ...PROTO_NAMES]) {
        const others = everyone.filter((n) => n !== me).sort(nameOrder);
        const t = token.get(me)!;
        const online = await c.online(t);
        assert.deepEqual(online.map((u) => u.username), others, me);
        for (const u of online) {
          if (PROTO_NAMES.includes(u.username)) assert.deepEqual(u.userdetail, { nama: profile(u.username).nama, negara: profile(u.username).negara }, u.username);
        }
        const users = await c.users(t);
        assert.deepEqual(users.map((u) => [u.username, u.online]), others.map((n) => [n, true]), me);
        for (const u of users) {
          if (PROTO_NAMES.includes(u.username)) assert.equal(u.userdetail.nama, profile(u.username).nama, u.username);
        }
      }
    });

    it(
      'keeps senders in the order of their oldest message when a username is a number',
      async () => {
        const hend = token.get('henderson')!;
        await c.inbox(hend);
        for (const from of ['messi', ...NUMERIC]) await c.send(token.get(from)!, 'henderson', `from ${from}`);
        const raw = await RawClient.connect(running.server.port);
        try {
          raw.write(`inbox ${hend} 0\r\n`);
          const frame = await raw.frame();
          assert.deepEqual([...frame.matchAll(/"([^"\\]*)": \[/g)].map((m) => m[1]), ['messi', ...NUMERIC]);
        } finally {
          raw.close();
          await c.inbox(hend);
        }
      },
    );
  });
}
