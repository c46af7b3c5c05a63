// Feeds the login form's ink-text-input fields one key at a time.
// ink-text-input reads its value and cursor from the render its input
// listener was made in, and that listener is replaced only when React runs
// the next render's effects, a few milliseconds after a key. Keys closer
// together than that (several in one read: typed ahead while the program
// loads, or sent by a script) would each start from the same old value, and
// all but the last would be lost. So Ink's input events go through
// createFieldInputFilter into a queue, and each reaches Ink's listeners only
// after the form has rendered again since the one before (or since a change
// of field) and that render's effects, the fields' fresh listeners among
// them, have run.

import { useStdin } from 'ink';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createFieldInputFilter } from '../field-input.js';

interface Pump {
  queue: string[];
  /** The turn asked for and not yet taken; 0 when idle. */
  waitingFor: number;
  /** Asks for a render of the form; its effects then hand on the next key. */
  request: () => void;
  /** Hands the first key in the queue to Ink's listeners. */
  deliver: () => void;
}

/** While mounted, Ink's input reaches every listener one key at a time, filtered for the login fields. */
export function useFieldInput(): void {
  const { internal_eventEmitter: events } = useStdin();
  const [turn, setTurn] = useState(0);
  const pump = useRef<Pump | null>(null);

  // A layout effect, so that keys typed ahead are caught before the fields start listening.
  useLayoutEffect(() => {
    const emit = events.emit;
    const filter = createFieldInputFilter();
    let count = 0;
    const p: Pump = {
      queue: [],
      waitingFor: 0,
      request: () => {
        if (p.waitingFor !== 0 || p.queue.length === 0) return;
        p.waitingFor = ++count;
        setTurn(count);
      },
      deliver: () => {
        const event = p.queue.shift();
        p.waitingFor = 0;
        if (event !== undefined) emit.call(events, 'input', event);
        p.request();
      },
    };
    // Ink offers no other way in between its input parser and its listeners.
    events.emit = (name: string | symbol, ...args: unknown[]): boolean => {
      if (name !== 'input') return emit.call(events, name, ...args);
      p.queue.push(...filter(String(args[0])));
      p.request();
      return true;
    };
    pump.current = p;
    return () => {
      events.emit = emit;
      pump.current = null;
    };
  }, [events]);

  // Runs after the fields' own effects: whatever listener they now have reads the latest value.
  useEffect(() => {
    const p = pump.current;
    if (!p || turn === 0 || p.waitingFor !== turn) return;
    const timer = setImmediate(p.deliver);
    return () => clearImmediate(timer);
  }, [turn]);
}
