// Opens the store a configuration names: Redis when a URL is given, else the
// SQLite file. Failures become one line for the person at the terminal.

import { fatal } from '../../args.js';
import type { SessionPolicy, Store } from './types.js';

/** Which store to open. */
export interface StoreChoice {
  db: string;
  redis: string | null;
  sync?: 'normal' | 'full';
  /** Redis password given apart from the URL. */
  redisPassword?: string | null;
}

/** Opens the store; `log` hears when a Redis connection is lost and when it is back. */
export async function openStore(choice: StoreChoice, policy: SessionPolicy, log?: (line: string) => void): Promise<Store> {
  try {
    if (choice.redis) {
      const { RedisStore } = await import('./redis.js');
      const password = choice.redisPassword ?? undefined;
      return await RedisStore.open(choice.redis, policy, { ...(log ? { log } : {}), ...(password !== undefined ? { password } : {}) });
    }
    const { SqliteStore } = await import('./sqlite.js');
    return SqliteStore.open(choice.db, policy, { synchronous: choice.sync ?? 'normal' });
  } catch (err) {
    throw fatal((err as Error).message);
  }
}
