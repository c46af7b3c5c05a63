import { charLength, Errors, isValidUsername, MAX_MESSAGE_CHARS, type Request } from '../../protocol.js';
import { failed, fixedReply, ok, type Caller, type Outcome, type ServerContext } from '../context.js';

const SENT = fixedReply(ok({ message: 'Message Sent' }));

/** `send <token> <user> <message>`: the reply comes only once the message is stored durably. */
export async function send(ctx: ServerContext, req: Extract<Request, { cmd: 'send' }>, caller: Caller): Promise<Outcome> {
  const me = caller.session!;
  if (!isValidUsername(req.to)) return failed(Errors.noDestination, me.username);
  const problem =
    req.message === '' ? Errors.emptyMessage : charLength(req.message) > MAX_MESSAGE_CHARS ? Errors.messageTooLong : null;
  if (problem) {
    // An unknown destination is named first, as it always was; nothing is stored either way.
    const known = (await ctx.store.getUser(req.to)) !== null;
    return failed(known ? problem : Errors.noDestination, me.username);
  }
  // One store step finds the recipient's account and checks the sender's still exists.
  const sent = await ctx.store.sendMessage(me.userId, req.to, req.message, Date.now());
  if (sent === 'no such recipient') return failed(Errors.noDestination, me.username);
  if (sent === 'no such sender') return failed(Errors.noSession);
  return { reply: SENT.reply, frame: SENT.frame, user: me.username };
}
