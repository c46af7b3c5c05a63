// The help overlay: every binding from keys.ts, so what it says is what the
// keys do.

import { Box, Text } from 'ink';
import { memo } from 'react';
import { CHAT_BINDINGS, EDIT_BINDINGS, keyLabel, type Binding } from '../keys.js';
import { padEnd } from '../wrap.js';

function rows<A extends string>(list: ReadonlyArray<Binding<A>>): Array<[string, string]> {
  // One line per action, with all its keys.
  const byAction = new Map<string, { keys: string[]; help: string }>();
  for (const b of list) {
    const entry = byAction.get(b.action);
    const labels = b.keys.map((k) => keyLabel(k) + (b.whenComposeEmpty ? ' (empty line)' : ''));
    if (entry) entry.keys.push(...labels);
    else byAction.set(b.action, { keys: labels, help: b.help });
  }
  return [...byAction.values()].map((e) => [e.keys.join(' / '), e.help]);
}

/** The help overlay, `width` × `height` cells. */
export const Help = memo(function Help({ width, height }: { width: number; height: number }) {
  const chat = rows(CHAT_BINDINGS);
  const edit = rows(EDIT_BINDINGS);
  const keyW = Math.min(34, Math.max(...[...chat, ...edit].map(([k]) => k.length)) + 2);
  const lines: Array<{ key: string; text: string; head?: boolean }> = [
    { key: 'h1', text: 'Keys', head: true },
    ...chat.map(([k, h], i) => ({ key: `c${i}`, text: padEnd(k, keyW - 2) + '  ' + h })),
    { key: 'gap', text: '' },
    { key: 'h2', text: 'Editing the message', head: true },
    ...edit.map(([k, h], i) => ({ key: `e${i}`, text: padEnd(k, keyW - 2) + '  ' + h })),
    { key: 'gap2', text: '' },
    { key: 'close', text: 'Esc, F1 or ? closes this help.' },
  ];
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1} overflow="hidden">
      {lines.slice(0, height).map((l) => (
        <Text key={l.key} bold={l.head} color={l.head ? 'cyan' : undefined} wrap="truncate">
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  );
});
