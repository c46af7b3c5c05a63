// The config file end to end: the real `chatbox` in tmux started with
// --config naming the server, the user, a theme and rebound keys; the keys
// do what the file says, the help and the status line say so, and the
// colours on the screen are the theme's (none under NO_COLOR). A key name it
// does not know stops it with one clear line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';

/** SGR parameters on a screen captured with its attributes (capture-pane -e). */
function sgrParams(screen: string): number[] {
  // eslint-disable-next-line no-control-regex
  return [...screen.matchAll(/\x1b\[([0-9;]*)m/g)].flatMap((m) => m[1]!.split(';').filter((p) => p !== '').map(Number));
}
// tmux writes 39 and 49 (the terminal's own colours) around attribute changes: those are not colours.
const isColour = (p: number): boolean => ((p >= 30 && p <= 49) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)) && p !== 39 && p !== 49;

describe('the config file in a terminal', { skip }, () => {
  let server: TestServer;
  let dir: string;
  const sessions: TmuxSession[] = [];

  const start = async (config: unknown, env: Record<string, string | undefined> = {}): Promise<TmuxSession> => {
    const file = join(dir, `config-${sessions.length}.json`);
    writeFileSync(file, JSON.stringify(config));
    const s = await TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--config', file, '--interval', '200'],
      cols: 120,
      rows: 30,
      // Server and user come from the file alone.
      env: { CHATBOX_PASSWORD: 'surabaya', CHATBOX_USER: undefined, CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, NO_COLOR: undefined, TZ: 'UTC', ...env },
    });
    sessions.push(s);
    return s;
  };
  const attributes = (s: TmuxSession): Promise<string> => s.tmux(['capture-pane', '-p', '-e', '-t', 'main']);

  before(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'chatbox-e2e-config-'));
  });

  after(async () => {
    for (const s of sessions) await s.kill();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in to the server as the user the file names; rebound keys work and the help and status line show them', async () => {
    const s = await start({ server: `${server.host}:${server.port}`, user: 'messi', theme: 'high-contrast', keys: { help: 'f2', nextUser: ['alt+j'] } });
    let screen = await s.waitFor(/▌○ henderson/);
    assert.match(screen, new RegExp(`messi @ ${server.host.replace(/\./g, '\\.')}:${server.port} │ ● connected`));
    assert.match(screen, /│ F2 keys · \^K go to · Alt\+J\/\^P switch/);
    // Alt+J moves down the list; Ctrl+N is no longer bound, so it neither moves nor types.
    await s.keys('M-j');
    await s.waitFor(/▌○ lineker/);
    await s.keys('C-n');
    await s.keys('F1');
    await s.type('x');
    screen = await s.waitFor(/lineker› x/);
    assert.match(screen, /▌○ lineker/);
    assert.doesNotMatch(screen, /Keys and commands/);
    await s.keys('C-u');
    // F2 opens the help, which lists the new keys and not the old ones.
    await s.keys('F2');
    screen = await s.waitFor('Keys and commands · Esc or F2 closes this help');
    assert.match(screen, /F2 +show or hide help/);
    assert.match(screen, /Alt\+J \/ Ctrl\+P/);
    assert.doesNotMatch(screen, /Ctrl\+N|F1/);
    await s.keys('F2');
    await s.waitFor((x) => !x.includes('Keys and commands'));
    // The high-contrast theme: bright colours, a black status line, nothing grey or blue.
    const params = sgrParams(await attributes(s));
    assert.ok(params.includes(40), 'a black background');
    assert.ok(!params.includes(44), 'not the default theme\'s blue status line');
    assert.ok(!params.includes(90), 'nothing grey');
    await s.keys('C-c');
    assert.equal(await s.waitForExit(), 0);
  });

  it('draws no colour under NO_COLOR, the selection still inverse', async () => {
    const s = await start({ server: `${server.host}:${server.port}`, user: 'lineker' }, { NO_COLOR: '1' });
    await s.waitFor(/▌○ henderson/);
    const params = sgrParams(await attributes(s));
    assert.deepEqual(params.filter(isColour), []);
    assert.ok(params.includes(7), 'inverse kept');
    await s.keys('C-c');
    assert.equal(await s.waitForExit(), 0);
  });

  it('a key name it does not know stops it before the screen opens, with one line naming the file and the setting, status 2', async () => {
    const file = join(dir, 'unknown-key.json');
    writeFileSync(file, JSON.stringify({ server: `${server.host}:${server.port}`, user: 'messi', keys: { help: 'f13', nextUser: 'alt+j' } }));
    // tmux 3.3 clears a pane once its program is dead: the shell stays to keep the line on the screen.
    const s = await TmuxSession.start({
      command: ['sh', '-c', '"$@"; echo "exit status $?"; sleep 60', 'sh', process.execPath, CHATBOX_BIN, '--config', file],
      cols: 120,
      rows: 10,
      env: { CHATBOX_PASSWORD: 'surabaya', CHATBOX_USER: undefined, CHATBOX_HOST: undefined, CHATBOX_PORT: undefined },
    });
    sessions.push(s);
    const screen = await s.waitFor('exit status');
    assert.deepEqual(screen.split('\n').filter((l) => l.trim() !== ''), [`chatbox: ${file}: keys.help: unknown key name "f13"`, 'exit status 2']);
    assert.equal(await s.format('#{alternate_on}'), '0');
  });
});
