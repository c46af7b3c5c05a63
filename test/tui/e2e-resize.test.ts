// Resizing a real terminal under the chat: a real server on port 0 and a real
// `chatbox` in tmux, whose window is resized. The conversation pane keeps one
// blank column between the users pane's border and its text, whatever sizes
// the terminal went through (and with the help open during one of them).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

/** Where the conversation's title and first message start: the border's column, then what follows it. */
function columns(screen: string): { title: string; message: string } | null {
  const lines = screen.split('\n');
  const row = lines.find((l) => /\d\d:\d\d +messi │ hello margin/.test(l));
  if (!row) return null;
  return { title: lines[0]!, message: row };
}

/** True when, at `border` (the users pane's width), both rows show the border, one blank, then text. */
function marginAt(screen: string, border: number): boolean {
  const c = columns(screen);
  if (!c) return false;
  const ok = (l: string, text: RegExp) => l[border] === '│' && l[border + 1] === ' ' && text.test(l.slice(border + 2));
  return ok(c.title, /^henderson /) && ok(c.message, /^\d\d:\d\d /);
}

/** True when the pane has no border (users pane hidden) and one blank column before the text. */
function marginAlone(screen: string): boolean {
  const c = columns(screen);
  return c !== null && /^ \[\d\/\d\] henderson /.test(c.title) && /^ \d\d:\d\d /.test(c.message);
}

describe('resizing the terminal', { skip, timeout: 60_000 }, () => {
  let server: TestServer;
  let s: TmuxSession;

  before(async () => {
    server = await startServer();
    s = await TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200'],
      cols: 50,
      rows: 20,
      env: { CHATBOX_USER: 'messi', CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC' },
    });
    await s.waitFor('henderson› ', 20_000);
    await s.type('hello margin');
    await s.keys('Enter');
    await s.waitFor(/\d\d:\d\d +messi │ hello margin/, 20_000);
  });

  after(async () => {
    await s?.kill();
    await server?.stop();
  });

  it('starts at 50 columns with the users pane hidden and a one-column margin', async () => {
    const screen = await s.waitFor(marginAlone, 20_000);
    assert.ok(marginAlone(screen), screen);
  });

  it('keeps the margin after growing to 120 columns, and after further resizes', async () => {
    await s.resize(120, 30);
    await s.waitFor((screen) => marginAt(screen, 24), 20_000);
    await s.resize(100, 24);
    await s.waitFor((screen) => marginAt(screen, 24), 20_000);
    await s.resize(80, 24);
    await s.waitFor((screen) => marginAt(screen, 20), 20_000);
  });

  it('keeps the margin after the help was open across a resize below 58 columns', async () => {
    await s.keys('F1');
    await s.waitFor(/Esc/, 20_000);
    await s.resize(50, 20);
    await s.waitFor((screen) => screen.split('\n')[0]!.length <= 50 && /Esc/.test(screen), 20_000);
    await s.keys('Escape');
    await s.waitFor(marginAlone, 20_000);
    await s.resize(80, 24);
    await s.waitFor((screen) => marginAt(screen, 20), 20_000);
  });
});
