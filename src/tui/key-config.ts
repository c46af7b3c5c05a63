// Key bindings from the config file: `keys` maps an action to the keys that
// replace its defaults. A key given to one action is taken from whichever
// action had it by default, so every key still does one thing; an action
// left with no key at all is an error, so every action stays bound.

import { CHAT_BINDINGS, EDIT_BINDINGS, isKeyName, type Binding, type ChatAction, type EditAction } from './keys.js';

/** The binding tables after the config file's `keys`. */
export interface BoundKeys {
  chat: ReadonlyArray<Binding<ChatAction>>;
  edit: ReadonlyArray<Binding<EditAction>>;
}

/** Every action a key can be bound to, in table order. */
export const BINDABLE_ACTIONS: readonly string[] = [...CHAT_BINDINGS, ...EDIT_BINDINGS].map((b) => b.action);

/** Why a key name cannot be bound, or null when it can. */
function keyProblem(name: string): string | null {
  if (!isKeyName(name)) return `unknown key name "${name}"`;
  // A lone printable character would stop it being typed into messages.
  if ([...name].length === 1) return `"${name}" is a typed character; bind it with a modifier ("alt+${name}", "ctrl+${name}")`;
  return null;
}

/**
 * The binding tables with `overrides` (action -> key names) applied. Throws
 * an Error whose message starts with the action (`send: unknown key name
 * "entr"`) for the caller to prefix with where it came from.
 */
export function rebind(overrides: ReadonlyMap<string, readonly string[]>): BoundKeys {
  const claimed = new Map<string, string>();
  for (const [action, keys] of overrides) {
    if (!BINDABLE_ACTIONS.includes(action)) throw new Error(`${action}: unknown action (known: ${BINDABLE_ACTIONS.join(', ')})`);
    if (keys.length === 0) throw new Error(`${action}: needs at least one key`);
    for (const k of keys) {
      const problem = keyProblem(k);
      if (problem) throw new Error(`${action}: ${problem}`);
      const other = claimed.get(k);
      if (other !== undefined && other !== action) throw new Error(`${action}: "${k}" is also given to ${other}`);
      claimed.set(k, action);
    }
  }
  const apply = <A extends string>(table: ReadonlyArray<Binding<A>>): Binding<A>[] =>
    table.map((b) => {
      const mine = overrides.get(b.action);
      if (mine) return { ...b, keys: [...new Set(mine)] };
      const keys = b.keys.filter((k) => !claimed.has(k));
      if (keys.length === 0) {
        const k = b.keys[0]!;
        throw new Error(`${claimed.get(k)!}: takes "${k}", the only key of ${b.action}; give ${b.action} a key too`);
      }
      return keys.length === b.keys.length ? b : { ...b, keys };
    });
  return { chat: apply(CHAT_BINDINGS), edit: apply(EDIT_BINDINGS) };
}
