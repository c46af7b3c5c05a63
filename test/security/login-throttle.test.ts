// Password guessing against a real server: failed logins from one address are
// answered Terlalu Banyak Permintaan once the window's allowance is used,
// guesses sent all at once on many connections included, while the same
// account still logs in from another address and the throttled address's
// other requests are served.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { RawClient, startServer, type TestServer } from '../helpers/server.js';
import { sleep } from './support.js';

const LIMIT = 5;

describe('password guessing', () => {
  let server: TestServer;
  const open: RawClient[] = [];
  const connect = async (from: string): Promise<RawClient> => {
    const c = await RawClient.connect(server.port, '127.0.0.1', from);
    open.push(c);
    return c;
  };

  before(async () => {
    // A hash of a few milliseconds, so that guesses sent together are really in flight together.
    server = await startServer({ args: ['--unsafe-scrypt-cost', '12', '--auth-failures', String(LIMIT), '--auth-window', '3s'] });
  });
  after(async () => {
    for (const c of open) c.close();
    await server?.stop();
  });

  it(`lets ${LIMIT} failures a window pass, then throttles that address only, and only its logins`, async () => {
    const guesser = await connect('127.0.0.11');
    const token = String((await guesser.ask('auth messi surabaya')).tokenid);
    for (let i = 0; i < LIMIT - 1; i++) assert.deepEqual(await guesser.ask(`auth messi guess${i}`), { status: 'ERROR', message: Errors.badPassword });
    assert.deepEqual(await guesser.ask('auth nobody guess'), { status: 'ERROR', message: Errors.noUser }, 'unknown users count as failures too');
    for (const line of ['auth messi guess-more', 'auth messi surabaya', 'auth henderson surabaya']) {
      assert.deepEqual(await guesser.ask(line), { status: 'ERROR', message: Errors.tooMany }, line);
    }
    // The throttled address's other requests are still served, on this connection and a new one.
    assert.equal((await guesser.ask(`online ${token}`)).status, 'OK');
    assert.deepEqual(await guesser.ask(`send ${token} henderson still here`), { status: 'OK', message: 'Message Sent' });
    assert.equal((await (await connect('127.0.0.11')).ask(`inbox ${token}`)).status, 'OK');
    // The same account logs in from another address.
    const elsewhere = await ChatClient.connect({ port: server.port, localAddress: '127.0.0.12' });
    assert.match(await elsewhere.auth('messi', 'surabaya'), /^[0-9a-f-]{36}$/);
    elsewhere.destroy();
    // Once the window has passed the address may try again.
    await sleep(3100);
    assert.equal((await guesser.ask('auth messi surabaya')).status, 'OK');
  });

  it('counts guesses sent at once on 60 connections: no more than the allowance is answered', async () => {
    const conns = await Promise.all(Array.from({ length: 60 }, () => connect('127.0.0.13')));
    for (const [i, c] of conns.entries()) c.write(`auth henderson guess${i} \r\n`);
    const replies = await Promise.all(conns.map((c) => c.reply()));
    const answered = replies.filter((r) => r.message === Errors.badPassword).length;
    const throttled = replies.filter((r) => r.message === Errors.tooMany).length;
    assert.equal(answered + throttled, 60, JSON.stringify(replies.slice(0, 3)));
    assert.equal(answered, LIMIT, `${answered} guesses were checked`);
  });

  it('does not count successful logins: many at once from one address all succeed', async () => {
    const conns = await Promise.all(Array.from({ length: 4 }, () => connect('127.0.0.14')));
    for (let round = 0; round < 5; round++) {
      for (const c of conns) c.write('auth lineker surabaya \r\n');
      for (const c of conns) assert.equal((await c.reply()).status, 'OK', `round ${round}`);
    }
    // And a failure after them still has the whole allowance.
    const c = conns[0]!;
    for (let i = 0; i < LIMIT; i++) assert.deepEqual(await c.ask(`auth lineker nope${i}`), { status: 'ERROR', message: Errors.badPassword });
    assert.deepEqual(await c.ask('auth lineker nope'), { status: 'ERROR', message: Errors.tooMany });
  });
});
