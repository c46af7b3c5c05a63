import { Errors, isValidUsername, REPLY_TERMINATOR, toWireJson, type Request, type UserProfile } from '../../protocol.js';
import { failed, ok, type Caller, type Handled, type Outcome, type ServerContext } from '../context.js';
import type { ImmediateStore } from '../store/types.js';

/** A whole online reply encoded once, with where each user's entry sits in it. */
interface OnlineFrame {
  bytes: Buffer;
  /** Username to the byte range [start, end) of its entry and one adjoining ", ". */
  cut: Map<string, [number, number]>;
}

// A store that keeps its online list (SQLite does, until it changes) hands out
// the same array to every poller: encode it once, and send each caller the
// bytes around its own entry, without copying.
const encoded = new WeakMap<readonly UserProfile[], OnlineFrame>();

function encode(list: readonly UserProfile[]): OnlineFrame {
  const head = '{"status": "OK", "users": [';
  const entries = list.map((u) => toWireJson({ username: u.username, userdetail: { nama: u.nama, negara: u.negara } }));
  const cut = new Map<string, [number, number]>();
  let at = Buffer.byteLength(head);
  entries.forEach((e, i) => {
    const len = Buffer.byteLength(e);
    cut.set(list[i]!.username, i === 0 ? [at, at + len + (entries.length > 1 ? 2 : 0)] : [at - 2, at + len]);
    at += len + 2;
  });
  // Without the closing brace: the reply's last fields follow (see onlineFrame).
  return { bytes: Buffer.from(head + entries.join(', ') + ']'), cut };
}

const CLOSE = Buffer.from('}' + REPLY_TERMINATOR);

/** The online reply for `me` (the list without me), as pieces of the shared encoding, ending in `tail`. */
function onlineFrame(list: readonly UserProfile[], me: string, tail: Buffer): Buffer[] {
  let frame = encoded.get(list);
  if (!frame) {
    frame = encode(list);
    encoded.set(list, frame);
  }
  const cut = frame.cut.get(me);
  return cut ? [frame.bytes.subarray(0, cut[0]), frame.bytes.subarray(cut[1]), tail] : [frame.bytes, tail];
}

// The presence version each list got when it was last observed. With a
// store of one node (one that has an immediate half), the version of a list
// is still that one while the store has seen no other version since.
const versions = new WeakMap<readonly UserProfile[], number>();

/** The online reply for `me` from the list, with the presence version when the request asked with one. */
function onlineReply(list: readonly UserProfile[], me: string, asked: number | undefined, version: number | null): Handled {
  // The plain form stays as the original protocol wrote it, byte for byte; asking with a version gets it.
  if (version === null || asked === undefined) return { cmd: 'online', reply: ok(), frame: onlineFrame(list, me, CLOSE), user: me };
  if (asked === version) return { cmd: 'online', reply: ok({ unchanged: true, presence: version }), user: me };
  return { cmd: 'online', reply: ok(), frame: onlineFrame(list, me, Buffer.from(`, "presence": ${version}}${REPLY_TERMINATOR}`)), user: me };
}

/**
 * `online <token> [<version>]`: users with a live session, by username, without
 * the caller; with a version, also the presence version, and only that when
 * it is still the one given.
 */
export async function online(ctx: ServerContext, req: Extract<Request, { cmd: 'online' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!.username;
  const list = await ctx.store.onlineUsers(Date.now());
  if (!ctx.presence || req.version === undefined) return onlineReply(list, me, undefined, null);
  const version = await ctx.presence.observe(list);
  versions.set(list, version);
  return onlineReply(list, me, req.version, version);
}

/** `online` from the store's immediate half; null when the presence version it asks for is not known here at once. */
export function onlineNow(ctx: ServerContext, store: ImmediateStore, req: Extract<Request, { cmd: 'online' }>, caller: Caller, now: number): Handled | null {
  const me = caller.session!.username;
  const list = store.onlineUsers(now);
  if (!ctx.presence || req.version === undefined) return onlineReply(list, me, undefined, null);
  const version = versions.get(list);
  if (version === undefined || !ctx.sync || ctx.sync.knownPresenceVersion() !== version) return null;
  return onlineReply(list, me, req.version, version);
}

/**
 * `users <token>`: every other user, by username, with an online flag, the
 * caller's unread count and newest message id with each; then the sync cursor
 * and the presence version.
 */
export async function users(ctx: ServerContext, _req: Extract<Request, { cmd: 'users' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  // The conversations first: a message arriving between the two reads is then counted, or comes with the next sync.
  const convs = ctx.sync ? await ctx.sync.conversations(userId) : null;
  const list = [];
  for (const u of await ctx.store.directory(Date.now())) {
    if (u.username !== me) {
      const entry: Record<string, unknown> = { username: u.username, userdetail: { nama: u.nama, negara: u.negara }, online: u.online };
      if (convs) {
        const c = convs.byPeer.get(u.username);
        entry.unread = c?.unread ?? 0;
        entry.last_id = c?.lastId ?? 0;
      }
      list.push(entry);
    }
  }
  if (!convs || !ctx.sync) return { reply: ok({ users: list }), user: me };
  return { reply: ok({ users: list, next: convs.next, presence: ctx.sync.knownPresenceVersion() }), user: me };
}

/** `history <token> <user> [before_id] [limit]`: one conversation, newest page, oldest first. */
export async function history(ctx: ServerContext, req: Extract<Request, { cmd: 'history' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  // The conversation with the account that has this name now: not with one removed before it.
  const peer = isValidUsername(req.with) ? await ctx.store.getUser(req.with) : null;
  if (!peer) return failed(Errors.noDestination, me);
  const messages = await ctx.store.history(userId, peer.id, req.beforeId, req.limit);
  return { reply: ok({ messages }), user: me };
}
