// Isolation between users: a token acts only as its own user, never reads or
// sends as another; a logged-out or expired token is refused by every
// command; history and inbox show only the caller's own conversations.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient, ChatError } from '../../src/client.js';
import { Errors, type Message } from '../../src/protocol.js';
import { backends } from '../helpers/backends.js';
import { RawClient, type TestServer } from '../helpers/server.js';
import { sleep } from './support.js';

/** Every request a token can be used in, with the given token. */
const everyCommand = (token: string): string[] => [
  `send ${token} henderson hello`,
  `inbox ${token}`,
  `inbox ${token} 0`,
  `inbox ${token} 999999`,
  `online ${token}`,
  `users ${token}`,
  `history ${token} henderson`,
  `history ${token} messi 0 500`,
  `logout ${token}`,
];

async function refusedEverywhere(port: number, token: string, from?: string): Promise<void> {
  const c = await RawClient.connect(port, '127.0.0.1', from);
  try {
    for (const line of everyCommand(token)) {
      assert.deepEqual(await c.ask(line), { status: 'ERROR', message: Errors.noSession }, line);
    }
  } finally {
    c.close();
  }
}

const involves = (m: Message, a: string, b: string): boolean =>
  (m.sender === a && m.recipient === b) || (m.sender === b && m.recipient === a);

for (const backend of backends) {
  describe(`isolation between users on ${backend.name}`, { skip: backend.skip() }, () => {
    let server: TestServer;
    let c: ChatClient;
    const t: Record<string, string> = {};

    before(async () => {
      server = await backend.start({ args: ['--log-level', 'warn'] });
      c = await ChatClient.connect({ port: server.port });
      for (const u of ['messi', 'henderson', 'lineker']) t[u] = await c.auth(u, 'surabaya');
      // Conversations between every pair, both ways, and one to oneself.
      const pairs = [['messi', 'henderson'], ['henderson', 'messi'], ['henderson', 'lineker'], ['lineker', 'henderson'], ['lineker', 'messi'], ['messi', 'messi']] as const;
      for (const [from, to] of pairs) {
        for (let i = 0; i < 3; i++) await c.send(t[from]!, to, `${from} to ${to} #${i}`);
      }
    });
    after(async () => {
      c?.destroy();
      await server?.stop();
    });

    it('a token sends only as its own user, whatever the line claims', async () => {
      await c.send(t.messi!, 'lineker', 'from messi really');
      const inbox = await c.inbox(t.lineker!, 0);
      const last = Object.values(inbox).flat().at(-1)!;
      assert.equal(last.msg, 'from messi really');
      assert.deepEqual([last.sender, last.msg_from, last.recipient, last.msg_to], ['messi', 'Lionel Messi', 'lineker', 'Gary Lineker']);
      assert.deepEqual(Object.keys(inbox).sort(), ['henderson', 'messi'], 'grouped by the true senders');
    });

    it('history returns only conversations the caller is part of', async () => {
      for (const me of ['messi', 'henderson', 'lineker']) {
        for (const other of ['messi', 'henderson', 'lineker']) {
          const page = await c.history(t[me]!, other, 0, 500);
          assert.ok(page.every((m) => involves(m, me, other)), `${me} asking about ${other}`);
          if (me === other) assert.ok(page.every((m) => m.sender === me && m.recipient === me));
        }
      }
      const mh = await c.history(t.messi!, 'henderson');
      assert.deepEqual(mh.map((m) => m.msg), (await c.history(t.henderson!, 'messi')).map((m) => m.msg), 'both ends see the same conversation');
      assert.equal(mh.length, 6);
      await assert.rejects(c.history(t.messi!, 'nobody'), (e: ChatError) => e.code === Errors.noDestination);
    });

    it("an inbox shows only the caller's messages, and acknowledging ids of others' messages changes nothing for them", async () => {
      const theirs = Object.values(await c.inbox(t.henderson!, 0)).flat();
      assert.ok(theirs.length > 0 && theirs.every((m) => m.recipient === 'henderson'));
      const highest = Math.max(...theirs.map((m) => m.id));
      // messi acknowledges everything up to henderson's newest id: only messi's own messages are marked.
      const mine = Object.values(await c.inbox(t.messi!, highest)).flat();
      assert.ok(mine.every((m) => m.recipient === 'messi'));
      const again = Object.values(await c.inbox(t.henderson!, 0)).flat();
      assert.deepEqual(again.map((m) => m.id), theirs.map((m) => m.id), "henderson's inbox is untouched");
    });

    it('tokens that merely look like a live one are refused by every command', async () => {
      const live = t.henderson!;
      const lookalikes = [
        live.toUpperCase(),
        live.slice(0, 35),
        live + '0',
        live.replace(/-/g, ''),
        `{${live}}`,
        live.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a')),
        '00000000-0000-4000-8000-000000000000',
        'null',
        'undefined',
        "'OR'1'='1'--",
        '%00',
      ];
      for (const token of lookalikes) await refusedEverywhere(server.port, token);
    });

    it('a logged-out token is refused by every command, on any connection; the other sessions stay', async () => {
      const a = await ChatClient.connect({ port: server.port });
      const first = await a.auth('messi', 'surabaya');
      const second = await a.auth('messi', 'surabaya');
      assert.equal((await a.online(first)).length >= 0, true);
      await a.logout(first);
      // The same connection used the token a moment ago; that gives it nothing now.
      for (const line of everyCommand(first)) {
        const reply = await a.request(line.split(' '));
        assert.deepEqual(reply, { status: 'ERROR', message: Errors.noSession }, line);
      }
      await refusedEverywhere(server.port, first, '127.0.0.2');
      assert.ok(Array.isArray(await a.users(second)), 'the other session of the same user still works');
      a.destroy();
    });

    it('a connection that held a session carries nothing over to a request with a bad token', async () => {
      const r = await RawClient.connect(server.port);
      assert.equal((await r.ask(`online ${t.lineker}`)).status, 'OK');
      assert.deepEqual(await r.ask('auth lineker wrong'), { status: 'ERROR', message: Errors.badPassword });
      for (const line of everyCommand('not-a-token')) {
        assert.deepEqual(await r.ask(line), { status: 'ERROR', message: Errors.noSession }, line);
      }
      r.close();
    });
  });

  describe(`expired sessions on ${backend.name}`, { skip: backend.skip() }, () => {
    it('a session unused for longer than its lifetime is refused by every command, even on the connection that made it', async () => {
      const server = await backend.start({ args: ['--log-level', 'warn', '--session-lifetime', '1s'] });
      try {
        const r = await RawClient.connect(server.port);
        const token = String((await r.ask('auth henderson surabaya')).tokenid);
        const kept = String((await r.ask('auth lineker surabaya')).tokenid);
        // One session is used every 200 ms and lives; the other is left alone and dies.
        for (let i = 0; i < 8; i++) {
          await sleep(200);
          assert.equal((await r.ask(`online ${kept}`)).status, 'OK', `use ${i} of the kept session`);
        }
        for (const line of everyCommand(token)) {
          assert.deepEqual(await r.ask(line), { status: 'ERROR', message: Errors.noSession }, line);
        }
        await refusedEverywhere(server.port, token, '127.0.0.2');
        r.close();
      } finally {
        await server.stop();
      }
    });
  });
}
