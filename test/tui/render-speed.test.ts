// How fast the chat screen draws with 1,000 users and a 10,000-message
// conversation: the first frame, and a frame after a keystroke. Limits are
// generous (shared CI machines); the observed numbers are printed as
// diagnostics.
import assert from 'node:assert/strict';
import { test } from 'node:test';

// Measure the product's build of React, as `chatbox` runs it.
process.env['NODE_ENV'] = 'production';
const { render } = await import('ink-testing-library');
const { createElement: h } = await import('react');
const { ChatScreen } = await import('../../src/tui/components/ChatScreen.js');
const { ChatSession } = await import('../../src/tui/session.js');
const { reduce } = await import('../../src/tui/state.js');
type ChatState = import('../../src/tui/state.js').ChatState;

const T0 = Date.parse('2026-11-26T05:00:00Z');
const WORDS = 'hai apa kabar baik terima kasih sampai jumpa besok ya mantap 你好 👍 sip'.split(' ');

function bigState(base: ChatState): ChatState {
  const users = Array.from({ length: 1000 }, (_, i) => ({
    username: `user${String(i).padStart(4, '0')}`,
    userdetail: { nama: `User ${i}`, negara: 'Indonesia' },
    online: i % 3 === 0,
  }));
  const peer = users[0]!.username;
  const messages = Array.from({ length: 10_000 }, (_, i) => ({
    id: i + 1,
    sender: i % 2 ? 'messi' : peer,
    recipient: i % 2 ? peer : 'messi',
    msg_from: 'x',
    msg_to: 'y',
    msg: Array.from({ length: 3 + (i % 30) }, (_, k) => WORDS[(i + k) % WORDS.length]).join(' '),
    ts: new Date(T0 + i * 30_000).toISOString(),
  }));
  const s = reduce(base, { type: 'poll', users });
  return reduce(s, { type: 'history/loaded', peer, messages, complete: true });
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

test('first frame and keystrokes with 1,000 users and 10,000 messages', async (t) => {
  // Nothing listens on port 1: the session stays offline and leaves the prepared state alone.
  const session = new ChatSession({ connect: { host: '127.0.0.1', port: 1 }, intervalMs: 60_000 });
  t.after(() => session.stop());
  const started = performance.now();
  const r = render(h(ChatScreen, { backend: session, me: 'messi', bell: false, quitting: false, onQuit: () => undefined, init: bigState }));
  t.after(() => r.unmount());
  const firstFrame = performance.now() - started;
  assert.match(r.lastFrame() ?? '', /user0000/);

  let lastWrite = 0;
  const write = r.stdout.write;
  r.stdout.write = (frame: string) => {
    lastWrite = performance.now();
    write(frame);
  };
  await new Promise((res) => setTimeout(res, 50));
  const tick = (): Promise<void> => new Promise((res) => setImmediate(res));
  async function key(seq: string): Promise<number> {
    const n = r.frames.length;
    const t0 = performance.now();
    r.stdin.write(seq);
    for (let i = 0; i < 200 && r.frames.length === n; i++) await tick();
    assert.ok(r.frames.length > n, `a frame after ${JSON.stringify(seq)}`);
    return lastWrite - t0;
  }
  const typing: number[] = [];
  for (let i = 0; i < 150; i++) typing.push(await key(i % 15 === 14 ? '\x7f' : 'a'));
  const scrolling: number[] = [];
  for (let i = 0; i < 30; i++) scrolling.push(await key(i < 15 ? '\x1b[5~' : '\x1b[6~'));
  const switching: number[] = [];
  for (let i = 0; i < 30; i++) switching.push(await key(i % 2 ? '\x10' : '\x0e'));

  const fmt = (xs: number[]): string => `p50 ${quantile(xs, 0.5).toFixed(2)} ms, p95 ${quantile(xs, 0.95).toFixed(2)} ms`;
  t.diagnostic(`first frame (state of 1,000 users and 10,000 messages built inside): ${firstFrame.toFixed(1)} ms`);
  t.diagnostic(`keystroke in the compose box: ${fmt(typing)}`);
  t.diagnostic(`PgUp/PgDn: ${fmt(scrolling)}`);
  t.diagnostic(`Ctrl+N/Ctrl+P: ${fmt(switching)}`);
  assert.ok(firstFrame < 2000, `first frame ${firstFrame} ms`);
  // Generous bounds that only a real slowdown crosses on a busy machine; the
  // benchmark (bench/cases/tui.ts) measures against the 10 ms target.
  assert.ok(quantile(typing, 0.5) < 100, fmt(typing));
  assert.ok(quantile(scrolling, 0.5) < 100, fmt(scrolling));
  assert.ok(quantile(switching, 0.5) < 100, fmt(switching));
});
