// Floods against a real server: a client that pipelines megabytes and never
// reads, a hundred that pipeline history and never read, a slow request
// followed by megabytes of empty lines, and thousands of connects and
// disconnects. Memory stays bounded (per connection and server-wide), the
// flooder is cut off after the stalled-reader timeout, and a bystander is
// served throughout.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { NonReaders, pythonSkip } from '../helpers/python-peers.js';
import { RawClient, startServer, type TestServer } from '../helpers/server.js';
import { Bystander, MemoryWatch, rssMiB, sleep, until } from './support.js';

/** Starts a server and a bystander, runs `body`, and checks the bystander was served all along. */
async function underAttack(args: string[], body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer({ args: ['--log-level', 'warn', ...args] });
  let bystander: Bystander | null = null;
  try {
    bystander = await Bystander.start({ port: server.port });
    await body(server);
    const seen = await bystander.stop();
    bystander = null;
    assert.deepEqual(seen.failures, [], 'the bystander saw no failure');
    assert.ok(seen.requests >= 20, `the bystander made ${seen.requests} requests`);
    assert.ok(seen.maxMs < 1000, `the bystander's slowest reply took ${seen.maxMs.toFixed(0)} ms`);
    assert.equal(server.proc.exitCode, null, 'the server is still running');
    assert.doesNotMatch(server.stderr(), /unexpected error|store failure|server error/);
  } finally {
    bystander?.kill();
    await server.stop();
  }
}

/** Writes `total` bytes of `line` repeated, in 1 MiB writes, without waiting for the server. */
function pipeline(client: RawClient, line: string, total: number): void {
  const perChunk = Math.floor((1 << 20) / line.length);
  const chunk = Buffer.from(line.repeat(perChunk));
  for (let sent = 0; sent < total; sent += chunk.length) client.write(chunk);
}

