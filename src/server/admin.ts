// `chatbox user ...`: account administration on the same store a server uses.
// It may run while the server does; the server sees each change at once.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlags, parseIntSetting, UsageError } from '../args.js';
import { isValidUsername, profileFieldProblem } from '../protocol.js';
import { DEFAULTS, redisPassword } from './config.js';
import { hashPassword, MIN_SAFE_COST, passwordProblem } from './passwords.js';
import { resolveFrom } from './option-sources.js';
import { OPTIONS } from './options.js';
import { openStore } from './store/open.js';
import { redactUrl } from './store/redis-connect.js';
import type { Store } from './store/types.js';
import { readPassword } from './prompt.js';

const HELP = `Usage:
  chatbox user add <username> --name <nama> --country <negara> [--password-stdin]
  chatbox user list
  chatbox user passwd <username> [--password-stdin]
  chatbox user remove <username>

Common options:
  --config FILE    take --db, --redis and the Redis password from the server's
                   config file (CHATBOX_CONFIG); a flag or variable still wins
  --db PATH        SQLite database file (CHATBOX_DB)   [./chatbox.db]
  --create         make the SQLite file if it does not exist (without it, a
                   mistyped --db is an error rather than a new empty database)
  --redis URL      Redis store instead (CHATBOX_REDIS); the password in
                   CHATBOX_REDIS_PASSWORD or --redis-password-file FILE
  --password-stdin read the password from the first line of standard input
                   (otherwise it is asked for on the terminal, without echo)

Usernames are 1-32 characters of A-Z a-z 0-9 _ . -; a password may not contain spaces.
`;

/** The options of the server's table that say which store to open. */
const STORE_OPTIONS = new Set(['config', 'db', 'redis', 'redis-password', 'redis-password-file']);

const FLAGS = {
  config: { type: 'string' },
  db: { type: 'string' },
  create: { type: 'boolean' },
  redis: { type: 'string' },
  'redis-password-file': { type: 'string' },
  name: { type: 'string' },
  country: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'scrypt-cost': { type: 'string' },
  'unsafe-scrypt-cost': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function userCommand(argv: string[]): Promise<number | void> {
  const { values: v, positionals } = parseFlags(argv, FLAGS, true);
  const [action, ...names] = positionals;
  if (v.help || action === undefined || action === 'help') {
    process.stdout.write(HELP);
    return action === undefined && !v.help ? 2 : 0;
  }
  const wantName = (): string => {
    if (names.length !== 1) throw new UsageError(`chatbox user ${action} takes one username`);
    const name = names[0]!;
    if (!isValidUsername(name)) throw new UsageError(`'${name}' is not a valid username (1-32 of A-Z a-z 0-9 _ . -)`);
    return name;
  };
  let cost = DEFAULTS.scryptCost;
  if (v['scrypt-cost'] !== undefined) cost = parseIntSetting(v['scrypt-cost'], '--scrypt-cost', MIN_SAFE_COST, 22);
  if (v['unsafe-scrypt-cost'] !== undefined) cost = parseIntSetting(v['unsafe-scrypt-cost'], '--unsafe-scrypt-cost', 1, 22);

  // The store options as chatbox serve reads them: flag > CHATBOX_* > the --config file.
  const stores = resolveFrom(v, process.env, OPTIONS.filter((o) => STORE_OPTIONS.has(o.name)));
  const db = resolve((stores.values.get('db') as string | undefined) ?? DEFAULTS.db);
  const redis = (stores.values.get('redis') as string | undefined) ?? null;
  const open = async (): Promise<Store> => {
    const password = redis ? redisPassword(stores.values, stores.from) : null;
    // A mistyped --db would otherwise be a new, empty database, and the account would land in it.
    if (!redis && !existsSync(db) && !v.create) {
      throw new UsageError(`no database at ${db} (check --db, or add --create to make a new one)`);
    }
    const store = await openStore(
      { db, redis, redisPassword: password },
      { idleLifetimeMs: DEFAULTS.sessionLifetimeMs, presenceWindowMs: DEFAULTS.presenceWindowMs },
    );
    // Said on stderr, so the operator sees which store a change went to and the output stays clean.
    process.stderr.write(redis ? `chatbox: using Redis ${redactUrl(redis)}\n` : `chatbox: using database ${db}\n`);
    return store;
  };
  const newHash = async (): Promise<string> => {
    const password = await readPassword(v['password-stdin'] ?? false);
    const problem = passwordProblem(password);
    if (problem) throw new UsageError(problem);
    return hashPassword(password, cost);
  };

  switch (action) {
    case 'add': {
      const username = wantName();
      if (v.name === undefined || v.country === undefined) throw new UsageError('chatbox user add needs --name and --country');
      for (const [flag, value] of [['--name', v.name], ['--country', v.country]] as const) {
        const problem = profileFieldProblem(value);
        if (problem) throw new UsageError(`${flag} ${problem}`);
      }
      const passwordHash = await newHash();
      const store = await open();
      try {
        if (!(await store.addUser({ username, nama: v.name, negara: v.country, passwordHash }))) {
          throw new UsageError(`user ${username} already exists (use chatbox user passwd to change the password)`);
        }
      } finally {
        await store.close();
      }
      process.stdout.write(`user ${username} added\n`);
      return 0;
    }
    case 'list': {
      if (names.length > 0) throw new UsageError('chatbox user list takes no username');
      const store = await open();
      try {
        const users = await store.listUsers();
        if (users.length === 0) {
          process.stdout.write('no users yet (add one with chatbox user add)\n');
          return 0;
        }
        const w = Math.max(8, ...users.map((u) => u.username.length));
        const n = Math.max(4, ...users.map((u) => u.nama.length));
        process.stdout.write(`${'USERNAME'.padEnd(w)}  ${'NAMA'.padEnd(n)}  NEGARA\n`);
        for (const u of users) process.stdout.write(`${u.username.padEnd(w)}  ${u.nama.padEnd(n)}  ${u.negara}\n`);
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'passwd': {
      const username = wantName();
      const store = await open();
      try {
        if (!(await store.getUser(username))) throw new UsageError(`no user ${username}`);
        if (!(await store.setPassword(username, await newHash()))) throw new UsageError(`no user ${username}`);
      } finally {
        await store.close();
      }
      process.stdout.write(`password of ${username} changed; their sessions were ended\n`);
      return 0;
    }
    case 'remove': {
      const username = wantName();
      const store = await open();
      try {
        if (!(await store.removeUser(username))) throw new UsageError(`no user ${username}`);
      } finally {
        await store.close();
      }
      process.stdout.write(`user ${username} removed\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}' (add, list, passwd or remove)`);
  }
}
