// The reconnecting client both terminal clients share, against real servers:
// a lost connection is reported and reopened, a forgotten session is logged
// in again with the same credentials, and messages sent in order after the
// restart arrive once each, in that order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient, ChatError, ConnectionError } from '../src/client.js';
import { backoffMs, ReconnectingClient } from '../src/client-reconnect.js';
import { Errors } from '../src/protocol.js';
import { startServer, type TestServer } from './helpers/server.js';

async function eventually(what: string, fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ReconnectingClient', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('shares one login in flight, and `again` asks the server for a new token', async () => {
    const rc = new ReconnectingClient({ host: server.host, port: server.port }, 15_000);
    let fresh = '';
    try {
      const [a, b] = await Promise.all([rc.login('messi', 'surabaya'), rc.login('messi', 'surabaya')]);
      assert.equal(a, b);
      assert.equal(await rc.login('messi', 'surabaya'), a);
      fresh = await rc.login('messi', 'surabaya', true);
      assert.notEqual(fresh, a);
      assert.equal(rc.token, fresh);
      // A refused login keeps the token it had.
      await assert.rejects(rc.login('messi', 'wrong', true), (e: unknown) => e instanceof ChatError && e.code === Errors.badPassword);
      assert.equal(rc.token, fresh);
      assert.equal(rc.user, 'messi');
    } finally {
      await rc.logout(2000);
    }
    assert.equal(rc.token, null);
    assert.equal(rc.client, null);
    const c = await ChatClient.connect({ host: server.host, port: server.port });
    try {
      await assert.rejects(c.inbox(fresh), (e: unknown) => e instanceof ChatError && e.code === Errors.noSession, 'logged out');
    } finally {
      c.close();
    }
  });

  it('reports nothing lost when it drops the connection itself, and reopens on the next call', async () => {
    let lost = 0;
    const rc = new ReconnectingClient({ host: server.host, port: server.port }, 15_000, () => lost++);
    try {
      const token = await rc.login('lineker', 'surabaya');
      const first = rc.client;
      rc.drop();
      assert.equal(rc.client, null);
      const { client, token: same, fresh } = await rc.ready();
      assert.notEqual(client, first);
      assert.equal(same, token);
      assert.equal(fresh, false);
      assert.equal(lost, 0);
    } finally {
      await rc.logout(2000);
    }
  });

  it('after the server restarts on a new database: reports the loss, reconnects, logs in again, messages arrive once and in order', async (t) => {
    const servers: TestServer[] = [];
    t.after(async () => {
      for (const s of servers) await s.stop();
    });
    const first = await startServer();
    servers.push(first);
    const port = first.port;
    let lost = 0;
    const rc = new ReconnectingClient({ host: first.host, port }, 15_000, () => lost++);
    const oldToken = await rc.login('messi', 'surabaya');
    await first.kill();
    await eventually('the loss reported', () => lost === 1);
    assert.equal(rc.client, null);
    // Nobody listening: connecting fails with a ConnectionError, the token is kept.
    await assert.rejects(rc.ready(), (e: unknown) => e instanceof ConnectionError);
    assert.ok(backoffMs(1) >= 400 && backoffMs(1) <= 600, 'first retry about half a second later');
    assert.ok(backoffMs(20) <= 18_000, 'retries capped');
    const second = await startServer({ args: ['--port', String(port)] });
    servers.push(second);
    // The old token means nothing to the new server.
    const again = await rc.ready();
    assert.equal(again.fresh, false);
    await assert.rejects(again.client.send(again.token, 'henderson', 'lost'), (e: unknown) => e instanceof ChatError && e.code === Errors.noSession);
    rc.forgetSession();
    const texts = ['one', 'two', 'three'];
    for (const text of texts) {
      const { client, token, fresh } = await rc.ready();
      assert.equal(fresh, text === 'one', 'logged in again once');
      await client.send(token, 'henderson', text);
    }
    assert.notEqual(rc.token, oldToken);
    const c = await ChatClient.connect({ host: second.host, port });
    try {
      const token = await c.auth('henderson', 'surabaya');
      assert.deepEqual((await c.inbox(token))['messi']?.map((m) => m.msg), texts);
      assert.ok((await c.online(token)).some((u) => u.username === 'messi'), 'logged in again');
    } finally {
      c.close();
    }
    await rc.logout(2000);
    assert.equal(lost, 1, 'closing it ourselves is no loss');
  });
});
