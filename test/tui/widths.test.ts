// Our cell widths must be the ones Ink lays the screen out with: Ink measures
// every Text with the string-width it resolves itself, so measuring with
// anything else wraps and pads lines to a width Ink does not draw.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { graphemes, graphemeWidth, textWidth, wrapText } from '../../src/tui/wrap.js';

// The copy of string-width that Ink's own modules import (nested under ink/ or hoisted).
const inkRequire = createRequire(import.meta.resolve('ink'));
const inkStringWidth = ((await import(pathToFileURL(inkRequire.resolve('string-width')).href)) as { default: (s: string) => number }).default;

// Symbols that string-width 7 counts as two cells and Ink (string-width 8) as one.
const SYMBOLS = ['☺', '✔', '⚠', '♥', '↔', '©', '®', '™', '☀', '✈', '❤', '☎', '♻', '⌚', '✅', '❌', '⭐'];
const SAMPLE = [
  // emoji: plain, with a skin tone, ZWJ families, flags, keycaps, emoji presentation of text symbols
  '😀', '👍', '👍🏽', '👨‍👩‍👧', '🏳️‍🌈', '🇮🇩', '🇬🇧', '#️⃣', '☺️', '✔️', '❤️',
  // CJK, kana, Hangul (precomposed and as jamo), full-width forms
  '你', '好', '日本語', 'テキスト', 'ｱ', '한국어', '\u1100\u1161\u11a8', 'ＡＢＣ',
  // letters with combining marks, composed and decomposed; Thai, Devanagari
  'é', 'e\u0301', 'Tie\u0302\u0301ng Vie\u0323\u0302t', 'n\u0303', 'a\u0301\u0302\u0303', 'กำ', 'नमस्ते',
  // box drawing and arrows the screen itself uses
  '│', '┆', '─', '┴', '▌', '●', '○', '↵', '…', '✗', '·', '↑', '↓', '◌',
];

for (const s of [...SYMBOLS, ...SAMPLE]) {
  test(`textWidth agrees with Ink's string-width on ${JSON.stringify(s)}`, () => {
    assert.equal(textWidth(s), inkStringWidth(s), `${JSON.stringify(s)}: ours ${textWidth(s)}, Ink ${inkStringWidth(s)}`);
    for (const g of graphemes(s)) assert.equal(graphemeWidth(g), inkStringWidth(g), JSON.stringify(g));
  });
}

test('whole lines measure the same as Ink measures them', () => {
  const lines = [SYMBOLS.join(''), SAMPLE.join(' '), `ok ${SYMBOLS.join(' ')} done`, '✔'.repeat(40)];
  for (const line of lines) assert.equal(textWidth(line), inkStringWidth(line), line);
});

test('a line of ✔ wraps at the width Ink draws: one cell each', () => {
  const lines = wrapText('✔'.repeat(40), 30);
  assert.deepEqual(lines, ['✔'.repeat(30), '✔'.repeat(10)]);
  for (const l of lines) assert.ok(inkStringWidth(l) <= 30);
});
