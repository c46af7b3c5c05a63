// Text as a real terminal shows it: a real server on port 0 and two real
// `chatbox` processes in tmux. Decomposed accents (a letter then its
// combining marks) must show on both screens after sending, and symbols that
// take one cell (✔) must fill the text column, not half of it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeLayout, messageColumns } from '../../src/tui/layout.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';
const COLS = 100;
const ROWS = 30;

/** The screen with accents composed (tmux gives back the marks as typed) and trailing blanks gone. */
const composed = (screen: string): string =>
  screen
    .normalize('NFC')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

describe('text in a real terminal', { skip, timeout: 60_000 }, () => {
  let server: TestServer;
  let messi: TmuxSession;
  let henderson: TmuxSession;
  const sessions: TmuxSession[] = [];

  const chat = async (user: string): Promise<TmuxSession> => {
    const s = await TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200'],
      cols: COLS,
      rows: ROWS,
      env: { CHATBOX_USER: user, CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC' },
    });
    sessions.push(s);
    return s;
  };

  /** Waits until `s` shows `pattern` once accents are composed. */
  const see = (s: TmuxSession, pattern: RegExp) => s.waitFor((screen) => pattern.test(composed(screen)), 20_000).then(composed);

  before(async () => {
    server = await startServer();
    [messi, henderson] = await Promise.all([chat('messi'), chat('henderson')]);
    await see(messi, /▌● henderson/);
    await see(henderson, /▌● messi/);
  });

  after(async () => {
    for (const s of sessions) await s.kill();
    await server?.stop();
  });

  it('shows a letter with a combining accent on both screens after sending', async () => {
    await messi.type('Cafe\u0301 au lait');
    await see(messi, /henderson› Café au lait$/m);
    await messi.keys('Enter');
    await see(messi, /\d\d:\d\d +messi │ Café au lait$/m);
    await see(henderson, /\d\d:\d\d +messi │ Café au lait$/m);
  });

  it('shows decomposed Vietnamese whole, every mark on its letter', async () => {
    const nfd = 'Tiếng Việt'.normalize('NFD');
    assert.notEqual(nfd, nfd.normalize('NFC'));
    await henderson.type(nfd);
    await henderson.keys('Enter');
    await see(henderson, /\d\d:\d\d henderson │ Tiếng Việt$/m);
    await see(messi, /\d\d:\d\d henderson │ Tiếng Việt$/m);
  });

  it('wraps a line of ✔ at the text column, one cell each', async () => {
    const width = messageColumns(computeLayout(COLS, ROWS), 'messi', 'henderson').textWidth;
    await messi.type('✔'.repeat(width + 15));
    await messi.keys('Enter');
    for (const s of [messi, henderson]) {
      const lines = (await see(s, new RegExp(`│ ✔{${width}}\\n +│ +│ ✔{15}$`, 'm'))).split('\n');
      const first = lines.find((l) => l.includes('✔'))!;
      // The row fills the pane to its right edge, one cell of margin left: ✔ is one cell, as Ink drew it.
      assert.equal([...first].length, COLS - 1, first);
    }
  });
});
