// A SIGKILL loses nothing the server acknowledged: messages that got
// `Message Sent` and live sessions survive a restart on the same store.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { backends } from '../helpers/backends.js';

for (const backend of backends) {
  describe(`durability on ${backend.name}`, { skip: backend.skip() }, () => {
    it('keeps every acknowledged message and live session across SIGKILL', async () => {
      let server = await backend.start();
      try {
        const a = await ChatClient.connect({ port: server.port });
        const messi = await a.auth('messi', 'surabaya');
        const hend = await a.auth('henderson', 'surabaya');
        const acked: string[] = [];
        // Pipeline a stream of sends and kill the server while they are in flight.
        const sends = Array.from({ length: 400 }, (_, i) =>
          a.send(messi, 'henderson', `m${i}`).then(
            () => acked.push(`m${i}`),
            () => {},
          ),
        );
        await new Promise((r) => setTimeout(r, 20));
        while (acked.length < 50) await new Promise((r) => setTimeout(r, 5));
        await server.kill();
        await Promise.all(sends);
        a.destroy();
        assert.ok(acked.length >= 50);

        server = await server.restart();
        const b = await ChatClient.connect({ port: server.port });
        // The sessions made before the kill still work.
        const got: string[] = [];
        for (;;) {
          const inbox = await b.inbox(hend);
          if (!inbox.messi) break;
          got.push(...inbox.messi.map((m) => m.msg));
        }
        const gotSet = new Set(got);
        assert.equal(gotSet.size, got.length, 'delivered once each');
        for (const m of acked) assert.ok(gotSet.has(m), `acknowledged ${m} was lost`);
        const order = got.map((m) => Number(m.slice(1)));
        assert.deepEqual([...order].sort((x, y) => x - y), order, 'in sending order');
        assert.equal((await b.online(messi)).length >= 0, true);
        b.destroy();
      } finally {
        await server.stop();
      }
    });
  });
}
