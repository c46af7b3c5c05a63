// Themes drawn with ink-testing-library: every component takes its colours
// from the theme in use, and NO_COLOR leaves no colour at all, only bold and
// inverse (the selection still shows).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import type { Message } from '../../src/protocol.js';
import { ChatView } from '../../src/tui/components/ChatView.js';
import { Login } from '../../src/tui/components/Login.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';
import { ThemeContext } from '../../src/tui/theme-context.js';
import { DEFAULT_THEME, THEMES, noColourWanted, withoutColour, type Theme } from '../../src/tui/theme.js';

// The test runner's stdout is not a terminal, so chalk would draw no colour under any theme; this test is about colour.
chalk.level = 1;

// SGR parameters that set a colour: 30-39 and 90-97 (text), 40-49 and 100-107 (background).
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[([0-9;]*)m/g;
function sgrParams(frame: string): number[] {
  return [...frame.matchAll(SGR)].flatMap((m) => m[1]!.split(';').filter((p) => p !== '').map(Number));
}
const isColour = (p: number): boolean => (p >= 30 && p <= 49) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107);

const T0 = Date.parse('2026-11-26T05:40:00.000Z');
const msg = (id: number, sender: string, text: string): Message => ({ id, sender, recipient: sender === 'messi' ? 'henderson' : 'messi', msg: text, msg_from: sender, msg_to: 'x', ts: new Date(T0 + id * 60_000).toISOString() });

/** A screen that uses every role: presence, unread, own and other names, a failed and a queued message, a notice. */
function busyState(): ChatState {
  const actions: Action[] = [
    { type: 'poll', online: [{ username: 'henderson', userdetail: { nama: 'Jordan Henderson', negara: 'Inggris' } }, { username: 'lineker', userdetail: { nama: 'Gary Lineker', negara: 'Inggris' } }] },
    { type: 'history/loaded', peer: 'henderson', messages: [msg(1, 'henderson', 'hai'), msg(2, 'messi', 'halo')], complete: true },
    { type: 'poll', inbox: { lineker: [msg(3, 'lineker', 'one')] } },
    { type: 'send/start', peer: 'henderson', key: 'l1', text: 'will fail', ts: T0 + 5 * 60_000, queued: false },
    { type: 'send/status', peer: 'henderson', key: 'l1', status: 'failed', error: 'User Tidak Ditemukan' },
    { type: 'send/start', peer: 'henderson', key: 'l2', text: 'later', ts: T0 + 6 * 60_000, queued: true },
    { type: 'conn', conn: { kind: 'reconnecting', attempt: 2, reason: 'connection refused' } },
  ];
  return actions.reduce(reduce, initialState('messi', '127.0.0.1:8889', 110, 24));
}

function drawChat(theme: Theme, state: ChatState = busyState()): string {
  const r = render(h(ThemeContext.Provider, { value: theme }, h(ChatView, { state })));
  const frame = r.lastFrame() ?? '';
  r.unmount();
  return frame;
}

function drawLogin(theme: Theme): string {
  const r = render(h(ThemeContext.Provider, { value: theme }, h(Login, { server: '127.0.0.1:8889', onSubmit: async () => 'Password Salah', onQuit: () => undefined })));
  const frame = r.lastFrame() ?? '';
  r.unmount();
  return frame;
}

test('the default theme draws in colour (so the NO_COLOR checks below can fail)', () => {
  assert.ok(sgrParams(drawChat(DEFAULT_THEME)).some(isColour));
  assert.ok(sgrParams(drawLogin(DEFAULT_THEME)).some(isColour));
});

test('with NO_COLOR the chat screen and the login form have no colour codes, and the selection stays inverse', () => {
  const plainTheme = withoutColour(DEFAULT_THEME);
  const chat = drawChat(plainTheme);
  const colours = sgrParams(chat).filter(isColour);
  assert.deepEqual(colours, [], 'no SGR colour parameter');
  assert.ok(sgrParams(chat).includes(7), 'inverse (the selected user, the status line) is kept');
  assert.ok(sgrParams(chat).includes(1), 'bold is kept');
  assert.match(chat.replace(SGR, ''), /▌● henderson/);
  assert.deepEqual(sgrParams(drawLogin(plainTheme)).filter(isColour), []);
  // Every theme becomes colourless the same way.
  for (const t of THEMES.values()) assert.deepEqual(sgrParams(drawChat(withoutColour(t))).filter(isColour), [], t.name);
});

test('NO_COLOR counts when set to anything but the empty string', () => {
  assert.equal(noColourWanted({ NO_COLOR: '1' }), true);
  assert.equal(noColourWanted({ NO_COLOR: '0' }), true, 'any value, as no-color.org says');
  assert.equal(noColourWanted({ NO_COLOR: '' }), false);
  assert.equal(noColourWanted({}), false);
});

test('the high-contrast theme draws with the bright 16 colours only, nothing grey', () => {
  const params = sgrParams(drawChat(THEMES.get('high-contrast')!)).filter(isColour);
  assert.ok(params.length > 0);
  // Foregrounds are bright (90-97) or the reset (39); backgrounds black (40) or the reset (49).
  for (const p of params) assert.ok((p >= 90 && p <= 97) || p === 39 || p === 40 || p === 49, `SGR ${p}`);
  assert.ok(!params.includes(90), 'no grey (bright black)');
});

test('a theme is one table: two themes draw the same text in different colours', () => {
  const a = drawChat(DEFAULT_THEME);
  const b = drawChat(THEMES.get('high-contrast')!);
  assert.equal(a.replace(SGR, ''), b.replace(SGR, ''));
  assert.notEqual(a, b);
});
