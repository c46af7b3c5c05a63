import { Errors, type Request } from '../../protocol.js';
import { failed, ok, type Caller, type Outcome, type ServerContext } from '../context.js';
import { searchWords } from '../store/sync-types.js';

/** `search <token> <before_id> <limit> <query>`: the caller's newest messages holding every word, oldest first. */
export async function search(ctx: ServerContext, req: Extract<Request, { cmd: 'search' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  if (!ctx.sync) return failed(Errors.badProtocol, me);
  const messages = await ctx.sync.search(userId, req.beforeId, req.limit, searchWords(req.query));
  return { reply: ok({ messages }), user: me };
}
