// `chatbox cli` at a real terminal (tmux) against a real server behind a real
// TCP proxy: the link goes down, messages typed meanwhile are queued, and
// once the link is back they arrive, in order, each once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';
import { TestProxy } from './tcp-proxy.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

const count = (screen: string, text: string): number => screen.split(text).length - 1;

describe('chatbox cli at a terminal, through a link that goes down', { skip }, () => {
  let server: TestServer;
  let proxy: TestProxy;
  let term: TmuxSession;

  before(async () => {
    server = await startServer();
    proxy = new TestProxy({ host: server.host, port: server.port });
    await proxy.listen();
    term = await TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, 'cli', '--host', '127.0.0.1', '--port', String(proxy.port)],
      cols: 110,
      rows: 30,
      env: { CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, CHATBOX_TLS: undefined },
    });
  });

  after(async () => {
    await term?.kill();
    await proxy?.close();
    await server?.stop();
  });

  async function line(text: string): Promise<void> {
    await term.type(text);
    await term.keys('Enter');
  }

  it('queues what is sent while the server cannot be reached and sends it once the link is back, once each, in order', async () => {
    await term.waitFor(/^↳/m);
    await line('auth messi surabaya');
    await term.waitFor(/username messi logged in, token [0-9a-f-]{36}/);
    await line('send henderson before the cut');
    await term.waitFor('message sent to henderson');

    await proxy.down();
    await line('send henderson first while down');
    await term.waitFor('message to henderson queued: the server cannot be reached');
    await line('send henderson second while down');
    await term.waitFor((s) => count(s, 'message to henderson queued') === 2);
    // Still down: nothing went out.
    assert.equal(proxy.lines.filter((l) => l.startsWith('send ')).length, 1);

    await proxy.up();
    const back = await term.waitFor((s) => count(s, 'message sent to henderson') === 3, 30_000);
    // The lines about them go above the prompt, drawn once, which takes commands.
    assert.match(back.trimEnd(), /queued: .*\nmessage sent to henderson\nmessage sent to henderson\nCommand [0-9a-f-]{36}\n↳$/);
    await line('online');
    await term.waitFor(/^\[.*\]$/m);

    const henderson = await ChatClient.connect({ host: server.host, port: server.port });
    try {
      const token = await henderson.auth('henderson', 'surabaya');
      const inbox = await henderson.inbox(token);
      assert.deepEqual(
        inbox['messi']?.map((m) => m.msg),
        ['before the cut', 'first while down', 'second while down'],
      );
      // Sent once each: the proxy saw each send once.
      assert.equal(proxy.lines.filter((l) => l.startsWith('send ')).length, 3);
    } finally {
      henderson.close();
    }
  });
});
