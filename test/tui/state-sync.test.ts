// The reducer on live sync, without rendering: batches merged by id (in any
// order, repeated, overlapping history), our own messages adopted from the
// server once, read markers setting counts, the directory's counts at start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryEntry, Message } from '../../src/protocol.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';

const T0 = Date.parse('2026-12-02T05:40:00.000Z');

function msg(id: number, sender: string, recipient: string, text: string): Message {
  return { id, sender, recipient, msg: text, msg_from: sender, msg_to: recipient, ts: new Date(T0 + id * 1000).toISOString() };
}

const sync = (messages: Message[], read: Record<string, number> = {}): Action => ({ type: 'sync', messages, read: new Map(Object.entries(read)), now: T0 });

function dir(entries: Array<[string, number]>): DirectoryEntry[] {
  return entries.map(([username, unread]) => ({ username, userdetail: { nama: username, negara: 'Inggris' }, online: false, unread, last_id: 0 }));
}

const run = (state: ChatState, ...actions: Action[]): ChatState => actions.reduce(reduce, state);
const start = (): ChatState => run(initialState('messi', '127.0.0.1:8889', 120, 40), { type: 'sync/start', users: dir([['aaron', 0], ['henderson', 3], ['lineker', 0]]) });
const texts = (s: ChatState, peer: string) => s.convs.get(peer)?.items.map((it) => `${it.id}:${it.from}:${it.text}`);

test('sync/start takes the unread counts of the server, except for the open conversation', () => {
  const s = start();
  assert.equal(s.selected, 'aaron');
  assert.equal(s.unread.get('henderson'), 3);
  assert.equal(s.unread.has('lineker'), false);
});

test('batches are merged by id: repeats dropped, out-of-order batches and history interleaved in id order', () => {
  let s = run(start(), sync([msg(10, 'henderson', 'messi', 'a'), msg(12, 'messi', 'henderson', 'b')]));
  // The same batch again (a reply lost and asked again), then an older one, then one overlapping both.
  s = run(s, sync([msg(10, 'henderson', 'messi', 'a'), msg(12, 'messi', 'henderson', 'b')]), sync([msg(8, 'henderson', 'messi', 'old')]));
  s = run(s, sync([msg(11, 'henderson', 'messi', 'mid'), msg(12, 'messi', 'henderson', 'b'), msg(14, 'henderson', 'messi', 'new')]));
  s = run(s, { type: 'history/loaded', peer: 'henderson', messages: [msg(7, 'messi', 'henderson', 'first'), msg(8, 'henderson', 'messi', 'old')], complete: true });
  assert.deepEqual(texts(s, 'henderson'), ['7:messi:first', '8:henderson:old', '10:henderson:a', '11:henderson:mid', '12:messi:b', '14:henderson:new']);
  // Messages grouped by conversation, whichever way they went.
  s = run(s, sync([msg(15, 'messi', 'lineker', 'to lineker'), msg(16, 'lineker', 'messi', 'from lineker')]));
  assert.deepEqual(texts(s, 'lineker'), ['15:messi:to lineker', '16:lineker:from lineker']);
});

test('only messages from others count as unread, and not in the open conversation; the bell rings for them', () => {
  let s = start();
  const bell = s.bell;
  s = run(s, sync([msg(20, 'messi', 'lineker', 'mine, from my phone')]));
  assert.equal(s.unread.has('lineker'), false);
  assert.equal(s.bell, bell);
  s = run(s, sync([msg(21, 'lineker', 'messi', 'x'), msg(22, 'aaron', 'messi', 'y'), msg(21, 'lineker', 'messi', 'x')]));
  assert.equal(s.unread.get('lineker'), 1);
  assert.equal(s.unread.has('aaron'), false, 'aaron is open');
  assert.equal(s.bell, bell + 1);
});

test('a read marker sets the count to the messages above it; the open conversation stays clear', () => {
  let s = run(start(), sync([msg(30, 'henderson', 'messi', '1'), msg(31, 'henderson', 'messi', '2'), msg(32, 'messi', 'henderson', 'me'), msg(33, 'henderson', 'messi', '3')]));
  assert.equal(s.unread.get('henderson'), 6);
  s = run(s, sync([], { henderson: 31 }));
  assert.equal(s.unread.get('henderson'), 1, 'only 33 is above the marker (32 is ours)');
  s = run(s, sync([], { henderson: 33 }));
  assert.equal(s.unread.has('henderson'), false);
  s = run(s, sync([msg(40, 'aaron', 'messi', 'z')], { aaron: 35 }));
  assert.equal(s.unread.has('aaron'), false);
  // A message and the marker past it in one batch: nothing left unread.
  s = run(s, sync([msg(41, 'lineker', 'messi', 'read elsewhere')], { lineker: 41 }));
  assert.equal(s.unread.has('lineker'), false);
});

test('our own message comes back from the server once, in its place and with its time', () => {
  let s = start();
  // Typed offline: two queued copies, then a message from henderson meanwhile.
  s = run(
    s,
    { type: 'send/start', peer: 'henderson', key: 'l1', text: 'offline one', ts: T0 + 999_000, queued: true },
    { type: 'send/start', peer: 'henderson', key: 'l2', text: 'offline two', ts: T0 + 999_001, queued: true },
  );
  s = run(s, sync([msg(50, 'henderson', 'messi', 'meanwhile')]));
  // Until the server has them, they show where they were typed, what arrived since below them.
  assert.deepEqual(texts(s, 'henderson'), ['null:messi:offline one', 'null:messi:offline two', '50:henderson:meanwhile']);
  // Accepted later: each takes its server id, order and time; a late "sent" status changes nothing.
  s = run(s, sync([msg(51, 'messi', 'henderson', 'offline one'), msg(52, 'henderson', 'messi', 'reply'), msg(53, 'messi', 'henderson', 'offline two')]));
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sent' });
  assert.deepEqual(texts(s, 'henderson'), ['50:henderson:meanwhile', '51:messi:offline one', '52:henderson:reply', '53:messi:offline two']);
  const one = s.convs.get('henderson')!.items[1]!;
  assert.equal(one.ts, T0 + 51_000);
  assert.equal(one.status, 'sent');
  // The same text sent again shows again (another message), not folded into the first.
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l3', text: 'offline one', ts: T0, queued: false });
  s = run(s, sync([msg(51, 'messi', 'henderson', 'offline one'), msg(54, 'messi', 'henderson', 'offline one')]));
  assert.deepEqual(texts(s, 'henderson')!.slice(-2), ['53:messi:offline two', '54:messi:offline one']);
});

test('a batch with nothing new returns the same state', () => {
  const s = run(start(), sync([msg(60, 'henderson', 'messi', 'a')]));
  assert.equal(run(s, sync([msg(60, 'henderson', 'messi', 'a')])), s);
});
