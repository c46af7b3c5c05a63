// The command table: each command's handler and whether it needs a session.
// Shared checks (form, session) happen once here, before any handler runs.
// With a store that answers its hottest calls at once (ImmediateStore), the
// session check and the commands it can answer complete without a promise.

import { Errors, parseRequest, type CommandName, type Request } from '../protocol.js';
import { auth } from './commands/auth.js';
import { history, online, onlineNow, users } from './commands/directory.js';
import { inbox, inboxNow } from './commands/inbox.js';
import { logout } from './commands/logout.js';
import { read } from './commands/read.js';
import { search } from './commands/search.js';
import { send } from './commands/send.js';
import { sync } from './commands/sync.js';
import { failed, type Caller, type Handled, type Outcome, type ServerContext } from './context.js';
import type { ImmediateStore, SessionInfo } from './store/types.js';

export type { Handled } from './context.js';

type Handler<C extends CommandName> = (ctx: ServerContext, req: Extract<Request, { cmd: C }>, caller: Caller) => Promise<Outcome>;
/** Answers from the store's immediate half, or gives null when the request needs the full handler. */
type ImmediateHandler<C extends CommandName> = (
  ctx: ServerContext,
  store: ImmediateStore,
  req: Extract<Request, { cmd: C }>,
  caller: Caller,
  now: number,
) => Handled | null;

interface Entry<C extends CommandName> {
  needsSession: boolean;
  handler: Handler<C>;
  immediate?: ImmediateHandler<C>;
}

const TABLE: { [C in CommandName]: Entry<C> } = {
  auth: { needsSession: false, handler: auth },
  logout: { needsSession: true, handler: logout },
  send: { needsSession: true, handler: send },
  inbox: { needsSession: true, handler: inbox, immediate: inboxNow },
  online: { needsSession: true, handler: online, immediate: onlineNow },
  users: { needsSession: true, handler: users },
  history: { needsSession: true, handler: history },
  sync: { needsSession: true, handler: sync },
  read: { needsSession: true, handler: read },
  search: { needsSession: true, handler: search },
};

const handled = (cmd: string, o: Outcome): Handled => ({ cmd, reply: o.reply, user: o.user, afterWrite: o.afterWrite, frame: o.frame });

/** The answer to an unknown token, for each command. */
const NO_SESSION = new Map<string, Handled>(Object.keys(TABLE).map((cmd) => [cmd, handled(cmd, failed(Errors.noSession))]));

/**
 * Parses and answers one request line: at once when the store can (see
 * ImmediateStore), else through a promise. Store failures are thrown or
 * rejected (the connection is then dropped).
 */
export function handleLine(ctx: ServerContext, line: string, caller: Caller): Handled | Promise<Handled> {
  const parsed = parseRequest(line);
  if (!parsed.ok) return handled('?', failed(parsed.error));
  const req = parsed.request;
  const entry = TABLE[req.cmd] as Entry<CommandName>;
  if (!entry.needsSession) {
    caller.session = null;
    return answer(ctx, entry, req, caller);
  }
  const token = (req as { token: string }).token;
  const now = Date.now();
  const store = ctx.store.immediate;
  if (!store) return checkThenAnswer(ctx, entry, req, caller, token, now);
  const session = store.useSession(token, now);
  if (!session) return NO_SESSION.get(req.cmd)!;
  hold(caller, session, token);
  return entry.immediate?.(ctx, store, req as never, caller, now) ?? answer(ctx, entry, req, caller);
}

async function checkThenAnswer(ctx: ServerContext, entry: Entry<CommandName>, req: Request, caller: Caller, token: string, now: number): Promise<Handled> {
  const session = await ctx.store.useSession(token, now);
  if (!session) return NO_SESSION.get(req.cmd)!;
  hold(caller, session, token);
  return answer(ctx, entry, req, caller);
}

async function answer(ctx: ServerContext, entry: Entry<CommandName>, req: Request, caller: Caller): Promise<Handled> {
  return handled(req.cmd, await entry.handler(ctx, req as never, caller));
}

/**
 * The caller holds the request's session from now. A connection answers one
 * request at a time, so the session object it holds is updated in place.
 */
function hold(caller: Caller, s: SessionInfo, token: string): void {
  const held = caller.session;
  if (held) {
    held.userId = s.userId;
    held.username = s.username;
    held.lastUsedAt = s.lastUsedAt;
    held.token = token;
  } else {
    caller.session = { userId: s.userId, username: s.username, lastUsedAt: s.lastUsedAt, token };
  }
  caller.sessionUsed?.();
}
