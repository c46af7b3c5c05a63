import { errorReply, Errors, isValidUsername, type Request } from '../../protocol.js';
import { ok, type Caller, type Outcome, type ServerContext } from '../context.js';

/** `online <token>`: users with a live session, by username, without the caller. */
export async function online(ctx: ServerContext, _req: Extract<Request, { cmd: 'online' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!.username;
  const users = [];
  for (const u of await ctx.store.onlineUsers(Date.now())) {
    if (u.username !== me) users.push({ username: u.username, userdetail: { nama: u.nama, negara: u.negara } });
  }
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
