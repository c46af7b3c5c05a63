// Live sync end to end: the real `chatbox` twice in tmux, logged in as the
// same user, against a real server, each polling only once a minute. What
// one sends shows on the other within seconds (so by sync, not by a poll),
// and reading on one clears the unread count on the other. /search finds a
// message and Enter opens its conversation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

/** The users-pane row of `name` on a screen. */
const row = (screen: string, name: string): string => screen.split('\n').find((l) => new RegExp(`[○●] ${name}\\b`).test(l)) ?? '';

describe('two terminals of one user on live sync', { skip }, () => {
  let server: TestServer;
  let laptop: TmuxSession;
  let desk: TmuxSession;
  const clients: ChatClient[] = [];

  const start = () =>
    TmuxSession.start({
      // A poll interval of a minute: anything shown sooner came through sync.
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '60000'],
      cols: 100,
      rows: 30,
      env: { CHATBOX_USER: 'messi', CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC' },
    });

  before(async () => {
    server = await startServer();
    [laptop, desk] = await Promise.all([start(), start()]);
    await Promise.all([laptop.waitFor(/● connected/), desk.waitFor(/● connected/)]);
  });

  after(async () => {
    await laptop?.kill();
    await desk?.kill();
    for (const c of clients) c.close();
    await server?.stop();
  });

  async function type(t: TmuxSession, line: string): Promise<void> {
    await t.type(line);
    await t.keys('Enter');
  }

  it('a message sent on one shows on the other at once', async () => {
    await type(desk, '/msg henderson');
    await desk.waitFor(/henderson› +message henderson/);
    await type(laptop, '/msg henderson dari laptop');
    await laptop.waitFor(/messi │ dari laptop/);
    const t0 = Date.now();
    await desk.waitFor(/messi │ dari laptop/, 10_000);
    const ms = Date.now() - t0;
    assert.ok(ms < 10_000, `shown after ${ms} ms`);
    // And back the other way, once each.
    await type(desk, 'dari meja');
    const s = await laptop.waitFor(/messi │ dari meja/, 10_000);
    assert.equal(s.match(/dari laptop/g)?.length, 1, s);
  });

  it('a message from someone else is unread on both; reading it on one clears it on the other', async () => {
    await type(laptop, '/msg lineker');
    await type(desk, '/msg lineker');
    await Promise.all([laptop.waitFor(/lineker› +message lineker/), desk.waitFor(/lineker› +message lineker/)]);
    const henderson = await ChatClient.connect({ host: server.host, port: server.port });
    clients.push(henderson);
    const token = await henderson.auth('henderson', 'surabaya');
    await henderson.send(token, 'messi', 'halo messi');
    await henderson.send(token, 'messi', 'apa kabar');
    const hasTwo = (s: string) => /\b2\s*$/.test(row(s, 'henderson').split('│')[0]!.trimEnd());
    await Promise.all([laptop.waitFor(hasTwo, 10_000), desk.waitFor(hasTwo, 10_000)]);
    await type(laptop, '/msg henderson');
    await laptop.waitFor(/henderson │ apa kabar/);
    await desk.waitFor((s) => !/\d\s*$/.test(row(s, 'henderson').split('│')[0]!.trimEnd()), 10_000);
  });

  it('/search finds a message; Enter opens its conversation there; Esc closes the list', async () => {
    await type(desk, '/msg lineker');
    await desk.waitFor(/lineker› +message lineker/);
    await type(desk, '/search KABAR');
    const list = await desk.waitFor(/1 message · Up\/Down choose/);
    assert.match(list, /▌henderson +\d{4}-\d\d-\d\d \d\d:\d\d apa kabar/);
    await desk.keys('Enter');
    const s = await desk.waitFor(/henderson │ apa kabar/);
    assert.match(s, /henderson› +message henderson/);
    await type(desk, '/search laptop');
    await desk.waitFor(/Search › laptop/);
    await desk.keys('Escape');
    await desk.waitFor((x) => !x.includes('Search ›') && /henderson› +message henderson/.test(x));
  });
});
