import { errorReply, Errors, isValidUsername, toWireJson, WireJson, type Request, type UserProfile } from '../../protocol.js';
import { ok, type Caller, type Outcome, type ServerContext } from '../context.js';

/** An online list serialised once, with where each user's entry sits in it. */
interface OnlineJson {
  text: string;
  /** Username to [start, end) of its entry with one adjoining ", " (the whole list when alone). */
  cut: Map<string, [number, number]>;
}

// A store that keeps its online list (SQLite does, until it changes) hands out
// the same array to every poller: serialise it once, not once per request.
const serialised = new WeakMap<readonly UserProfile[], OnlineJson>();

function serialise(list: readonly UserProfile[]): OnlineJson {
  const entries = list.map((u) => toWireJson({ username: u.username, userdetail: { nama: u.nama, negara: u.negara } }));
  const cut = new Map<string, [number, number]>();
  let at = 1;
  entries.forEach((e, i) => {
    const [start, end] = i === 0 ? [at, at + e.length + (entries.length > 1 ? 2 : 0)] : [at - 2, at + e.length];
    cut.set(list[i]!.username, [start, end]);
    at += e.length + 2;
  });
  return { text: '[' + entries.join(', ') + ']', cut };
}

/** The `users` array of an online reply for `me`: the list without me. */
function onlineFor(list: readonly UserProfile[], me: string): WireJson {
  let json = serialised.get(list);
  if (!json) {
    json = serialise(list);
    serialised.set(list, json);
  }
  const cut = json.cut.get(me);
  return new WireJson(cut ? json.text.slice(0, cut[0]) + json.text.slice(cut[1]) : json.text);
}

/** `online <token>`: users with a live session, by username, without the caller. */
export async function online(ctx: ServerContext, _req: Extract<Request, { cmd: 'online' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!.username;
  const users = onlineFor(await ctx.store.onlineUsers(Date.now()), me);
  return { reply: ok({ users }), user: me };
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
  const me = caller.session!.username;
  const peer = isValidUsername(req.with) ? await ctx.store.getUser(req.with) : null;
  if (!peer) return { reply: errorReply(Errors.noDestination), user: me };
  const messages = await ctx.store.history(me, peer.username, req.beforeId, req.limit);
  return { reply: ok({ messages }), user: me };
}
