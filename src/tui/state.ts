// The chat screen's state and the pure reducer that changes it: users and
// presence, conversations, unread counts, selection, drafts, input history
// and scrolling. Components only draw this; the session only dispatches to
// it. Every remote string is sanitized on the way in, once.

import type { DirectoryEntry, Message, OnlineEntry } from '../protocol.js';
import type { Inbox } from '../client.js';
import { chatHelpLayout } from './help-layout.js';
import type { EditAction } from './keys.js';
import { computeLayout } from './layout.js';
import { type ChatState, type ConnState, type ItemStatus } from './model.js';
import { applyHistory, applyIncoming, applySendStart, applyServerReset, historyLoading } from './state-messages.js';
import { applySendStatus } from './state-own.js';
import { applyDirectory, applyPresence, ensureUser, moveSelection, nextUnread, reorder, selectUser } from './state-users.js';
import { jumpTo, searchClose, searchFailed, searchMove, searchResults, searchStart } from './state-search.js';
import { applySyncBatch, applySyncStart } from './state-sync.js';
import { switcherChoose, switcherEdit, switcherMove, switcherType, toggleSwitcher } from './state-switcher.js';
import { applyCompletion, applyEdit, commandDone, applyTyping, browseInputHistory, fitCompose, scrollBy, scrollToEnd } from './state-view.js';

export type { ChatItem, ChatState, ConnState, Conversation, HistoryState, ItemStatus, SearchHit, SearchState, SwitcherState, UserInfo } from './model.js';
export { currentDraft, emptyConversation, initialState } from './model.js';

/** Everything that can happen to the chat screen. */
export type Action =
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'conn'; conn: ConnState }
  | { type: 'poll'; online?: OnlineEntry[]; users?: DirectoryEntry[]; inbox?: Inbox; now?: number }
  | { type: 'history/loading'; peer: string }
  | { type: 'history/loaded'; peer: string; messages: Message[]; complete: boolean }
  | { type: 'history/failed'; peer: string; error?: string }
  | { type: 'send/start'; peer: string; key: string; text: string; ts: number; queued: boolean; fromCompose?: boolean; input?: string }
  | { type: 'send/status'; peer: string; key: string; status: ItemStatus; error?: string; message?: Message }
  | { type: 'select'; peer: string }
  /** A command line was carried out: the draft is cleared and kept in the input history. */
  | { type: 'command/done'; input: string }
  /** Moves the selection down (up when negative) the list: wrapping, or stopping at its ends with `clamp`. */
  | { type: 'move'; delta: number; clamp?: boolean }
  | { type: 'nextUnread' }
  | { type: 'scroll'; pages: number; rows?: number }
  | { type: 'scrollEnd' }
  | { type: 'type'; text: string }
  | { type: 'edit'; action: EditAction }
  | { type: 'inputHistory'; direction: -1 | 1 }
  | { type: 'complete'; direction: -1 | 1 }
  | { type: 'help'; open?: boolean }
  | { type: 'helpScroll'; delta: number }
  | { type: 'notice'; text: string | null }
  | { type: 'switcher'; open: boolean }
  | { type: 'switcher/type'; text: string }
  | { type: 'switcher/edit'; action: EditAction }
  | { type: 'switcher/move'; delta: number }
  | { type: 'switcher/choose' }
  | { type: 'server/reset' }
  /** Live sync began: the directory with the server's unread counts. */
  | { type: 'sync/start'; users: DirectoryEntry[] }
  /** One sync answer: messages to and from us, and the read markers that moved. */
  | { type: 'sync'; messages: Message[]; read: ReadonlyMap<string, number>; now: number }
  | { type: 'search/start'; query: string }
  | { type: 'search/results'; query: string; messages: Message[] }
  | { type: 'search/failed'; query: string; error: string }
  | { type: 'search/move'; delta: number }
  | { type: 'search/close' }
  /** Scrolls the conversation with `peer` to the message `id` (already loaded). */
  | { type: 'jump'; peer: string; id: number };

/** The reducer. Returns the same state object when an action changes nothing. */
export function reduce(state: ChatState, action: Action): ChatState {
  // Anything the person does other than walking the list lets it sort again.
  const start = state.orderFrozen && !KEEPS_ORDER.has(action.type) ? reorder({ ...state, orderFrozen: false }) : state;
  // The compose box grows with the draft shown, whatever changed it.
  return fitCompose(reduceAction(start, action));
}

