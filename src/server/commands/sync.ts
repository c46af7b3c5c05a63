import { Errors, SYNC_BATCH, type Request } from '../../protocol.js';
import { failed, ok, type Caller, type Outcome, type ServerContext } from '../context.js';
import type { SyncBatch, SyncStore } from '../store/sync-types.js';

const hasNews = (b: SyncBatch): boolean => b.messages.length > 0 || b.read.size > 0;

/**
 * `sync <token> <since_id> [<wait_ms>]`: the caller's events after since_id.
 * With nothing to return and a wait, the answer waits for an event for the
 * caller, a change of presence, the time to run out or the connection to close.
 */
export async function sync(ctx: ServerContext, req: Extract<Request, { cmd: 'sync' }>, caller: Caller): Promise<Outcome> {
  const { userId, username: me } = caller.session!;
  const store = ctx.sync;
  if (!store) return failed(Errors.badProtocol, me);
  const answer = (b: SyncBatch): Outcome => ({ reply: syncReply(b, store), user: me });
  if (!req.waitMs || !ctx.hub || ctx.hub.closed) return answer(await store.changes(userId, req.sinceId, SYNC_BATCH));

  // Registered before the first look, so an event stored meanwhile is not missed.
  const hub = ctx.hub;
  const waiter = hub.enter(me, caller, req.waitMs);
  const onClose = (): void => waiter.wake('closed');
  caller.closedSignal?.addEventListener('abort', onClose, { once: true });
  try {
    for (;;) {
      const batch = await store.changes(userId, req.sinceId, SYNC_BATCH);
      if (hasNews(batch) || caller.closedSignal?.aborted) return answer(batch);
      const why = await waiter.next();
      if (why === 'timeout' || why === 'closed' || why === 'presence') {
        return answer(await store.changes(userId, req.sinceId, SYNC_BATCH));
      }
    }
  } finally {
    caller.closedSignal?.removeEventListener('abort', onClose);
    hub.leave(waiter);
  }
}

function syncReply(b: SyncBatch, store: SyncStore): ReturnType<typeof ok> {
  return ok({ messages: b.messages, read: b.read, next: b.next, presence: store.knownPresenceVersion() });
}
