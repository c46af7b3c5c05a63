// The status line: who you are, the server, the connection, a notice or a
// short key help, and unread messages elsewhere.

import { Text } from 'ink';
import { memo } from 'react';
import { chatBindings, keyFor, statusHints } from '../keys.js';
import type { ConnState } from '../state.js';
import { useTheme } from '../theme-context.js';
import type { Theme } from '../theme.js';
import { padEnd, textWidth, truncate } from '../wrap.js';

/** Props of the status line. */
export interface StatusBarProps {
  me: string;
  server: string;
  conn: ConnState;
  notice: string | null;
  /** Unread messages in conversations other than the open one. */
  unreadElsewhere: number;
  quitting: boolean;
  width: number;
}

function connText(conn: ConnState, theme: Theme): { text: string; color: string | undefined } {
  switch (conn.kind) {
    case 'connected':
      return { text: '● connected', color: theme.statusOk };
    case 'connecting':
      return { text: '◌ connecting…', color: theme.statusWarn };
    case 'reconnecting':
      return { text: `◌ reconnecting… (${conn.reason})`, color: theme.statusWarn };
    case 'offline':
      return { text: `✗ ${conn.reason}`, color: theme.statusError };
  }
}

/** The key help at the end of the line, from the binding table in use, longest first: the longest that fits is shown whole. */
let hints: { table: unknown; helps: string[]; unreadKey: string } | null = null;
function keyHints(): { helps: string[]; unreadKey: string } {
  const table = chatBindings();
  if (hints?.table !== table) hints = { table, helps: statusHints(table), unreadKey: keyFor('nextUnread') };
  return hints;
}

/** The status line. */
export const StatusBar = memo(function StatusBar({ me, server, conn, notice, unreadElsewhere, quitting, width }: StatusBarProps) {
  const { helps: HELPS, unreadKey } = keyHints();
  const theme = useTheme();
  const who = truncate(` ${me} @ ${server}`, Math.max(8, width - 24));
  const c = quitting ? { text: '◌ logging out…', color: theme.statusWarn } : connText(conn, theme);
  const before = textWidth(who) + 3 + textWidth(c.text) + 3;
  // Unread counts matter more than the key help: shortened (never cut) to leave room for `F1 keys`.
  const forms = unreadElsewhere > 0 ? [`✉ ${unreadElsewhere} unread (${unreadKey})`, `✉ ${unreadElsewhere} unread`, `✉ ${unreadElsewhere}`] : [''];
  const unread = forms.find((u) => before + textWidth(u) + 3 + textWidth(HELPS.at(-1)!) <= width) ?? forms.at(-1)!;
  const used = before + (unread ? textWidth(unread) + 3 : 0);
  const room = Math.max(0, width - used);
  const tail = padEnd(notice ?? HELPS.find((h) => textWidth(h) <= room) ?? HELPS.at(-1)!, room);
  return (
    <Text wrap="truncate" backgroundColor={theme.statusBg} color={theme.statusFg} inverse={theme.statusInverse}>
      <Text bold>{who}</Text>
      {' │ '}
      <Text color={c.color}>{c.text}</Text>
      {' │ '}
      {unread ? (
        <>
          <Text color={theme.statusWarn} bold>
            {unread}
          </Text>
          {' │ '}
        </>
      ) : null}
      <Text color={notice ? theme.statusWarn : theme.statusFg}>{tail}</Text>
    </Text>
  );
});
