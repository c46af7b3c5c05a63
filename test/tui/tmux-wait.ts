// Waiting on what tmux reports about a pane (its title, a mode flag, its
// paste buffers), for e2e tests: tmux reads a program's output in its own
// time, so a value is polled until it is the one wanted, never read once.

import type { TmuxSession } from '../helpers/tmux.js';

/** Polls `read` until `ok` holds of its value (or `timeoutMs` passed); returns the last value. */
export async function soon(read: () => Promise<string>, ok: (v: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

/** A tmux format of the pane once it reads `want` (or its last value after `timeoutMs`). */
export function formatSoon(t: TmuxSession, fmt: string, want: string, timeoutMs = 15_000): Promise<string> {
  return soon(() => t.format(fmt), (v) => v === want, timeoutMs);
}
