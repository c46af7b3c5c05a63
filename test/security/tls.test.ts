// TLS: the whole protocol over an encrypted connection with a throwaway
// certificate; a plain-TCP client gets nothing useful; a client that does not
// trust the certificate refuses the server; handshakes that go wrong or never
// happen disturb nobody and count against the connection limits.

import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ChatClient, ConnectionError } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { makeTestCert, type TestCert } from '../helpers/certs.js';
import { RawClient, startServer, type TestServer } from '../helpers/server.js';
import { Bystander, sleep, until } from './support.js';

/** A raw TCP socket from `from`, errors swallowed (the server may reset it). */
function rawSocket(port: number, from: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
    // Read (and drop) whatever comes, so that the server's close is seen.
    s.resume();
  });
}

const closed = (s: net.Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('TLS', () => {
  let cert: TestCert;
  let server: TestServer;
  let ca: string;

  before(async () => {
    cert = makeTestCert();
    ca = cert.cert.toString();
    server = await startServer({
      args: ['--tls-cert', cert.certPath, '--tls-key', cert.keyPath, '--first-line-timeout', '1500ms', '--max-connections-per-ip', '8'],
    });
  });
  after(async () => {
    await server?.stop();
    cert?.remove();
  });

  it('speaks the whole protocol over TLS', async () => {
    const a = await ChatClient.connect({ port: server.port, tls: true, ca });
    const b = await ChatClient.connect({ port: server.port, tls: true, ca, host: 'localhost' });
    const messi = await a.auth('messi', 'surabaya');
    const henderson = await b.auth('henderson', 'surabaya');
    await a.send(messi, 'henderson', 'rahasia 🔒 over TLS');
    const peeked = await b.inbox(henderson, 0);
    assert.equal(peeked.messi?.[0]?.msg, 'rahasia 🔒 over TLS');
    const drained = await b.inbox(henderson);
    assert.equal(drained.messi?.length, 1);
    assert.deepEqual(Object.keys(await b.inbox(henderson)), []);
    assert.deepEqual((await a.online(messi)).map((u) => u.username), ['henderson']);
    assert.equal((await a.users(messi)).length, 2);
    assert.deepEqual((await b.history(henderson, 'messi')).map((m) => m.msg), ['rahasia 🔒 over TLS']);
    await assert.rejects(a.send(messi, 'nobody', 'x'), { code: Errors.noDestination });
    // Many pipelined requests and a long reply come back whole through the TLS records.
    await Promise.all(Array.from({ length: 300 }, (_, i) => a.send(messi, 'henderson', `#${i} ${'é'.repeat(3000)}`)));
    const many = await b.inbox(henderson, 0);
    assert.equal(many.messi?.length, 300);
    await a.logout(messi);
    await assert.rejects(a.online(messi), { code: Errors.noSession });
    a.destroy();
    b.destroy();
  });

  it('gives a plain-TCP client nothing it can use', async () => {
    const r = await RawClient.connect(server.port, '127.0.0.1', '127.0.0.20');
    let got = '';
    r.socket.on('data', (d: string) => (got += d));
    r.write('auth messi surabaya \r\n');
    await r.closed(5000);
    assert.doesNotMatch(got, /status|tokenid|Tidak|OK/);
  });

  it('is refused by a client that does not trust its certificate', async () => {
    await assert.rejects(ChatClient.connect({ port: server.port, tls: true }), (e: ConnectionError) => {
      assert.ok(e instanceof ConnectionError);
      assert.match(e.message, /self[- ]signed|certificate/i);
      assert.doesNotMatch(e.message, /\n/, 'one line');
      return true;
    });
    const other = makeTestCert('someone-else');
    try {
      await assert.rejects(ChatClient.connect({ port: server.port, tls: true, ca: other.cert }), ConnectionError);
    } finally {
      other.remove();
    }
    // Trusting the certificate but asking for another name fails too.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = tls.connect({ port: server.port, host: '127.0.0.1', ca, servername: 'chat.example.com' }, () => resolve(s));
        s.once('error', reject);
      }),
      /altnames|Hostname/i,
    );
  });

  it('lets no bad or missing handshake disturb other clients, and counts them against the limits', async () => {
    const bystander = await Bystander.start({ port: server.port, ca });
    const sockets: net.Socket[] = [];
    try {
      // 200 broken handshakes of every kind, from several addresses, while the bystander chats.
      const junk = [
        Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00]),
        Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]),
        Buffer.alloc(5000, 0x16),
        Buffer.from('auth messi surabaya\r\n'),
      ];
      const broken: net.Socket[] = [];
      for (let wave = 0; wave < 10; wave++) {
        const batch = await Promise.all(Array.from({ length: 20 }, (_, i) => rawSocket(server.port, `127.0.0.${40 + (i % 5)}`)));
        for (const [i, s] of batch.entries()) {
          s.write(junk[(wave + i) % junk.length]!);
          if (i % 2 === 0) s.destroy();
          else broken.push(s);
        }
        await sleep(50);
      }
      // Those left open are closed by the server: at once, or by the first-line timeout.
      await Promise.all(broken.map((s) => Promise.race([closed(s), sleep(5000)])));
      assert.ok(broken.every((s) => s.destroyed), 'the server closed every broken handshake');
      // Silent TCP connections, never starting a handshake, hold the address's whole allowance...
      for (let i = 0; i < 8; i++) sockets.push(await rawSocket(server.port, '127.0.0.50'));
      const refusal = await new Promise<string>((resolve, reject) => {
        let got = '';
        const s = tls.connect({ socket: net.connect({ port: server.port, host: '127.0.0.1', localAddress: '127.0.0.50' }), ca });
        s.on('data', (d: Buffer) => (got += d.toString()));
        s.on('close', () => resolve(got));
        s.on('error', reject);
      });
      assert.equal(refusal, `{"status": "ERROR", "message": "${Errors.tooMany}"}\r\n\r\n`, 'refused over TLS, in words');
      // ...until the first-line timeout closes them, after which the address is welcome again.
      await Promise.all(sockets.map((s) => Promise.race([closed(s), sleep(5000)])));
      assert.ok(sockets.every((s) => s.destroyed), 'silent connections were closed by the first-line timeout');
      await until(async () => {
        const c = await ChatClient.connect({ port: server.port, tls: true, ca, localAddress: '127.0.0.50' });
        try {
          return (await c.auth('henderson', 'surabaya')).length === 36;
        } catch {
          return false;
        } finally {
          c.destroy();
        }
      }, 3000, 'the address to be admitted again');

      const seen = await bystander.stop();
      assert.deepEqual(seen.failures, []);
      assert.ok(seen.requests >= 20, `the bystander made ${seen.requests} requests`);
      assert.ok(seen.maxMs < 1000, `the bystander's slowest reply took ${seen.maxMs.toFixed(0)} ms`);
      assert.equal(server.proc.exitCode, null);
      assert.match(server.stderr(), /tls handshake failed/);
    } finally {
      bystander.kill();
      for (const s of sockets) s.destroy();
    }
  });
});
