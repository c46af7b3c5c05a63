// The help overlay: every binding from keys.ts, so what it says is what the
// keys do. Two columns when the pane is too short for one.

import { Box, Text } from 'ink';
import { memo } from 'react';
import { CHAT_BINDINGS, EDIT_BINDINGS, keyLabel, type Binding } from '../keys.js';
import { padEnd, truncate } from '../wrap.js';

function rows<A extends string>(list: ReadonlyArray<Binding<A>>, maxKeys = Infinity): Array<[string, string]> {
  // One line per action, with all its keys.
  const byAction = new Map<string, { keys: string[]; help: string }>();
  for (const b of list) {
    const entry = byAction.get(b.action);
    const labels = b.keys.map((k) => keyLabel(k) + (b.whenComposeEmpty ? ' (empty line)' : ''));
    if (entry) entry.keys.push(...labels);
    else byAction.set(b.action, { keys: labels, help: b.help });
  }
  return [...byAction.values()].map((e) => [e.keys.slice(0, maxKeys).join(' / '), e.help]);
}

interface Line {
  key: string;
  text: string;
  head?: boolean;
}

function section(title: string, entries: Array<[string, string]>, width: number, id: string): Line[] {
  const keyW = Math.min(Math.floor(width * 0.45), Math.max(...entries.map(([k]) => k.length)) + 2);
  return [
    { key: `${id}-h`, text: title, head: true },
    ...entries.map(([k, h], i) => ({ key: `${id}${i}`, text: truncate(padEnd(k, keyW - 2) + '  ' + h, width) })),
  ];
}

function Column({ lines, width }: { lines: Line[]; width: number }) {
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((l) => (
        <Text key={l.key} bold={l.head} color={l.head ? 'cyan' : undefined} wrap="truncate">
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  );
}

/** The help overlay, `width` × `height` cells. */
export const Help = memo(function Help({ width, height }: { width: number; height: number }) {
  const inner = Math.max(10, width - 1);
  const title: Line = { key: 'title', text: 'Keys · Esc, F1 or ? closes this help', head: true };
  const oneColumn = [
    ...section('Chat', rows(CHAT_BINDINGS), inner, 'c'),
    { key: 'gap', text: '' },
    ...section('Editing the message', rows(EDIT_BINDINGS), inner, 'e'),
  ];
  const fitsOne = oneColumn.length + 2 <= height;
  const half = Math.floor((inner - 2) / 2);
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Column lines={[title, { key: 'gap0', text: '' }]} width={inner} />
      {fitsOne || half < 30 ? (
        <Column lines={oneColumn.slice(0, Math.max(0, height - 2))} width={inner} />
      ) : (
        <Box flexDirection="row">
          {/* Side by side, with at most two keys per line (the one-column view lists all). */}
          <Column lines={section('Chat', rows(CHAT_BINDINGS, 2), half, 'c').slice(0, height - 2)} width={half + 2} />
          <Column lines={section('Editing the message', rows(EDIT_BINDINGS, 2), half, 'e').slice(0, height - 2)} width={half} />
        </Box>
      )}
    </Box>
  );
});
