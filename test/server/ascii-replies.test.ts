// Replies read the way the original Python client reads them: 64-byte recv()
// calls, each decoded on its own (`data.decode()`), until `\r\n\r\n`. A raw
// multi-byte character split across two reads would fail that decode, so
// every reply must be pure ASCII, with non-ASCII text as json.dumps escapes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { backends } from '../helpers/backends.js';
import { CHATBOX_BIN, TEST_SCRYPT, type TestServer } from '../helpers/server.js';

/** Accounts with non-ASCII nama and negara, added beside the demo ones. */
const PEOPLE = [
  { username: 'jose', nama: 'José Mourinho', negara: 'Portugal' },
  { username: 'wang', nama: '王伟 你好', negara: '中国' },
  { username: 'senyum', nama: '😀 Senyum', negara: 'Indonésia' },
] as const;
const PASSWORD = 'rahasia1';

/** The original client's read loop, on one socket, one request at a time. */
class OriginalClient {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<OriginalClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new OriginalClient(s)));
      s.once('error', reject);
    });
  }

  /**
   * Sends a request as the original client did (`" \r\n"` ending) and reads its
   * reply as 64-byte reads from the reply's first byte, each decoded as strict
   * UTF-8 on its own; throws where the original client would have failed.
   */
  async ask(line: string): Promise<{ bytes: Buffer; reply: Record<string, unknown> }> {
    this.socket.write(line + ' \r\n');
    const deadline = Date.now() + 10_000;
    let end: number;
    while ((end = this.buf.indexOf('\r\n\r\n')) === -1) {
      if (this.ended) throw new Error('connection closed before the reply');
      if (Date.now() > deadline) throw new Error('no reply within 10 s');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const bytes = this.buf.subarray(0, end + 4);
    this.buf = this.buf.subarray(end + 4);
    let text = '';
    for (let at = 0; at < bytes.length; at += 64) {
      const chunk = bytes.subarray(at, at + 64);
      try {
        text += new TextDecoder('utf-8', { fatal: true }).decode(chunk);
      } catch {
        throw new Error(`the read at byte ${at} is not UTF-8 on its own: ${JSON.stringify(chunk.toString('latin1'))}`);
      }
    }
    return { bytes, reply: JSON.parse(text) as Record<string, unknown> };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Asserts that every byte of a reply is ASCII. */
function assertAscii(bytes: Buffer, what: string): void {
  const at = bytes.findIndex((b) => b >= 0x80);
  assert.equal(at, -1, `${what}: byte ${at} is 0x${bytes[at]?.toString(16)}`);
}

/** `chatbox user add` on the store the server runs on (the same --db or --redis it was given). */
function addUser(server: TestServer, u: (typeof PEOPLE)[number]): void {
  const args = server.proc.spawnargs;
  const i = args.includes('--redis') ? args.indexOf('--redis') : args.indexOf('--db');
  const r = spawnSync(
    process.execPath,
    [CHATBOX_BIN, 'user', 'add', u.username, '--name', u.nama, '--country', u.negara, '--password-stdin', args[i]!, args[i + 1]!, ...TEST_SCRYPT],
    { input: PASSWORD + '\n', encoding: 'utf8', env: { ...process.env, CHATBOX_DB: '', CHATBOX_REDIS: '' } },
  );
  assert.equal(r.status, 0, r.stderr);
}

for (const backend of backends) {
  describe(`ASCII replies on ${backend.name}`, { skip: backend.skip() }, () => {
    let server: TestServer;
    const clients: OriginalClient[] = [];
    /** Each logged-in user's original client and token. */
    const conns = new Map<string, OriginalClient>();
    const tokens = new Map<string, string>();
    const connect = async (): Promise<OriginalClient> => {
      const c = await OriginalClient.connect(server.port);
      clients.push(c);
      return c;
    };
    before(async () => {
      server = await backend.start();
      for (const u of PEOPLE) addUser(server, u);
      for (const u of PEOPLE) {
        const c = await connect();
        const { reply } = await c.ask(`auth ${u.username} ${PASSWORD}`);
        assert.equal(reply.status, 'OK');
        conns.set(u.username, c);
        tokens.set(u.username, String(reply.tokenid));
      }
    });
    after(async () => {
      for (const c of clients) c.close();
      await server?.stop();
    });

    for (const ch of ['é', '你', '😀']) {
      it(`delivers ${ch} at every offset across a 64-byte read, by send, inbox and history`, async () => {
        const [jose, wang] = [conns.get('jose')!, conns.get('wang')!];
        const [from, to] = [tokens.get('jose')!, tokens.get('wang')!];
        for (let k = 0; k < 72; k++) {
          const text = `${'a'.repeat(k)}${ch}b ${ch}${ch} c`;
          const sent = await jose.ask(`send ${from} wang  ${text}`);
          assert.deepEqual(sent.reply, { status: 'OK', message: 'Message Sent' });

          const inbox = await wang.ask(`inbox ${to}`);
          assertAscii(inbox.bytes, `inbox, offset ${k}`);
          const got = (inbox.reply.messages as Record<string, Array<Record<string, unknown>>>).jose;
          assert.equal(got?.length, 1, `offset ${k}`);
          assert.equal(got[0]!.msg, text);
          assert.equal(got[0]!.msg_from, 'José Mourinho');
          assert.equal(got[0]!.msg_to, '王伟 你好');

          const history = await wang.ask(`history ${to} jose 0 1`);
          assertAscii(history.bytes, `history, offset ${k}`);
          const page = history.reply.messages as Array<Record<string, unknown>>;
          assert.equal(page[0]!.msg, text);
          assert.equal(page[0]!.id, got[0]!.id);
        }
        // The plain inbox marked each one received.
        assert.deepEqual((await wang.ask(`inbox ${to}`)).reply, { status: 'OK', messages: {} });
      });
    }

    it('lists non-ASCII nama and negara in online (and users) as ASCII, for every caller', async () => {
      const messi = await connect();
      const { reply } = await messi.ask('auth messi surabaya');
      conns.set('messi', messi);
      tokens.set('messi', String(reply.tokenid));
      const everyone = [...PEOPLE, { username: 'messi', nama: 'Lionel Messi', negara: 'Argentina' }].sort((a, b) =>
        a.username < b.username ? -1 : 1,
      );
      for (const me of everyone) {
        const c = conns.get(me.username)!;
        const online = await c.ask(`online ${tokens.get(me.username)!}`);
        assertAscii(online.bytes, `online for ${me.username}`);
        const expected = everyone
          .filter((u) => u.username !== me.username)
          .map((u) => ({ username: u.username, userdetail: { nama: u.nama, negara: u.negara } }));
        assert.deepEqual(online.reply, { status: 'OK', users: expected });
        const users = await c.ask(`users ${tokens.get(me.username)!}`);
        assertAscii(users.bytes, `users for ${me.username}`);
      }
    });

    it('ChatClient still round-trips non-ASCII text and names', async () => {
      const a = await ChatClient.connect({ port: server.port });
      const b = await ChatClient.connect({ port: server.port });
      try {
        const ta = await a.auth('senyum', PASSWORD);
        const tb = await b.auth('jose', PASSWORD);
        const text = 'Olá, 你好 😀 \u007f "kutip" \\ / tab\there';
        await a.send(ta, 'jose', text);
        const inbox = await b.inbox(tb);
        assert.equal(inbox.senyum?.[0]?.msg, text);
        assert.equal(inbox.senyum?.[0]?.msg_from, '😀 Senyum');
        assert.equal((await a.history(ta, 'jose'))[0]?.msg, text);
        const online = await b.online(tb);
        assert.deepEqual(online.find((u) => u.username === 'wang')?.userdetail, { nama: '王伟 你好', negara: '中国' });
      } finally {
        a.close();
        b.close();
      }
    });
  });
}
