import type { Request } from '../../protocol.js';
import { ok, type Caller, type Outcome, type ServerContext } from '../context.js';

/** `logout <token>`: ends that session only. */
export async function logout(ctx: ServerContext, req: Extract<Request, { cmd: 'logout' }>, caller: Caller): Promise<Outcome> {
  await ctx.store.endSession(req.token);
  caller.forgetToken(req.token);
  return { reply: ok() };
}
