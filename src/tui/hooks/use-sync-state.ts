// useState whose latest value can be read at once, even before React has
// re-rendered: a burst of keys in one input event (typed text, then Enter)
// must see each other's effects.

import { useCallback, useRef, useState } from 'react';

/** [value, set (value or updater), read the latest value]. */
export function useSyncState<T>(initial: T | (() => T)): [T, (next: T | ((old: T) => T)) => void, () => T] {
  const [value, setValue] = useState(initial);
  const ref = useRef(value);
  const set = useCallback((next: T | ((old: T) => T)) => {
    const v = typeof next === 'function' ? (next as (old: T) => T)(ref.current) : next;
    if (Object.is(v, ref.current)) return;
    ref.current = v;
    setValue(v);
  }, []);
  const get = useCallback(() => ref.current, []);
  return [value, set, get];
}
