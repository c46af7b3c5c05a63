// The reducer on live sync, without rendering: batches merged by id (in any
// order, repeated, overlapping history), our own messages matched with the
// server's copies by id, read markers setting counts, the directory's counts at start.
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

test('our own message takes the id, place and time the server names; sync brings it once', () => {
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
  // Sent on reconnect; henderson's reply came between them; sync brings all three before the answers.
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sending' }, { type: 'send/status', peer: 'henderson', key: 'l2', status: 'sending' });
  s = run(s, sync([msg(51, 'messi', 'henderson', 'offline one'), msg(52, 'henderson', 'messi', 'reply'), msg(53, 'messi', 'henderson', 'offline two')]));
  // Ours wait for their answers (one of them may be their copy); henderson's shows.
  assert.deepEqual(texts(s, 'henderson'), ['null:messi:offline one', 'null:messi:offline two', '50:henderson:meanwhile', '52:henderson:reply']);
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sent', message: msg(51, 'messi', 'henderson', 'offline one') });
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l2', status: 'sent', message: msg(53, 'messi', 'henderson', 'offline two') });
  assert.deepEqual(texts(s, 'henderson'), ['50:henderson:meanwhile', '51:messi:offline one', '52:henderson:reply', '53:messi:offline two']);
  const one = s.convs.get('henderson')!.items[1]!;
  assert.equal(one.ts, T0 + 51_000);
  assert.equal(one.status, 'sent');
  assert.equal(one.key, 'l1', 'the same row, now numbered');
  // A late repeat of the batch changes nothing.
  assert.equal(run(s, sync([msg(51, 'messi', 'henderson', 'offline one')])), s);
});

test('two messages of the same text sent quickly show once each, matched by id whatever order the answers come in', () => {
  let s = start();
  s = run(
    s,
    { type: 'send/start', peer: 'henderson', key: 'l1', text: 'ok', ts: T0, queued: false },
    { type: 'send/start', peer: 'henderson', key: 'l2', text: 'ok', ts: T0, queued: false },
  );
  // The second is answered first; sync brings both, one before and one after.
  s = run(s, sync([msg(70, 'messi', 'henderson', 'ok')]));
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l2', status: 'sent', message: msg(71, 'messi', 'henderson', 'ok') });
  s = run(s, sync([msg(71, 'messi', 'henderson', 'ok')]));
  assert.deepEqual(texts(s, 'henderson'), ['null:messi:ok', '71:messi:ok'], 'the first still on its way; 70 held for it');
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sent', message: msg(70, 'messi', 'henderson', 'ok') });
  assert.deepEqual(texts(s, 'henderson'), ['70:messi:ok', '71:messi:ok']);
  assert.deepEqual(s.convs.get('henderson')!.items.map((it) => it.key), ['l1', 'l2']);
});

test('a message of ours from another device with the same text as one waiting here is another message', () => {
  let s = start();
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'on my way', ts: T0, queued: true });
  // The phone sends the same words while this one is offline: both show, ours still queued.
  s = run(s, sync([msg(80, 'messi', 'henderson', 'on my way')]));
  assert.deepEqual(texts(s, 'henderson'), ['null:messi:on my way', '80:messi:on my way']);
  assert.equal(s.convs.get('henderson')!.items[0]!.status, 'queued');
  // Queued, it fails: it stays, failed, beside the phone's.
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'failed', error: 'offline for too long' });
  assert.deepEqual(s.convs.get('henderson')!.items.map((it) => it.status), ['failed', 'sent']);
  // Sent again and accepted: its own id, after the phone's.
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sending' });
  s = run(s, sync([msg(81, 'messi', 'henderson', 'on my way')]));
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sent', message: msg(81, 'messi', 'henderson', 'on my way') });
  assert.deepEqual(texts(s, 'henderson'), ['80:messi:on my way', '81:messi:on my way']);
});

test('held messages show once the send is answered without a copy (a server that cannot name it)', () => {
  let s = start();
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'hi', ts: T0, queued: false });
  s = run(s, sync([msg(90, 'messi', 'henderson', 'from the phone')]));
  assert.deepEqual(texts(s, 'henderson'), ['null:messi:hi']);
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sent' });
  assert.deepEqual(texts(s, 'henderson'), ['null:messi:hi', '90:messi:from the phone']);
});

test('a batch with nothing new returns the same state', () => {
  const s = run(start(), sync([msg(60, 'henderson', 'messi', 'a')]));
  assert.equal(run(s, sync([msg(60, 'henderson', 'messi', 'a')])), s);
});
