// Reading ink-testing-library frames: without colours, and waited for.

import type { render } from 'ink-testing-library';

/** What ink-testing-library's render returns. */
export type Rendered = ReturnType<typeof render>;

/** A frame without its SGR (colour) sequences. */
// eslint-disable-next-line no-control-regex
export const plain = (frame: string | undefined): string => (frame ?? '').replace(/\x1b\[[0-9;]*m/g, '');

/** Polls the last frame until `test` passes; throws with the frame after `timeoutMs`. */
export async function until(r: Rendered, test: RegExp | ((f: string) => boolean), timeoutMs = 10_000): Promise<string> {
  const ok = typeof test === 'function' ? test : (f: string) => test.test(f);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = plain(r.lastFrame());
    if (ok(f)) return f;
    if (Date.now() > deadline) throw new Error(`frame did not match ${String(test)}:\n${f}`);
    await new Promise((res) => setTimeout(res, 15));
  }
}
