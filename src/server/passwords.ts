// Password hashing: salted scrypt from node:crypto, computed on libuv's thread
// pool (off the event loop) and compared in constant time. The parameters are
// stored with each hash, so raising the cost later keeps old hashes valid.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** log2 of scrypt's N that the protocol requires at the least. */
export const MIN_SAFE_COST = 17;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Limits how many hashes run at once: each takes 128·N·r bytes (128 MiB at N=2^17). */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const gate = new Gate(2);

function derive(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** cost;
  return gate.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      }),
  );
}

/** Hashes a password as `scrypt$<log2 N>$<r>$<p>$<salt b64>$<key b64>`. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost, R, P);
  return ['scrypt', cost, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![cost, r, p].every((n) => Number.isInteger(n) && n > 0) || cost > 24) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_BYTES) return false;
  const key = await derive(password, salt, cost, r, p);
  return timingSafeEqual(key, expected);
}

/** Why a password cannot be used over the protocol, or null when it can. */
export function passwordProblem(password: string): string | null {
  if (password.length === 0) return 'the password must not be empty';
  if (/[\s]/u.test(password)) return 'the password must not contain spaces or line breaks (the protocol separates words by spaces)';
  if (password.length > 1024) return 'the password is too long (1024 characters at most)';
  return null;
}
