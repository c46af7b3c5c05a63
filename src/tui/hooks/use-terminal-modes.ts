// Terminal modes the chat screen sets while it shows: the window title
// (with the unread count) and mouse reporting. run.tsx undoes both on every
// way out, crashes included; unmounting undoes the mouse here too.

import { useEffect } from 'react';
import { MOUSE_OFF, MOUSE_ON, setTitle } from '../terminal-modes.js';

/** Where the sequences are written (the terminal's stdout). */
interface Writable {
  write(data: string): unknown;
}

/** Keeps the terminal's title at `title` (null: leaves the title alone). */
export function useTitle(out: Writable, title: string | null): void {
  useEffect(() => {
    if (title !== null) out.write(setTitle(title));
  }, [out, title]);
}

/** Mouse reporting on while mounted and `on`. */
export function useMouseReporting(out: Writable, on: boolean): void {
  useEffect(() => {
    if (!on) return;
    out.write(MOUSE_ON);
    return () => {
      out.write(MOUSE_OFF);
    };
  }, [out, on]);
}
