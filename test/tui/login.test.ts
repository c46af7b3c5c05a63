// The login form (ink-text-input fields) driven by keys through
// ink-testing-library's stdin, logging in to a real server on port 0. A
// login that succeeds proves the fields held exactly what was meant, so each
// test ends by signing in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { App } from '../../src/tui/components/App.js';
import { ChatSession } from '../../src/tui/session.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until, type Rendered } from './frames.js';

describe('login form', () => {
  let server: TestServer;
  const opened: Array<{ r: Rendered; session: ChatSession }> = [];
  let quits = 0;

  /** A fresh App at its login form. */
  async function form(): Promise<Rendered> {
    const session = new ChatSession({ connect: { host: server.host, port: server.port }, intervalMs: 100 });
    const r = render(h(App, { session, options: { connect: {}, intervalMs: 100, bell: false }, onQuit: () => quits++ }));
    opened.push({ r, session });
    await until(r, /› Username/);
    return r;
  }

  /** The row of one field, e.g. `› Password  •••`, without the border. */
  const row = (f: string, label: string): string => (f.split('\n').find((l) => l.includes(label)) ?? '').replace(/^[\s│]+|[\s│]+$/g, '');

  const chatAs = (user: string) => new RegExp(`${user} @ 127\\.0\\.0\\.1:\\d+ │ ● connected`);

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    for (const { r, session } of opened) {
      r.unmount();
      await session.logout();
    }
    await server?.stop();
  });

  it('edits with Backspace and Left, switches fields with Tab, Shift+Tab, Up and Down, key by key', async () => {
    const r = await form();
    // Each write is one read from the terminal, sent without waiting for the screen.
    for (const k of ['m', 'e', 's', 's', 'x', '\x7f', 'i']) r.stdin.write(k);
    await until(r, (f) => row(f, 'Username') === '› Username  messi');
    r.stdin.write('\t');
    for (const k of ['a', 'b', 'c']) r.stdin.write(k);
    await until(r, (f) => row(f, 'Password') === '› Password  •••');
    r.stdin.write('\x1b[Z'); // Shift+Tab
    await until(r, (f) => row(f, 'Username') === '› Username  messi' && row(f, 'Password') === 'Password  •••');
    r.stdin.write('\x1b[B'); // Down
    for (const k of ['\x7f', '\x7f', '\x7f']) r.stdin.write(k);
    await until(r, (f) => row(f, 'Password') === '› Password');
    // `surabya`, two to the left, the missing `a`; Ctrl+U, Alt+B and Delete must change nothing,
    // and Backspace after an emoji removes all of it.
    for (const k of ['s', 'u', 'r', 'a', 'b', 'y', 'a', '\x1b[D', '\x1b[D', 'a', '\x15', '\x1bb', '\x1b[3~', '\x1b[C', '\x1b[C', '👍', '\x7f']) r.stdin.write(k);
    await until(r, (f) => row(f, 'Password') === '› Password  ••••••••');
    r.stdin.write('\r');
    await until(r, chatAs('messi'));
  });

  it('takes keys typed ahead in one read: the username, Tab, the password and Enter', async () => {
    const r = await form();
    r.stdin.write('lineker\tsurabaya\r');
    await until(r, chatAs('lineker'));
  });

  it('says what is wrong, returns to the field at fault, and signs in once it is corrected', async () => {
    const r = await form();
    r.stdin.write('\r');
    await until(r, /Enter your username\./);
    r.stdin.write('nobody\r');
    await until(r, (f) => row(f, 'Password') === '› Password');
    r.stdin.write('surabaya\r');
    const f = await until(r, /User Tidak Ada \(no such user\)/);
    assert.equal(row(f, 'Username'), '› Username  nobody');
    r.stdin.write('\x7f'.repeat(6) + 'henderson\r');
    await until(r, (fr) => row(fr, 'Password') === '› Password  ••••••••');
    r.stdin.write('\x7f'.repeat(8));
    // A password pasted with its line break: the break does not sign in.
    r.stdin.write('\x1b[200~surabaya\n\x1b[201~');
    await until(r, (fr) => row(fr, 'Password') === '› Password  ••••••••');
    await new Promise((res) => setTimeout(res, 100));
    assert.match(r.lastFrame() ?? '', /Enter: next \/ sign in/, 'still on the form, not signing in');
    r.stdin.write('\r');
    await until(r, chatAs('henderson'));
  });

  it('a long error wraps at word boundaries inside the form', async () => {
    const session = new ChatSession({ connect: { host: '127.0.0.1', port: 1 }, intervalMs: 100 });
    const r = render(h(App, { session, options: { connect: {}, user: 'messi', intervalMs: 100, bell: false }, onQuit: () => undefined }));
    opened.push({ r, session });
    await until(r, /› Password/);
    r.stdin.write('surabaya\r');
    const f = await until(r, /is the server running\?/);
    const inside = f.split('\n').filter((l) => l.includes('│')).map((l) => l.replace(/^\s*│ /, '').replace(/ *│\s*$/, ''));
    const at = inside.findIndex((l) => l.startsWith('cannot connect'));
    assert.equal(`${inside[at]} ${inside[at + 1]}`, 'cannot connect to 127.0.0.1:1: connection refused (is the server running?)');
  });

  it('Ctrl+C quits from either field', async () => {
    const r = await form();
    const before = quits;
    r.stdin.write('\x03');
    await until(r, () => quits === before + 1);
    r.stdin.write('\t');
    await until(r, (f) => row(f, 'Password') === '› Password');
    r.stdin.write('\x03');
    await until(r, () => quits === before + 2);
  });
});
