import { randomUUID } from 'node:crypto';
import { INBOX_BATCH, type Message, type Request } from '../../protocol.js';
import { ok, type Caller, type Outcome, type ServerContext } from '../context.js';

/** How long a drained batch stays reserved while its reply is being written. */
const CLAIM_LEASE_MS = 120_000;

/**
 * Groups messages by sender username, senders in the order of their oldest
 * message, each sender's messages oldest first. A Map: a sender named
 * `constructor` or `__proto__` is a key like any other, and a numeric name
 * keeps its place (an object would list it first).
 */
export function groupBySender(messages: readonly Message[]): Map<string, Message[]> {
  const out = new Map<string, Message[]>();
  for (const m of messages) {
    const list = out.get(m.sender);
    if (list) list.push(m);
    else out.set(m.sender, [m]);
  }
  return out;
}

/**
 * `inbox <token>` drains: the batch is claimed so no other session gets it,
 * and marked received only once the reply reached the OS.
 * `inbox <token> <ack_id>` acknowledges up to ack_id and peeks at the rest.
 */
export async function inbox(ctx: ServerContext, req: Extract<Request, { cmd: 'inbox' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  if (req.ackId !== null) {
    const messages = await ctx.store.ackInbox(userId, req.ackId, INBOX_BATCH);
    return { reply: ok({ messages: groupBySender(messages) }), user: me };
  }
  const now = Date.now();
  const claimId = randomUUID();
  const messages = await ctx.store.claimInbox(userId, claimId, INBOX_BATCH, now, now + CLAIM_LEASE_MS);
  if (messages.length === 0) return { reply: ok({ messages: {} }), user: me };
  return {
    reply: ok({ messages: groupBySender(messages) }),
    user: me,
    afterWrite: (written) => ctx.store.settleClaim(userId, claimId, written),
  };
}
