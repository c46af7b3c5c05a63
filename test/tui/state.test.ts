// The chat reducer, without rendering: presence, conversations, unread counts,
// selection, drafts, input history and scrolling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryEntry, Message, OnlineEntry } from '../../src/protocol.js';
import { windowRows } from '../../src/tui/conversation-rows.js';
import { messageColumns } from '../../src/tui/layout.js';
import { currentDraft, initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';

const T0 = Date.parse('2026-11-26T05:40:00.000Z');

function msg(id: number, sender: string, recipient: string, text: string, ts = T0 + id * 1000): Message {
  return { id, sender, recipient, msg: text, msg_from: sender, msg_to: recipient, ts: new Date(ts).toISOString() };
}

function online(...names: string[]): OnlineEntry[] {
  return names.map((username) => ({ username, userdetail: { nama: username.toUpperCase(), negara: 'Inggris' } }));
}

function directory(names: string[], on: string[] = []): DirectoryEntry[] {
  return names.map((username) => ({ username, userdetail: { nama: username.toUpperCase(), negara: 'Inggris' }, online: on.includes(username) }));
}

function run(state: ChatState, ...actions: Action[]): ChatState {
  return actions.reduce(reduce, state);
}

const start = (): ChatState => initialState('messi', '127.0.0.1:8889', 120, 40);

test('online users come first, then conversations with messages, then the directory; the first user is selected', () => {
  let s = run(start(), { type: 'poll', online: online('lineker', 'henderson'), users: directory(['aaron', 'henderson', 'lineker', 'zed'], ['henderson', 'lineker']) });
  assert.deepEqual(s.order, ['henderson', 'lineker', 'aaron', 'zed']);
  assert.equal(s.selected, 'henderson');
  // A message from zed (offline) moves zed up among those we talk with.
  s = run(s, { type: 'poll', online: online('lineker', 'henderson'), inbox: { zed: [msg(1, 'zed', 'messi', 'hi')] } });
  assert.deepEqual(s.order, ['henderson', 'lineker', 'zed', 'aaron']);
  // henderson goes offline: he stays (he is in the directory), among those without messages.
  s = run(s, { type: 'poll', online: online('lineker') });
  assert.deepEqual(s.order, ['lineker', 'zed', 'aaron', 'henderson']);
  assert.equal(s.users.get('henderson')!.online, false);
  assert.equal(s.selected, 'henderson');
});

test('a poll that changes nothing returns the same state (no re-render)', () => {
  const s = run(start(), { type: 'poll', online: online('henderson'), users: directory(['henderson'], ['henderson']) });
  assert.equal(reduce(s, { type: 'poll', online: online('henderson'), inbox: {} }), s);
  assert.equal(reduce(s, { type: 'poll', users: directory(['henderson'], ['henderson']) }), s);
});

test('an online user who is not listed and never talked to leaves the list when going offline', () => {
  let s = run(start(), { type: 'poll', online: online('henderson', 'lineker') });
  s = run(s, { type: 'poll', online: online('henderson') });
  assert.deepEqual(s.order, ['henderson']);
});

test('incoming messages: duplicates by id are dropped; unread counts and the bell only for other conversations', () => {
  let s = run(start(), { type: 'poll', online: online('henderson', 'lineker') });
  assert.equal(s.selected, 'henderson');
  const inbox = { henderson: [msg(1, 'henderson', 'messi', 'hai')], lineker: [msg(2, 'lineker', 'messi', 'yo'), msg(3, 'lineker', 'messi', 'yo2')] };
  s = run(s, { type: 'poll', inbox });
  assert.equal(s.unread.get('lineker'), 2);
  assert.equal(s.unread.get('henderson'), undefined);
  assert.equal(s.bell, 1);
  // The same reply again (the ack was lost): nothing changes.
  const again = reduce(s, { type: 'poll', inbox });
  assert.equal(again, s);
  assert.equal(s.convs.get('henderson')!.items.length, 1);
  // Selecting lineker clears its unread count.
  s = run(s, { type: 'select', peer: 'lineker' });
  assert.equal(s.unread.get('lineker'), undefined);
  assert.deepEqual(s.convs.get('lineker')!.items.map((i) => i.text), ['yo', 'yo2']);
});

test('hostile names, countries and messages are sanitized on the way in', () => {
  let s = run(start(), {
    type: 'poll',
    online: [{ username: 'henderson', userdetail: { nama: 'J\x1b]0;pwned\x07', negara: '\u202Eodnum' } }],
    inbox: { henderson: [msg(1, 'henderson', 'messi', '\x1b[2J\x9b2J\u2066x\rboom\x07')], 'evil\x1b[2J': [msg(2, 'evil\x1b[2J', 'messi', 'x')] },
  });
  const u = s.users.get('henderson')!;
  assert.equal(u.nama, 'J␛]0;pwned␇');
  assert.equal(u.negara, '<RLO>odnum');
  assert.equal(s.convs.get('henderson')!.items[0]!.text, '␛[2J␛[2J<LRI>x␍boom␇');
  assert.ok(s.order.includes('evil␛[2J'));
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'x', ts: T0, queued: false });
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'failed', error: 'bad\x1b[31m' });
  assert.equal(s.convs.get('henderson')!.items.at(-1)!.error, 'bad␛[31m');
});

