// The keyboard as data: the bindings from named keys to actions, which the
// help overlay and the status line also list, and the tables in use (the
// defaults, or what the config file made of them). Decoding is key-decode.ts.

import type { KeyPress } from './key-decode.js';

export { decodeInput, decodeMouse, pastedLines, pastedText, type KeyPress, type MouseEvent } from './key-decode.js';

/** Everything a key can do on the chat screen (each is bound and described in CHAT_BINDINGS). */
export const CHAT_ACTIONS = ['nextUser', 'prevUser', 'nextUnread', 'firstUser', 'lastUser', 'usersPageUp', 'usersPageDown', 'pageUp', 'pageDown', 'scrollEnd', 'historyPrev', 'historyNext', 'send', 'retry', 'complete', 'completeBack', 'help', 'switcher', 'quit'] as const;
/** What a key can do on the chat screen. */
export type ChatAction = (typeof CHAT_ACTIONS)[number];

/** Everything a key can do to the line being edited (each is bound and described in EDIT_BINDINGS). */
export const EDIT_ACTIONS = ['left', 'right', 'wordLeft', 'wordRight', 'home', 'end', 'backspace', 'delete', 'deleteWordBack', 'deleteWordForward', 'killToStart', 'killToEnd', 'lineUp', 'lineDown', 'newline', 'yank'] as const;
/** What a key can do to the line being edited. */
export type EditAction = (typeof EDIT_ACTIONS)[number];
/** Edit actions no key is bound to: Up and Down (historyPrev/historyNext) do them inside a multi-line draft. */
export const UNBOUND_EDIT_ACTIONS: ReadonlySet<EditAction> = new Set<EditAction>(['lineUp', 'lineDown']);

/** Where the help lists a binding: its sections, in order, with their headings. */
export const HELP_SECTIONS = { users: 'Finding people', chat: 'The conversation', edit: 'Editing the message' } as const;
/** A section of the help. */
export type HelpSection = keyof typeof HELP_SECTIONS;

/** A binding: the keys that trigger an action, and what the help overlay says about it. */
export interface Binding<A extends string> {
  action: A;
  keys: string[];
  help: string;
  section: HelpSection;
  /**
   * Bindings with the same pair text share one help line (`Ctrl+N / Ctrl+P
   * next / previous conversation`), the pair text saying what they do.
   */
  pair?: string;
  /**
   * A hint on the status line (`^N/^P switch`): `order` places it, `keep`
   * says how long it stays as the line gets shorter (0 stays longest).
   */
  hint?: { word: string; order: number; keep: number };
  /** Only when the compose box is empty (so `?` can still be typed in a message). */
  whenComposeEmpty?: boolean;
}

/** Chat-screen bindings, checked before the line editor's. */
export const CHAT_BINDINGS: ReadonlyArray<Binding<ChatAction>> = [
  { action: 'nextUser', keys: ['ctrl+n', 'alt+down'], help: 'next conversation', section: 'users', pair: 'next / prev user', hint: { word: 'switch', order: 2, keep: 3 } },
  { action: 'prevUser', keys: ['ctrl+p', 'alt+up'], help: 'previous conversation', section: 'users', pair: 'next / prev user' },
  { action: 'switcher', keys: ['ctrl+k'], help: 'find by name', section: 'users', hint: { word: 'go to', order: 1, keep: 2 } },
  { action: 'nextUnread', keys: ['alt+a'], help: 'next with unread', section: 'users' },
  { action: 'usersPageUp', keys: ['alt+pageup', 'ctrl+pageup'], help: 'a page up the users', section: 'users', pair: 'page of users' },
  { action: 'usersPageDown', keys: ['alt+pagedown', 'ctrl+pagedown'], help: 'a page down the users', section: 'users', pair: 'page of users' },
  { action: 'firstUser', keys: ['alt+home', 'ctrl+home'], help: 'first user', section: 'users', pair: 'first / last user' },
  { action: 'lastUser', keys: ['alt+end', 'ctrl+end'], help: 'last user', section: 'users', pair: 'first / last user' },
  { action: 'pageUp', keys: ['pageup'], help: 'scroll back', section: 'chat', pair: 'scroll back / forward', hint: { word: 'scroll', order: 3, keep: 4 } },
  { action: 'pageDown', keys: ['pagedown'], help: 'scroll forward', section: 'chat', pair: 'scroll back / forward' },
  { action: 'scrollEnd', keys: ['end'], help: 'jump to newest', section: 'chat' },
  { action: 'send', keys: ['enter'], help: 'send the message', section: 'chat' },
  { action: 'historyPrev', keys: ['up'], help: 'earlier typed message', section: 'chat', pair: 'earlier / later input' },
  { action: 'historyNext', keys: ['down'], help: 'later typed message', section: 'chat', pair: 'earlier / later input' },
  { action: 'retry', keys: ['ctrl+r'], help: 'retry failed messages', section: 'chat' },
  { action: 'complete', keys: ['tab'], help: 'complete a name', section: 'chat', pair: 'complete a name' },
  { action: 'completeBack', keys: ['shift+tab'], help: 'previous name', section: 'chat', pair: 'complete a name' },
  { action: 'help', keys: ['f1'], help: 'show or hide help', section: 'chat', hint: { word: 'keys', order: 0, keep: 0 } },
  { action: 'quit', keys: ['ctrl+c'], help: 'log out and quit', section: 'chat', hint: { word: 'quit', order: 4, keep: 1 } },
];

