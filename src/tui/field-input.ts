// What the login form's ink-text-input fields are given to read. Ink hands
// its input listeners one event per escape sequence or run of other
// characters, and ink-text-input treats each event as one key: `messi\r`
// arriving in one read (typed ahead while the program loads, or a paste)
// would go into the field as text, Enter included. Here each such event
// becomes one event per key, and keys the fields have no use for are dropped
// (ink-text-input would type the letter of Ctrl+U or Alt+B, and the Delete
// key would delete to the left).

import { decodeInput, pastedText } from './keys.js';

/** Keys (as named by decodeInput) that the login form or its text fields act on. */
const FIELD_KEYS = new Set(['enter', 'ctrl+j', 'tab', 'shift+tab', 'up', 'down', 'left', 'right', 'backspace', 'ctrl+c']);

/** The event each kept control key is passed on as (ink-text-input knows Enter as CR, Backspace as DEL). */
const CANONICAL: Record<string, string> = { enter: '\r', 'ctrl+j': '\r', tab: '\t', backspace: '\x7f', 'ctrl+c': '\x03' };

/**
 * A stateful filter from Ink input events to the events the login fields
 * see, one key each: a run of text stays one event (ink-text-input inserts
 * it whole); Enter, Tab, Backspace, Ctrl+C and the arrows are kept; other
 * control keys, Alt chords, function keys and Delete are dropped. A
 * bracketed paste becomes its text, line breaks and surrounding blanks
 * removed, so pasting a password copied with its line break does not sign in
 * by itself.
 */
export function createFieldInputFilter(): (event: string) => string[] {
  let paste: string | null = null;
  return (event) => {
    if (paste !== null && !event.startsWith('\x1b')) {
      paste += event;
      return [];
    }
    const out: string[] = [];
    if (event.startsWith('\x1b')) {
      const name = decodeInput(event)[0]?.name ?? 'unknown';
      if (name === 'paste-start') paste = '';
      else if (name === 'paste-end') {
        const text = paste === null ? '' : pastedText(paste).trim();
        paste = null;
        if (text) out.push(text);
      } else if (paste === null && FIELD_KEYS.has(name)) out.push(CANONICAL[name] ?? event);
      return out;
    }
    for (const key of decodeInput(event)) {
      if (key.text !== undefined) out.push(key.text);
      else if (FIELD_KEYS.has(key.name) && CANONICAL[key.name]) out.push(CANONICAL[key.name]!);
    }
    return out;
  };
}
