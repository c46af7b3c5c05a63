// When the full-screen chat fails unexpectedly (an exception outside React,
// a rejected promise nobody handles, a component throwing while it renders)
// the person gets their terminal back: main screen, cursor shown, keyboard
// cooked again, and one line (on stderr); status 70; the details in the log.
// The failures are made by test/tui/crash-app.ts around the real runChat.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { TmuxSession, haveTmux } from '../helpers/tmux.js';

const CRASH_APP = fileURLToPath(new URL('./crash-app.js', import.meta.url));
const skip = (await haveTmux()) ? false : 'tmux is not installed';

async function untilFile(path: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.endsWith('\n') || /^\d+$/.test(text)) return text;
    }
    if (Date.now() > deadline) throw new Error(`${path} was not written within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the chat after an unexpected error', { skip }, () => {
  let server: TestServer;
  let dir: string;
  const terminals: TmuxSession[] = [];

  before(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'chatbox-crash-'));
  });

  after(async () => {
    for (const t of terminals) await t.kill();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs crash-app in a terminal; the shell around it records what the program left behind, then waits. */
  async function run(how: string, trigger: (pid: number, t: TmuxSession) => Promise<void>) {
    const f = (name: string) => join(dir, `${how}.${name}`);
    const t = await TmuxSession.start({
      command: [
        'sh', '-c', 'node "$0" "$@"; echo $? >"$STATUS"; stty -a >"$STTY"; sleep 60',
        CRASH_APP, how, '--host', server.host, '--port', String(server.port), '--interval', '200',
      ],
      cols: 160,
      rows: 30,
      env: {
        STATUS: f('status'), STTY: f('stty'), CRASH_APP_PID_FILE: f('pid'), CHATBOX_LOG: f('log'),
        CHATBOX_USER: 'messi', CHATBOX_PASSWORD: 'surabaya', CHATBOX_HOST: undefined, CHATBOX_PORT: undefined,
      },
    });
    terminals.push(t);
    await trigger(Number(await untilFile(f('pid'))), t);
    const status = Number((await untilFile(f('status'))).trim());
    await untilFile(f('stty'));
    return {
      status,
      stty: readFileSync(f('stty'), 'utf8'),
      log: readFileSync(f('log'), 'utf8'),
      logPath: f('log'),
      alternate: await t.format('#{alternate_on}'),
      cursor: await t.format('#{cursor_flag}'),
      screen: await t.capture(),
    };
  }

  const cases: Array<[string, string, (pid: number, t: TmuxSession) => Promise<void>]> = [
    ['uncaught', 'boom from a signal handler', async (pid, t) => {
      await t.waitFor(/messi @ 127\.0\.0\.1:\d+ │ ● connected/);
      process.kill(pid, 'SIGUSR2');
    }],
    ['rejection', 'boom from a promise', async (pid, t) => {
      await t.waitFor(/messi @ 127\.0\.0\.1:\d+ │ ● connected/);
      process.kill(pid, 'SIGUSR2');
    }],
    // Throws as the chat screen first draws, right after the login.
    ['render', 'boom while rendering', async () => undefined],
  ];

  for (const [how, message, trigger] of cases) {
    it(`${how}: main screen, cursor and keyboard restored, one line, status 70, details in the log`, async () => {
      const r = await run(how, trigger);
      assert.equal(r.status, 70);
      // Left on the main screen, which the chat found empty: that one line and nothing else.
      const lines = r.screen.split('\n').filter((l) => l.trim() !== '');
      assert.deepEqual(lines, [`chatbox: unexpected error: ${message} (details in ${r.logPath})`]);
      assert.equal(r.alternate, '0', 'back on the main screen');
      assert.equal(r.cursor, '1', 'cursor visible');
      assert.match(r.stty, /(^|\s)icanon(\s|$)/, 'line editing back on');
      assert.match(r.stty, /(^|\s)echo(\s|$)/, 'echo back on');
      // The stack goes to the log, not to the terminal.
      assert.match(r.log, new RegExp(`${message}\\n +at `));
    });
  }
});
