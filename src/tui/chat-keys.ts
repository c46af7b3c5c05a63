// What each key does on the chat screen: bindings from keys.ts turned into
// reducer actions and session calls.

import { MAX_MESSAGE_CHARS, charLength } from '../protocol.js';
import { chatActionFor, editActionFor, type KeyPress } from './keys.js';
import { currentDraft, type Action, type ChatState } from './state.js';

/** What the chat keys need from the session. */
export interface ChatSender {
  send(peer: string, text: string): string;
  retry(peer: string, key: string, text: string): void;
}

/** Everything a key handler can touch. */
export interface ChatKeyContext {
  getState: () => ChatState;
  dispatch: (a: Action) => void;
  sender: ChatSender;
  quit: () => void;
}

const HELP_CLOSERS = new Set(['escape', 'f1', 'enter', 'q', '?']);
/** Keys that scroll the help on a terminal too small to show it whole. */
const HELP_SCROLL: Record<string, number> = { up: -1, down: 1, pageup: -10, pagedown: 10 };

/** Handles one key press on the chat screen. */
export function handleChatKey(key: KeyPress, ctx: ChatKeyContext): void {
  const { getState, dispatch } = ctx;
  const state = getState();
  if (state.help) {
    const name = key.text ?? key.name;
    if (key.name === 'ctrl+c') ctx.quit();
    else if (HELP_CLOSERS.has(name)) dispatch({ type: 'help', open: false });
    else if (HELP_SCROLL[name] !== undefined) dispatch({ type: 'helpScroll', delta: HELP_SCROLL[name] });
    return;
  }
  const draft = currentDraft(state);
  const action = chatActionFor(key, draft.text === '');
  switch (action) {
    case 'nextUser':
      return dispatch({ type: 'move', delta: 1 });
    case 'prevUser':
      return dispatch({ type: 'move', delta: -1 });
    case 'nextUnread':
      return dispatch({ type: 'nextUnread' });
    case 'pageUp':
      return dispatch({ type: 'scroll', pages: 1 });
    case 'pageDown':
      return dispatch({ type: 'scroll', pages: -1 });
    case 'scrollEnd':
      return dispatch({ type: 'scrollEnd' });
    case 'historyPrev':
      return dispatch({ type: 'inputHistory', direction: -1 });
    case 'historyNext':
      return dispatch({ type: 'inputHistory', direction: 1 });
    case 'help':
      return dispatch({ type: 'help', open: true });
    case 'quit':
      return ctx.quit();
    case 'send':
      return sendDraft(ctx);
    case 'retry':
      return retryFailed(ctx);
    case undefined:
      break;
  }
  const edit = editActionFor(key);
  if (edit) return dispatch({ type: 'edit', action: edit });
  if (key.text !== undefined) dispatch({ type: 'type', text: key.text });
}

function sendDraft(ctx: ChatKeyContext): void {
  const state = ctx.getState();
  const peer = state.selected;
  const text = currentDraft(state).text.trim();
  if (peer === null || text === '') return;
  const n = charLength(text);
  if (n > MAX_MESSAGE_CHARS) {
    ctx.dispatch({ type: 'notice', text: `Message too long: ${n} characters, at most ${MAX_MESSAGE_CHARS}` });
    return;
  }
  ctx.sender.send(peer, text);
}

function retryFailed(ctx: ChatKeyContext): void {
  const state = ctx.getState();
  const peer = state.selected;
  const conv = peer === null ? undefined : state.convs.get(peer);
  const failed = conv ? conv.items.filter((it) => it.status === 'failed' && it.raw !== undefined) : [];
  if (peer === null || failed.length === 0) {
    ctx.dispatch({ type: 'notice', text: 'Nothing to retry here' });
    return;
  }
  for (const it of failed) ctx.sender.retry(peer, it.key, it.raw!);
}
