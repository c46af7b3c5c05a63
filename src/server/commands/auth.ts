import { v4 as uuidv4 } from 'uuid';
import { Errors, isValidUsername, type Request } from '../../protocol.js';
import { failed, ok, type Caller, type Outcome, type ServerContext } from '../context.js';
import { verifyPassword } from '../passwords.js';

/** `auth <username> <password>`: checks the password off the event loop and opens a session. */
export async function auth(ctx: ServerContext, req: Extract<Request, { cmd: 'auth' }>, caller: Caller): Promise<Outcome> {
  // The attempt counts as a failure from the start, so logins still being hashed count too.
  const now = Date.now();
  if (!ctx.authThrottle.begin(caller.peer, now)) return failed(Errors.tooMany);
  const user = isValidUsername(req.username) ? await ctx.store.getUser(req.username) : null;
  if (!user) return failed(Errors.noUser);
  if (!(await verifyPassword(req.password, user.passwordHash))) {
    return failed(Errors.badPassword, user.username);
  }
  ctx.authThrottle.succeeded(caller.peer, now);
  const token = uuidv4();
  const now2 = Date.now();
  // The session binds to this account: if it was removed while the password was checked
  // (perhaps a new account took the name), there is no session to give.
  if (!(await ctx.store.createSession(token, { id: user.id, username: user.username }, now2))) {
    return failed(Errors.noUser);
  }
  // The connection that logged in holds the new session: it may idle, and keeps the user online.
  caller.session = { token, userId: user.id, username: user.username, lastUsedAt: now2 };
  return { reply: ok({ tokenid: token }), user: user.username };
}
