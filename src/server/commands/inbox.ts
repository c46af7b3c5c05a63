import { randomUUID } from 'node:crypto';
import { INBOX_BATCH, type Message, type Request } from '../../protocol.js';
import { fixedReply, ok, type Caller, type Handled, type Outcome, type ServerContext } from '../context.js';
import type { ImmediateStore } from '../store/types.js';

/** How long a drained batch stays reserved while its reply is being written. */
const CLAIM_LEASE_MS = 120_000;

/**
 * Claim ids must not repeat across processes (Redis shares claims across
 * nodes and keeps them past a restart): a random prefix for this process,
 * and a counter.
 */
const CLAIM_PREFIX = randomUUID() + '-';
let claims = 0;
const nextClaimId = (): string => CLAIM_PREFIX + (++claims).toString(36);

const EMPTY = fixedReply(ok({ messages: {} }));

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
  const claimId = nextClaimId();
  const messages = await ctx.store.claimInbox(userId, claimId, INBOX_BATCH, now, now + CLAIM_LEASE_MS);
  if (messages.length === 0) return empty(me);
  return batch(messages, me, (written) => ctx.store.settleClaim(userId, claimId, written));
}

/** A drain (`inbox` without ack) from the store's immediate half; an ack takes the full handler. */
export function inboxNow(_ctx: ServerContext, store: ImmediateStore, req: Extract<Request, { cmd: 'inbox' }>, caller: Caller, now: number): Handled | null {
  if (req.ackId !== null) return null;
  const { userId, username: me } = caller.session!;
  const claimId = nextClaimId();
  const messages = store.claimInbox(userId, claimId, INBOX_BATCH, now, now + CLAIM_LEASE_MS);
  if (messages.length === 0) return empty(me);
  return batch(messages, me, (written) => store.settleClaim(userId, claimId, written));
}

const empty = (me: string): Handled => ({ cmd: 'inbox', reply: EMPTY.reply, frame: EMPTY.frame, user: me });
/** A drained batch: the claim is settled once the reply was written, or failed to be. */
const batch = (messages: readonly Message[], me: string, settle: Handled['afterWrite']): Handled => ({
  cmd: 'inbox',
  reply: ok({ messages: groupBySender(messages) }),
  user: me,
  afterWrite: settle,
});