/** Line-editing bindings of the compose box. */
export const EDIT_BINDINGS: ReadonlyArray<Binding<EditAction>> = [
  { action: 'left', keys: ['left', 'ctrl+b'], help: 'cursor left', section: 'edit', pair: 'cursor left / right' },
  { action: 'right', keys: ['right', 'ctrl+f'], help: 'cursor right', section: 'edit', pair: 'cursor left / right' },
  { action: 'wordLeft', keys: ['alt+b', 'ctrl+left', 'alt+left'], help: 'word left', section: 'edit', pair: 'word left / right' },
  { action: 'wordRight', keys: ['alt+f', 'ctrl+right', 'alt+right'], help: 'word right', section: 'edit', pair: 'word left / right' },
  { action: 'home', keys: ['home', 'ctrl+a'], help: 'start of line', section: 'edit', pair: 'start / end of line' },
  { action: 'end', keys: ['end', 'ctrl+e'], help: 'end of line', section: 'edit', pair: 'start / end of line' },
  { action: 'backspace', keys: ['backspace'], help: 'delete left', section: 'edit', pair: 'delete left / right' },
  { action: 'delete', keys: ['delete', 'ctrl+d'], help: 'delete right', section: 'edit', pair: 'delete left / right' },
  { action: 'deleteWordBack', keys: ['ctrl+w', 'alt+backspace'], help: 'cut word left', section: 'edit' },
  { action: 'deleteWordForward', keys: ['alt+d'], help: 'cut word right', section: 'edit' },
  { action: 'killToStart', keys: ['ctrl+u'], help: 'cut to start', section: 'edit', pair: 'cut to start / end' },
  { action: 'killToEnd', keys: ['alt+k'], help: 'cut to end', section: 'edit', pair: 'cut to start / end' },
  { action: 'yank', keys: ['ctrl+y'], help: 'paste the cut', section: 'edit' },
  { action: 'newline', keys: ['alt+enter', 'ctrl+j'], help: 'new line', section: 'edit' },
];

const KEY_BASES = new Set([
  'up', 'down', 'left', 'right', 'home', 'end', 'pageup', 'pagedown', 'insert', 'delete', 'enter', 'tab', 'backspace', 'escape', 'space',
  ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
]);

/** Whether `name` is a key the decoder can report: modifiers in the order ctrl, alt, shift, then a key or one printable character. */
export function isKeyName(name: string): boolean {
  const m = /^(ctrl\+)?(alt\+)?(shift\+)?(.+)$/u.exec(name);
  if (!m) return false;
  const base = m[4]!;
  if (KEY_BASES.has(base)) return true;
  return [...base].length === 1 && /^[\x21-\x7e]$/.test(base) && (base.toLowerCase() === base || !m[1]);
}

/** Checks a binding table once, at start: every key a name the decoder reports, every binding described. */
export function checkBindings<A extends string>(list: ReadonlyArray<Binding<A>>): void {
  for (const b of list) {
    const bad = b.keys.find((k) => !isKeyName(k));
    if (bad !== undefined) throw new Error(`key binding for ${b.action}: unknown key name "${bad}"`);
    if (b.keys.length === 0 || b.help.trim() === '') throw new Error(`key binding for ${b.action}: needs keys and a description`);
  }
}

checkBindings(CHAT_BINDINGS);
checkBindings(EDIT_BINDINGS);

