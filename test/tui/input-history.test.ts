// The input history file: where it goes, its format, bounds, privacy and
// atomic replacement, and two writers keeping each other's entries.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HistoryFile, formatHistory, historyPath, parseHistory } from '../../src/tui/input-history.js';
import { INPUT_HISTORY_MAX } from '../../src/tui/model.js';

test('the file is under XDG_STATE_HOME, else ~/.local/state; a relative XDG_STATE_HOME is ignored', () => {
  assert.equal(historyPath({ XDG_STATE_HOME: '/s', HOME: '/h' }), '/s/chatbox/history');
  assert.equal(historyPath({ HOME: '/h' }), '/h/.local/state/chatbox/history');
  assert.equal(historyPath({ XDG_STATE_HOME: 'rel', HOME: '/h' }), '/h/.local/state/chatbox/history');
  assert.equal(historyPath({}), null);
});

test('one JSON string a line: multi-line entries survive, damaged lines are skipped', () => {
  const text = formatHistory(['one', 'two\nlines', 'quote " and \\']);
  assert.equal(text.split('\n').length, 4);
  assert.deepEqual(parseHistory(text + 'not json\n42\n""\n'), ['one', 'two\nlines', 'quote " and \\']);
});

test('saves are private, atomic, bounded, and keep what another chat saved meanwhile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatbox-hist-'));
  try {
    const path = join(dir, 'state', 'chatbox', 'history');
    const a = new HistoryFile(path);
    const b = new HistoryFile(path);
    assert.deepEqual(a.load(), []);
    await a.add('from a');
    await b.add('from b');
    await a.add('from a again');
    await a.add('from a again');
    assert.deepEqual(new HistoryFile(path).load(), ['from a', 'from b', 'from a again']);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'state', 'chatbox')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(dir, 'state', 'chatbox')), ['history'], 'no temporary file left');
    writeFileSync(path, formatHistory(Array.from({ length: INPUT_HISTORY_MAX + 20 }, (_, i) => `m${i}`)));
    await a.add('newest');
    const kept = parseHistory(readFileSync(path, 'utf8'));
    assert.equal(kept.length, INPUT_HISTORY_MAX);
    assert.equal(kept.at(-1), 'newest');
    assert.equal(kept[0], `m21`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
