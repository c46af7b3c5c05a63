// The whole chat screen drawn from the state: users pane, conversation (or
// help), a rule with the scroll hint, the compose box and the status line.
// The root box is one row shorter than the terminal: Ink 6.8 clears and
// redraws the whole screen when its output reaches the terminal's height.

import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { keyFor } from '../keys.js';
import { messageColumns } from '../layout.js';
import { currentDraft, type ChatState } from '../state.js';
import { useTheme } from '../theme-context.js';
import { unreadTotal } from '../unread.js';
import { textWidth, wrapText } from '../wrap.js';
import { Compose } from './Compose.js';
import { Conversation } from './Conversation.js';
import { Help } from './Help.js';
import { SearchResults } from './SearchResults.js';
import { StatusBar } from './StatusBar.js';
import { Switcher } from './Switcher.js';
import { UserList } from './UserList.js';

const Rule = memo(function Rule({ width, junction, hint }: { width: number; junction: number; hint: string }) {
  const left = junction > 0 ? '─'.repeat(junction) + '┴' : '';
  const theme = useTheme();
  const hintText = hint ? ` ${hint} ` : '';
  const rest = Math.max(0, width - textWidth(left) - textWidth(hintText) - 2);
  return (
    <Text dimColor={!hint} wrap="truncate">
      <Text dimColor>{left}──</Text>
      {hintText ? <Text color={theme.warn}>{hintText}</Text> : null}
      <Text dimColor>{'─'.repeat(rest)}</Text>
    </Text>
  );
});

/** Props of the chat screen drawing. */
export interface ChatViewProps {
  state: ChatState;
  quitting?: boolean;
}

/** Draws the chat state. */
export const ChatView = memo(function ChatView({ state, quitting = false }: ChatViewProps) {
  const { layout, selected, me } = state;
  const conv = selected === null ? undefined : state.convs.get(selected);
  const columns = useMemo(() => messageColumns(layout, me, selected ?? ''), [layout, me, selected]);
  const unreadElsewhere = unreadTotal(state.unread, selected);
  const theme = useTheme();
  if (layout.tooSmall) {
    return (
      <Box width={layout.cols} height={layout.height} flexDirection="column">
        {wrapText('Terminal too small: make it at least 30×7.', layout.cols).map((line, i) => (
          <Text key={i} wrap="truncate">
            {line}
          </Text>
        ))}
      </Box>
    );
  }
  const border = layout.usersWidth > 0 ? 1 : 0;
  const inner = layout.convWidth - border - 2;
  let hint = '';
  if (conv && conv.scrollBack > 0) {
    hint = conv.newBelow > 0 ? `↓ ${conv.newBelow} new below · ${keyFor('scrollEnd')} to jump` : `scrolled back · ${keyFor('scrollEnd')} for newest`;
  }
  return (
    <Box flexDirection="column" width={layout.cols} height={layout.height}>
      {state.help ? (
        // The help takes both panes: the list is not needed while reading it.
        <Help width={layout.cols} height={layout.mainHeight} top={state.helpTop} />
      ) : state.search ? (
        <SearchResults search={state.search} me={me} width={layout.cols} height={layout.mainHeight} />
      ) : state.switcher ? (
        <Switcher switcher={state.switcher} users={state.users} width={layout.cols} height={layout.mainHeight} />
      ) : (
        <Box flexDirection="row" height={layout.mainHeight}>
          {layout.usersWidth > 0 ? (
            <UserList
              users={state.users}
              order={state.order}
              unread={state.unread}
              selected={selected}
              top={state.userTop}
              width={layout.usersWidth}
              rows={layout.userRows}
            />
          ) : null}
          {/* Keyed by the border: Ink 6.8 hands Yoga only the style props that changed, and
              sets a border's width only when borderStyle itself is among them, so toggling
              borderLeft alone draws the line but leaves the old layout (the margin lost). */}
          <Box
            key={border > 0 ? 'bordered' : 'plain'}
            width={layout.convWidth}
            flexShrink={0}
            borderStyle="single"
            borderColor={theme.border}
            borderTop={false}
            borderRight={false}
            borderBottom={false}
            borderLeft={border > 0}
          >
            <Conversation
              conv={conv}
              peer={selected}
              user={selected === null ? undefined : state.users.get(selected)}
              me={me}
              width={inner}
              rows={layout.messageRows}
              columns={columns}
              position={layout.usersWidth === 0 && selected !== null ? `${state.order.indexOf(selected) + 1}/${state.order.length}` : undefined}
            />
          </Box>
        </Box>
      )}
      <Rule width={layout.cols} junction={state.help || state.switcher || state.search ? 0 : layout.usersWidth} hint={hint} />
      <Compose peer={selected} draft={currentDraft(state)} width={layout.cols} rows={layout.composeRows} offline={state.conn.kind !== 'connected'} away={state.switcher !== null || state.search !== null} />
      <StatusBar
        me={me}
        server={state.server}
        conn={state.conn}
        notice={state.notice}
        unreadElsewhere={unreadElsewhere}
        quitting={quitting}
        width={layout.cols}
      />
    </Box>
  );
});
