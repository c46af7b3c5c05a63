// The chat screen: the reducer, the session feeding it, the keyboard, and
// the effects (history, bell, notices). Drawing is ChatView's.

import { useStdout } from 'ink';
import { useCallback, useEffect, useMemo } from 'react';
import { HistoryFile } from '../input-history.js';
import { handleChatKey, type ChatSender, type MessageFinder } from '../chat-keys.js';
import { useBell, useHistoryLoader, useNoticeTimeout, useReadMarker, type HistorySource, type ReadMarkerSink } from '../hooks/use-chat-effects.js';
import { useChatStore } from '../hooks/use-chat-store.js';
import { useKeyboard } from '../hooks/use-keyboard.js';
import { useMouseReporting, useTitle } from '../hooks/use-terminal-modes.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { KeyPress } from '../keys.js';
import { initialState, type Action, type ChatState } from '../state.js';
import { unreadTotal } from '../unread.js';
import { ChatView } from './ChatView.js';

/** What the chat screen needs from the network side (a ChatSession). */
export interface ChatBackend extends ChatSender, HistorySource, ReadMarkerSink, Partial<MessageFinder> {
  readonly server: string;
  start(dispatch: (a: Action) => void): void;
  stop(): void;
}

/** Props of the chat screen. */
export interface ChatScreenProps {
  backend: ChatBackend;
  me: string;
  bell: boolean;
  /** Turn on mouse reporting (wheel, clicks) while the chat shows. */
  mouse?: boolean;
  /** Keep the terminal's title at the unread count (`(3) ChatBox — me`). */
  title?: boolean;
  /** The input history file to read and add to, if any. */
  historyFile?: string | null;
  quitting: boolean;
  onQuit: () => void;
  /** Builds the first state (tests start from a prepared one). */
  init?: (base: ChatState) => ChatState;
}

/** The chat screen. */
export function ChatScreen({ backend, me, bell, mouse = false, title = false, historyFile = null, quitting, onQuit, init }: ChatScreenProps) {
  const { cols, rows } = useTerminalSize();
  const { stdout } = useStdout();
  const history = useMemo(() => (historyFile ? new HistoryFile(historyFile) : null), [historyFile]);
  const [state, dispatch, getState] = useChatStore(() => {
    const base = initialState(me, backend.server, cols, rows);
    const withHistory = history ? { ...base, sentInput: history.load() } : base;
    return init ? init(withHistory) : withHistory;
  });
  useEffect(() => dispatch({ type: 'resize', cols, rows }), [cols, rows, dispatch]);
  useEffect(() => {
    backend.start(dispatch);
    return () => backend.stop();
  }, [backend, dispatch]);
  useHistoryLoader(state, backend);
  useReadMarker(state, backend);
  const ring = useCallback(() => {
    stdout.write('\x07');
  }, [stdout]);
  useBell(state.bell, bell, ring);
  useNoticeTimeout(state.notice, dispatch);
  const unread = unreadTotal(state.unread);
  useTitle(stdout, title ? (unread > 0 ? `(${unread}) ChatBox — ${me}` : `ChatBox — ${me}`) : null);
  useMouseReporting(stdout, mouse);
  const ctx = useMemo(
    () => ({
      getState,
      dispatch,
      sender: backend,
      finder: backend.search && backend.showMessage ? (backend as MessageFinder) : undefined,
      quit: onQuit,
      remember: history ? (input: string) => void history.add(input) : undefined,
    }),
    [getState, dispatch, backend, onQuit, history],
  );
  const onKey = useCallback(
    (key: KeyPress) => {
      if (quitting) return;
      handleChatKey(key, ctx);
    },
    [ctx, quitting],
  );
  useKeyboard(onKey);
  return <ChatView state={state} quitting={quitting} />;
}