describe('floods', () => {
  it('pauses a client that pipelines 48 MiB without reading, cuts it off after the stalled-reader timeout, and stays small', async () => {
    await underAttack(['--reply-buffer', '65536', '--stalled-reader-timeout', '2s'], async (server) => {
      const flooder = await RawClient.connect(server.port);
      const token = String((await flooder.ask('auth messi surabaya')).tokenid);
      const before = rssMiB(server.proc.pid!);
      const memory = new MemoryWatch(server.proc.pid!);
      flooder.socket.pause();
      const started = Date.now();
      pipeline(flooder, `online ${token}\r\n`, 48 << 20);
      await until(() => flooder.isClosed, 15_000, 'the flooder to be cut off');
      const after = Date.now() - started;
      const peak = memory.stop();
      assert.ok(after >= 1900, `cut off after ${after} ms, not before the stalled-reader timeout`);
      assert.ok(peak - before < 40, `server memory grew by ${(peak - before).toFixed(1)} MiB (from ${before.toFixed(0)})`);
      // The flooder's session is still good: being cut off is not being logged out.
      const again = await RawClient.connect(server.port);
      assert.equal((await again.ask(`online ${token}`)).status, 'OK');
      again.close();
    });
  });

  it('holds the unsent replies of 100 connections that pipeline history and never read to the server-wide budget', { skip: pythonSkip() }, async (t) => {
    // Per connection the cap is 1 MiB plus a reply; in all 32 MiB, and twice that for replies begun by connections holding none.
    const server = await startServer({ args: ['--log-level', 'warn', '--reply-memory', String(32 << 20)] });
    let bystander: Bystander | null = null;
    let attackers: NonReaders | null = null;
    try {
      const setup = await ChatClient.connect({ port: server.port });
      const messi = await setup.auth('messi', 'surabaya');
      // History pages of about 250 KB.
      await Promise.all(Array.from({ length: 500 }, (_, i) => setup.send(messi, 'henderson', `${i} ${'x'.repeat(400)}`)));
      setup.destroy();
      bystander = await Bystander.start({ port: server.port });
      const pages = 8;
      const before = rssMiB(server.proc.pid!);
      const memory = new MemoryWatch(server.proc.pid!);
      // Small receive buffers: what the server sends them stays in the server.
      attackers = await NonReaders.start(server.port, 100, `history ${messi} henderson 0 500\r\n`.repeat(pages), pages);
      await sleep(4000);
      const peak = memory.stop();
      const seen = await bystander.stop();
      bystander = null;
      t.diagnostic(`server RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB at peak; bystander's slowest reply ${seen.maxMs.toFixed(0)} ms`);
      assert.ok(peak - before < 110, `server memory grew by ${(peak - before).toFixed(1)} MiB (from ${before.toFixed(0)})`);
      assert.deepEqual(seen.failures, [], 'the bystander saw no failure');
      assert.ok(seen.requests >= 20, `the bystander made ${seen.requests} requests`);
      assert.ok(seen.maxMs < 1000, `the bystander's slowest reply took ${seen.maxMs.toFixed(0)} ms`);
      // They read at last, and every request is answered.
      assert.deepEqual(await attackers.read(), Array<number>(100).fill(pages));
      assert.doesNotMatch(server.stderr(), /unexpected error|store failure|server error|stopped reading/);
    } finally {
      bystander?.kill();
      attackers?.kill();
      await server.stop();
    }
  });

  it('keeps a slow reader that keeps reading, however long its backlog takes to drain', async () => {
    await underAttack(['--reply-buffer', '65536', '--stalled-reader-timeout', '2s'], async (server) => {
      const setup = await ChatClient.connect({ port: server.port });
      const messi = await setup.auth('messi', 'surabaya');
      // Long messages of four-byte characters make each history page a reply of about 8 MB.
      await Promise.all(Array.from({ length: 500 }, (_, i) => setup.send(messi, 'henderson', `${i} ${'🙂'.repeat(3990)}`)));
      setup.destroy();
      // Two pages read at about 3 MB/s: five seconds in all, each page longer than the timeout,
      // but never two seconds without progress (the server sees it in steps of about half its
      // kernel send buffer).
      const reader = await RawClient.connect(server.port);
      reader.socket.removeAllListeners('data');
      let read = 0;
      reader.socket.on('data', (d: string) => {
        read += Buffer.byteLength(d);
        reader.socket.pause();
        setTimeout(() => reader.socket.resume(), 20);
      });
      reader.write(`history ${messi} henderson 0 500\r\n`.repeat(2));
      await until(() => read >= 2 * 500 * 3990 * 4 || reader.isClosed, 30_000, 'the pages to be read');
      assert.equal(reader.isClosed, false, `cut off after reading ${(read / 1048576).toFixed(1)} MiB`);
      reader.close();
    });
  });

  it('stays fair and small when a slow login is followed by 64 MiB of empty lines', async () => {
    // A costlier hash keeps the login busy while the empty lines pour in.
    const args = ['--unsafe-scrypt-cost', '14', '--reply-buffer', '65536', '--stalled-reader-timeout', '2s'];
    await underAttack(args, async (server) => {
      const flooder = await RawClient.connect(server.port);
      assert.equal((await flooder.ask('auth messi surabaya')).status, 'OK');
      const before = rssMiB(server.proc.pid!);
      const memory = new MemoryWatch(server.proc.pid!);
      flooder.socket.pause();
      const empty = Buffer.alloc(1 << 20, 0x0a);
      for (let i = 0; i < 16; i++) {
        flooder.write('auth messi surabaya\n');
        for (let j = 0; j < 4; j++) flooder.write(empty);
      }
      await until(() => flooder.isClosed, 15_000, 'the flooder to be cut off');
      const peak = memory.stop();
      assert.ok(peak - before < 48, `server memory grew by ${(peak - before).toFixed(1)} MiB (from ${before.toFixed(0)})`);
    });
  });

  it('survives 3,000 connects and disconnects of every manner and then admits a full cap again', async () => {
    const cap = 60;
    await underAttack(['--max-connections-per-ip', String(cap)], async (server) => {
      const before = rssMiB(server.proc.pid!);
      let refused = 0;
      let opened = 0;
      const one = async (i: number): Promise<void> => {
        const c = await RawClient.connect(server.port, '127.0.0.1', `127.0.0.${10 + (i % 8)}`);
        opened++;
        switch (i % 5) {
          case 0: // gone at once
            c.close();
            return;
          case 1: // half a request, then gone
            c.write('auth messi sur');
            await sleep(1);
            c.close();
            return;
          case 2: // a request, and gone before the reply
            c.write('online nobody\r\n');
            c.close();
            return;
          case 3: // a request, its reply, and a polite end
          case 4: {
            c.write('bogus\r\n');
            const reply = await c.reply();
            if (reply.message === Errors.tooMany) refused++;
            else assert.deepEqual(reply, { status: 'ERROR', message: Errors.badProtocol });
            c.socket.end();
            await c.closed();
          }
        }
      };
      for (let wave = 0; wave < 60; wave++) {
        await Promise.all(Array.from({ length: 50 }, (_, k) => one(wave * 50 + k)));
      }
      assert.equal(opened, 3000);
      // Each address can hold a full cap again once the server has seen every close.
      // (Each logs in as it comes: past 90 % of the cap, a newcomer would close a quiet one that never did.)
      const admitted = async (): Promise<boolean> => {
        const held: RawClient[] = [];
        let ok = true;
        for (let i = 0; i < cap && ok; i++) {
          const h = await RawClient.connect(server.port, '127.0.0.1', '127.0.0.10');
          held.push(h);
          ok = (await h.ask('auth henderson surabaya')).status === 'OK';
        }
        for (const h of held) h.close();
        await Promise.all(held.map((h) => h.closed()));
        return ok;
      };
      await until(admitted, 5000, `a full cap of ${cap} connections to be admitted`);
      assert.ok(refused < 300, `${refused} connections were refused during the churn`);
      const grown = rssMiB(server.proc.pid!) - before;
      assert.ok(grown < 40, `memory came back down (grew ${grown.toFixed(1)} MiB)`);
    });
  });
});
