// Retention on both stores: with a short clock, messages older than the
// retention go from inboxes and history in small batches; newer ones stay.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Logger } from '../../src/server/log.js';
import { Retention } from '../../src/server/retention.js';
import { redisKind } from '../helpers/redis.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { makeTempDir, removeDir, startServer } from '../helpers/server.js';
import { addUsers, POLICY, sendAs, sqliteKind, T0 } from '../helpers/stores.js';

const DAY = 86_400_000;

for (const kind of [sqliteKind, redisKind]) {
  describe(`retention on ${kind.name}`, { skip: kind.skip?.() }, () => {
    it('deletes messages older than the retention, a batch at a time, and keeps the rest', async () => {
      const opened = await kind.open(POLICY);
      try {
        const { store } = opened;
        const [ayu, budi, citra] = await addUsers(store, 'ayu', 'budi', 'citra');
        // Seven old messages (10 days and 8 days back), then three recent ones.
        for (let i = 0; i < 7; i++) await sendAs(store, i % 2 ? ayu! : citra!, budi!, `old ${i}`, T0 - (i < 4 ? 10 : 8) * DAY + i);
        for (let i = 0; i < 3; i++) await sendAs(store, budi!, ayu!, `new ${i}`, T0 - DAY + i);
        await sendAs(store, ayu!, budi!, 'newest', T0);

        let logged = '';
        let now = T0;
        const retention = new Retention(store, new Logger('info', 'text', (t) => (logged += t)), { days: 9, batch: 3, now: () => now });
        assert.equal(await retention.sweep(), 4, 'the four 10-day-old messages');
        now = T0 + 2 * DAY;
        assert.equal(await retention.sweep(), 3, 'two days later, the 8-day-old ones too');
        assert.equal(await retention.sweep(), 0, 'nothing more');
        assert.match(logged, /info retention deleted=4 /);

        const ab = await store.history(ayu!.id, budi!.id, null, 100);
        assert.deepEqual(ab.map((m) => m.msg), ['new 0', 'new 1', 'new 2', 'newest']);
        assert.deepEqual(await store.history(citra!.id, budi!.id, null, 100), []);
        const inbox = await store.ackInbox(budi!.id, 0, 100);
        assert.deepEqual(inbox.map((m) => m.msg), ['newest'], "budi's inbox keeps only the recent message");
        // New messages still get new, larger ids and are kept.
        const later = await sendAs(store, citra!, budi!, 'after', now);
        assert.ok(later.id > ab[ab.length - 1]!.id);
        assert.equal(await retention.sweep(), 0);
        await retention.stop();
      } finally {
        await opened.cleanup();
      }
    });
  });
}

describe('retention in a running server', () => {
  it('a server with --retention-days sweeps old messages through ordinary DELETEs (triggers follow)', async () => {
    const dir = makeTempDir();
    try {
      const db = join(dir, 'chat.db');
      const store = SqliteStore.open(db, POLICY);
      const [ayu, budi] = await addUsers(store, 'ayu', 'budi');
      const now = Date.now();
      for (let i = 0; i < 5; i++) await sendAs(store, ayu!, budi!, `old ${i}`, now - 40 * DAY);
      await sendAs(store, ayu!, budi!, 'recent', now - DAY);
      await store.close();
      // What a search index would do: a trigger on the messages table sees each deletion.
      const raw = new Database(db);
      raw.exec(`CREATE TABLE deleted_log (id INTEGER);
        CREATE TRIGGER messages_deleted AFTER DELETE ON messages BEGIN INSERT INTO deleted_log VALUES (old.id); END;`);
      raw.close();

      const server = await startServer({ dir, demo: false, args: ['--retention-days', '30'] });
      try {
        const deadline = Date.now() + 20_000;
        while (!/info retention deleted=5 /.test(server.stderr())) {
          if (Date.now() > deadline) throw new Error(`no sweep in the log:\n${server.stderr()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await server.stop({ keepDir: true });
      }
      const check = new Database(db, { readonly: true });
      try {
        assert.deepEqual(check.prepare('SELECT body FROM messages').pluck().all(), ['recent']);
        assert.equal(check.prepare('SELECT count(*) FROM deleted_log').pluck().get(), 5);
      } finally {
        check.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});
