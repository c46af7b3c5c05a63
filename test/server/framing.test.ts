// Framing and the per-connection limits of the protocol, over raw sockets.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Errors } from '../../src/protocol.js';
import { backends } from '../helpers/backends.js';
import { RawClient, type TestServer } from '../helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const backend of backends) {
  describe(`framing on ${backend.name}`, { skip: backend.skip() }, () => {
    let server: TestServer;
    const raws: RawClient[] = [];
    const connect = async (localAddress?: string): Promise<RawClient> => {
      const r = await RawClient.connect(server.port, '127.0.0.1', localAddress);
      raws.push(r);
      return r;
    };
    before(async () => {
      server = await backend.start({
        args: [
          '--max-line-bytes', '1024',
          '--partial-line-timeout', '500ms',
          '--auth-failures', '5',
          '--max-connections-per-ip', '20',
        ],
      });
    });
    after(async () => {
      for (const r of raws) r.close();
      await server?.stop();
    });

    it('answers pipelined requests in order, in one write', async () => {
      const r = await connect();
      r.write('auth messi surabaya \r\nbogus \r\nauth messi nope \r\nauth nobody x \r\n');
      assert.equal((await r.reply()).status, 'OK');
      assert.deepEqual(await r.reply(), { status: 'ERROR', message: Errors.badProtocol });
      assert.deepEqual(await r.reply(), { status: 'ERROR', message: Errors.badPassword });
      assert.deepEqual(await r.reply(), { status: 'ERROR', message: Errors.noUser });
    });

    it('reassembles requests delivered one byte at a time, with LF or CRLF, split inside UTF-8', async () => {
      const r = await connect();
      const token = String((await r.ask('auth henderson surabaya')).tokenid);
      const bytes = Buffer.from(`send ${token} henderson  héllo 🎉 日本 \ninbox ${token}\r\n`);
      for (const b of bytes) {
        r.write(Buffer.from([b]));
        await sleep(0);
      }
      assert.deepEqual(await r.reply(), { status: 'OK', message: 'Message Sent' });
      const inbox = (await r.reply()) as { messages: Record<string, Array<{ msg: string }>> };
      assert.equal(inbox.messages.henderson![0]!.msg, 'héllo 🎉 日本');
    });

    it('frames every reply as one JSON line plus CRLF CRLF, in the original spacing', async () => {
      const r = await connect();
      r.write('auth nobody x\r\n');
      assert.equal(await r.frame(), '{"status": "ERROR", "message": "User Tidak Ada"}');
      r.write('logout 00000000-0000-4000-8000-000000000000\r\n');
      assert.equal(await r.frame(), '{"status": "ERROR", "message": "Session Tidak Ditemukan"}');
    });

    it('answers Request Terlalu Panjang to an overlong line, after earlier replies, and closes', async () => {
      const r = await connect();
      r.write('auth nobody x\r\n' + 'x'.repeat(2000) + '\r\nauth messi surabaya\r\n');
      assert.deepEqual(await r.reply(), { status: 'ERROR', message: Errors.noUser });
      assert.deepEqual(await r.reply(), { status: 'ERROR', message: Errors.lineTooLong });
      await r.closed();
    });

    it('closes a connection that leaves a line unfinished, and keeps one that never sends a request', async () => {
      const slow = await connect();
      slow.write('auth messi sura');
      const silent = await connect();
      await slow.closed(5000);
      assert.equal(silent.isClosed, false);
      assert.equal((await silent.ask('auth messi surabaya')).status, 'OK');
    });

    it('lets an authenticated connection stay idle', async () => {
      const r = await connect();
      const token = String((await r.ask('auth messi surabaya')).tokenid);
      await sleep(1200);
      assert.equal(r.isClosed, false);
      assert.equal((await r.ask(`online ${token}`)).status, 'OK');
    });

    it('throttles failed logins per address without blocking other addresses or other commands', async () => {
      const r = await connect('127.0.0.3');
      const token = String((await r.ask('auth lineker surabaya')).tokenid);
      for (let i = 0; i < 5; i++) assert.deepEqual(await r.ask('auth lineker wrong'), { status: 'ERROR', message: Errors.badPassword });
      assert.deepEqual(await r.ask('auth lineker surabaya'), { status: 'ERROR', message: Errors.tooMany });
      assert.equal((await r.ask(`online ${token}`)).status, 'OK', 'other commands still served');
      const other = await connect('127.0.0.4');
      assert.equal((await other.ask('auth lineker surabaya')).status, 'OK', 'another address logs in');
    });

    it('refuses a connection over the per-address cap with Terlalu Banyak Permintaan', async () => {
      const held: RawClient[] = [];
      // Logged in, so that none is closed to make room (as quiet ones that never logged in are).
      for (let i = 0; i < 20; i++) {
        const c = await connect('127.0.0.5');
        assert.equal((await c.ask('auth messi surabaya')).status, 'OK');
        held.push(c);
      }
      const over = await connect('127.0.0.5');
      assert.deepEqual(await over.reply(), { status: 'ERROR', message: Errors.tooMany });
      await over.closed();
      for (const h of held) h.close();
      await sleep(100);
      const again = await connect('127.0.0.5');
      assert.equal((await again.ask('auth messi surabaya')).status, 'OK');
    });

    it('answers everything a client sent before half-closing', async () => {
      const r = await connect();
      r.write('auth messi surabaya \r\nauth nobody x \r\n');
      r.socket.end();
      assert.equal((await r.reply()).status, 'OK');
      assert.equal((await r.reply()).status, 'ERROR');
      await r.closed();
    });
  });
}
