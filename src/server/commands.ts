// The command table: each command's handler and whether it needs a session.
// Shared checks (form, session) happen once here, before any handler runs.

import { errorReply, Errors, parseRequest, type CommandName, type Request } from '../protocol.js';
import { auth } from './commands/auth.js';
import { history, online, users } from './commands/directory.js';
import { inbox } from './commands/inbox.js';
import { logout } from './commands/logout.js';
import { read } from './commands/read.js';
import { search } from './commands/search.js';
import { send } from './commands/send.js';
import { sync } from './commands/sync.js';
import type { Caller, Outcome, ServerContext } from './context.js';

type Handler<C extends CommandName> = (ctx: ServerContext, req: Extract<Request, { cmd: C }>, caller: Caller) => Promise<Outcome>;

const TABLE: { [C in CommandName]: { needsSession: boolean; handler: Handler<C> } } = {
  auth: { needsSession: false, handler: auth },
  logout: { needsSession: true, handler: logout },
  send: { needsSession: true, handler: send },
  inbox: { needsSession: true, handler: inbox },
  online: { needsSession: true, handler: online },
  users: { needsSession: true, handler: users },
  history: { needsSession: true, handler: history },
  sync: { needsSession: true, handler: sync },
  read: { needsSession: true, handler: read },
  search: { needsSession: true, handler: search },
};

/** The result of one request line, with the command word for the log (never its arguments). */
export interface Handled extends Outcome {
  cmd: string;
}

/** Parses and answers one request line. Store failures propagate (the connection is then dropped). */
export async function handleLine(ctx: ServerContext, line: string, caller: Caller): Promise<Handled> {
  const parsed = parseRequest(line);
  if (!parsed.ok) return { cmd: '?', reply: errorReply(parsed.error) };
  const req = parsed.request;
  const entry = TABLE[req.cmd] as { needsSession: boolean; handler: Handler<CommandName> };
  if (entry.needsSession) {
    const token = (req as { token: string }).token;
    const session = await ctx.store.useSession(token, Date.now());
    if (!session) return { cmd: req.cmd, reply: errorReply(Errors.noSession) };
    caller.session = { ...session, token };
    caller.sessionUsed?.();
  } else {
    caller.session = null;
  }
  const outcome = await entry.handler(ctx, req as never, caller);
  return { cmd: req.cmd, ...outcome };
}
