// The one place the keyboard is read. Ink's input parser splits the byte
// stream into events (an escape sequence, or a run of other characters);
// keys.ts names them. We listen to Ink's input events directly rather than
// through useInput, which cannot tell F1 from other function keys and hands
// Ctrl+letter to every text input as a typed letter.

import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { decodeInput, type KeyPress } from '../keys.js';

/** Calls `handler` for every key press while `active`. */
export function useKeyboard(handler: (key: KeyPress) => void, active = true): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!active) return;
    if (isRawModeSupported) setRawMode(true);
    const onInput = (data: string | Buffer): void => {
      for (const key of decodeInput(String(data))) latest.current(key);
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [active, events, setRawMode, isRawModeSupported]);
}
