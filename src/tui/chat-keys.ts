// What each key does on the chat screen: bindings from keys.ts turned into
// reducer actions and session calls.

import { MAX_MESSAGE_CHARS, charLength, isValidUsername } from '../protocol.js';
import { parseDraft } from './command-line.js';
import { sanitizeLine } from './sanitize.js';
import { chatActionFor, editActionFor, type KeyPress, type MouseEvent } from './keys.js';
import { onFirstLine, onLastLine } from './line-edit.js';
import type { SearchOutcome } from './finder.js';
import { currentDraft, type Action, type ChatState } from './state.js';

/** What the chat keys need from the session. */
export interface ChatSender {
  /**
   * Sends one message; returns its local key. `input` is what was typed, for
   * the input history: the text itself when undefined, null when this message
   * is not the compose box's (or not its first line).
   */
  send(peer: string, text: string, input?: string | null): string;
  retry(peer: string, key: string, text: string): void;
}

/** What `/search` needs from the session. */
export interface MessageFinder {
  search(words: string): Promise<SearchOutcome>;
  /** Loads the conversation with `peer` back to the message `id`; whether it is there now. */
  showMessage(peer: string, id: number): Promise<boolean>;
}

/** Everything a key handler can touch. */
export interface ChatKeyContext {
  getState: () => ChatState;
  dispatch: (a: Action) => void;
  sender: ChatSender;
  /** Search, on a server that has it (without, `/search` says it needs a newer server). */
  finder?: MessageFinder;
  quit: () => void;
  /** Keeps a sent draft for Up/Down in later runs (the history file). */
  remember?: (input: string) => void;
}

/** Rows the mouse wheel scrolls per notch. */
const WHEEL_ROWS = 3;

/** Keys that close the help, besides the help action's own. */
const HELP_CLOSERS = new Set(['escape', 'enter', 'q']);
/** Keys that scroll the help on a terminal too small to show it whole. */
const HELP_SCROLL: Record<string, number> = { up: -1, down: 1, pageup: -10, pagedown: 10 };

