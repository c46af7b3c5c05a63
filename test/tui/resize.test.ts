// The conversation pane after the terminal is resized, with ink-testing-library:
// its one-column margin (and the border when the users pane shows) must be
// where they belong whatever sizes the terminal went through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import type { Message } from '../../src/protocol.js';
import { ChatView } from '../../src/tui/components/ChatView.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';
import { plain } from './frames.js';

const T0 = Date.parse('2026-11-26T05:40:00.000Z');
const msg = (id: number, sender: string, text: string): Message => ({
  id,
  sender,
  recipient: sender === 'messi' ? 'henderson' : 'messi',
  msg: text,
  msg_from: sender,
  msg_to: 'x',
  ts: new Date(T0 + id * 60_000).toISOString(),
});

const people: Action = {
  type: 'poll',
  online: [
    { username: 'henderson', userdetail: { nama: 'Jordan Henderson', negara: 'Inggris' } },
    { username: 'lineker', userdetail: { nama: 'Gary Lineker', negara: 'Inggris' } },
  ],
};

const withMessages = (cols: number, rows: number, texts: string[]): ChatState =>
  [people, { type: 'history/loaded', peer: 'henderson', messages: texts.map((t, i) => msg(i + 1, i % 2 ? 'messi' : 'henderson', t)), complete: true } as Action].reduce(
    reduce,
    initialState('messi', '127.0.0.1:8889', cols, rows),
  );

/** The column of the first message's text: the pane's left edge (and border), one cell of margin, the time. */
function marginOf(frame: string, cols: number): { border: number; time: number } {
  const lines = frame.split('\n');
  const row = lines.find((l) => /\d\d:\d\d .* │ line 1$/.test(l.trimEnd()));
  assert.ok(row, frame);
  const time = row.search(/\d\d:\d\d/);
  // With the users pane the border sits at its width; without it there is none.
  const border = cols >= 58 ? row.lastIndexOf('│', time) : -1;
  return { border, time };
}

test('the conversation keeps its one-column margin through resizes', () => {
  let s = withMessages(50, 20, ['line 1']);
  const r = render(h(ChatView, { state: s }));
  assert.deepEqual(marginOf(plain(r.lastFrame()), 50), { border: -1, time: 1 });
  for (const [cols, usersWidth] of [[120, 24], [50, 0], [80, 20], [120, 24], [57, 0], [60, 16]] as const) {
    s = reduce(s, { type: 'resize', cols, rows: 20 });
    r.rerender(h(ChatView, { state: s }));
    const want = usersWidth > 0 ? { border: usersWidth, time: usersWidth + 2 } : { border: -1, time: 1 };
    assert.deepEqual(marginOf(plain(r.lastFrame()), cols), want, `at ${cols} columns:\n${plain(r.lastFrame())}`);
  }
  r.unmount();
});

test('the margin is back after the help was open across a resize', () => {
  let s = withMessages(80, 20, ['line 1']);
  const r = render(h(ChatView, { state: s }));
  const step = (a: Action) => {
    s = reduce(s, a);
    r.rerender(h(ChatView, { state: s }));
  };
  step({ type: 'help', open: true });
  step({ type: 'resize', cols: 50, rows: 20 });
  step({ type: 'help', open: false });
  assert.deepEqual(marginOf(plain(r.lastFrame()), 50), { border: -1, time: 1 });
  step({ type: 'resize', cols: 80, rows: 20 });
  assert.deepEqual(marginOf(plain(r.lastFrame()), 80), { border: 20, time: 22 });
  r.unmount();
});
