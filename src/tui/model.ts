// The chat screen's model: its types, the state right after login, and the
// small constructors and readers every reducer part shares. A leaf: the
// reducer parts (state-*.ts), the rows and the components import it, and it
// imports none of them.

import { isValidUsername } from '../protocol.js';
import type { CompletionCycle } from './complete.js';
import { computeLayout, type Layout } from './layout.js';
import { EMPTY_LINE, type EditLine } from './line-edit.js';
import { sanitizeLine } from './sanitize.js';

/** Most messages kept for Up/Down (in memory and in the history file). */
export const INPUT_HISTORY_MAX = 500;

/** A username safe to use as a key and to draw: valid ones as they are, others sanitized. */
export function peerName(name: unknown): string {
  const s = String(name ?? '');
  return isValidUsername(s) ? s : sanitizeLine(s) || '?';
}

/** Delivery state of a message in the view. */
export type ItemStatus = 'sent' | 'sending' | 'queued' | 'failed';

/** A message as a conversation holds it; `from` and `text` are sanitized. */
export interface ChatItem {
  /** `m<id>` for messages the server numbered, `l<n>` for our own sent ones. */
  readonly key: string;
  readonly id: number | null;
  readonly from: string;
  readonly text: string;
  /** Our own message as typed (unsanitized), kept to send it again. */
  readonly raw?: string;
  readonly ts: number;
  readonly status: ItemStatus;
  /** Why sending failed (sanitized). */
  readonly error?: string;
}

/** How much of a conversation's history has been fetched. */
export type HistoryState = 'unloaded' | 'loading' | 'partial' | 'complete';

/** One conversation: its messages and how it is scrolled. */
export interface Conversation {
  readonly peer: string;
  readonly items: readonly ChatItem[];
  /** Ids of the numbered items, to drop duplicates. */
  readonly ids: ReadonlySet<number>;
  readonly history: HistoryState;
  /** Rows scrolled back from the newest (0: following new messages). */
  readonly scrollBack: number;
  /** Messages that arrived while scrolled back. */
  readonly newBelow: number;
  /** The view reached the oldest loaded message and more may exist. */
  readonly wantOlder: boolean;
  /**
   * Our own messages the server sent back while one of ours to this peer was
   * still on its way: not shown until that one is answered, as one of them
   * may be its copy (matched by id when the answer names it).
   */
  readonly held?: readonly ChatItem[];
}

/** A user as the list shows them; `nama` and `negara` are sanitized. */
export interface UserInfo {
  readonly username: string;
  readonly nama: string;
  readonly negara: string;
  readonly online: boolean;
  /** Listed by the server's directory (`users`). */
  readonly listed: boolean;
}

/** The connection as the status line reports it. */
export type ConnState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number; reason: string }
  | { kind: 'offline'; reason: string };

/** Everything the chat screen draws. */
export interface ChatState {
  readonly me: string;
  readonly server: string;
  readonly conn: ConnState;
  readonly users: ReadonlyMap<string, UserInfo>;
  /** The users pane, top to bottom. */
  readonly order: readonly string[];
  readonly unread: ReadonlyMap<string, number>;
  readonly convs: ReadonlyMap<string, Conversation>;
  readonly selected: string | null;
  /** First user shown in the users pane. */
  readonly userTop: number;
  /**
   * True while the person walks the list (Ctrl+N/Ctrl+P and the like): the
   * order stays as it was, so rows do not move under the cursor; the next
   * other key sorts it again.
   */
  readonly orderFrozen: boolean;
  readonly drafts: ReadonlyMap<string, EditLine>;
  /** Messages typed in this run, oldest first, for Up/Down. */
  readonly sentInput: readonly string[];
  /** Position while browsing sentInput (null: not browsing). */
  readonly inputPos: number | null;
  /** The draft as it was before browsing began. */
  readonly inputStash: EditLine | null;
  readonly layout: Layout;
  readonly help: boolean;
  /** First line of the help shown, when it has to scroll. */
  readonly helpTop: number;
  readonly notice: string | null;
  /** Goes up each time something should ring the bell. */
  readonly bell: number;
  /** What the last cut (Ctrl+U, Alt+K, Ctrl+W, Alt+D) removed, for Ctrl+Y. */
  readonly killBuffer: string;
  /** The Tab completion in progress, if the draft is still what it made. */
  readonly completion: CompletionCycle | null;
  /** The quick switcher (Ctrl+K), while it is open. */
  readonly switcher: SwitcherState | null;
  /** The results of `/search`, while they show. */
  readonly search: SearchState | null;
}

/** One message found by `/search`; `from` and `text` are sanitized. */
export interface SearchHit {
  readonly peer: string;
  readonly id: number;
  readonly from: string;
  readonly text: string;
  readonly ts: number;
}

/** The search results view while it is open. */
export interface SearchState {
  readonly query: string;
  readonly status: 'loading' | 'done' | 'failed';
  /** Newest first. */
  readonly hits: readonly SearchHit[];
  readonly pick: number;
  readonly error?: string;
}

/** The switcher while it is open. */
export interface SwitcherState {
  readonly query: EditLine;
  /** Usernames matching the query, best first. */
  readonly matches: readonly string[];
  /** Index of the picked match. */
  readonly pick: number;
}

/** The state right after login. */
export function initialState(me: string, server: string, cols = 80, rows = 24): ChatState {
  return {
    me,
    server,
    conn: { kind: 'connected' },
    users: new Map(),
    order: [],
    unread: new Map(),
    convs: new Map(),
    selected: null,
    userTop: 0,
    orderFrozen: false,
    drafts: new Map(),
    sentInput: [],
    inputPos: null,
    inputStash: null,
    layout: computeLayout(cols, rows),
    help: false,
    helpTop: 0,
    notice: null,
    bell: 0,
    killBuffer: '',
    completion: null,
    switcher: null,
    search: null,
  };
}

/** An empty conversation with `peer`. */
export function emptyConversation(peer: string): Conversation {
  return { peer, items: [], ids: new Set(), history: 'unloaded', scrollBack: 0, newBelow: 0, wantOlder: false };
}

/** The draft of the selected conversation. */
export function currentDraft(state: ChatState): EditLine {
  return (state.selected !== null && state.drafts.get(state.selected)) || EMPTY_LINE;
}

