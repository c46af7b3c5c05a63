// The demo accounts of the original ChatBox documentation.

import { hashPassword } from './passwords.js';
import type { Store } from './store/types.js';

/** The three demo users; each has the password `surabaya`. */
export const DEMO_USERS = [
  { username: 'messi', nama: 'Lionel Messi', negara: 'Argentina' },
  { username: 'henderson', nama: 'Jordan Henderson', negara: 'Inggris' },
  { username: 'lineker', nama: 'Gary Lineker', negara: 'Inggris' },
] as const;

export const DEMO_PASSWORD = 'surabaya';

/** Creates the demo users that do not exist yet; returns the names created. */
export async function ensureDemoUsers(store: Store, scryptCost: number): Promise<string[]> {
  const created: string[] = [];
  for (const u of DEMO_USERS) {
    if (await store.getUser(u.username)) continue;
    const passwordHash = await hashPassword(DEMO_PASSWORD, scryptCost);
    if (await store.addUser({ ...u, passwordHash })) created.push(u.username);
  }
  return created;
}
