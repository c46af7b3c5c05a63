// The request path over a store that answers its hottest calls at once
// (SQLite's immediate half): which requests are answered without a promise,
// that their bytes are those the protocol always had, and that the
// connection's guarantees (order, store failures) hold on that path too.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatReply, REPLY_TERMINATOR } from '../../src/protocol.js';
import { handleLine, type Handled } from '../../src/server/commands.js';
import { DEFAULTS } from '../../src/server/config.js';
import type { Caller, ServerContext } from '../../src/server/context.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { PresenceTracker } from '../../src/server/sync/presence.js';
import { FailureThrottle } from '../../src/server/throttle.js';
import { startInProcess } from '../helpers/inprocess.js';
import { makeTempDir } from '../helpers/server.js';
import { addUsers, login, POLICY } from '../helpers/stores.js';

const bytes = (h: Handled): string => (h.frame ? Buffer.concat(h.frame).toString() : formatReply(h.reply));
const senders = (h: Handled): string[] => [...(h.reply as Record<string, Map<string, unknown>>).messages!.keys()];
const wire = (json: string): string => json + REPLY_TERMINATOR;

/** Answered at once: a Handled, not a promise of one. */
function now(h: Handled | Promise<Handled>): Handled {
  assert.ok(!(h instanceof Promise), 'answered through a promise');
  return h;
}

async function later(h: Handled | Promise<Handled>): Promise<Handled> {
  assert.ok(h instanceof Promise, 'answered at once');
  return h;
}

describe('requests a SQLite store answers at once', () => {
  let store: SqliteStore;
  let ctx: ServerContext;
  const caller: Caller = { peer: '127.0.0.1', session: null, forgetToken: () => {} };

  before(async () => {
    store = SqliteStore.open(join(makeTempDir('chatbox-immediate-'), 'chat.db'), POLICY);
    await addUsers(store, 'ana', 'budi', 'citra');
    await login(store, 'tok-ana', 'ana', Date.now());
    await login(store, 'tok-budi', 'budi', Date.now());
    ctx = {
      store,
      config: DEFAULTS,
      authThrottle: new FailureThrottle(DEFAULTS.authFailureLimit, DEFAULTS.authFailureWindowMs),
      sync: store.sync,
      presence: new PresenceTracker(store, store.sync, (err) => assert.fail(err)),
    };
  });
  after(async () => {
    await store.close();
  });

  it('checks sessions and answers online and an empty inbox without a promise, byte for byte as before', () => {
    const online = now(handleLine(ctx, 'online tok-ana', caller));
    assert.equal(online.cmd, 'online');
    assert.equal(bytes(online), wire('{"status": "OK", "users": [{"username": "budi", "userdetail": {"nama": "Nama budi", "negara": "Negara budi"}}]}'));
    assert.equal(caller.session?.username, 'ana');
    assert.equal(bytes(now(handleLine(ctx, 'inbox tok-ana', caller))), wire('{"status": "OK", "messages": {}}'));
    const unknown = now(handleLine(ctx, 'inbox no-such-token', caller));
    assert.equal(unknown.cmd, 'inbox');
    assert.equal(bytes(unknown), wire('{"status": "ERROR", "message": "Session Tidak Ditemukan"}'));
    const malformed = now(handleLine(ctx, 'online', caller));
    assert.equal(malformed.cmd, '?');
    assert.equal(bytes(malformed), wire('{"status": "ERROR", "message": "Protocol Tidak Benar"}'));
  });

  it('drains an inbox at once and settles the claim once the reply is written; sends and acks wait', async () => {
    const sent = await later(handleLine(ctx, 'send tok-budi ana halo ana', caller));
    assert.equal(bytes(sent), wire('{"status": "OK", "message": "Message Sent"}'));
    assert.equal(caller.session?.username, 'budi', 'the session held is the one of this request');
    const drained = now(handleLine(ctx, 'inbox tok-ana', caller));
    assert.deepEqual(senders(drained), ['budi']);
    assert.ok(drained.afterWrite, 'a drained batch is settled after the write');
    // Not written: the batch goes back, and the next drain gets it again.
    await drained.afterWrite(false);
    const again = now(handleLine(ctx, 'inbox tok-ana', caller));
    assert.deepEqual(senders(again), ['budi']);
    await again.afterWrite!(true);
    assert.equal(bytes(now(handleLine(ctx, 'inbox tok-ana', caller))), wire('{"status": "OK", "messages": {}}'));
    const acked = await later(handleLine(ctx, 'inbox tok-ana 0', caller));
    assert.equal(bytes(acked), wire('{"status": "OK", "messages": {}}'));
  });

  it('answers a versioned online at once only while the version of that list is known', async () => {
    const first = await later(handleLine(ctx, 'online tok-ana 0', caller));
    const v = JSON.parse(bytes(first).trim()).presence as number;
    assert.equal(typeof v, 'number');
    const same = now(handleLine(ctx, `online tok-ana ${v}`, caller));
    assert.equal(bytes(same), wire(`{"status": "OK", "unchanged": true, "presence": ${v}}`));
    // Someone comes online: the list changes, and its version is the store's to give.
    await login(store, 'tok-citra', 'citra', Date.now());
    const changed = await later(handleLine(ctx, `online tok-ana ${v}`, caller));
    const body = JSON.parse(bytes(changed).trim()) as { users: { username: string }[]; presence: number };
    assert.deepEqual(
      body.users.map((u) => u.username),
      ['budi', 'citra'],
    );
    assert.ok(body.presence > v);
    assert.equal(bytes(now(handleLine(ctx, `online tok-ana ${body.presence}`, caller))), wire(`{"status": "OK", "unchanged": true, "presence": ${body.presence}}`));
  });
});

describe('a connection answering at once', () => {
  it('keeps replies in request order when answers at once and answers that wait are pipelined', async () => {
    const srv = await startInProcess();
    try {
      const c = await srv.client();
      const token = await c.auth('messi', 'surabaya');
      const raw = await srv.connect();
      raw.write(`online ${token}\r\nsend ${token} henderson one\r\ninbox ${token}\r\ninbox ${token} 0\r\nonline ${token}\r\nnonsense\r\n`);
      const replies = [];
      for (let i = 0; i < 6; i++) replies.push(await raw.reply());
      assert.ok(Array.isArray(replies[0]!.users));
      assert.equal(replies[1]!.message, 'Message Sent');
      assert.deepEqual(replies[2]!.messages, {});
      assert.deepEqual(replies[3]!.messages, {});
      assert.ok(Array.isArray(replies[4]!.users));
      assert.equal(replies[5]!.message, 'Protocol Tidak Benar');
    } finally {
      await srv.close();
    }
  });

  it('drops the connection with a log line when the store fails on a request answered at once', async () => {
    const srv = await startInProcess();
    try {
      const c = await srv.client();
      const token = await c.auth('messi', 'surabaya');
      const raw = await srv.connect();
      assert.equal((await raw.ask(`online ${token}`)).status, 'OK');
      await srv.store.close();
      raw.write(`online ${token}\r\n`);
      await raw.closed();
      assert.match(srv.log(), /store failure.*the store is closed/);
    } finally {
      await srv.close();
    }
  });
});
