// The full-screen client end to end: a real server on port 0 and two real
// `chatbox` processes in tmux terminals, driven with keys and read from the
// screen, as a person would use them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHATBOX_BIN, onlineNames, RawClient, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';
import { formatSoon, soon } from './tmux-wait.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

describe('full-screen chat in a terminal', { skip }, () => {
  let server: TestServer;
  let messi: TmuxSession;
  let henderson: TmuxSession;
  const sessions: TmuxSession[] = [];

  const chat = (env: Record<string, string> = {}) =>
    TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200'],
      cols: 120,
      rows: 40,
      env: { CHATBOX_USER: undefined, CHATBOX_PASSWORD: undefined, CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC', ...env },
    }).then((s) => {
      sessions.push(s);
      return s;
    });

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    for (const s of sessions) await s.kill();
    await server?.stop();
  });

  it('logs in through the form (Backspace, Tab), showing the server error and allowing a retry', async () => {
    messi = await chat();
    await messi.waitFor('Username');
    await messi.type('messx');
    await messi.keys('BSpace');
    await messi.type('i');
    await messi.keys('Tab');
    await messi.type('wrong');
    await messi.waitFor(/› Password {2}•••••/);
    await messi.keys('Enter');
    await messi.waitFor('Password Salah');
    assert.match(await messi.capture(), / {3}Username {2}messi +│/);
    await messi.type('surabaya');
    await messi.keys('Enter');
    await messi.waitFor(/messi @ 127\.0\.0\.1:\d+ │ ● connected/);
    assert.equal(await formatSoon(messi, '#{alternate_on}', '1'), '1', 'runs on the alternate screen');
  });

  it('logs in without the form with CHATBOX_PASSWORD, and both see each other online', async () => {
    henderson = await chat({ CHATBOX_USER: 'henderson', CHATBOX_PASSWORD: 'surabaya' });
    await henderson.waitFor(/▌● messi/);
    // A loaded machine may draw the status line a frame after the users pane.
    await henderson.waitFor(/henderson @ 127\.0\.0\.1/);
    // messi's first user is selected: henderson, online, at the top.
    const ms = await messi.waitFor(/▌● henderson/);
    assert.match(ms, /│ henderson {2}Jordan Henderson · Inggris {2}● online/);
    assert.match(ms, /○ lineker/);
  });

  it('switches users with Ctrl+N and Ctrl+P', async () => {
    await messi.keys('C-n');
    let s = await messi.waitFor(/▌○ lineker/);
    assert.match(s, /lineker› /);
    await messi.keys('C-p');
    s = await messi.waitFor(/▌● henderson/);
    assert.match(s, /henderson› /);
  });

  it('sends a message that shows on both screens', async () => {
    await messi.type('hai henderson, apa kabar? 👋 你好');
    await messi.keys('Enter');
    await messi.waitFor(/\d\d:\d\d +messi │ hai henderson, apa kabar\? 👋 你好/);
    const hs = await henderson.waitFor(/\d\d:\d\d +messi │ hai henderson, apa kabar\? 👋 你好/);
    assert.match(hs, /messi› /);
    // The compose box is empty again on messi's side.
    assert.match(await messi.capture(), /henderson› +message henderson/);
  });

  it('shows a hostile message as inert visible text: title, clipboard and screen intact', async () => {
    const titleBefore = await henderson.format('#{pane_title}');
    const raw = await RawClient.connect(server.port, server.host);
    const auth = await raw.ask('auth lineker surabaya');
    const evil = 'x\x1b]0;pwned\x07 \x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1b[H\x1b[10Bmoved \x9b2J \u202Eevil\u202C \u2066iso\u2069 \rcr \b\bbs \x07bell';
    const reply = await raw.ask(`send ${String(auth['tokenid'])} henderson ${evil}`);
    raw.close();
    assert.equal(reply['status'], 'OK');
    // Another conversation: an unread count appears; Alt+A opens it.
    await henderson.waitFor(/● lineker +1 │|○ lineker +1 │/);
    await henderson.keys('M-a');
    const s = await henderson.waitFor('␛]0;pwned␇');
    // Wrapped over two rows, every control character visible.
    assert.match(s, /lineker │ x␛\]0;pwned␇ ␛\]52;c;cHduZWQ=␇ ␛\[2J␛\[H␛\[10Bmoved ␛\[2J <RLO>evil<PDF>\n +│ +│ <LRI>iso<PDI> ␍cr ␈␈bs ␇bell\n/);
    assert.equal(await henderson.format('#{pane_title}'), titleBefore);
    assert.equal(await henderson.tmux(['list-buffers']), '', 'no OSC 52 clipboard write reached tmux');
    // The rest of the screen is where it was.
    assert.match(s, /henderson @ 127\.0\.0\.1:\d+ │ ● connected/);
    assert.match(s.split('\n')[0]!, /^ \d+ online · \d+ users +[↑↓ ]* │ lineker/);
    assert.equal(s.split('\n').length, 41, 'nothing scrolled or added rows');
  });

  it('those checks can fail: title, clipboard and alternate screen do change for a program that writes them', async () => {
    // tmux reads a program's output in its own time (later still on a loaded machine): each value is waited for.
    const control = await TmuxSession.start({ command: ['sh', '-c', "printf '\\033]0;pwned\\007\\033]52;c;cHduZWQ=\\007'; sleep 60"], cols: 40, rows: 5 });
    sessions.push(control);
    assert.equal(await formatSoon(control, '#{pane_title}', 'pwned'), 'pwned');
    assert.match(await soon(() => control.tmux(['list-buffers']), (b) => /pwned/.test(b)), /pwned/);
    // And a program that enters the alternate screen and exits without leaving it leaves it on.
    const careless = await TmuxSession.start({ command: ['sh', '-c', "printf '\\033[?1049h'"], cols: 40, rows: 5 });
    sessions.push(careless);
    assert.equal(await careless.waitForExit(), 0);
    // Its exit status can be written before tmux has read what it printed.
    assert.equal(await formatSoon(careless, '#{alternate_on}', '1'), '1');
  });

  it('Ctrl+C logs out, leaves the alternate screen and exits with status 0', async () => {
    assert.ok((await onlineNames(server)).includes('messi'));
    await messi.keys('C-c');
    assert.equal(await messi.waitForExit(), 0);
    assert.equal(await formatSoon(messi, '#{alternate_on}', '0'), '0');
    assert.doesNotMatch(await messi.capture(), /connected/);
    assert.ok(!(await onlineNames(server)).includes('messi'), 'messi is no longer online');
    await henderson.waitFor(/○ messi/);
  });

  it('SIGTERM also restores the terminal and logs out', async () => {
    process.kill(await henderson.programPid(), 'SIGTERM');
    assert.equal(await henderson.waitForExit(), 143);
    assert.equal(await formatSoon(henderson, '#{alternate_on}', '0'), '0');
    assert.ok(!(await onlineNames(server)).includes('henderson'));
  });
});