/** Handles one key press on the chat screen. */
export function handleChatKey(key: KeyPress, ctx: ChatKeyContext): void {
  const { getState, dispatch } = ctx;
  const state = getState();
  if (state.help) {
    const name = key.text ?? key.name;
    const bound = chatActionFor(key, false);
    if (bound === 'quit') ctx.quit();
    else if (key.mouse) {
      if (key.mouse.kind === 'wheelUp' || key.mouse.kind === 'wheelDown') dispatch({ type: 'helpScroll', delta: key.mouse.kind === 'wheelUp' ? -WHEEL_ROWS : WHEEL_ROWS });
    } else if (bound === 'help' || HELP_CLOSERS.has(name)) dispatch({ type: 'help', open: false });
    else if (HELP_SCROLL[name] !== undefined) dispatch({ type: 'helpScroll', delta: HELP_SCROLL[name] });
    return;
  }
  if (state.switcher) return onSwitcherKey(key, ctx);
  if (state.search) return onSearchKey(key, ctx);
  if (key.mouse) return onMouse(key.mouse, ctx);
  const draft = currentDraft(state);
  const action = chatActionFor(key, draft.text === '');
  switch (action) {
    case 'nextUser':
      return dispatch({ type: 'move', delta: 1 });
    case 'prevUser':
      return dispatch({ type: 'move', delta: -1 });
    case 'nextUnread':
      return dispatch({ type: 'nextUnread' });
    // Pages and ends of the users list stop at its ends (Ctrl+N/Ctrl+P wrap).
    case 'usersPageUp':
      return dispatch({ type: 'move', delta: -state.layout.userRows, clamp: true });
    case 'usersPageDown':
      return dispatch({ type: 'move', delta: state.layout.userRows, clamp: true });
    case 'firstUser':
      return dispatch({ type: 'move', delta: -Infinity, clamp: true });
    case 'lastUser':
      return dispatch({ type: 'move', delta: Infinity, clamp: true });
    case 'pageUp':
      return dispatch({ type: 'scroll', pages: 1 });
    case 'pageDown':
      return dispatch({ type: 'scroll', pages: -1 });
    case 'scrollEnd':
      return dispatch({ type: 'scrollEnd' });
    // Up and Down move between the lines of a multi-line draft, and walk the history from its first or last line.
    case 'historyPrev':
      if (!onFirstLine(draft)) return dispatch({ type: 'edit', action: 'lineUp' });
      return dispatch({ type: 'inputHistory', direction: -1 });
    case 'historyNext':
      if (!onLastLine(draft)) return dispatch({ type: 'edit', action: 'lineDown' });
      return dispatch({ type: 'inputHistory', direction: 1 });
    case 'complete':
      return dispatch({ type: 'complete', direction: 1 });
    case 'completeBack':
      return dispatch({ type: 'complete', direction: -1 });
    case 'help':
      return dispatch({ type: 'help', open: true });
    case 'switcher':
      return dispatch({ type: 'switcher', open: true });
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

/**
 * Enter: sends the draft. A request is one line on the wire, so a
 * multi-line draft goes out as one message per line, in order (blank lines
 * left out), as IRC clients send multi-line input; it is remembered whole.
 */
function sendDraft(ctx: ChatKeyContext): void {
  const state = ctx.getState();
  const peer = state.selected;
  const draft = currentDraft(state).text;
  if (peer === null || draft.trim() === '') return;
  const intent = parseDraft(draft);
  // A `//text` draft is remembered as typed, so Up brings back the same message, not a command.
  if (intent.kind === 'message') return sendLines(ctx, peer, intent.text, true, intent.text === draft ? undefined : draft.trim());
  if (intent.kind === 'error') return ctx.dispatch({ type: 'notice', text: sanitizeLine(intent.notice) });
  const input = draft.trim();
  switch (intent.kind) {
    case 'help':
      ctx.dispatch({ type: 'command/done', input });
      return ctx.dispatch({ type: 'help', open: true });
    case 'quit':
      return ctx.quit();
    case 'search':
      return startSearch(ctx, intent.words, input);
    case 'msg': {
      if (!isValidUsername(intent.peer)) return ctx.dispatch({ type: 'notice', text: `Not a username: ${sanitizeLine(intent.peer).slice(0, 40)}` });
      if (intent.peer === state.me) return ctx.dispatch({ type: 'notice', text: 'That is you' });
      if (intent.text.trim() !== '' && !fitsLimit(ctx, intent.text.split('\n'))) return;
      ctx.dispatch({ type: 'command/done', input });
      ctx.remember?.(input);
      ctx.dispatch({ type: 'select', peer: intent.peer });
      if (intent.text.trim() !== '') sendLines(ctx, intent.peer, intent.text, false);
      return;
    }
  }
}

/** Whether every line is within the message limit; says which is not. */
function fitsLimit(ctx: ChatKeyContext, lines: string[]): boolean {
  for (let i = 0; i < lines.length; i++) {
    const n = charLength(lines[i]!);
    if (n > MAX_MESSAGE_CHARS) {
      const which = lines.length > 1 ? `Line ${i + 1} too long` : 'Message too long';
      ctx.dispatch({ type: 'notice', text: `${which}: ${n} characters, at most ${MAX_MESSAGE_CHARS}` });
      return false;
    }
  }
  return true;
}

/** Sends `text` a line per message; from the compose box, the draft is cleared and remembered. */
function sendLines(ctx: ChatKeyContext, peer: string, text: string, fromCompose: boolean, typed?: string): void {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0 || !fitsLimit(ctx, lines)) return;
  const input = typed ?? lines.join('\n');
  lines.forEach((line, i) => ctx.sender.send(peer, line, fromCompose && i === 0 ? input : null));
  if (fromCompose) ctx.remember?.(input);
}

/** `/search <words>`: the results view opens and fills with the server's answer. */
function startSearch(ctx: ChatKeyContext, words: string, input: string): void {
  const { dispatch, finder } = ctx;
  if (!finder) return dispatch({ type: 'notice', text: 'search needs a newer server' });
  dispatch({ type: 'command/done', input });
  ctx.remember?.(input);
  dispatch({ type: 'search/start', query: words });
  void finder.search(words).then((r) => {
    if ('messages' in r) return dispatch({ type: 'search/results', query: words, messages: r.messages });
    if ('unsupported' in r) {
      dispatch({ type: 'search/close' });
      return dispatch({ type: 'notice', text: 'search needs a newer server' });
    }
    dispatch({ type: 'search/failed', query: words, error: r.failed });
  });
}

/** Keys that move the search results' pick. */
const SEARCH_MOVES: Record<string, number> = { up: -1, down: 1, 'ctrl+p': -1, 'ctrl+n': 1, pageup: -10, pagedown: 10, home: -Infinity, end: Infinity };

/** The search results take every key while they show: Up/Down pick, Enter opens the message, Esc closes. */
function onSearchKey(key: KeyPress, ctx: ChatKeyContext): void {
  const { dispatch } = ctx;
  if (key.mouse) return;
  const name = key.name;
  if (name === 'ctrl+c') return ctx.quit();
  if (name === 'escape' || name === 'ctrl+g' || name === 'q') return dispatch({ type: 'search/close' });
  if (SEARCH_MOVES[name] !== undefined) return dispatch({ type: 'search/move', delta: SEARCH_MOVES[name] });
  if (name !== 'enter') return;
  const search = ctx.getState().search;
  const hit = search?.hits[search.pick];
  if (!hit) return;
  dispatch({ type: 'search/close' });
  dispatch({ type: 'select', peer: hit.peer });
  const loaded = (): boolean => ctx.getState().convs.get(hit.peer)?.ids.has(hit.id) ?? false;
  if (loaded()) return dispatch({ type: 'jump', peer: hit.peer, id: hit.id });
  void (ctx.finder?.showMessage(hit.peer, hit.id) ?? Promise.resolve(false)).then((ok) => {
    if (ctx.getState().selected !== hit.peer) return;
    if (ok && loaded()) dispatch({ type: 'jump', peer: hit.peer, id: hit.id });
    else dispatch({ type: 'notice', text: 'That message could not be loaded' });
  });
}

/** Keys that move the quick switcher's pick. */
const SWITCHER_MOVES: Record<string, number> = { up: -1, down: 1, 'ctrl+p': -1, 'ctrl+n': 1, 'shift+tab': -1, tab: 1, pageup: -10, pagedown: 10 };

/** The quick switcher takes every key while open: the query's editing keys, Up/Down to pick, Enter, Esc. */
function onSwitcherKey(key: KeyPress, ctx: ChatKeyContext): void {
  const { dispatch } = ctx;
  if (key.mouse) return;
  const name = key.name;
  if (name === 'ctrl+c') return ctx.quit();
  if (name === 'escape' || name === 'ctrl+k' || name === 'ctrl+g') return dispatch({ type: 'switcher', open: false });
  if (name === 'enter') return dispatch({ type: 'switcher/choose' });
  if (SWITCHER_MOVES[name] !== undefined) return dispatch({ type: 'switcher/move', delta: SWITCHER_MOVES[name] });
  if (key.text !== undefined) return dispatch({ type: 'switcher/type', text: key.text });
  const edit = editActionFor(key);
  if (edit) dispatch({ type: 'switcher/edit', action: edit });
}

/** The wheel scrolls the conversation; a click on a name in the users pane opens that conversation. */
function onMouse(m: MouseEvent, ctx: ChatKeyContext): void {
  if (m.kind === 'wheelUp' || m.kind === 'wheelDown') {
    ctx.dispatch({ type: 'scroll', pages: 0, rows: m.kind === 'wheelUp' ? WHEEL_ROWS : -WHEEL_ROWS });
    return;
  }
  if (m.kind !== 'press' || m.button !== 0) return;
  const state = ctx.getState();
  const { layout } = state;
  // The users pane: its title on the first row, one name per row below.
  const row = m.y - 2;
  if (layout.usersWidth === 0 || m.x > layout.usersWidth || row < 0 || row >= layout.userRows) return;
  const name = state.order[state.userTop + row];
  if (name !== undefined) ctx.dispatch({ type: 'select', peer: name });
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