test('history merges with what the inbox already brought, by id, without unread counts', () => {
  let s = run(start(), { type: 'poll', online: online('henderson'), inbox: { henderson: [msg(5, 'henderson', 'messi', 'five')] } });
  s = run(s, { type: 'history/loading', peer: 'henderson' });
  assert.equal(s.convs.get('henderson')!.history, 'loading');
  s = run(s, {
    type: 'history/loaded',
    peer: 'henderson',
    messages: [msg(3, 'messi', 'henderson', 'three'), msg(4, 'henderson', 'messi', 'four'), msg(5, 'henderson', 'messi', 'five')],
    complete: true,
  });
  const c = s.convs.get('henderson')!;
  assert.deepEqual(c.items.map((i) => i.id), [3, 4, 5]);
  assert.equal(c.history, 'complete');
  assert.equal(s.unread.size, 0);
  assert.equal(c.items[0]!.from, 'messi');
});

test('older history is prepended; our unnumbered messages keep their place', () => {
  let s = run(start(), { type: 'poll', online: online('henderson') });
  s = run(s, { type: 'history/loaded', peer: 'henderson', messages: [msg(10, 'henderson', 'messi', 'ten')], complete: false });
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'mine', ts: T0 + 20_000, queued: false });
  s = run(s, { type: 'poll', inbox: { henderson: [msg(12, 'henderson', 'messi', 'twelve')] } });
  s = run(s, { type: 'history/loaded', peer: 'henderson', messages: [msg(7, 'messi', 'henderson', 'seven'), msg(8, 'henderson', 'messi', 'eight')], complete: true });
  assert.deepEqual(s.convs.get('henderson')!.items.map((i) => i.text), ['seven', 'eight', 'ten', 'mine', 'twelve']);
});

test('a failed history request goes back so it can be asked again', () => {
  let s = run(start(), { type: 'poll', online: online('henderson') });
  s = run(s, { type: 'history/loading', peer: 'henderson' }, { type: 'history/failed', peer: 'henderson' });
  assert.equal(s.convs.get('henderson')!.history, 'unloaded');
});

test('sending: the draft is cleared, the message shows as sending, then sent or failed', () => {
  let s = run(start(), { type: 'poll', online: online('henderson') }, { type: 'type', text: 'hai' });
  assert.equal(currentDraft(s).text, 'hai');
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'hai', ts: T0, queued: false, fromCompose: true });
  assert.equal(currentDraft(s).text, '');
  const item = () => s.convs.get('henderson')!.items.at(-1)!;
  assert.equal(item().status, 'sending');
  assert.equal(item().from, 'messi');
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'failed', error: 'User Tidak Ditemukan' });
  assert.equal(item().status, 'failed');
  assert.equal(item().error, 'User Tidak Ditemukan');
  s = run(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'sent' });
  assert.equal(item().status, 'sent');
  assert.equal(item().error, undefined);
  assert.equal(item().raw, 'hai');
});

test('drafts are kept per conversation when switching', () => {
  let s = run(start(), { type: 'poll', online: online('henderson', 'lineker') });
  s = run(s, { type: 'type', text: 'for henderson' }, { type: 'move', delta: 1 });
  assert.equal(s.selected, 'lineker');
  assert.equal(currentDraft(s).text, '');
  s = run(s, { type: 'type', text: 'for lineker' }, { type: 'move', delta: -1 });
  assert.equal(currentDraft(s).text, 'for henderson');
  s = run(s, { type: 'move', delta: 1 });
  assert.equal(currentDraft(s).text, 'for lineker');
});

test('selection wraps around; Alt+A jumps to the next conversation with unread messages', () => {
  let s = run(start(), { type: 'poll', online: online('a1', 'b2', 'c3') });
  s = run(s, { type: 'move', delta: -1 });
  assert.equal(s.selected, 'c3');
  s = run(s, { type: 'move', delta: 1 });
  assert.equal(s.selected, 'a1');
  s = run(s, { type: 'poll', inbox: { c3: [msg(1, 'c3', 'messi', 'x')] } }, { type: 'nextUnread' });
  assert.equal(s.selected, 'c3');
  s = run(s, { type: 'nextUnread' });
  assert.equal(s.selected, 'c3');
  assert.equal(s.notice, 'No unread messages');
});

