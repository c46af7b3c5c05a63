import { Errors, isValidUsername, type Request } from '../../protocol.js';
import { failed, ok, type Caller, type Outcome, type ServerContext } from '../context.js';

/** `read <token> <user> <id>`: raises the caller's read marker for that conversation (never lowers it). */
export async function read(ctx: ServerContext, req: Extract<Request, { cmd: 'read' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  if (!ctx.sync) return failed(Errors.badProtocol, me);
  const peer = isValidUsername(req.with) ? await ctx.store.getUser(req.with) : null;
  if (!peer) return failed(Errors.noDestination, me);
  await ctx.sync.setReadMarker(userId, me, peer.id, req.id);
  return { reply: ok(), user: me };
}
