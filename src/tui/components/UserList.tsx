// The users pane: a title, then one row per user (online marker, name, full
// name where there is room, unread count), windowed to the rows that fit.

import { Box, Text } from 'ink';
import { memo } from 'react';
import type { UserInfo } from '../state.js';
import { padEnd, textWidth, truncate } from '../wrap.js';
import { useTheme } from '../theme-context.js';

/** Fewest cells worth showing a cut full name in. */
const MIN_FULL_NAME = 12;

/** Props of the users pane. */
export interface UserListProps {
  users: ReadonlyMap<string, UserInfo>;
  order: readonly string[];
  unread: ReadonlyMap<string, number>;
  selected: string | null;
  top: number;
  width: number;
  /** Rows for names (the title takes one more). */
  rows: number;
}

function badge(n: number): string {
  return n <= 0 ? '' : n > 999 ? '999+' : String(n);
}

const UserRow = memo(function UserRow(props: { user: UserInfo | undefined; name: string; unread: number; selected: boolean; width: number }) {
  const { user, name, unread, selected, width } = props;
  const theme = useTheme();
  const b = badge(unread);
  const nameWidth = Math.max(1, width - 4 - (b ? b.length + 1 : 0));
  const online = user?.online ?? false;
  const shownName = truncate(name, nameWidth);
  // The full name (sanitized on the way in) where it fits whole, or cut where there is room for a good part of it.
  const room = nameWidth - textWidth(shownName) - 1;
  const nama = user && user.nama !== name ? user.nama : '';
  const full = nama && (textWidth(nama) <= room || room >= MIN_FULL_NAME) ? truncate(nama, room) : '';
  const pad = nameWidth - textWidth(shownName) - (full ? 1 + textWidth(full) : 0);
  // The markers get their own Text: Ink measures every Text on every frame, and a
  // Text with any non-ASCII character takes its slow path, so names stay ASCII-only.
  return (
    <Box>
      <Text inverse={selected} color={online ? theme.online : theme.offline}>
        {selected ? '▌' : ' '}
        {online ? '●' : '○'}
      </Text>
      <Text inverse={selected} bold={selected || unread > 0}>
        {' ' + shownName}
      </Text>
      {full ? (
        <Text inverse={selected} dimColor={!selected}>
          {' ' + full}
        </Text>
      ) : null}
      {/* Padding only where something follows or the row is highlighted: fewer cells for Ink to draw. */}
      {(selected || b) && pad > 0 ? <Text inverse={selected}>{' '.repeat(pad)}</Text> : null}
      {b ? (
        <Text inverse={selected} bold color={selected ? undefined : theme.warn}>
          {' ' + b}
        </Text>
      ) : null}
      {selected ? <Text inverse> </Text> : null}
    </Box>
  );
});

/** The users pane. */
export const UserList = memo(function UserList(props: UserListProps) {
  const { users, order, unread, selected, top, width, rows } = props;
  let onlineCount = 0;
  for (const u of users.values()) if (u.online) onlineCount++;
  const shown = order.slice(top, top + rows);
  const more = order.length - top - shown.length;
  const room = width - 3;
  const long = ` ${onlineCount} online · ${order.length} ${order.length === 1 ? 'user' : 'users'}`;
  const title = long.length <= room ? long : ` ${onlineCount}/${order.length} online`;
  const arrows = (top > 0 ? '↑' : ' ') + (more > 0 ? '↓' : ' ');
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text dimColor wrap="truncate">
        {padEnd(title, room)}
        {arrows}{' '}
      </Text>
      {shown.map((name) => (
        <UserRow key={name} name={name} user={users.get(name)} unread={unread.get(name) ?? 0} selected={name === selected} width={width} />
      ))}
      {order.length === 0 ? (
        <Text dimColor wrap="truncate">
          {' '}nobody yet
        </Text>
      ) : null}
    </Box>
  );
});
