// The login form and the chat screen driven by keys (ink-testing-library's
// stdin), with a real ChatSession talking to a real server on port 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { ChatClient } from '../../src/client.js';
import { App } from '../../src/tui/components/App.js';
import { ChatSession } from '../../src/tui/session.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { plain, until, type Rendered } from './frames.js';

/** The compose line (second to last row). */
const composeLine = (f: string): string => f.split('\n').at(-2) ?? '';

describe('login form and chat screen', () => {
  let server: TestServer;
  let session: ChatSession;
  let r: Rendered;
  let quits = 0;

  before(async () => {
    server = await startServer();
    session = new ChatSession({ connect: { host: server.host, port: server.port }, intervalMs: 100 });
    r = render(h(App, { session, options: { connect: {}, intervalMs: 100, bell: false }, onQuit: () => quits++ }));
  });

  after(async () => {
    r?.unmount();
    await session?.logout();
    await server?.stop();
  });

  it('asks for the username, then the masked password, shows the server error, and lets the person retry', async () => {
    await until(r, /Username/);
    r.stdin.write('messi');
    r.stdin.write('\r');
    r.stdin.write('wrong');
    let f = await until(r, /› Password  •••••/);
    assert.doesNotMatch(f, /wrong/);
    r.stdin.write('\r');
    f = await until(r, /Password Salah \(wrong password\)/);
    r.stdin.write('surabaya\r');
    // The first user is selected as soon as the first poll brings the list.
    f = await until(r, /▌○ henderson/);
    assert.match(f, /messi @ 127\.0\.0\.1:\d+ │ ● connected/);
  });

  it('keeps a draft per conversation; Ctrl+N/Ctrl+P do not type into it', async () => {
    r.stdin.write('for henderson');
    await until(r, (f) => /henderson› for henderson/.test(composeLine(f)));
    r.stdin.write('\x0e'); // Ctrl+N
    let f = await until(r, /▌○ lineker/);
    assert.match(composeLine(f), /lineker› +message lineker/);
    r.stdin.write('\x10'); // Ctrl+P
    f = await until(r, /▌○ henderson/);
    assert.match(composeLine(f), /henderson› for henderson $|henderson› for henderson$/);
  });

  it('? is typed, even on an empty line; F1 and /help open the help, Esc and F1 close it', async () => {
    r.stdin.write('?');
    await until(r, (f) => composeLine(f).includes('for henderson?'));
    r.stdin.write('\x15'); // Ctrl+U: clear the line
    await until(r, (f) => /message henderson/.test(composeLine(f)));
    r.stdin.write('?');
    await until(r, (f) => /henderson› \?/.test(composeLine(f)));
    assert.doesNotMatch(r.lastFrame() ?? '', /Editing the message/);
    r.stdin.write('\x15/help\r');
    await until(r, /Editing the message/);
    r.stdin.write('\x1b');
    await until(r, (f) => !f.includes('Editing the message') && /message henderson/.test(composeLine(f)));
    r.stdin.write('\x1bOP'); // F1
    await until(r, /Editing the message/);
    r.stdin.write('\x1bOP');
    await until(r, (f) => !f.includes('Editing the message'));
  });

  it('Enter sends: the message shows as ours and reaches the other user; Up recalls it', async () => {
    r.stdin.write('hai henderson 👋\r');
    await until(r, /messi │ hai henderson 👋/);
    const c = await ChatClient.connect({ host: server.host, port: server.port });
    const token = await c.auth('henderson', 'surabaya');
    const inbox = await c.inbox(token);
    assert.equal(inbox['messi']?.[0]?.msg, 'hai henderson 👋');
    // And a reply comes back through the poll.
    await c.send(token, 'messi', 'baik, terima kasih');
    await until(r, /henderson │ baik, terima kasih/);
    c.close();
    r.stdin.write('\x1b[A'); // Up
    await until(r, (f) => composeLine(f).includes('hai henderson 👋'));
    r.stdin.write('\x1b[B'); // Down: back to the (empty) draft
    await until(r, (f) => /message henderson/.test(composeLine(f)));
  });

  it('Alt+A opens the conversation with unread messages; a message over the limit is refused before sending', async () => {
    const c = await ChatClient.connect({ host: server.host, port: server.port });
    const token = await c.auth('lineker', 'surabaya');
    await c.send(token, 'messi', 'ping');
    c.close();
    await until(r, /lineker +1/);
    r.stdin.write('\x1ba'); // Alt+A
    await until(r, /lineker │ ping/);
    r.stdin.write('x'.repeat(4001) + '\r');
    await until(r, /Message too long: 4001 characters, at most 4000/);
  });

  it('a multi-line paste goes into the draft with its line breaks, one row each, instead of sending each line', async () => {
    r.stdin.write('\x15'); // Ctrl+U: start from an empty line
    r.stdin.write('\x1b[200~first line\nsecond line\r\nthird\x1b[201~');
    const f = await until(r, (fr) => /lineker› first line\n +second line\n +third *\n/.test(fr));
    assert.doesNotMatch(f, /│ first line/, 'nothing was sent');
  });

  it('Ctrl+C asks to quit', async () => {
    r.stdin.write('\x03');
    await until(r, /logging out…/);
    assert.equal(quits, 1);
  });
});

describe('a long conversation', () => {
  let server: TestServer;
  let session: ChatSession;
  let r: Rendered;

  before(async () => {
    server = await startServer();
    // 250 messages sent by messi from elsewhere: only history knows them.
    const c = await ChatClient.connect({ host: server.host, port: server.port });
    const token = await c.auth('messi', 'surabaya');
    await Promise.all(Array.from({ length: 250 }, (_, i) => c.send(token, 'henderson', `number ${i + 1}`)));
    await c.logout(token);
    c.close();
    session = new ChatSession({ connect: { host: server.host, port: server.port }, intervalMs: 100 });
    r = render(
      h(App, { session, options: { connect: {}, user: 'messi', password: 'surabaya', intervalMs: 100, bell: false }, onQuit: () => undefined }),
    );
  });

  after(async () => {
    r?.unmount();
    await session?.logout();
    await server?.stop();
  });

  it('opens with the newest messages, and PgUp loads older pages until the first message', async () => {
    let f = await until(r, /messi │ number 250\n/);
    assert.doesNotMatch(f, /number 150\n/);
    for (let i = 0; i < 80 && !/│ number 1\n/.test(f); i++) {
      r.stdin.write('\x1b[5~');
      await new Promise((res) => setTimeout(res, 40));
      f = plain(r.lastFrame());
    }
    assert.match(f, /│ number 1\n/);
    assert.match(f, /scrolled back · End for newest/);
    r.stdin.write('\x1b[F'); // End
    f = await until(r, /messi │ number 250\n/);
    assert.doesNotMatch(f, /scrolled back/);
  });
});
