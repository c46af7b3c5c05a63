// The status line: who you are, the server, the connection, a notice or a
// short key help, and unread messages elsewhere.

import { Text } from 'ink';
import { memo } from 'react';
import { statusHints } from '../keys.js';
import type { ConnState } from '../state.js';
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

function connText(conn: ConnState): { text: string; color: string } {
  switch (conn.kind) {
    case 'connected':
      return { text: '● connected', color: 'green' };
    case 'connecting':
      return { text: '◌ connecting…', color: 'yellow' };
    case 'reconnecting':
      return { text: `◌ reconnecting… (${conn.reason})`, color: 'yellow' };
    case 'offline':
      return { text: `✗ ${conn.reason}`, color: 'red' };
  }
}

/** The key help at the end of the line, from the binding table, longest first: the longest that fits is shown whole. */
const HELPS = statusHints();

/** The status line. */
export const StatusBar = memo(function StatusBar({ me, server, conn, notice, unreadElsewhere, quitting, width }: StatusBarProps) {
  const who = truncate(` ${me} @ ${server}`, Math.max(8, width - 24));
  const c = quitting ? { text: '◌ logging out…', color: 'yellow' } : connText(conn);
  const before = textWidth(who) + 3 + textWidth(c.text) + 3;
  // Unread counts matter more than the key help: shortened (never cut) to leave room for `F1 keys`.
  const forms = unreadElsewhere > 0 ? [`✉ ${unreadElsewhere} unread (Alt+A)`, `✉ ${unreadElsewhere} unread`, `✉ ${unreadElsewhere}`] : [''];
  const unread = forms.find((u) => before + textWidth(u) + 3 + textWidth(HELPS.at(-1)!) <= width) ?? forms.at(-1)!;
  const used = before + (unread ? textWidth(unread) + 3 : 0);
  const room = Math.max(0, width - used);
  const tail = padEnd(notice ?? HELPS.find((h) => textWidth(h) <= room) ?? HELPS.at(-1)!, room);
  const bright = c.color === 'green' ? 'greenBright' : c.color === 'red' ? 'redBright' : 'yellowBright';
  return (
    <Text wrap="truncate" backgroundColor="blue" color="white">
      <Text bold>{who}</Text>
      {' │ '}
      <Text color={bright}>{c.text}</Text>
      {' │ '}
      {unread ? (
        <>
          <Text color="yellowBright" bold>
            {unread}
          </Text>
          {' │ '}
        </>
      ) : null}
      <Text color={notice ? 'yellowBright' : 'white'}>{tail}</Text>
    </Text>
  );
});
