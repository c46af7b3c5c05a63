// The help overlay at the sizes people use: every binding shown whole (no
// line cut short), in one column, two columns, or scrolled on a tiny
// terminal, where scrolling reaches every line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { Help } from '../../src/tui/components/Help.js';
import { chatHelpLayout } from '../../src/tui/help-layout.js';
import { CHAT_BINDINGS, EDIT_BINDINGS, keyLabel } from '../../src/tui/keys.js';
import { computeLayout } from '../../src/tui/layout.js';
import { initialState, reduce } from '../../src/tui/state.js';
import { textWidth } from '../../src/tui/wrap.js';
import { plain } from './frames.js';

const ALL = [...CHAT_BINDINGS, ...EDIT_BINDINGS];

/** The help as the chat screen draws it on a terminal of cols × rows. */
function draw(cols: number, rows: number, top = 0): string[] {
  const layout = computeLayout(cols, rows);
  const r = render(h(Help, { width: layout.cols, height: layout.mainHeight, top }));
  const lines = plain(r.lastFrame()).split('\n');
  r.unmount();
  assert.ok(lines.length <= layout.mainHeight, `${lines.length} lines in ${layout.mainHeight} rows`);
  for (const l of lines) assert.ok(textWidth(l) <= cols, `wider than ${cols}: ${l}`);
  return lines;
}

/** The line that describes binding `b`: one with its first key and its text (its pair's, when it has one). */
function lineOf(lines: string[], b: (typeof ALL)[number]): string | undefined {
  const key = keyLabel(b.keys[0]!).replace(/[+?]/g, '\\$&');
  const text = b.pair ?? b.help;
  return lines.find((l) => new RegExp(`(^|\\s)${key}(,|\\s|$)`).test(l) && new RegExp(`\\S  +${text.replace(/[+?()]/g, '\\$&')}(\\s|$)`).test(l));
}

for (const [cols, rows, form] of [[80, 24, 'two columns'], [100, 30, 'two columns'], [60, 40, 'one column'], [120, 40, 'one column'], [200, 50, 'one column']] as const) {
  test(`help at ${cols}×${rows} (${form}): every binding, none cut short`, () => {
    const lines = draw(cols, rows);
    const frame = lines.join('\n');
    assert.doesNotMatch(frame, /…/, 'nothing truncated');
    for (const b of ALL) assert.ok(lineOf(lines, b), `${keyLabel(b.keys[0]!)}: ${b.help}\n${frame}`);
    const twoColumns = lines.some((l) => /^ Finding people +(The conversation|Editing the message)/.test(l));
    assert.equal(twoColumns, form.startsWith('two columns'), frame);
  });
}

test('help with room for one column lists every key of every binding', () => {
  const frame = draw(120, 40).join('\n');
  for (const b of ALL) for (const k of b.keys) assert.ok(frame.includes(keyLabel(k)), keyLabel(k));
});

test('help on a tiny terminal scrolls (Up/Down/PgUp/PgDn) to every binding, and no further', () => {
  let s = reduce(initialState('messi', 'x', 40, 12), { type: 'help', open: true });
  const seen = new Set<string>();
  let lines = draw(40, 12, s.helpTop);
  assert.match(lines.join('\n'), /↓ \d+ more · PgDn/);
  for (let i = 0; i < 50; i++) {
    for (const l of lines) seen.add(l);
    const next = reduce(s, { type: 'helpScroll', delta: 1 });
    if (next === s) break;
    s = next;
    lines = draw(40, 12, s.helpTop);
    assert.match(lines.join('\n'), /↑ \d+ more · PgUp/);
  }
  assert.equal(s.helpTop, chatHelpLayout(s.layout).maxTop);
  assert.doesNotMatch(lines.join('\n'), /↓ \d+ more/, 'the end reached');
  for (const b of ALL) assert.ok(lineOf([...seen], b), `${keyLabel(b.keys[0]!)}: ${b.help}`);
  // Scrolling back stops at the top; opening the help again starts there.
  s = reduce(s, { type: 'helpScroll', delta: -100 });
  assert.equal(s.helpTop, 0);
  s = reduce(reduce(reduce(s, { type: 'helpScroll', delta: 3 }), { type: 'help', open: false }), { type: 'help', open: true });
  assert.equal(s.helpTop, 0);
});
