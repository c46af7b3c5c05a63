// Slow and greedy peers against a real server: hundreds of slowloris
// connections dribbling bytes, connections that never send a thing (kept, as
// the original client needs), and the connection caps per address and in total.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Errors } from '../../src/protocol.js';
import { RawClient, startServer } from '../helpers/server.js';
import { Bystander, sleep, until } from './support.js';

describe('slow peers', () => {
  it('closes 200 slowloris connections by the partial-line timeout, keeps 100 silent ones, and serves a bystander', async () => {
    // The old timeout for connections that never sent a valid request, short: it closes nothing now.
    const server = await startServer({ args: ['--log-level', 'warn', '--partial-line-timeout', '1s', '--first-line-timeout', '1500ms'] });
    let bystander: Bystander | null = null;
    const dribblers: RawClient[] = [];
    const silent: RawClient[] = [];
    try {
      bystander = await Bystander.start({ port: server.port });
      for (let i = 0; i < 200; i++) dribblers.push(await RawClient.connect(server.port, '127.0.0.1', `127.0.0.${20 + (i % 4)}`));
      for (let i = 0; i < 100; i++) silent.push(await RawClient.connect(server.port, '127.0.0.1', '127.0.0.30'));
      const started = Date.now();
      // One byte of a never-ending line every 100 ms on each dribbler, until the server hangs up.
      const request = 'auth messi surabaya-but-slowly-and-never-finishing';
      let i = 0;
      while (dribblers.some((d) => !d.isClosed) && Date.now() - started < 8000) {
        for (const d of dribblers) if (!d.isClosed) d.write(request[i % request.length]!);
        i++;
        await sleep(100);
      }
      const dribbled = Date.now() - started;
      assert.ok(dribblers.every((d) => d.isClosed), 'every dribbler was closed');
      assert.ok(dribbled >= 900 && dribbled < 4000, `dribblers closed after ${dribbled} ms (partial-line timeout 1 s)`);
      // Quiet connections are never closed for it: the original client connects at start and waits for its user.
      await sleep(Math.max(0, 2500 - (Date.now() - started)));
      assert.ok(silent.every((s) => !s.isClosed), 'every silent connection is still open');
      for (const s of silent.slice(0, 5)) assert.deepEqual(await s.ask('bogus'), { status: 'ERROR', message: Errors.badProtocol });

      const seen = await bystander.stop();
      bystander = null;
      assert.deepEqual(seen.failures, []);
      assert.ok(seen.maxMs < 1000, `the bystander's slowest reply took ${seen.maxMs.toFixed(0)} ms`);
    } finally {
      bystander?.kill();
      for (const c of [...dribblers, ...silent]) c.close();
      await server.stop();
    }
  });

  it('keeps a connection that finishes its lines slowly but in time', async () => {
    const server = await startServer({ args: ['--log-level', 'warn', '--partial-line-timeout', '1500ms'] });
    try {
      const c = await RawClient.connect(server.port);
      // Each line takes about 400 ms to arrive: well under the 1.5 s limit per line, but 3 s in all.
      const lines = ['bogus one\r\n', 'bogus two\r\n', 'bogus three\r\n', 'bogus four\r\n', 'bogus five\r\n'];
      for (const line of lines) {
        for (const part of [line.slice(0, 3), line.slice(3, 6), line.slice(6)]) {
          c.write(part);
          await sleep(200);
        }
      }
      for (let k = 0; k < lines.length; k++) assert.deepEqual(await c.reply(), { status: 'ERROR', message: Errors.badProtocol });
      assert.equal(c.isClosed, false);
      c.close();
    } finally {
      await server.stop();
    }
  });

  it('refuses connections over the per-address cap and over the total cap with Terlalu Banyak Permintaan, then admits again', async () => {
    const server = await startServer({ args: ['--log-level', 'warn', '--max-connections-per-ip', '10', '--max-connections', '25'] });
    const held: RawClient[] = [];
    const hold = async (from: string): Promise<RawClient> => {
      const c = await RawClient.connect(server.port, '127.0.0.1', from);
      held.push(c);
      return c;
    };
    /**
     * True when a connection from `from` is admitted: it logs in rather than being refused.
     * (Logged in, it is never closed to make room, as a quiet one that never logged in would be.)
     */
    const admitted = async (from: string): Promise<boolean> => {
      const c = await hold(from);
      c.write('auth henderson surabaya\r\n');
      const reply = await c.reply();
      if (reply.message === Errors.tooMany) {
        await c.closed(3000);
        return false;
      }
      assert.equal(reply.status, 'OK');
      return true;
    };
    try {
      for (let i = 0; i < 10; i++) assert.ok(await admitted('127.0.0.2'), `connection ${i + 1} from 127.0.0.2`);
      assert.equal(await admitted('127.0.0.2'), false, 'the 11th from one address is refused');
      for (let i = 0; i < 10; i++) assert.ok(await admitted('127.0.0.3'));
      for (let i = 0; i < 5; i++) assert.ok(await admitted('127.0.0.4'));
      assert.equal(await admitted('127.0.0.5'), false, 'the 26th in all is refused, from a fresh address');
      // A refused connection does not count: closing one held connection makes room for exactly one.
      held.find((c) => !c.isClosed)!.close();
      await until(async () => admitted('127.0.0.5'), 3000, 'room for one more');
      assert.equal(await admitted('127.0.0.6'), false);
    } finally {
      for (const c of held) c.close();
      await server.stop();
    }
  });
});
