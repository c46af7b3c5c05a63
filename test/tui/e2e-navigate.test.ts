// Finding people in a long list, end to end: a real server with 300 more
// accounts, the real `chatbox` in tmux, keys typed and the screen read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { CHATBOX_BIN, startServer, type TestServer } from '../helpers/server.js';
import { POLICY, profile } from '../helpers/stores.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';

const skip = (await haveTmux()) ? false : 'tmux is not installed';
const names = Array.from({ length: 300 }, (_, i) => `user${String(i + 1).padStart(3, '0')}`);

/** The name on the selected row of the users pane. */
function selectedUser(screen: string): string | undefined {
  return /▌[●○] (\S+)/.exec(screen)?.[1];
}

describe('a long users list in a terminal', { skip }, () => {
  let server: TestServer;
  let messi: TmuxSession;
  const sessions: TmuxSession[] = [];

  const chat = () =>
    TmuxSession.start({
      command: [process.execPath, CHATBOX_BIN, '--host', server.host, '--port', String(server.port), '--interval', '200'],
      cols: 100,
      rows: 30,
      env: { CHATBOX_USER: 'messi', CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined, TZ: 'UTC' },
    }).then((s) => {
      sessions.push(s);
      return s;
    });

  /** Presses a key `n` times, in batches, then waits for the screen to settle on the selected user. */
  async function press(key: string, n: number): Promise<void> {
    for (let done = 0; done < n; done += 50) await messi.keys(...Array<string>(Math.min(50, n - done)).fill(key));
  }

  before(async () => {
    server = await startServer();
    // Accounts nobody logs in to: added straight to the server's database.
    const store = SqliteStore.open(server.dbPath, POLICY);
    try {
      for (const n of names) assert.equal(await store.addUser({ ...profile(n), passwordHash: 'unused' }), true);
    } finally {
      await store.close();
    }
  });

  after(async () => {
    for (const s of sessions) await s.kill();
    await server?.stop();
  });

  it('Ctrl+P walks from the last user back to the first, one press per user, the list keeping still', async () => {
    messi = await chat();
    await messi.waitFor(/302 users/);
    assert.equal(selectedUser(await messi.waitFor(/▌○ henderson/)), 'henderson');
    await messi.keys('C-p');
    await messi.waitFor(/▌○ user300/);
    // 301 users lie between the last and the first (lineker and user001..user299).
    await press('C-p', 100);
    await messi.waitFor(/▌○ user200/);
    await press('C-p', 201);
    const s = await messi.waitFor(/▌○ henderson/);
    assert.match(s, /▌○ henderson.*\n.○ lineker.*\n.○ user001/, 'the top of the list is as it was');
    // Ctrl+N goes on down the list, not back to users already opened.
    await press('C-n', 3);
    await messi.waitFor(/▌○ user002/);
  });

  it('Ctrl+K finds a user by part of the name or full name; Enter opens someone who never wrote; Esc closes', async () => {
    await messi.keys('C-k');
    await messi.waitFor(/Go to ›.*\n.*302 matches/);
    await messi.type('jordan');
    const s = await messi.waitFor(/1 match ·/);
    assert.match(s, /▌○ henderson +Jordan Henderson · Inggris/);
    await messi.keys('Escape');
    await messi.waitFor((x) => !x.includes('Go to ›') && /▌○ user002/.test(x));
    // "er25" is inside user250..user259, which come first; then the scattered matches (user025, user125, …).
    await messi.keys('C-k');
    await messi.type('er25');
    const found = await messi.waitFor(/21 matches/);
    const listed = [...found.matchAll(/[●○] (user\d+)/g)].map((m) => m[1]);
    assert.deepEqual(listed.slice(0, 11), [...names.slice(249, 259), 'user025']);
    await messi.keys('Down', 'Down');
    await messi.waitFor(/▌○ user252/);
    await messi.keys('Enter');
    const opened = await messi.waitFor((x) => !x.includes('Go to ›') && /▌○ user252/.test(x));
    assert.match(opened, /│ user252 +Nama user252 · Negara user252/);
    assert.match(opened, /user252› /);
  });

  it('Alt+End / Alt+Home go to the last / first user, Alt+PgDn / Alt+PgUp a pane at a time; wide terminals show full names', async () => {
    await messi.keys('M-End');
    let s = await messi.waitFor(/▌○ user300/);
    assert.match(s, /users↑ /, 'the pane says there is more above');
    await messi.keys('M-Home');
    await messi.waitFor(/▌○ henderson/);
    // 25 rows of names at 100×30: a page down lands on the 26th user (user024) at the pane's foot.
    await messi.keys('M-PPage');
    await messi.waitFor(/▌○ henderson/);
    await messi.keys('M-NPage');
    s = await messi.waitFor(/▌○ user024/);
    await messi.keys('C-PPage');
    await messi.waitFor(/▌○ henderson/);
    await messi.resize(150, 30);
    s = await messi.waitFor(/▌○ henderson +Jordan Henderson +│/);
    assert.match(s, /○ lineker +Gary Lineker +│/);
    await messi.resize(100, 30);
  });
});
