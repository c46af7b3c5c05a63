// SyncPoller: follows the cursor, reconnects across a server restart, stops on an ended session.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { ChatClient, ChatError, type SyncResult } from '../src/client.js';
import { SyncPoller } from '../src/client-sync.js';
import { Errors } from '../src/protocol.js';
import { sqliteBackend } from './helpers/backends.js';
import type { TestServer } from './helpers/server.js';

describe('SyncPoller', () => {
  let server: TestServer;
  const clients: ChatClient[] = [];
  after(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  it('delivers messages as they come, keeps its place across a lost connection, and stops when the session ends', async () => {
    server = await sqliteBackend.start();
    const c = await ChatClient.connect({ port: server.port });
    clients.push(c);
    const messi = await c.auth('messi', 'surabaya');
    const hend = await c.auth('henderson', 'surabaya');
    const dir = await c.directory(hend);
    const got: string[] = [];
    const poller = new SyncPoller({ port: server.port, token: hend, since: dir.next, waitMs: 5000, retryMs: 100 });
    poller.on('sync', (r: SyncResult) => got.push(...r.messages.map((m) => m.msg)));
    poller.on('disconnected', () => {});
    const done = poller.run();
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await c.send(messi, 'henderson', 'satu');
    await until(1);
    assert.deepEqual(got, ['satu']);

    // The connection drops under a waiting sync: the poller reconnects and keeps its place.
    await new Promise((r) => setTimeout(r, 200));
    const lost = once(poller, 'disconnected');
    poller['client']!.destroy();
    await lost;
    await c.send(messi, 'henderson', 'dua');
    await until(2);
    assert.deepEqual(got, ['satu', 'dua']);

    const failed = once(poller, 'error');
    await c.logout(hend);
    const [err] = await failed;
    assert.ok(err instanceof ChatError && err.code === Errors.noSession);
    await done;
  });
});