test('the users pane scrolls to keep the selection visible', () => {
  const names = Array.from({ length: 100 }, (_, i) => `user${String(i).padStart(3, '0')}`);
  let s = run(start(), { type: 'poll', users: directory(names) });
  const rows = s.layout.userRows;
  for (let i = 0; i < rows + 5; i++) s = reduce(s, { type: 'move', delta: 1 });
  const idx = s.order.indexOf(s.selected!);
  assert.ok(idx >= s.userTop && idx < s.userTop + rows);
  s = run(s, { type: 'move', delta: -(rows + 5) });
  assert.equal(s.userTop, 0);
});

test('input history: Up recalls earlier messages, Down returns to the draft being typed', () => {
  let s = run(start(), { type: 'poll', online: online('henderson') });
  for (const [i, t] of ['one', 'two'].entries()) {
    s = run(s, { type: 'type', text: t }, { type: 'send/start', peer: 'henderson', key: `l${i}`, text: t, ts: T0, queued: false, fromCompose: true });
  }
  s = run(s, { type: 'type', text: 'draft' }, { type: 'inputHistory', direction: -1 });
  assert.equal(currentDraft(s).text, 'two');
  s = run(s, { type: 'inputHistory', direction: -1 }, { type: 'inputHistory', direction: -1 });
  assert.equal(currentDraft(s).text, 'one');
  s = run(s, { type: 'inputHistory', direction: 1 });
  assert.equal(currentDraft(s).text, 'two');
  s = run(s, { type: 'inputHistory', direction: 1 });
  assert.equal(currentDraft(s).text, 'draft');
  assert.equal(s.inputPos, null);
});

function bigConversation(n: number): ChatState {
  let s = run(start(), { type: 'poll', online: online('henderson') });
  const messages = Array.from({ length: n }, (_, i) => msg(i + 1, i % 2 ? 'messi' : 'henderson', 'x', `message number ${i + 1} ` + 'word '.repeat(i % 7)));
  return run(s, { type: 'history/loaded', peer: 'henderson', messages, complete: false });
}

function visibleTexts(s: ChatState): string[] {
  const c = s.convs.get('henderson')!;
  const width = messageColumns(s.layout, s.me, 'henderson').textWidth;
  return windowRows(c.items, c.scrollBack, s.layout.messageRows, width).rows.flatMap((r) => (r.kind === 'text' ? [r.text] : []));
}

test('scrolling back keeps the view still when new messages arrive, and shows how many are below', () => {
  let s = bigConversation(300);
  const atBottom = visibleTexts(s);
  assert.match(atBottom.at(-1)!, /message number 300/);
  s = run(s, { type: 'scroll', pages: 2 });
  const c = s.convs.get('henderson')!;
  assert.ok(c.scrollBack > 0);
  const before = visibleTexts(s);
  s = run(s, { type: 'poll', inbox: { henderson: [msg(1000, 'henderson', 'messi', 'new one'), msg(1001, 'henderson', 'messi', 'another new one')] } });
  assert.deepEqual(visibleTexts(s), before, 'the view did not move');
  assert.equal(s.convs.get('henderson')!.newBelow, 2);
  s = run(s, { type: 'scrollEnd' });
  assert.equal(s.convs.get('henderson')!.scrollBack, 0);
  assert.equal(s.convs.get('henderson')!.newBelow, 0);
  assert.match(visibleTexts(s).at(-1)!, /another new one/);
});

test('scrolling to the top asks for older history once, and stops at the oldest message', () => {
  let s = bigConversation(60);
  for (let i = 0; i < 20; i++) s = reduce(s, { type: 'scroll', pages: 1 });
  const c = s.convs.get('henderson')!;
  assert.equal(c.wantOlder, true);
  assert.match(visibleTexts(s)[0]!, /message number 1$/);
  s = run(s, { type: 'history/loading', peer: 'henderson' });
  assert.equal(s.convs.get('henderson')!.wantOlder, false);
  // PgDn all the way returns to the bottom.
  for (let i = 0; i < 20; i++) s = reduce(s, { type: 'scroll', pages: -1 });
  assert.equal(s.convs.get('henderson')!.scrollBack, 0);
});

test('sending while scrolled back jumps to the newest', () => {
  let s = run(bigConversation(100), { type: 'scroll', pages: 1 });
  s = run(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'x', ts: T0, queued: true });
  assert.equal(s.convs.get('henderson')!.scrollBack, 0);
  assert.equal(s.convs.get('henderson')!.items.at(-1)!.status, 'queued');
});

test('resize recomputes the layout; the same size is a no-op', () => {
  const s = start();
  assert.equal(reduce(s, { type: 'resize', cols: 120, rows: 40 }), s);
  const narrow = reduce(s, { type: 'resize', cols: 50, rows: 20 });
  assert.equal(narrow.layout.usersWidth, 0);
  assert.equal(narrow.layout.height, 19);
});
