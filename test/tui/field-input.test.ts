// What the login fields are given to read: Ink's input events split into
// one key each, with the keys the fields have no use for dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFieldInputFilter } from '../../src/tui/field-input.js';

const cases: Array<[string, string[], string[][]]> = [
  ['a run of text stays whole', ['messi'], [['messi']]],
  ['text then Enter in one read', ['messi\r'], [['messi', '\r']]],
  ['typed ahead: username, Tab, password, Enter', ['messi\tsurabaya\r'], [['messi', '\t', 'surabaya', '\r']]],
  ['two Backspaces in one read (DEL or BS)', ['\x7f\x7f', '\b'], [['\x7f', '\x7f'], ['\x7f']]],
  ['LF is Enter', ['\n'], [['\r']]],
  ['Ctrl+C is kept', ['\x03'], [['\x03']]],
  ['other Ctrl keys are dropped, not typed as letters', ['\x15', 'ab\x0ecd'], [[], ['ab', 'cd']]],
  ['arrows and Shift+Tab are kept', ['\x1b[D', '\x1b[C', '\x1bOA', '\x1b[B', '\x1b[Z'], [['\x1b[D'], ['\x1b[C'], ['\x1bOA'], ['\x1b[B'], ['\x1b[Z']]],
  ['Alt chords, Delete, function keys and Esc are dropped', ['\x1bb', '\x1b[3~', '\x1bOP', '\x1b[15~', '\x1b', '\x1b[99~'], [[], [], [], [], [], []]],
  ['C1 controls inside text are dropped', ['a\x9bb'], [['ab']]],
  [
    'a paste is its text, without the line break that ends it',
    ['\x1b[200~', 'surabaya\r\n', '\x1b[201~'],
    [[], [], ['surabaya']],
  ],
  ['a paste over several reads, escapes inside it dropped', ['\x1b[200~', 'sura', '\x1b[D', 'baya', '\x1b[201~', 'x'], [[], [], [], [], ['surabaya'], ['x']]],
  ['inner line breaks of a paste become spaces', ['\x1b[200~', 'two\nlines', '\x1b[201~'], [[], [], ['two lines']]],
  ['an empty paste gives nothing', ['\x1b[200~', '\r\n', '\x1b[201~'], [[], [], []]],
];

for (const [name, events, expected] of cases) {
  test(`field input: ${name}`, () => {
    const filter = createFieldInputFilter();
    assert.deepEqual(events.map(filter), expected);
  });
}
