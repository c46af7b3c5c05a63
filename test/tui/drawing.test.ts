// What a message row draws, with ink-testing-library: every grapheme cluster
// of the text, combining marks on their letters, wrapped or not.
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

// Decomposed text (NFD): a base letter followed by its combining marks.
const CAFE = 'Cafe\u0301';
const VIET = 'Tie\u0302\u0301ng Vie\u0323\u0302t';
const MARKS: Array<[string, string]> = [
  ['a mark at the end of the text', CAFE],
  ['two marks on one letter, twice', VIET],
  ['marks between ASCII words', `ok ${VIET} ok ${CAFE} ok`],
  ['marks next to emoji and CJK', `👍 ${CAFE} 你好 ${VIET}`],
  ['a mark on a space', 'a \u0301b'],
];

for (const [name, text] of MARKS) {
  test(`a message row draws every combining mark: ${name}`, () => {
    const r = render(h(ChatView, { state: withMessages(100, 20, [text]) }));
    const frame = plain(r.lastFrame());
    const row = frame.split('\n').find((l) => l.includes('henderson │ '));
    assert.ok(row, frame);
    assert.equal(row.slice(row.indexOf('henderson │ ') + 12).trimEnd().normalize('NFC'), text.normalize('NFC'));
    r.unmount();
  });
}

test('a combining mark with nothing before it is drawn on ◌', () => {
  const r = render(h(ChatView, { state: withMessages(100, 20, ['\u0301 after']) }));
  assert.match(plain(r.lastFrame()), /henderson │ ◌\u0301 after/);
  r.unmount();
});

test('marks stay on their letters where a long message wraps', () => {
  // Mostly ASCII, so each row is drawn in a few runs rather than as one Text.
  const text = Array.from({ length: 6 }, (_, i) => `we met at the ${CAFE} ${i} near ${VIET}`).join(' ');
  const r = render(h(ChatView, { state: withMessages(60, 20, [text]) }));
  const lines = plain(r.lastFrame()).split('\n');
  const rows = lines
    .slice(0, lines.findIndex((l) => l.startsWith('─')))
    .filter((l) => / │ \S/.test(l) && !/─|online/.test(l))
    .map((l) => l.slice(l.lastIndexOf('│ ') + 2).trimEnd());
  assert.ok(rows.length > 1, 'the message wraps');
  assert.equal(rows.join(' ').normalize('NFC'), text.normalize('NFC'));
  r.unmount();
});
