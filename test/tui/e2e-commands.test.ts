// The compose box's command line end to end: a real server, the real
// `chatbox` in tmux, commands typed and the screen read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';
import { formatSoon } from './tmux-wait.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

describe('the command line in a terminal', { skip }, () => {
  let server: TestServer;
  let messi: TmuxSession;
  const clients: ChatClient[] = [];

  const inboxOf = async (user: string) => {
    const c = await ChatClient.connect({ host: server.host, port: server.port });
    clients.push(c);
    return c.inbox(await c.auth(user, 'surabaya'));
  };

  before(async () => {
    server = await startServer();
    messi = await TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200'],
      cols: 100,
      rows: 30,
      env: { CHATBOX_USER: 'messi', CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC' },
    });
    await messi.waitFor(/▌○ henderson/);
  });

  after(async () => {
    await messi?.kill();
    for (const c of clients) c.close();
    await server?.stop();
  });

  it('/msg opens the conversation and sends the text', async () => {
    await messi.type('/msg lineker see you at 9');
    await messi.keys('Enter');
    const s = await messi.waitFor(/messi │ see you at 9/);
    assert.match(s, /▌○ lineker/);
    assert.match(s, /lineker› +message lineker/, 'the draft is empty');
    assert.deepEqual((await inboxOf('lineker'))['messi']?.map((m) => m.msg), ['see you at 9']);
  });

  it('unknown commands say so on the status line; /search lists what it found (nothing here) until Esc; nothing is sent', async () => {
    await messi.type('/nope');
    await messi.keys('Enter');
    await messi.waitFor(/│ Unknown command \/nope · \/help lists the commands/);
    await messi.keys('C-u');
    await messi.type('/search nasi goreng');
    await messi.keys('Enter');
    await messi.waitFor(/Search › nasi goreng\n +0 messages · Up\/Down choose/);
    await messi.keys('Escape');
    // lineker may show online: the previous step logged in as lineker to read the inbox.
    await messi.waitFor(/▌[○●] lineker/);
    assert.equal((await inboxOf('lineker'))['messi'], undefined);
  });

  it('//text sends a leading slash; a lone ? is sent', async () => {
    await messi.type('//shrug');
    await messi.keys('Enter');
    await messi.waitFor(/messi │ \/shrug/);
    await messi.type('?');
    await messi.keys('Enter');
    await messi.waitFor(/messi │ \?\n/);
    assert.deepEqual((await inboxOf('lineker'))['messi']?.map((m) => m.msg), ['/shrug', '?']);
  });

  it('/help opens the help with the commands; /quit logs out and restores the terminal', async () => {
    await messi.type('/help');
    await messi.keys('Enter');
    const help = await messi.waitFor('Keys and commands');
    assert.match(help, /\/msg <user> \[text\] +open, send the text/);
    await messi.keys('Escape');
    await messi.waitFor((x) => !x.includes('Keys and commands'));
    await messi.type('/quit');
    await messi.keys('Enter');
    assert.equal(await messi.waitForExit(), 0);
    assert.equal(await formatSoon(messi, '#{alternate_on}', '0'), '0');
  });
});
