// Reducer parts for what the person does with the view: scrolling the
// conversation, editing the draft, and browsing the messages typed before.

import type { EditAction } from './keys.js';
import { completeName } from './complete.js';
import { rowsFromBottom } from './conversation-rows.js';
import { computeLayout, messageColumns } from './layout.js';
import { applyEdit as editLine, editWithKill, EMPTY_LINE, insertText, lineOf, yank, type EditLine } from './line-edit.js';
import { currentDraft, INPUT_HISTORY_MAX, type ChatState, type Conversation } from './model.js';

function withSelectedConv(state: ChatState, conv: Conversation): ChatState {
  const convs = new Map(state.convs);
  convs.set(conv.peer, conv);
  return { ...state, convs };
}

/**
 * Scrolls the open conversation by whole pages, or by `lines` rows when
 * given (the mouse wheel): positive goes back to older messages, negative
 * forward.
 */
export function scrollBy(state: ChatState, pages: number, lines?: number): ChatState {
  const peer = state.selected;
  const conv = peer === null ? undefined : state.convs.get(peer);
  if (lines !== undefined) pages = Math.sign(lines);
  if (!conv || pages === 0) return state;
  const rows = state.layout.messageRows;
  const page = Math.max(1, rows - 2);
  let target = Math.max(0, conv.scrollBack + (lines ?? pages * page));
  let wantOlder = conv.wantOlder;
  if (pages > 0) {
    const width = messageColumns(state.layout, state.me, conv.peer).textWidth;
    // Look one page beyond the window, to ask for older messages before they are needed.
    const seen = rowsFromBottom(conv.items, width, target + rows + page);
    if (seen.reachedTop) {
      target = Math.min(target, Math.max(0, seen.rows - rows));
      if (conv.history === 'partial') wantOlder = true;
    }
  }
  const newBelow = target === 0 ? 0 : conv.newBelow;
  if (target === conv.scrollBack && wantOlder === conv.wantOlder && newBelow === conv.newBelow) return state;
  return withSelectedConv(state, { ...conv, scrollBack: target, wantOlder, newBelow });
}

/** Back to the newest message (End), with the cursor at the end of the draft. */
export function scrollToEnd(state: ChatState): ChatState {
  const peer = state.selected;
  const conv = peer === null ? undefined : state.convs.get(peer);
  let next = state;
  if (conv && (conv.scrollBack !== 0 || conv.newBelow !== 0)) {
    next = withSelectedConv(state, { ...conv, scrollBack: 0, newBelow: 0 });
  }
  return setDraft(next, editLine(currentDraft(next), 'end'));
}

function setDraft(state: ChatState, line: EditLine, keepBrowsing = false): ChatState {
  const peer = state.selected;
  if (peer === null) return state;
  const old = state.drafts.get(peer);
  const browsingReset = !keepBrowsing && state.inputPos !== null;
  if (old === line && !browsingReset) return state;
  if (!old && line.text === '' && line.cursor === 0 && !browsingReset) return state;
  const drafts = new Map(state.drafts);
  drafts.set(peer, line);
  return browsingReset ? { ...state, drafts, inputPos: null, inputStash: null } : { ...state, drafts };
}

/** Typed or pasted text goes into the draft at the cursor. */
export function applyTyping(state: ChatState, text: string): ChatState {
  if (state.selected === null || text === '') return state;
  return setDraft(state, insertText(currentDraft(state), text));
}

/** A line-editing key on the draft; a cut fills the kill buffer, Ctrl+Y yanks it back. */
export function applyEdit(state: ChatState, action: EditAction): ChatState {
  if (state.selected === null) return state;
  const draft = currentDraft(state);
  if (action === 'yank') return state.killBuffer === '' ? state : setDraft(state, yank(draft, state.killBuffer));
  const { line: next, killed } = editWithKill(draft, action);
  if (next === draft) return state;
  const edited = setDraft(state, next, true);
  return killed === undefined ? edited : { ...edited, killBuffer: killed };
}

/** Tab (1) or Shift+Tab (-1): completes a username before the cursor, or cycles to the next match. */
export function applyCompletion(state: ChatState, direction: -1 | 1): ChatState {
  if (state.selected === null) return state;
  const done = completeName(currentDraft(state), state.order, state.me, state.completion, direction);
  if (!done) return state;
  return { ...setDraft(state, done.line), completion: done.cycle };
}

/** The layout with as many compose rows as the shown draft has lines (up to the most the screen allows). */
export function fitCompose(state: ChatState): ChatState {
  const text = currentDraft(state).text;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && lines <= 5; i = text.indexOf('\n', i + 1)) lines++;
  const { layout } = state;
  if (lines === layout.composeRows) return state;
  const next = computeLayout(layout.cols, layout.height + 1, lines);
  return next.composeRows === layout.composeRows ? state : { ...state, layout: next };
}

/** Up (-1) and Down (+1) in the compose box: the messages typed before, like a shell. */
export function browseInputHistory(state: ChatState, direction: -1 | 1): ChatState {
  if (state.selected === null) return state;
  const list = state.sentInput;
  if (direction < 0) {
    if (list.length === 0) return state;
    if (state.inputPos === null) {
      const stash = currentDraft(state);
      const pos = list.length - 1;
      return { ...setDraft(state, lineOf(list[pos]!), true), inputPos: pos, inputStash: stash };
    }
    if (state.inputPos === 0) return state;
    const pos = state.inputPos - 1;
    return { ...setDraft(state, lineOf(list[pos]!), true), inputPos: pos };
  }
  if (state.inputPos === null) return state;
  const pos = state.inputPos + 1;
  if (pos >= list.length) {
    const back = state.inputStash ?? lineOf('');
    return { ...setDraft(state, back, true), inputPos: null, inputStash: null };
  }
  return { ...setDraft(state, lineOf(list[pos]!), true), inputPos: pos };
}

/** A command line was carried out: the draft empties and the command is kept for Up/Down, as a sent message is. */
export function commandDone(state: ChatState, input: string): ChatState {
  const cleared = setDraft(state, EMPTY_LINE);
  const last = cleared.sentInput[cleared.sentInput.length - 1];
  const sentInput = last === input ? cleared.sentInput : cleared.sentInput.concat(input).slice(-INPUT_HISTORY_MAX);
  return { ...cleared, sentInput, inputPos: null, inputStash: null };
}
