// The users pane: a title, then one row per user (online marker, name,
// unread count), windowed to the rows that fit.

import { Box, Text } from 'ink';
import { memo } from 'react';
import type { UserInfo } from '../state.js';
import { padEnd, truncate } from '../wrap.js';

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
  const b = badge(unread);
  const nameWidth = Math.max(1, width - 4 - (b ? b.length + 1 : 0));
  const online = user?.online ?? false;
  return (
    <Text inverse={selected} bold={selected || unread > 0} wrap="truncate">
      <Text>{selected ? '▌' : ' '}</Text>
      <Text color={online ? 'green' : 'gray'}>{online ? '●' : '○'}</Text>
      <Text> {padEnd(name, nameWidth)}</Text>
      {b ? <Text color={selected ? undefined : 'yellow'}> {b}</Text> : null}
      <Text> </Text>
    </Text>
  );
});

/** The users pane. */
export const UserList = memo(function UserList(props: UserListProps) {
  const { users, order, unread, selected, top, width, rows } = props;
  let onlineCount = 0;
  for (const u of users.values()) if (u.online) onlineCount++;
  const shown = order.slice(top, top + rows);
  const more = order.length - top - shown.length;
  const title = ` ${onlineCount} online · ${order.length} ${order.length === 1 ? 'user' : 'users'}`;
  const arrows = (top > 0 ? '↑' : ' ') + (more > 0 ? '↓' : ' ');
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text dimColor wrap="truncate">
        {padEnd(truncate(title, width - 3), width - 3)}
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
