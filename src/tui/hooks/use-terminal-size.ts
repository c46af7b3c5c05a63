// The terminal's size, updated on resize.

import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Columns and rows of the terminal Ink draws on. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** The current terminal size; re-renders when the terminal is resized. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => {
      const next = read();
      setSize((old) => (old.cols === next.cols && old.rows === next.rows ? old : next));
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}
