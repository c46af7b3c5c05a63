// The server built in this process over real sockets: the commands end to end,
// then the connection limits: quiet connections stay open, room is made under
// pressure by closing the longest-quiet ones that never logged in, the idle
// limit of logged-in ones, the server-wide budget for unsent replies, and
// stall detection of readers slow or stopped.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import type { ServerConfig } from '../../src/server/config.js';
import { makeTestCert } from '../helpers/certs.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { NonReaders, pythonSkip, slowReader } from '../helpers/python-peers.js';
import type { RawClient } from '../helpers/server.js';
import { sleep, until } from '../security/support.js';

/** Runs `body` against a fresh in-process server. */
async function withServer(config: Partial<ServerConfig>, body: (s: InProcessServer) => Promise<void>): Promise<void> {
  const s = await startInProcess({ config });
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

/** How a connection ended, as its peer saw it. */
function watchEnd(c: RawClient): { fin: boolean; reset: boolean } {
  const seen = { fin: false, reset: false };
  c.socket.on('end', () => (seen.fin = true));
  c.socket.on('error', () => (seen.reset = true));
  return seen;
}

/** Whether a connection is still served: it answers a request. */
async function served(c: RawClient): Promise<boolean> {
  if (c.isClosed) return false;
  return (await c.ask('bogus')).message === Errors.badProtocol;
}

describe('in-process server', () => {
  it('answers every command of a basic session', async () => {
    await withServer({}, async (s) => {
      const a = await s.client();
      const b = await s.client();
      const messi = await a.auth('messi', 'surabaya');
      const henderson = await b.auth('henderson', 'surabaya');
      await a.send(messi, 'henderson', 'hai, apakabar? 🙂');
      assert.deepEqual((await a.online(messi)).map((u) => u.username), ['henderson']);
      const inbox = await b.inbox(henderson);
      assert.equal(inbox.messi?.[0]?.msg, 'hai, apakabar? 🙂');
      assert.deepEqual(Object.keys(await b.inbox(henderson)), []);
      assert.deepEqual((await a.history(messi, 'henderson')).map((m) => m.msg), ['hai, apakabar? 🙂']);
      assert.deepEqual((await b.users(henderson)).map((u) => u.username), ['lineker', 'messi']);
      await a.logout(messi);
      const raw = await s.connect();
      assert.deepEqual(await raw.ask(`online ${messi}`), { status: 'ERROR', message: Errors.noSession });
      assert.deepEqual(await raw.ask('auth messi salah'), { status: 'ERROR', message: Errors.badPassword });
    });
  });

  it('keeps quiet connections open, logged in or not, however short the old timeouts', async () => {
    // The old timeout for connections without a valid token, which closed them, set short.
    const old = Object.assign({ partialLineTimeoutMs: 300 }, { firstLineTimeoutMs: 300 });
    await withServer(old, async (s) => {
      const silent = await s.connect();
      const failed = await s.connect();
      assert.deepEqual(await failed.ask('auth messi salah'), { status: 'ERROR', message: Errors.badPassword });
      const answered = await s.connect();
      assert.deepEqual(await answered.ask('bogus'), { status: 'ERROR', message: Errors.badProtocol });
      const loggedIn = await s.connect();
      const token = String((await loggedIn.ask('auth messi surabaya')).tokenid);
      await sleep(1200);
      for (const c of [silent, failed, answered, loggedIn]) assert.equal(c.isClosed, false);
      // The original client then logs in on the connection it opened at start.
      assert.equal((await silent.ask('auth henderson surabaya')).status, 'OK');
      assert.equal((await failed.ask('auth messi surabaya')).status, 'OK');
      assert.equal((await loggedIn.ask(`online ${token}`)).status, 'OK');
      assert.doesNotMatch(s.log(), /no valid request|idle timeout/);
    });
  });

  it('still closes a connection that leaves a request line unfinished', async () => {
    await withServer({ partialLineTimeoutMs: 300 }, async (s) => {
      const slow = await s.connect();
      slow.write('auth messi sura');
      const started = Date.now();
      await slow.closed(3000);
      assert.ok(Date.now() - started >= 250, 'not before the partial-line timeout');
    });
  });

  it('makes room under the per-address cap by closing the longest-quiet connections that never logged in, cleanly', async () => {
    // 90 % of 10 is 9: the 10th connection from an address makes room.
    await withServer({ maxConnectionsPerPeer: 10 }, async (s) => {
      const from = '127.0.0.2';
      const loggedIn = await s.connect(from);
      const token = String((await loggedIn.ask('auth messi surabaya')).tokenid);
      const loggedOut = await s.connect(from);
      const other = String((await loggedOut.ask('auth lineker surabaya')).tokenid);
      assert.equal((await loggedOut.ask(`logout ${other}`)).status, 'OK');
      const silent: RawClient[] = [];
      for (let i = 0; i < 3; i++) silent.push(await s.connect(from));
      const failed = await s.connect(from);
      assert.equal((await failed.ask('auth messi salah')).message, Errors.badPassword);
      for (let i = 0; i < 3; i++) silent.push(await s.connect(from));
      // Longest quiet first: the silent ones in the order they came, then the failed login
      // (quiet since its reply), then the later silent ones.
      const order = [silent[0]!, silent[1]!, silent[2]!, failed, silent[3]!];
      const ends = order.map(watchEnd);
      assert.equal(s.server.connectionCount, 9);
      // Another address is not concerned.
      const elsewhere = await s.connect('127.0.0.3');
      const newcomers: RawClient[] = [];
      for (let k = 0; k < order.length; k++) {
        newcomers.push(await s.connect(from));
        await order[k]!.closed(3000);
        assert.ok(ends[k]!.fin && !ends[k]!.reset, `evicted connection ${k} was closed with a FIN, not reset`);
        for (const later of order.slice(k + 1)) assert.equal(later.isClosed, false, 'only the longest-quiet one goes');
      }
      for (const c of [...newcomers, silent[4]!, silent[5]!, elsewhere]) assert.ok(await served(c));
      // Those that used a valid token stay, even logged out.
      assert.equal((await loggedIn.ask(`online ${token}`)).status, 'OK');
      assert.ok(await served(loggedOut));
      assert.match(s.log(), /evict/);
    });
  });

  it('makes room under the total cap from any address, never closing logged-in users, and refuses when none is quiet', async () => {
    await withServer({ maxConnections: 10 }, async (s) => {
      const users: RawClient[] = [];
      for (let i = 0; i < 9; i++) {
        const c = await s.connect(`127.0.0.${10 + i}`);
        assert.equal((await c.ask('auth henderson surabaya')).status, 'OK');
        users.push(c);
      }
      // Nothing to close: the 10th is admitted under the cap.
      const quiet = await s.connect('127.0.0.30');
      const end = watchEnd(quiet);
      // The 11th closes the only quiet one that never logged in.
      const next = await s.connect('127.0.0.31');
      await quiet.closed(3000);
      assert.ok(end.fin && !end.reset);
      assert.equal((await next.ask('auth messi surabaya')).status, 'OK');
      // Now all ten logged in: the next is refused, in words.
      const refused = await s.connect('127.0.0.32');
      assert.deepEqual(await refused.reply(), { status: 'ERROR', message: Errors.tooMany });
      for (const c of users) assert.ok(await served(c));
    });
  });

  it('closes idle logged-in connections only when an idle limit is set', async () => {
    await withServer({ idleTimeoutMs: 400 }, async (s) => {
      const user = await s.connect();
      assert.equal((await user.ask('auth messi surabaya')).status, 'OK');
      const quiet = await s.connect();
      const started = Date.now();
      await user.closed(3000);
      assert.ok(Date.now() - started >= 350, 'after the idle limit');
      await sleep(300);
      assert.ok(await served(quiet), 'a connection that never logged in is not closed by it');
    });
  });

  describe('server-wide reply budget', { skip: pythonSkip() }, () => {
    const budget = 4 << 20;
    const pages = 8;

    /** Starts `count` connections that pipeline history pages of about 275 KB and never read, samples the unsent total, then lets them read. */
    async function underNonReaders(s: InProcessServer, count: number, meanwhile: (token: string) => Promise<void>): Promise<number> {
      const c = await s.client();
      const messi = await c.auth('messi', 'surabaya');
      await Promise.all(Array.from({ length: 500 }, (_, i) => c.send(messi, 'henderson', `${i} ${'x'.repeat(400)}`)));
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, s.server.unsentReplyBytes)), 5);
      const attackers = await NonReaders.start(s.port, count, `history ${messi} henderson 0 500\r\n`.repeat(pages), pages);
      try {
        await meanwhile(await c.auth('henderson', 'surabaya'));
        await sleep(500);
        clearInterval(sampler);
        assert.deepEqual(await attackers.read(), Array<number>(count).fill(pages), 'every request is answered once they read');
      } finally {
        clearInterval(sampler);
        attackers.kill();
      }
      await until(() => s.server.unsentReplyBytes === 0, 3000, 'every reply to be sent');
      return peak;
    }

    it('stops reading connections that hold unsent replies past it, and serves a user meanwhile', async () => {
      await withServer({ replyMemoryBytes: budget }, async (s) => {
        const user = await s.client();
        const peak = await underNonReaders(s, 12, async (token) => {
          let slowest = 0;
          for (let i = 0; i < 20; i++) {
            const t0 = Date.now();
            await user.send(token, 'messi', `still here ${i}`);
            assert.deepEqual((await user.online(token)).map((u) => u.username), ['messi']);
            slowest = Math.max(slowest, Date.now() - t0);
          }
          assert.ok(slowest < 1000, `the user's slowest exchange took ${slowest} ms`);
        });
        // Alone, each would hold 1 MiB and a page: 15 MiB in all.
        assert.ok(peak > budget, `the attack reached the budget (${peak} bytes unsent at most)`);
        assert.ok(peak < budget + 12 * 300_000, `${peak} bytes unsent at most, budget ${budget}`);
      });
    });

    it('starts no answer past twice it, however many connections ask once each', async () => {
      await withServer({ replyMemoryBytes: budget }, async (s) => {
        // 40 first pages alone come to 11 MiB.
        const peak = await underNonReaders(s, 40, async () => {});
        assert.ok(peak < 2 * budget + (1 << 20), `${peak} bytes unsent at most, budget ${budget}`);
      });
    });
  });

  describe('stalled readers', { skip: pythonSkip() }, () => {
    /** A reader taking 16 KB every 0.4 timeouts for five timeouts, beside one taking nothing, both with small receive buffers. */
    async function slowAndStopped(tls: boolean): Promise<void> {
      const timeout = 1500;
      const cert = tls ? makeTestCert() : null;
      const s = await startInProcess({
        config: { stalledReaderTimeoutMs: timeout, replyBufferBytes: 65536 },
        ...(cert ? { tls: { cert: cert.cert, key: readFileSync(cert.keyPath) } } : {}),
      });
      try {
        const c = await ChatClient.connect({ port: s.port, ...(cert ? { tls: true, ca: cert.cert } : {}) });
        const messi = await c.auth('messi', 'surabaya');
        // History pages of about 250 KB.
        await Promise.all(Array.from({ length: 500 }, (_, i) => c.send(messi, 'henderson', `${i} ${'x'.repeat(400)}`)));
        c.destroy();
        const requests = `history ${messi} henderson 0 500\r\n`.repeat(20);
        const started = Date.now();
        const [steady, stopped] = await Promise.all([
          slowReader(s.port, requests, 16384, timeout * 0.4, timeout * 5, cert?.certPath),
          slowReader(s.port, requests, 0, 100, timeout * 4, cert?.certPath),
        ]);
        const log = s.log();
        assert.equal(steady.closed, false, `the steady reader was cut off after reading ${steady.read} bytes in ${steady.ms} ms`);
        assert.ok(steady.read >= 12 * 16384, `it read ${steady.read} bytes`);
        const cuts = [...log.matchAll(/(\S+) warn close conn=\S+ peer=\S+ requests=\S+ reason="peer stopped reading replies"/g)];
        assert.equal(cuts.length, 1, `only the reader that reads nothing was cut off:\n${log}`);
        assert.equal(stopped.closed, false, 'it never read, so never saw it');
        const at = Date.parse(cuts[0]![1]!) - started;
        assert.ok(at >= timeout && at < timeout * 3.5, `cut off ${at} ms after it asked`);
      } finally {
        await s.close();
        cert?.remove();
      }
    }

    it('never cuts off a reader that reads a little every 0.4 timeouts, and cuts off one that reads nothing after about the timeout', async () => {
      await slowAndStopped(false);
    });

    it('does the same over TLS', async () => {
      await slowAndStopped(true);
    });
  });
});
