// The one place the keyboard is read. Ink's input parser splits the byte
// stream into events (an escape sequence, or a run of other characters);
// keys.ts names them. We listen to Ink's input events directly rather than
// through useInput, which cannot tell F1 from other function keys and hands
// Ctrl+letter to every text input as a typed letter.

import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { decodeInput, pastedLines, type KeyPress } from '../keys.js';

/**
 * Calls `handler` for every key press while `active`. Text pasted between
 * bracketed-paste marks arrives as one text key with its line breaks kept
 * (as `\n`), so pasting several lines fills a multi-line draft instead of
 * sending each.
 */
export function useKeyboard(handler: (key: KeyPress) => void, active = true): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!active) return;
    if (isRawModeSupported) setRawMode(true);
    let paste: string | null = null;
    const onInput = (data: string | Buffer): void => {
      const event = String(data);
      if (paste !== null && !event.startsWith('\x1b')) {
        paste += pastedLines(event);
        // A paste whose end mark never comes must not swallow the keyboard for good.
        if (paste.length > 100_000) {
          latest.current({ name: 'text', text: paste });
          paste = null;
        }
        return;
      }
      for (const key of decodeInput(event)) {
        if (key.name === 'paste-start') paste = '';
        else if (key.name === 'paste-end') {
          if (paste) latest.current({ name: 'text', text: paste });
          paste = null;
        } else if (paste === null) latest.current(key);
      }
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [active, events, setRawMode, isRawModeSupported]);
}
