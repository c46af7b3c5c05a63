// The presence version: a number that changes whenever the answer of `online`
// may have changed. The online list is digested; the store turns a new digest
// into a new version (one counter per server on SQLite, per cluster on Redis).
// One check per node per interval catches sessions that lapse by time; an
// `online` request checks the list it is answering with.

import { createHash } from 'node:crypto';
import type { UserProfile } from '../../protocol.js';
import type { SyncStore } from '../store/sync-types.js';
import type { Store } from '../store/types.js';

const digests = new WeakMap<readonly UserProfile[], string>();

/** A digest of an online list (cached for a list a store hands out again). */
export function digestOnline(list: readonly UserProfile[]): string {
  let d = digests.get(list);
  if (d === undefined) {
    const h = createHash('sha1');
    for (const u of list) h.update(u.username + '\0' + u.nama + '\0' + u.negara + '\n');
    d = h.digest('base64');
    digests.set(list, d);
  }
  return d;
}

/** Keeps the presence version current on one node. */
export class PresenceTracker {
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly store: Store,
    private readonly sync: SyncStore,
    private readonly onError: (err: Error) => void,
  ) {}

  /** The version of this online list. */
  observe(list: readonly UserProfile[]): Promise<number> {
    return this.sync.presenceVersion(digestOnline(list));
  }

  start(intervalMs: number): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.observe(await this.store.onlineUsers(Date.now()));
    } catch (err) {
      this.onError(err as Error);
    } finally {
      this.checking = false;
    }
  }
}
