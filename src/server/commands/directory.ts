import { errorReply, Errors, isValidUsername, REPLY_TERMINATOR, toWireJson, type Request, type UserProfile } from '../../protocol.js';
import { ok, type Caller, type Outcome, type ServerContext } from '../context.js';

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
  return { bytes: Buffer.from(head + entries.join(', ') + ']}' + REPLY_TERMINATOR), cut };
}

/** The online reply for `me` (the list without me), as pieces of the shared encoding. */
function onlineFrame(list: readonly UserProfile[], me: string): Buffer[] {
  let frame = encoded.get(list);
  if (!frame) {
    frame = encode(list);
    encoded.set(list, frame);
  }
  const cut = frame.cut.get(me);
  return cut ? [frame.bytes.subarray(0, cut[0]), frame.bytes.subarray(cut[1])] : [frame.bytes];
}

/** `online <token>`: users with a live session, by username, without the caller. */
export async function online(ctx: ServerContext, _req: Extract<Request, { cmd: 'online' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!.username;
  const frame = onlineFrame(await ctx.store.onlineUsers(Date.now()), me);
  return { reply: ok(), frame, user: me };
}

/** `users <token>`: every other user, by username, with an online flag. */
export async function users(ctx: ServerContext, _req: Extract<Request, { cmd: 'users' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!.username;
  const list = [];
  for (const u of await ctx.store.directory(Date.now())) {
    if (u.username !== me) {
      list.push({ username: u.username, userdetail: { nama: u.nama, negara: u.negara }, online: u.online });
    }
  }
  return { reply: ok({ users: list }), user: me };
}

/** `history <token> <user> [before_id] [limit]`: one conversation, newest page, oldest first. */
export async function history(ctx: ServerContext, req: Extract<Request, { cmd: 'history' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  // The conversation with the account that has this name now: not with one removed before it.
  const peer = isValidUsername(req.with) ? await ctx.store.getUser(req.with) : null;
  if (!peer) return { reply: errorReply(Errors.noDestination), user: me };
  const messages = await ctx.store.history(userId, peer.id, req.beforeId, req.limit);
  return { reply: ok({ messages }), user: me };
}
