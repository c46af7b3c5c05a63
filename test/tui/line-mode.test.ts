// `chatbox cli` with piped stdin against a real server: the original
// client's commands and output, in order, safe to print, logging out at the
// end of input or on Ctrl+C; and, at a terminal, the shared send queue
// logging in again for a message the server refused for a forgotten session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { LineModeSession } from '../../src/tui/line-mode.js';
import { onlineNames, RawClient, startServer, type TestServer } from '../helpers/server.js';
import { runCli as cli } from './cli-run.js';
import { TestProxy } from './tcp-proxy.js';

// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

describe('chatbox cli', () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('runs a script line by line, printing what the original client printed', async () => {
    const script = [
      'send henderson too early',
      'auth messi surabaya',
      'send henderson  hai,   apakabar? ',
      'online',
      'nonsense here',
      'auth messi wrong',
      'send nobody hello',
      'logout',
      'inbox',
      '',
    ].join('\n');
    const { code, stdout, stderr } = await cli(server, script).done;
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'Error, not authorized (auth <username> <password> first)');
    assert.match(lines[1]!, /^username messi logged in, token [0-9a-f-]{36}$/);
    assert.equal(lines[2], 'message sent to henderson');
    assert.equal(lines[3], '[]');
    assert.match(lines[4]!, /^Error, unknown command 'nonsense'/);
    assert.equal(lines[5], 'Error, Password Salah');
    assert.equal(lines[6], 'Error, User Tidak Ditemukan');
    assert.equal(lines[7], 'Logged out');
    assert.equal(lines[8], 'Error, not authorized (auth <username> <password> first)');
    assert.equal(lines.length, 9);
  });

  it('prints the inbox as JSON, with hostile text escaped but the same value', async () => {
    const raw = await RawClient.connect(server.port, server.host);
    const auth = await raw.ask('auth lineker surabaya');
    const evil = 'x\x1b]0;pwned\x07\x1b[2J\x9b2J\u202Eevil\rcr\b';
    assert.equal((await raw.ask(`send ${String(auth['tokenid'])} henderson ${evil}`))['status'], 'OK');
    raw.close();
    const { code, stdout } = await cli(server, 'auth henderson surabaya\ninbox\ninbox\n').done;
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, DANGEROUS);
    const lines = stdout.trimEnd().split('\n');
    const inbox = JSON.parse(lines[1]!) as Record<string, Array<{ msg: string; msg_from: string }>>;
    assert.equal(inbox['lineker']![0]!.msg, evil);
    assert.equal(inbox['lineker']![0]!.msg_from, 'Gary Lineker');
    assert.equal(inbox['messi']![0]!.msg, 'hai,   apakabar?');
    // The original's JSON style: ", " and ": ".
    assert.match(lines[1]!, /^\{"messi": \[\{"msg_from": "Lionel Messi", "msg_to": "Jordan Henderson", "msg": /);
    assert.equal(lines[2], '{}');
  });

  it('logs out at the end of input', async () => {
    const { code } = await cli(server, 'auth henderson surabaya\n').done;
    assert.equal(code, 0);
    assert.ok(!(await onlineNames(server)).includes('henderson'));
  });

  it('logs out on Ctrl+C (SIGINT) and exits 0', async (t) => {
    const run = cli(server, null);
    t.after(() => {
      if (run.proc.exitCode === null) run.proc.kill('SIGKILL');
    });
    run.proc.stdin!.write('auth messi surabaya\n');
    const deadline = Date.now() + 10_000;
    while (!(await onlineNames(server)).includes('messi')) {
      assert.ok(Date.now() < deadline, 'messi logged in');
      await new Promise((r) => setTimeout(r, 50));
    }
    run.proc.kill('SIGINT');
    const { code } = await run.done;
    assert.equal(code, 0);
    assert.ok(!(await onlineNames(server)).includes('messi'));
  });

  it('a connection lost under a command: one line on stderr, exit 1, the rest of the script not run', async () => {
    const proxy = new TestProxy(server);
    await proxy.listen();
    try {
      // The send reaches the server; its reply never comes back.
      proxy.cutAfter = (line) => line.startsWith('send ');
      const script = 'auth lineker surabaya\nsend henderson lost reply\nsend henderson never sent\ninbox\n';
      const { code, stdout, stderr } = await cli({ host: '127.0.0.1', port: proxy.port }, script).done;
      assert.equal(code, 1);
      assert.match(stdout, /^username lineker logged in, token [0-9a-f-]{36}\n$/);
      assert.equal(
        stderr,
        `chatbox: connection to 127.0.0.1:${proxy.port} lost during 'send' (closed by the server); the message may or may not have arrived; stopping\n`,
      );
      assert.deepEqual(proxy.lines.map((l) => l.split(' ')[0]), ['auth', 'send'], 'nothing after the lost command');
    } finally {
      await proxy.close();
    }
  });

  it('a server gone between commands: one line saying it cannot connect again, exit 1', async () => {
    const own = await startServer();
    const run = cli(own, null);
    try {
      run.proc.stdin!.write('auth messi surabaya\n');
      const deadline = Date.now() + 10_000;
      while (!/logged in/.test(run.stdout())) {
        assert.ok(Date.now() < deadline, 'logged in');
        await new Promise((r) => setTimeout(r, 20));
      }
      await own.stop();
      run.proc.stdin!.end('inbox\nonline\n');
      const { code, stdout, stderr } = await run.done;
      assert.equal(code, 1);
      assert.match(stdout, /^username messi logged in, token [0-9a-f-]{36}\n$/);
      assert.equal(stderr, `chatbox: cannot connect to 127.0.0.1:${own.port}: connection refused (is the server running?); stopping\n`);
    } finally {
      if (run.proc.exitCode === null) run.proc.kill('SIGKILL');
      await own.stop();
    }
  });

  it('at a terminal, a send the server answers with a forgotten session is queued, logged in again for and sent once', async (t) => {
    const first = await startServer();
    const servers = [first];
    const notes: string[] = [];
    const session = new LineModeSession({ host: '127.0.0.1', port: first.port }, (line) => notes.push(line));
    t.after(async () => {
      await session.close();
      for (const s of servers) await s.stop();
    });
    await session.open();
    const auth = await session.run('auth messi surabaya');
    assert.ok('print' in auth && /logged in/.test(auth.print ?? ''));
    const before = session.token;
    // A new database on the same port: the accounts exist again, the session does not.
    await first.kill();
    const second = await startServer({ args: ['--port', String(first.port)] });
    servers.push(second);
    assert.deepEqual(await session.run('send henderson after the restart'), {
      print: 'message to henderson queued: the session or the connection ended; it is sent once the connection is back',
    });
    const deadline = Date.now() + 15_000;
    while (!notes.includes('message sent to henderson')) {
      assert.ok(Date.now() < deadline, `sent after logging in again (${notes.join(' / ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.notEqual(session.token, before, 'a new token from logging in again');
    const henderson = await ChatClient.connect({ host: second.host, port: second.port });
    try {
      const token = await henderson.auth('henderson', 'surabaya');
      assert.deepEqual((await henderson.inbox(token))['messi']?.map((m) => m.msg), ['after the restart']);
    } finally {
      henderson.close();
    }
  });

  it('says in one line why it cannot connect, and exits 1', async () => {
    const { code, stderr, stdout } = await cli({ host: '127.0.0.1', port: 1 }, 'online\n').done;
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'chatbox: cannot connect to 127.0.0.1:1: connection refused (is the server running?)\n');
  });
});
