// Renders the chat screen in this process with Ink, to a fake terminal of
// fixed size, and times it: the first frame with 1,000 users and 10,000
// messages in the open conversation, then re-renders after keystrokes typed
// into the draft. The baseline draws a plain screen of the same size (one Text
// per row) and re-draws it with the typed line changed: Ink's own floor.
//
// Forked by the "tui" case: gets { kind, users, messages, keystrokes } over
// IPC and answers with its figures. Started with the environment the chat
// gives itself (src/tui/main.tsx): NODE_ENV=production, no CI.

import { PassThrough, Writable } from 'node:stream';
import { render, Box, Text } from 'ink';
import type { DirectoryEntry, Message } from '../src/protocol.js';
import { ChatView } from '../src/tui/components/ChatView.js';
import { initialState, reduce, type ChatState } from '../src/tui/state.js';
import { readRssKiB } from './lib/servers.js';

/** What the orchestrator asks for. */
export interface TuiPlan {
  kind: 'baseline' | 'chatbox';
  users: number;
  messages: number;
  keystrokes: number;
  cols: number;
  rows: number;
}

/** What one run measured (ms, MiB). */
export interface TuiResult {
  stateMs: number;
  firstFrameMs: number;
  keystrokeMs: number[];
  frameBytes: number;
  rssMiB: number;
  heapMiB: number;
}

/** A terminal that records when and how much Ink wrote. */
class FakeTerminal extends Writable {
  readonly isTTY = true;
  lastWriteAt = 0;
  writes = 0;
  bytes = 0;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lastWriteAt = performance.now();
    this.writes++;
    this.bytes += chunk.length;
    done();
  }
}

function directory(n: number): DirectoryEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const username = `user${String(i).padStart(4, '0')}`;
    return { username, userdetail: { nama: `User Number ${i}`, negara: i % 2 ? 'Indonesia' : 'Inggris' }, online: i % 3 === 0 };
  });
}

const WORDS = 'hai apa kabar ini pesan dari benchmark dengan kata kata yang cukup panjang untuk dibungkus'.split(' ');

function conversation(me: string, peer: string, n: number): Message[] {
  const start = Date.parse('2026-11-01T08:00:00.000Z');
  return Array.from({ length: n }, (_, i) => {
    const mine = i % 3 === 0;
    const words = 3 + ((i * 7) % 30);
    const msg = Array.from({ length: words }, (_, k) => WORDS[(i + k) % WORDS.length]).join(' ');
    return {
      msg_from: mine ? 'Me Myself' : 'Peer Person',
      msg_to: mine ? 'Peer Person' : 'Me Myself',
      msg,
      id: i + 1,
      sender: mine ? me : peer,
      recipient: mine ? peer : me,
      ts: new Date(start + i * 90_000).toISOString(),
    };
  });
}

function renderOptions(stdout: FakeTerminal) {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  // As the chat runs it (src/tui/run.tsx): 60 frames a second, whole-frame redraws.
  return { stdout: stdout as unknown as NodeJS.WriteStream, stdin, exitOnCtrlC: false, patchConsole: false, incrementalRendering: false, maxFps: 60 };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Times `step` until Ink has written the frame it causes. */
function timed(term: FakeTerminal, step: () => void): number {
  const before = term.writes;
  const t0 = performance.now();
  step();
  if (term.writes === before) throw new Error('no frame was written');
  return term.lastWriteAt - t0;
}

async function runChat(plan: TuiPlan): Promise<TuiResult> {
  const term = new FakeTerminal(plan.cols, plan.rows);
  const dir = directory(plan.users);
  const online = dir.filter((u) => u.online).map(({ username, userdetail }) => ({ username, userdetail }));
  const history = conversation('me', dir[0]!.username, plan.messages);
  let state: ChatState = initialState('me', '127.0.0.1:8889', plan.cols, plan.rows);
  const t0 = performance.now();
  state = reduce(state, { type: 'poll', users: dir, online, now: Date.now() });
  state = reduce(state, { type: 'select', peer: dir[0]!.username });
  state = reduce(state, { type: 'history/loaded', peer: dir[0]!.username, messages: history, complete: true });
  const stateMs = performance.now() - t0;
  if (state.convs.get(dir[0]!.username)?.items.length !== plan.messages) throw new Error('the conversation did not take the messages');
  const instance = render(<ChatView state={state} />, renderOptions(term));
  if (term.writes === 0) throw new Error('no first frame');
  const firstFrameMs = term.lastWriteAt - t0;
  const frameBytes = term.bytes;
  const keystrokeMs: number[] = [];
  for (let i = 0; i < plan.keystrokes; i++) {
    // Past the 60 fps throttle, so each keystroke draws at once as a typist's would.
    await pause(20);
    const key = String.fromCharCode(97 + (i % 26));
    keystrokeMs.push(
      timed(term, () => {
        state = reduce(state, { type: 'type', text: key });
        instance.rerender(<ChatView state={state} />);
      }),
    );
  }
  const { rssMiB, heapMiB } = memoryAfterCollection();
  instance.unmount();
  return { stateMs, firstFrameMs, keystrokeMs, frameBytes, rssMiB, heapMiB };
}

function Plain({ lines }: { lines: string[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}

async function runBaseline(plan: TuiPlan): Promise<TuiResult> {
  const term = new FakeTerminal(plan.cols, plan.rows);
  const t0 = performance.now();
  const lines = Array.from({ length: plan.rows - 1 }, (_, i) => `${String(i).padStart(3)} ${WORDS.join(' ')}`.slice(0, plan.cols));
  const stateMs = performance.now() - t0;
  const instance = render(<Plain lines={lines} />, renderOptions(term));
  if (term.writes === 0) throw new Error('no first frame');
  const firstFrameMs = term.lastWriteAt - t0;
  const frameBytes = term.bytes;
  const keystrokeMs: number[] = [];
  let typed = '';
  for (let i = 0; i < plan.keystrokes; i++) {
    await pause(20);
    typed += String.fromCharCode(97 + (i % 26));
    keystrokeMs.push(
      timed(term, () => {
        const next = lines.slice();
        next[next.length - 1] = `> ${typed}`.slice(-plan.cols);
        instance.rerender(<Plain lines={next} />);
      }),
    );
  }
  const { rssMiB, heapMiB } = memoryAfterCollection();
  instance.unmount();
  return { stateMs, firstFrameMs, keystrokeMs, frameBytes, rssMiB, heapMiB };
}

process.once('message', (plan: TuiPlan) => {
  (plan.kind === 'chatbox' ? runChat(plan) : runBaseline(plan))
    .then((result) => process.send!({ type: 'result', result }))
    .catch((err: Error) => process.send!({ type: 'fatal', message: err.stack ?? String(err) }))
    .finally(() => process.disconnect());
});

/**
 * Memory once the garbage of the frames drawn is collected: Ink allocates about
 * 9 MB a frame, so a reading between collections measures when V8 last ran one
 * (from 25 to 85 MiB of heap on either screen), not what the screen keeps.
 */
function memoryAfterCollection(): { rssMiB: number; heapMiB: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return { rssMiB: readRssKiB(process.pid) / 1024, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 };
}
