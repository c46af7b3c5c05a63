// The compose box and the terminal modes end to end: a real server, the
// real `chatbox` in tmux, keys typed and the screen read. Multi-line drafts
// (Alt+Enter, Ctrl+J, a bracketed paste) going out a line per message, Tab
// completion, kill and yank, the unread count in the title, the mouse, and
// the input history surviving a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';
import { formatSoon, soon } from './tmux-wait.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

/** The screen's compose rows: from the rule under the panes to the status line. */
function composeRows(screen: string): string[] {
  const lines = screen.split('\n');
  const rule = lines.findIndex((l) => /^─+┴─+$/.test(l.trimEnd()) || /^─+┴/.test(l));
  const status = lines.findIndex((l) => /messi @ 127\.0\.0\.1/.test(l));
  return lines.slice(rule + 1, status).map((l) => l.trimEnd());
}

describe('compose box and terminal modes in a terminal', { skip }, () => {
  let server: TestServer;
  let stateDir: string;
  let messi: TmuxSession;
  const sessions: TmuxSession[] = [];
  const clients: ChatClient[] = [];

  const chat = (args: string[] = []) =>
    TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200', ...args],
      cols: 100,
      rows: 30,
      env: { CHATBOX_USER: 'messi', CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC', XDG_STATE_HOME: stateDir },
    }).then((s) => {
      sessions.push(s);
      return s;
    });
  const login = async (user: string) => {
    const c = await ChatClient.connect({ host: server.host, port: server.port });
    clients.push(c);
    return { c, token: await c.auth(user, 'surabaya') };
  };

  before(async () => {
    server = await startServer();
    stateDir = mkdtempSync(join(tmpdir(), 'chatbox-state-'));
    // A long conversation with lineker, to scroll with the wheel.
    const { c, token } = await login('lineker');
    for (let i = 1; i <= 40; i++) await c.send(token, 'messi', `old message ${i}`);
  });

  after(async () => {
    for (const s of sessions) await s.kill();
    for (const c of clients) c.close();
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('sets the title and turns on SGR mouse reporting; a click on a user opens them; the wheel scrolls', async () => {
    messi = await chat();
    await messi.waitFor(/messi @ 127\.0\.0\.1:\d+ │ ● connected/);
    // The modes are set just after the first frame: allow a loaded machine a moment.
    assert.equal(await formatSoon(messi, '#{mouse_sgr_flag}', '1'), '1');
    assert.equal(await formatSoon(messi, '#{pane_title}', 'ChatBox — messi'), 'ChatBox — messi');
    // The users pane fills from the first poll, which a loaded machine may deliver after the status line.
    const shown = await messi.waitFor(/[●○] lineker/);
    const row = shown.split('\n').findIndex((l) => /^.[●○] lineker/.test(l));
    assert.ok(row > 0, shown);
    await messi.type(`\x1b[<0;4;${row + 1}M\x1b[<0;4;${row + 1}m`);
    await messi.waitFor(/▌[●○] lineker/);
    await messi.waitFor('old message 40');
    await messi.type('\x1b[<64;60;10M'.repeat(3));
    await messi.waitFor('scrolled back · End for newest');
    await messi.type('\x1b[<65;60;10M'.repeat(3));
    await messi.waitFor((x) => !x.includes('scrolled back'));
  });

  it('the unread count shows in the title', async () => {
    const { c, token } = await login('henderson');
    await c.send(token, 'messi', 'are you there?');
    assert.equal(await formatSoon(messi, '#{pane_title}', '(1) ChatBox — messi'), '(1) ChatBox — messi');
  });

  it('Alt+Enter and Ctrl+J start new lines; the box grows; Enter sends one message per line, in order', async () => {
    await messi.type('first');
    await messi.keys('M-Enter');
    await messi.type('second');
    await messi.keys('C-j', 'C-j');
    await messi.type('third');
    const s = await messi.waitFor(/lineker› first\n +second\n *\n +third/);
    assert.deepEqual(composeRows(s).slice(0, 1), [' lineker› first']);
    assert.equal(composeRows(s).length, 4);
    await messi.keys('Enter');
    await messi.waitFor(/messi │ first\n.*messi │ second\n.*messi │ third/);
    const { c, token } = await login('lineker');
    const inbox = await c.inbox(token);
    assert.deepEqual((inbox['messi'] ?? []).map((m) => m.msg), ['first', 'second', 'third']);
    assert.equal(composeRows(await messi.capture()).length, 1, 'the box is one row again');
  });

  it('a bracketed paste keeps its line breaks; more than five lines scroll inside the box', async () => {
    await messi.tmux(['set-buffer', '-b', 'p', 'p1\np2\np3\np4\np5\np6\np7']);
    await messi.tmux(['paste-buffer', '-p', '-b', 'p', '-t', 'main']);
    const s = await messi.waitFor(/ 7\/7$/m);
    const rows = composeRows(s);
    assert.equal(rows.length, 5);
    assert.match(rows[0]!, /lineker› p3 +7\/7/);
    assert.match(rows[4]!, /^ +p7$/);
    assert.doesNotMatch(s, /messi │ p1/, 'nothing was sent');
    // Up moves between the lines of the draft.
    await messi.keys('Up', 'Up', 'Up', 'Up', 'Up');
    await messi.waitFor(/lineker› p1 +2\/7\n +p2\n/);
    await messi.keys('Enter');
    await messi.waitFor(/messi │ p6\n.*messi │ p7/);
  });

  it('Tab completes a username (": " at the start of a line), again for the next match', async () => {
    await messi.type('hen');
    await messi.keys('Tab');
    await messi.waitFor(/lineker› henderson: *$/m);
    await messi.type('ask li');
    await messi.keys('Tab');
    await messi.waitFor(/lineker› henderson: ask lineker *$/m);
  });

  it('Ctrl+W, Ctrl+U and Alt+K cut, Ctrl+Y yanks back', async () => {
    await messi.keys('C-w');
    await messi.waitFor(/lineker› henderson: ask *\n/);
    await messi.keys('C-u');
    await messi.waitFor(/lineker› +message lineker/);
    await messi.keys('C-y', 'C-y');
    await messi.waitFor(/lineker› henderson: ask henderson: ask *\n/);
    await messi.keys('C-a', 'M-k');
    await messi.waitFor(/lineker› +message lineker/);
    await messi.keys('C-y');
    await messi.waitFor(/lineker› henderson: ask henderson: ask *\n/);
    await messi.keys('C-a', 'M-k');
    await messi.waitFor(/lineker› +message lineker/);
  });

  it('Ctrl+C restores the title and turns the mouse off; the history file is private and has the messages', async () => {
    await messi.keys('C-c');
    assert.equal(await messi.waitForExit(), 0);
    // After the exit, tmux may still be reading what the client wrote on its way out.
    assert.equal(await formatSoon(messi, '#{mouse_sgr_flag}', '0'), '0');
    assert.doesNotMatch(await soon(() => messi.format('#{pane_title}'), (t) => !/ChatBox/.test(t)), /ChatBox/);
    const file = join(stateDir, 'chatbox', 'history');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(stateDir, 'chatbox')).mode & 0o777, 0o700);
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(text.trim().split('\n').map((l) => JSON.parse(l) as string), ['first\nsecond\nthird', 'p1\np2\np3\np4\np5\np6\np7']);
    assert.doesNotMatch(text, /surabaya/, 'no password');
  });

  it('a new run (without the mouse) walks the saved history with Up; SIGTERM also restores the title', async () => {
    const again = await chat(['--no-mouse']);
    await again.waitFor(/messi @ 127\.0\.0\.1:\d+ │ ● connected/);
    assert.equal(await again.format('#{mouse_sgr_flag}'), '0');
    await again.keys('Up');
    await again.waitFor(/› p3 +7\/7/);
    // From the first line of that entry, Up goes on to the one before.
    for (let i = 0; i < 7; i++) await again.keys('Up');
    await again.waitFor(/› first\n +second\n +third/);
    process.kill(await again.programPid(), 'SIGTERM');
    assert.equal(await again.waitForExit(), 143);
    assert.doesNotMatch(await soon(() => again.format('#{pane_title}'), (t) => !/ChatBox/.test(t)), /ChatBox/);
  });
});
