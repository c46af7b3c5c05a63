// Crash safety: SIGKILL the server in the middle of a stream of pipelined
// sends, and in the middle of reading an inbox, several times over. After a
// restart on the same store every message that got `Message Sent` is
// delivered exactly once, in order; every session that got a token still
// works; the acknowledged inbox loses nothing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatClient, ConnectionError } from '../../src/client.js';
import type { Message } from '../../src/protocol.js';
import { backends } from '../helpers/backends.js';
import { removeDir, type TestServer } from '../helpers/server.js';
import { until } from './support.js';

const connect = (server: TestServer): Promise<ChatClient> => ChatClient.connect({ port: server.port, requestTimeoutMs: 0 });

/** Reads henderson's whole inbox with acknowledgements, as a careful client does. */
async function drainAcknowledged(client: ChatClient, token: string, from = 0): Promise<Message[]> {
  const got: Message[] = [];
  let ack = from;
  for (;;) {
    const batch = Object.values(await client.inbox(token, ack)).flat();
    if (batch.length === 0) return got;
    got.push(...batch);
    ack = Math.max(ack, ...batch.map((m) => m.id));
  }
}

for (const backend of backends) {
  describe(`crash safety on ${backend.name}`, { skip: backend.skip() }, () => {
    it('three SIGKILLs during pipelined sends and logins: acknowledged messages arrive once each, in order; sessions survive', async () => {
      let server = await backend.start({ args: ['--log-level', 'warn'] });
      try {
        const setup = await connect(server);
        const messi = await setup.auth('messi', 'surabaya');
        const henderson = await setup.auth('henderson', 'surabaya');
        setup.destroy();
        const rounds: Array<{ sent: string[]; acked: number }> = [];
        const sessions: string[] = [messi, henderson];
        for (let round = 0; round < 3; round++) {
          const c = await connect(server);
          const sent: string[] = [];
          let acked = 0;
          const inFlight: Array<Promise<unknown>> = [];
          for (let i = 0; i < 3000; i++) {
            const text = `round ${round} message ${i}`;
            sent.push(text);
            inFlight.push(c.send(messi, 'henderson', text).then(() => acked++, () => {}));
            // Logins among the sends: each token that comes back must outlive the crash.
            if (i % 50 === 0) inFlight.push(c.auth('lineker', 'surabaya').then((t) => sessions.push(t), () => {}));
          }
          // Kill at a different depth each round.
          await until(() => acked >= 150 + round * 400, 20_000, `${150 + round * 400} sends to be acknowledged`);
          await server.kill();
          await Promise.all(inFlight);
          c.destroy();
          assert.ok(acked < sent.length, 'the kill came while sends were still in flight');
          rounds.push({ sent, acked });
          server = await server.restart();
        }

        const reader = await connect(server);
        for (const token of sessions) assert.equal(Array.isArray(await reader.online(token)), true);
        const got = await drainAcknowledged(reader, henderson);
        const ids = got.map((m) => m.id);
        assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in id order');
        assert.equal(new Set(ids).size, ids.length, 'each message once');
        let at = 0;
        for (const [round, { sent, acked }] of rounds.entries()) {
          const mine = got.filter((m) => m.msg.startsWith(`round ${round} `)).map((m) => m.msg);
          // What was stored is exactly a prefix of what was sent: nothing skipped, nothing twice.
          assert.deepEqual(mine, sent.slice(0, mine.length), `round ${round}`);
          assert.ok(mine.length >= acked, `round ${round}: ${acked} acknowledged but ${mine.length} delivered`);
          at += mine.length;
        }
        assert.equal(at, got.length, 'nothing but what was sent');
        assert.ok(got.every((m) => m.sender === 'messi' && m.recipient === 'henderson'));
        reader.destroy();
      } finally {
        // A restarted server reuses the first one's dir, so stopping it leaves the dir: remove it here.
        await server.stop();
        removeDir(server.dir);
      }
    });

    it('two SIGKILLs while the acknowledged inbox is being read: nothing is lost, and nothing acknowledged comes back', async () => {
      let server = await backend.start({ args: ['--log-level', 'warn'] });
      try {
        const c = await connect(server);
        const messi = await c.auth('messi', 'surabaya');
        const henderson = await c.auth('henderson', 'surabaya');
        await Promise.all(Array.from({ length: 2400 }, (_, i) => c.send(messi, 'henderson', `letter ${i}`)));
        c.destroy();

        const kept = new Map<number, string>();
        let ack = 0;
        for (let kill = 0; kill < 3; kill++) {
          const reader = await connect(server);
          const killAt = kill < 2 ? 700 * (kill + 1) : Infinity;
          // The kill comes right after a request went out, so it lands while that inbox is answered.
          const reading = (async (): Promise<void> => {
            for (;;) {
              const pending = reader.inbox(henderson, ack);
              if (kept.size >= killAt) server.proc.kill('SIGKILL');
              const batch = Object.values(await pending).flat();
              for (const m of batch) {
                assert.ok(m.id > ack, `message ${m.id} came back after ${ack} was acknowledged`);
                kept.set(m.id, m.msg);
              }
              if (batch.length === 0) return;
              ack = Math.max(...batch.map((m) => m.id));
            }
          })().then(
            () => null,
            (err: Error) => err,
          );
          const failed = await reading;
          reader.destroy();
          if (kill < 2) {
            assert.ok(failed instanceof ConnectionError, `kill ${kill + 1} interrupted the reading (${String(failed)})`);
            await server.kill();
            server = await server.restart();
          } else if (failed) {
            throw failed;
          }
        }
        assert.equal(kept.size, 2400, 'every message was read');
        const texts = [...kept.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
        assert.deepEqual(texts, Array.from({ length: 2400 }, (_, i) => `letter ${i}`));
      } finally {
        // A restarted server reuses the first one's dir, so stopping it leaves the dir: remove it here.
        await server.stop();
        removeDir(server.dir);
      }
    });
  });
}
