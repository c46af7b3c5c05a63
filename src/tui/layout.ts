// Where each part of the chat screen goes for a terminal size. Pure, so the
// reducer (which scrolls by rows) and the components agree on every size.

import { textWidth } from './wrap.js';

/** Sizes of the chat screen's parts, in cells. */
export interface Layout {
  cols: number;
  /** Height of the whole app: one less than the terminal (Ink redraws everything at full height). */
  height: number;
  /** Width of the users pane; 0 when it is hidden on a narrow terminal. */
  usersWidth: number;
  /** Width of the conversation pane, including its left border when the users pane shows. */
  convWidth: number;
  /** Rows of the users pane and the conversation pane. */
  mainHeight: number;
  /** Rows for user names (the users pane minus its title). */
  userRows: number;
  /** Rows for messages (the conversation pane minus its title). */
  messageRows: number;
  /** True when the terminal is too small to draw the chat at all. */
  tooSmall: boolean;
  /** Rows of the compose box: the draft's lines, 1 to MAX_COMPOSE_ROWS (it scrolls beyond). */
  composeRows: number;
}

/** Rows below the panes besides the compose box: a rule and the status line. */
const FOOTER_ROWS = 2;
/** The compose box grows with a multi-line draft up to this many rows. */
export const MAX_COMPOSE_ROWS = 5;

/** Lays the screen out for a terminal of `cols` × `rows`, with a compose box that wants `composeLines` rows. */
export function computeLayout(cols: number, rows: number, composeLines = 1): Layout {
  const c = Math.max(1, Math.floor(cols || 80));
  const height = Math.max(1, Math.floor(rows || 24) - 1);
  // Wide terminals give the list room for full names beside the usernames.
  const usersWidth = c >= 140 ? 34 : c >= 100 ? 24 : c >= 76 ? 20 : c >= 58 ? 16 : 0;
  const convWidth = c - usersWidth;
  // The draft never takes the conversation's last rows: at least four stay for messages.
  const composeRows = Math.max(1, Math.min(composeLines, MAX_COMPOSE_ROWS, height - FOOTER_ROWS - 4));
  const mainHeight = Math.max(1, height - FOOTER_ROWS - composeRows);
  return {
    cols: c,
    height,
    usersWidth,
    convWidth,
    mainHeight,
    userRows: Math.max(1, mainHeight - 1),
    messageRows: Math.max(1, mainHeight - 1),
    tooSmall: c < 30 || height < 6,
    composeRows,
  };
}

/** How a conversation's lines are laid out: `HH:MM  nick │ text`. */
export interface MessageColumns {
  /** Cells for the sender's name (right-aligned). */
  nickWidth: number;
  /** Cells before the text: time, name and separator. */
  prefixWidth: number;
  /** Cells for the text itself. */
  textWidth: number;
}

/** Columns of the message lines for a conversation between `me` and `peer` in `layout`. */
export function messageColumns(layout: Layout, me: string, peer: string): MessageColumns {
  // Inner width: the pane minus its border (when the users pane shows) and one cell of margin each side.
  const inner = Math.max(10, layout.convWidth - (layout.usersWidth > 0 ? 1 : 0) - 2);
  const longest = Math.max(textWidth(me), textWidth(peer));
  const nickWidth = Math.max(3, Math.min(longest, 16, Math.floor(inner / 5)));
  const prefixWidth = 6 + nickWidth + 3;
  return { nickWidth, prefixWidth, textWidth: Math.max(4, inner - prefixWidth) };
}