/** Actions that leave a frozen list order as it is: walking the list, and what the network and the clock do. */
const KEEPS_ORDER: ReadonlySet<Action['type']> = new Set<Action['type']>([
  'move', 'switcher/move', 'resize', 'conn', 'poll', 'history/loading', 'history/loaded', 'history/failed', 'send/status', 'notice', 'server/reset', 'helpScroll', 'scroll',
  'sync/start', 'sync', 'search/results', 'search/failed', 'search/move',
]);

function reduceAction(state: ChatState, action: Action): ChatState {
  switch (action.type) {
    case 'resize': {
      const layout = computeLayout(action.cols, action.rows, state.layout.composeRows);
      if (layout.cols === state.layout.cols && layout.height === state.layout.height) return state;
      return selectUser({ ...state, layout }, state.selected);
    }
    case 'conn':
      if (sameConn(state.conn, action.conn)) return state;
      return { ...state, conn: action.conn };
    case 'poll': {
      let next = state;
      if (action.users) next = applyDirectory(next, action.users);
      if (action.online) next = applyPresence(next, action.online);
      if (action.inbox) next = applyIncoming(next, action.inbox, action.now ?? Date.now());
      if (next.selected === null && next.order.length > 0) next = selectUser(next, next.order[0]!);
      return next;
    }
    case 'history/loading':
      return historyLoading(state, action.peer);
    case 'history/loaded':
      return applyHistory(state, action.peer, action.messages, action.complete);
    case 'history/failed':
      return applyHistory(state, action.peer, null, false, action.error);
    case 'send/start':
      return applySendStart(state, action);
    case 'send/status':
      return applySendStatus(state, action);
    case 'select':
      // Someone not in the list yet (`/msg` to a user the directory does not show) joins it.
      return selectUser(state.users.has(action.peer) ? state : ensureUser(state, action.peer), action.peer);
    case 'command/done':
      return commandDone(state, action.input);
    case 'move':
      return moveSelection({ ...state, orderFrozen: true }, action.delta, action.clamp);
    case 'nextUnread':
      return nextUnread(state);
    case 'scroll':
      return scrollBy(state, action.pages, action.rows);
    case 'scrollEnd':
      return scrollToEnd(state);
    case 'type':
      return applyTyping(state, action.text);
    case 'edit':
      return applyEdit(state, action.action);
    case 'inputHistory':
      return browseInputHistory(state, action.direction);
    case 'complete':
      return applyCompletion(state, action.direction);
    case 'help': {
      const open = action.open ?? !state.help;
      return open === state.help ? state : { ...state, help: open, helpTop: 0, switcher: open ? null : state.switcher };
    }
    case 'helpScroll': {
      const top = Math.max(0, Math.min(state.helpTop + action.delta, chatHelpLayout(state.layout).maxTop));
      return top === state.helpTop ? state : { ...state, helpTop: top };
    }
    case 'notice':
      return action.text === state.notice ? state : { ...state, notice: action.text };
    case 'server/reset':
      return applyServerReset(state);
    case 'sync/start': {
      const next = applySyncStart(state, action.users);
      return next.selected === null && next.order.length > 0 ? selectUser(next, next.order[0]!) : next;
    }
    case 'sync':
      return applySyncBatch(state, action.messages, action.read, action.now);
    case 'search/start':
      return searchStart(state, action.query);
    case 'search/results':
      return searchResults(state, action.query, action.messages);
    case 'search/failed':
      return searchFailed(state, action.query, action.error);
    case 'search/move':
      return searchMove(state, action.delta);
    case 'search/close':
      return searchClose(state);
    case 'jump':
      return jumpTo(state, action.peer, action.id);
    case 'switcher':
      return toggleSwitcher(state, action.open);
    case 'switcher/type':
      return switcherType(state, action.text);
    case 'switcher/edit':
      return switcherEdit(state, action.action);
    case 'switcher/move':
      return switcherMove(state, action.delta);
    case 'switcher/choose':
      return switcherChoose(state);
  }
}

function sameConn(a: ConnState, b: ConnState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'reconnecting' && b.kind === 'reconnecting') return a.attempt === b.attempt && a.reason === b.reason;
  if (a.kind === 'offline' && b.kind === 'offline') return a.reason === b.reason;
  return true;
}
