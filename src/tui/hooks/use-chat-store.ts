// The chat reducer held so that event handlers always see the latest state:
// each dispatch reduces synchronously into a ref, then React re-renders. A
// burst of keys in one input event (typed text then Enter) therefore acts on
// the text just typed.

import { useCallback, useRef, useState } from 'react';
import { reduce, type Action, type ChatState } from '../state.js';

/** The chat state, a dispatch that may be called from anywhere, and a reader of the latest state. */
export function useChatStore(init: () => ChatState): [ChatState, (a: Action) => void, () => ChatState] {
  const ref = useRef<ChatState | null>(null);
  if (ref.current === null) ref.current = init();
  const [state, setState] = useState<ChatState>(ref.current);
  const dispatch = useCallback((a: Action) => {
    const next = reduce(ref.current!, a);
    if (next === ref.current) return;
    ref.current = next;
    setState(next);
  }, []);
  const get = useCallback(() => ref.current!, []);
  return [state, dispatch, get];
}
