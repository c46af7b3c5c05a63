import { charLength, errorReply, Errors, isValidUsername, MAX_MESSAGE_CHARS, type Request } from '../../protocol.js';
import { ok, type Caller, type Outcome, type ServerContext } from '../context.js';

/** `send <token> <user> <message>`: the reply comes only once the message is stored durably. */
export async function send(ctx: ServerContext, req: Extract<Request, { cmd: 'send' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!.username;
  const to = isValidUsername(req.to) ? await ctx.store.getUser(req.to) : null;
  if (!to) return { reply: errorReply(Errors.noDestination), user: me };
  if (req.message === '') return { reply: errorReply(Errors.emptyMessage), user: me };
  if (charLength(req.message) > MAX_MESSAGE_CHARS) return { reply: errorReply(Errors.messageTooLong), user: me };
  const from = await ctx.store.getUser(me);
  if (!from) return { reply: errorReply(Errors.noSession) };
  await ctx.store.addMessage(from, to, req.message, Date.now());
  return { reply: ok({ message: 'Message Sent' }), user: me };
}
