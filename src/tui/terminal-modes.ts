// Escape sequences for the terminal modes the chat turns on and must turn
// off again on every way out (run.tsx): the window title and mouse
// reporting. The title is pushed on the terminal's title stack (XTWINOPS
// 22/23) so the one from before comes back; terminals without a stack get a
// plain title instead.

import { sanitizeLine } from './sanitize.js';

/** Saves the window and icon titles on the terminal's title stack. */
export const PUSH_TITLE = '\x1b[22;0t';
/** A plain (empty) title, then the saved one back from the stack where the terminal has one. */
export const RESTORE_TITLE = '\x1b]0;\x07\x1b[23;0t';
/** Mouse button and wheel reports (1000) in SGR form (1006), which has no limit on the column. */
export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
/** Mouse reporting off again. */
export const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';

/** The sequence setting the window and icon title (OSC 0) to `title`, made safe. */
export function setTitle(title: string): string {
  // OSC ends at BEL; sanitizing leaves no control character that could end it early or start another.
  return `\x1b]0;${sanitizeLine(title)}\x07`;
}
