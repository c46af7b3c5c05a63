// The quick switcher (Ctrl+K): the query, then the matching users, best
// first, with their full name and country; over both panes, like the help.

import { Box, Text } from 'ink';
import { memo } from 'react';
import type { UserInfo } from '../state.js';
import type { SwitcherState } from '../model.js';
import { padEnd, truncate } from '../wrap.js';
import { InputField } from './InputField.js';
import { useTheme } from '../theme-context.js';

/** Props of the switcher. */
export interface SwitcherProps {
  switcher: SwitcherState;
  users: ReadonlyMap<string, UserInfo>;
  width: number;
  height: number;
}

const PROMPT = ' Go to › ';

/** The switcher, `width` × `height` cells. */
export const Switcher = memo(function Switcher({ switcher, users, width, height }: SwitcherProps) {
  const { matches, pick, query } = switcher;
  const theme = useTheme();
  const rows = Math.max(1, height - 2);
  const top = Math.max(0, Math.min(pick - rows + 1, matches.length - rows));
  const shown = matches.slice(top, top + rows);
  const nameWidth = Math.min(17, Math.max(8, ...shown.map((n) => n.length)));
  const count = matches.length === 1 ? '1 match' : `${matches.length} matches`;
  const hint = `${count} · Up/Down choose · Enter opens · Esc closes`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box>
        <Text bold color={theme.accent}>
          {PROMPT}
        </Text>
        <InputField line={query} width={width - PROMPT.length - 1} focused placeholder="part of a username or full name" />
      </Box>
      <Text dimColor wrap="truncate">
        {' ' + truncate(hint, width - 2)}
      </Text>
      {shown.map((name, i) => {
        const u = users.get(name);
        const picked = top + i === pick;
        const about = u ? [u.nama, u.negara].filter((x) => x !== '').join(' · ') : '';
        return (
          <Box key={name}>
            <Text inverse={picked} color={u?.online ? theme.online : theme.offline}>
              {picked ? '▌' : ' '}
              {u?.online ? '●' : '○'}
            </Text>
            <Text inverse={picked} bold={picked}>
              {' ' + padEnd(truncate(name, nameWidth), nameWidth) + ' '}
            </Text>
            <Text inverse={picked} dimColor={!picked} wrap="truncate">
              {truncate(about, Math.max(0, width - nameWidth - 5)) + ' '}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
});