function indexBindings<A extends string>(list: ReadonlyArray<Binding<A>>): Map<string, Binding<A>[]> {
  const map = new Map<string, Binding<A>[]>();
  for (const b of list) {
    for (const k of b.keys) {
      const entry = map.get(k) ?? [];
      entry.push(b);
      map.set(k, entry);
    }
  }
  return map;
}

let chatIndex = indexBindings(CHAT_BINDINGS);
let editIndex = indexBindings(EDIT_BINDINGS);
let active: { chat: ReadonlyArray<Binding<ChatAction>>; edit: ReadonlyArray<Binding<EditAction>> } = { chat: CHAT_BINDINGS, edit: EDIT_BINDINGS };

/** The chat-screen bindings in use: the defaults, or what the config file made of them. */
export function chatBindings(): ReadonlyArray<Binding<ChatAction>> {
  return active.chat;
}

/** The line-editing bindings in use. */
export function editBindings(): ReadonlyArray<Binding<EditAction>> {
  return active.edit;
}

/**
 * Puts tables in use (once, at start, before the screen is drawn): key
 * lookups, the help and the status hints all read them from here.
 */
export function setActiveBindings(chat: ReadonlyArray<Binding<ChatAction>>, edit: ReadonlyArray<Binding<EditAction>>): void {
  checkBindings(chat);
  checkBindings(edit);
  active = { chat, edit };
  chatIndex = indexBindings(chat);
  editIndex = indexBindings(edit);
}

/** The chat action bound to a key press, if any. */
export function chatActionFor(key: KeyPress, composeEmpty: boolean): ChatAction | undefined {
  const name = key.text ?? key.name;
  for (const b of chatIndex.get(name) ?? []) {
    if (!b.whenComposeEmpty || composeEmpty) return b.action;
  }
  return undefined;
}

/** The edit action bound to a key press, if any. */
export function editActionFor(key: KeyPress): EditAction | undefined {
  if (key.name === 'text') return undefined;
  return editIndex.get(key.name)?.[0]?.action;
}

/** How the first key bound to a chat action is written for people ('Alt+A'), for hints outside the help. */
export function keyFor(action: ChatAction): string {
  const b = active.chat.find((x) => x.action === action);
  return b ? keyLabel(b.keys[0]!) : action;
}

const KEY_LABELS: Record<string, string> = {
  pageup: 'PgUp', pagedown: 'PgDn', up: 'Up', down: 'Down', left: 'Left', right: 'Right',
  home: 'Home', end: 'End', enter: 'Enter', backspace: 'Backspace', delete: 'Delete', escape: 'Esc', tab: 'Tab',
};

/** How a key name is written for people: 'ctrl+n' -> 'Ctrl+N', 'pageup' -> 'PgUp'. */
export function keyLabel(name: string): string {
  return name
    .split('+')
    .map((part, i, all) => {
      if (i < all.length - 1) return part[0]!.toUpperCase() + part.slice(1);
      if (KEY_LABELS[part]) return KEY_LABELS[part];
      if (/^f[0-9]+$/.test(part)) return part.toUpperCase();
      return part.length === 1 ? part.toUpperCase() : part;
    })
    .join('+');
}

/** A key as the status line writes it, shortest: 'ctrl+n' -> '^N'. */
export function shortKeyLabel(name: string): string {
  return name.startsWith('ctrl+') && name.length === 6 ? '^' + name.slice(5).toUpperCase() : keyLabel(name);
}

/**
 * The status line's key hints, longest first, from the bindings that have
 * one: each form leaves out the hint that goes first, down to the one that
 * stays longest. A pair shows the first key of each of its actions (`^N/^P`).
 */
export function statusHints(bindings: ReadonlyArray<Binding<string>> = active.chat): string[] {
  const hints: Array<{ text: string; order: number; keep: number }> = [];
  for (const b of bindings) {
    if (!b.hint) continue;
    const partners = b.pair === undefined ? [b] : bindings.filter((o) => o.pair === b.pair);
    const keys = [...new Set(partners.map((o) => o.keys[0]!))].map(shortKeyLabel).join('/');
    hints.push({ text: `${keys} ${b.hint.word}`, order: b.hint.order, keep: b.hint.keep });
  }
  hints.sort((a, b) => a.order - b.order);
  const ranks = [...new Set(hints.map((h) => h.keep))].sort((a, b) => b - a);
  return ranks.map((r) => hints.filter((h) => h.keep <= r).map((h) => h.text).join(' · '));
}
