// The chat screen: the reducer, the session feeding it, the keyboard, and
// the effects (history, bell, notices). Drawing is ChatView's.

import { useStdout } from 'ink';
import { useCallback, useEffect, useMemo } from 'react';
import { handleChatKey, type ChatSender } from '../chat-keys.js';
import { useBell, useHistoryLoader, useNoticeTimeout, type HistorySource } from '../hooks/use-chat-effects.js';
import { useChatStore } from '../hooks/use-chat-store.js';
import { useKeyboard } from '../hooks/use-keyboard.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { KeyPress } from '../keys.js';
import { initialState, type Action, type ChatState } from '../state.js';
import { ChatView } from './ChatView.js';

/** What the chat screen needs from the network side (a ChatSession). */
export interface ChatBackend extends ChatSender, HistorySource {
  readonly server: string;
  start(dispatch: (a: Action) => void): void;
  stop(): void;
}

/** Props of the chat screen. */
export interface ChatScreenProps {
  backend: ChatBackend;
  me: string;
  bell: boolean;
  quitting: boolean;
  onQuit: () => void;
  /** Builds the first state (tests start from a prepared one). */
  init?: (base: ChatState) => ChatState;
}

/** The chat screen. */
export function ChatScreen({ backend, me, bell, quitting, onQuit, init }: ChatScreenProps) {
  const { cols, rows } = useTerminalSize();
  const { stdout } = useStdout();
  const [state, dispatch, getState] = useChatStore(() => {
    const base = initialState(me, backend.server, cols, rows);
    return init ? init(base) : base;
  });
  useEffect(() => dispatch({ type: 'resize', cols, rows }), [cols, rows, dispatch]);
  useEffect(() => {
    backend.start(dispatch);
    return () => backend.stop();
  }, [backend, dispatch]);
  useHistoryLoader(state, backend);
  const ring = useCallback(() => {
    stdout.write('\x07');
  }, [stdout]);
  useBell(state.bell, bell, ring);
  useNoticeTimeout(state.notice, dispatch);
  const ctx = useMemo(() => ({ getState, dispatch, sender: backend, quit: onQuit }), [getState, dispatch, backend, onQuit]);
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
