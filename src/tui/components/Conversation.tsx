// The conversation pane: a title with the peer's name and presence, then
// the visible window of messages (`HH:MM  nick │ text`, wrapped), bottom
// aligned like a chat. Only the rows on screen are built.

import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { windowRows, type ConvRow } from '../conversation-rows.js';
import { clock, dayLabel } from '../format.js';
import type { MessageColumns } from '../layout.js';
import type { Conversation as Conv, UserInfo } from '../state.js';
import { keyFor } from '../keys.js';
import { useTheme } from '../theme-context.js';
import type { Theme } from '../theme.js';
import { padStart, textRuns, textWidth, truncate } from '../wrap.js';

/** Props of the conversation pane. */
export interface ConversationProps {
  conv: Conv | undefined;
  peer: string | null;
  user: UserInfo | undefined;
  me: string;
  /** "2/5" when the users pane is hidden, so the place in the list still shows. */
  position?: string;
  /** Inner width (without border and margins) and rows for messages. */
  width: number;
  rows: number;
  columns: MessageColumns;
}

/** The separator between name and text, by the message's status. */
function separator(status: string, theme: Theme): { glyph: string; color?: string | undefined } {
  switch (status) {
    case 'sending':
      return { glyph: '┆', color: theme.pending };
    case 'queued':
      return { glyph: '┆', color: theme.warn };
    case 'failed':
      return { glyph: '✗', color: theme.error };
    default:
      return { glyph: '│' };
  }
}

function Row({ row, me, columns, width }: { row: ConvRow; me: string; columns: MessageColumns; width: number }) {
  const theme = useTheme();
  if (row.kind === 'day') {
    const label = ` ${dayLabel(row.ts)} `;
    const side = Math.max(0, width - textWidth(label));
    const left = Math.floor(side / 2);
    return (
      <Text dimColor wrap="truncate">
        {'─'.repeat(left)}
        {label}
        {'─'.repeat(side - left)}
      </Text>
    );
  }
  const item = row.item;
  const indent = ' '.repeat(columns.prefixWidth);
  if (row.kind === 'error') {
    return (
      <Text color={theme.error} wrap="truncate">
        {indent}
        {truncate(`✗ failed: ${item.error ?? 'unknown reason'} · ${keyFor('retry')} retries`, columns.textWidth)}
      </Text>
    );
  }
  const mine = item.from === me;
  const sep = separator(item.status, theme);
  const pending = item.status === 'sending' || item.status === 'queued';
  // Separate Texts so a row's ASCII parts keep Ink's fast measuring path (see textRuns).
  return (
    <Box>
      {row.first ? (
        <Text>
          <Text dimColor>{clock(item.ts)}</Text>{' '}
          <Text color={mine ? theme.accent : theme.peer} bold={!mine}>
            {padStart(item.from, columns.nickWidth)}
          </Text>
        </Text>
      ) : (
        <Box width={6 + columns.nickWidth} flexShrink={0} />
      )}
      <Text color={sep.color} dimColor={!sep.color}>{` ${sep.glyph} `}</Text>
      {textRuns(row.text).map((run, i) => (
        <Text key={i} dimColor={pending} wrap="truncate">
          {run}
        </Text>
      ))}
    </Box>
  );
}

function Title({ peer, user, width, conv, position }: { peer: string | null; user: UserInfo | undefined; width: number; conv: Conv | undefined; position?: string }) {
  const theme = useTheme();
  if (peer === null) return <Text dimColor>{' '}</Text>;
  const details = [user?.nama, user?.negara].filter((s) => s).join(' · ');
  const presence = user?.online ? '● online' : '○ offline';
  const right = conv?.history === 'loading' ? 'loading…' : '';
  const pos = position ? `[${position}] ` : '';
  const nameW = textWidth(peer) + pos.length;
  const room = Math.max(0, width - nameW - textWidth(presence) - textWidth(right) - 6);
  return (
    <Text wrap="truncate">
      {pos ? <Text dimColor>{pos}</Text> : null}
      <Text bold>{peer}</Text>
      {details && room > 2 ? <Text dimColor>{'  ' + truncate(details, room)}</Text> : null}
      <Text color={user?.online ? theme.online : theme.offline}>{'  ' + presence}</Text>
      {right ? <Text dimColor>{'  ' + right}</Text> : null}
    </Text>
  );
}

/** The conversation pane. */
export const Conversation = memo(function Conversation(props: ConversationProps) {
  const { conv, peer, user, me, width, rows, columns, position } = props;
  let body: ReactNode;
  if (peer === null) {
    body = <Text dimColor>No one to talk to yet. Users appear here as they come online.</Text>;
  } else if (!conv || conv.items.length === 0) {
    const loading = !conv || conv.history === 'loading' || conv.history === 'unloaded';
    body = <Text dimColor>{loading ? 'Loading…' : `No messages yet. Say hello to ${peer}!`}</Text>;
  } else {
    const win = windowRows(conv.items, conv.scrollBack, rows, columns.textWidth);
    body = (
      <>
        {/* Keyed by screen position: scrolling then updates rows in place instead of rebuilding them. */}
        {win.rows.map((row, i) => (
          <Row key={i} row={row} me={me} columns={columns} width={width} />
        ))}
      </>
    );
  }
  return (
    <Box flexDirection="column" width={width + 2} paddingLeft={1} paddingRight={1} flexShrink={0}>
      <Title peer={peer} user={user} width={width} conv={conv} position={position} />
      <Box flexDirection="column" height={rows} justifyContent="flex-end">
        {body}
      </Box>
    </Box>
  );
});
