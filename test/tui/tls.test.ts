// Both clients against a real `chatbox serve --tls-cert --tls-key` with a
// throwaway self-signed certificate: trusted through --ca, refused in one
// clear line without it (or with another CA).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { makeTestCert, type TestCert } from '../helpers/certs.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';
import { runCli } from './cli-run.js';

const noTmux = (await haveTmux()) ? false : 'tmux is not installed';
const NOT_TRUSTED = /^chatbox: cannot connect to 127\.0\.0\.1:\d+: the server's TLS certificate is not trusted \([^\n]*; pass --ca FILE for a private CA\)\n$/;

describe('TLS', () => {
  let cert: TestCert;
  let otherCa: TestCert;
  let server: TestServer;
  const terminals: TmuxSession[] = [];

  /** What `user` finds in the inbox, read over TLS. */
  async function inboxOf(user: string): Promise<string[]> {
    const c = await ChatClient.connect({ host: server.host, port: server.port, tls: true, ca: cert.cert });
    try {
      const token = await c.auth(user, 'surabaya');
      const inbox = await c.inbox(token);
      await c.logout(token);
      return Object.values(inbox).flatMap((list) => list.map((m) => `${m.sender}: ${m.msg}`));
    } finally {
      c.close();
    }
  }

  before(async () => {
    cert = makeTestCert();
    otherCa = makeTestCert('someone-else');
    server = await startServer({ args: ['--tls-cert', cert.certPath, '--tls-key', cert.keyPath] });
  });

  after(async () => {
    for (const t of terminals) await t.kill();
    await server?.stop();
    cert?.remove();
    otherCa?.remove();
  });

  it('line mode with --ca: logs in, sends, reads, over TLS', async () => {
    const { code, stdout, stderr } = await runCli(server, 'auth messi surabaya\nsend henderson over tls\nonline\n', ['--ca', cert.certPath]).done;
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^username messi logged in, token [0-9a-f-]{36}$/);
    assert.deepEqual(lines.slice(1), ['message sent to henderson', '[]']);
    assert.deepEqual(await inboxOf('henderson'), ['messi: over tls']);
  });

  it('line mode without --ca (or with another CA): one line about the untrusted certificate, exit 1, nothing sent', async () => {
    for (const extra of [['--tls'], ['--ca', otherCa.certPath]]) {
      const { code, stdout, stderr } = await runCli(server, 'auth messi surabaya\nsend henderson must not arrive\n', extra).done;
      assert.equal(code, 1, extra.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, NOT_TRUSTED);
    }
    assert.deepEqual(await inboxOf('henderson'), []);
  });

  it('line mode without --tls against a TLS server: one line that suggests --tls, exit 1', async () => {
    const { code, stdout, stderr } = await runCli(server, 'auth messi surabaya\nonline\n').done;
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `chatbox: connection to 127.0.0.1:${server.port} lost during 'auth' (closed by the server before any answer; if it serves TLS, add --tls); stopping\n`,
    );
  });

  it('line mode with an unreadable --ca file: one usage line, exit 2', async () => {
    const { code, stdout, stderr } = await runCli(server, '', ['--ca', `${cert.dir}/missing.pem`]).done;
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^chatbox: cannot read --ca \S+missing\.pem: no such file\n$/);
  });

  it('the full-screen chat logs in over TLS with --ca, and says why it cannot without', { skip: noTmux }, async () => {
    const chat = async (extra: string[]) => {
      const t = await TmuxSession.start({
        command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200', '--user', 'messi', ...extra],
        cols: 100,
        rows: 30,
        env: { CHATBOX_USER: undefined, CHATBOX_PASSWORD: undefined, CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, CHATBOX_TLS: undefined },
      });
      terminals.push(t);
      await t.waitFor(/› Password/);
      await t.type('surabaya');
      await t.keys('Enter');
      return t;
    };
    const refused = await chat(['--tls']);
    const form = await refused.waitFor(/certificate is not trusted/);
    assert.match(form, /server 127\.0\.0\.1:\d+ over TLS/);
    await refused.keys('C-c');
    assert.equal(await refused.waitForExit(), 0);

    const trusted = await chat(['--ca', cert.certPath]);
    await trusted.waitFor(/messi @ 127\.0\.0\.1:\d+ │ ● connected/);
    await trusted.waitFor(/▌. henderson/);
    await trusted.type('hai lewat TLS');
    await trusted.keys('Enter');
    await trusted.waitFor(/messi │ hai lewat TLS/);
    assert.deepEqual(await inboxOf('henderson'), ['messi: hai lewat TLS']);
    await trusted.keys('C-c');
    assert.equal(await trusted.waitForExit(), 0);
  });
});
