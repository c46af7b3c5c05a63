// Case "search": `search` over the wire on a store of 1,000,000 messages,
// written through the SQLite store in the fixture (batched, not over the
// wire), for a word in 0.1 % of them.

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { BenchCase, CaseContext } from '../lib/case.js';
import { benchUser, closeClient, login } from '../lib/fixture.js';
import { medians, row, type CaseReport, type Figures } from '../lib/report.js';
import { startServer } from '../lib/servers.js';
import { Histogram, summarize } from '../lib/stats.js';

const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? 1_000_000);
/** One message in this many holds the rare word. */
const RARE_EVERY = 1000;
const RARE = 'zamrud';
const BATCH = 5000;
const QUERIES = 300;
const WORDS = ['halo', 'apa', 'kabar', 'besok', 'rapat', 'jam', 'sembilan', 'kopi', 'kantor', 'kirim', 'laporan', 'nanti', 'malam', 'terima', 'kasih', 'sampai', 'jumpa'];

/**
 * The search fixture: a copy of the accounts with MESSAGES messages. Half are
 * between bench0000 (the searcher) and bench0001-0099 either way, half between
 * other accounts, so the index holds many matches that are not the caller's.
 */
async function searchFixture(ctx: CaseContext): Promise<{ db: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'chatbox-bench-search-'));
  const db = join(dir, 'chat.db');
  copyFileSync(ctx.fixture.db, db);
  const store = SqliteStore.open(db, { idleLifetimeMs: 7 * 86_400_000, presenceWindowMs: 30_000 });
  try {
    const ids: number[] = [];
    for (let i = 0; i < ctx.fixture.users; i++) ids.push((await store.getUser(benchUser(i)))!.id);
    const now = Date.now();
    for (let start = 0; start < MESSAGES; start += BATCH) {
      const batch: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(MESSAGES, start + BATCH); i++) {
        let from: number;
        let to: number;
        if (i % 2 === 0) {
          const peer = 1 + ((i >> 1) % 99);
          [from, to] = (i >> 1) % 3 === 0 ? [peer, 0] : [0, peer];
        } else {
          from = 100 + (i % 900);
          to = 100 + ((i * 7 + 13) % 900);
          if (to === from) to = 100 + ((to - 99) % 900);
        }
        const words = [WORDS[i % WORDS.length], WORDS[(i * 5) % WORDS.length], WORDS[(i * 11) % WORDS.length], `nomor ${i}`];
        if (i % RARE_EVERY === RARE_EVERY >> 1) words.splice(1, 0, RARE.toUpperCase());
        batch.push(store.sendMessage(ids[from]!, benchUser(to), words.join(' '), now));
      }
      await Promise.all(batch);
      if (start % 200_000 === 0 && start > 0) ctx.log(`[search] fixture: ${start} messages`);
    }
  } finally {
    await store.close();
  }
  return { db, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function searchRun(ctx: CaseContext, db: string): Promise<Figures> {
  const server = await startServer('chatbox', { fixtureDb: db });
  try {
    const [me] = await login(server.host, server.port, 0, 1);
    const client = await ChatClient.connect({ host: server.host, port: server.port, requestTimeoutMs: 30_000 });
    try {
      // Warm the page cache and the statements, as a running server would be.
      for (let i = 0; i < 20; i++) await client.search(me!.token, RARE, 50);
      const newest = new Histogram();
      const paged = new Histogram();
      let found = 0;
      const cpu0 = server.cpuMs();
      const queries = ctx.quick ? 100 : QUERIES;
      for (let i = 0; i < queries; i++) {
        let t = performance.now();
        const page = await client.search(me!.token, RARE, 50);
        newest.record((performance.now() - t) * 1000);
        found = page.length;
        // An older page: below a random id, as a client paging back does.
        t = performance.now();
        await client.search(me!.token, RARE, 50, 1 + Math.floor(Math.random() * MESSAGES));
        paged.record((performance.now() - t) * 1000);
      }
      const cpu = server.cpuMs() - cpu0;
      const a = summarize(newest);
      const b = summarize(paged);
      return {
        p50Ms: a.p50,
        p99Ms: a.p99,
        maxMs: a.max,
        pagedP50Ms: b.p50,
        pagedP99Ms: b.p99,
        found,
        serverMsPerSearch: Math.round((cpu / (2 * queries)) * 100) / 100,
      };
    } finally {
      await closeClient(client);
    }
  } finally {
    await server.stop();
  }
}

/** Case 11: search over 1,000,000 stored messages. */
export const searchCase: BenchCase = {
  name: 'search',
  title: '11. search, 1M messages, word in 0.1 %',
  async run(ctx): Promise<CaseReport> {
    const t0 = Date.now();
    ctx.log(`[search] writing ${MESSAGES} messages through the store`);
    const fixture = await searchFixture(ctx);
    ctx.log(`[search] fixture written in ${Math.round((Date.now() - t0) / 1000)} s`);
    const runs = { baseline: [] as Figures[], chatbox: [] as Figures[] };
    try {
      const rounds = ctx.quick ? 1 : 5;
      for (let round = 0; round < rounds; round++) {
        const f = await searchRun(ctx, fixture.db);
        runs.chatbox.push(f);
        ctx.log(`[search] round ${round + 1}/${rounds}  newest p50 ${f.p50Ms} ms p99 ${f.p99Ms} ms  paged p50 ${f.pagedP50Ms} ms p99 ${f.pagedP99Ms} ms  ${f.serverMsPerSearch} ms server CPU/search`);
      }
    } finally {
      fixture.remove();
    }
    const c = medians(runs.chatbox);
    return {
      name: 'search',
      title: this.title,
      parameters: { messages: MESSAGES, rareWordEvery: RARE_EVERY, query: RARE, limit: 50, queriesPerRound: ctx.quick ? 100 : QUERIES, callerShare: 0.5 },
      runs,
      rows: [
        row('median search, newest page', 'ms', null, c, 'p50Ms'),
        row('p99 search, newest page', 'ms', null, c, 'p99Ms', { target: { text: '< 50 ms', met: (v) => v < 50 } }),
        row('p99 search, older page', 'ms', null, c, 'pagedP99Ms', { target: { text: '< 50 ms', met: (v) => v < 50 } }),
        row('server CPU per search', 'ms', null, c, 'serverMsPerSearch'),
      ],
      notes: [
        `${MESSAGES} messages written through SqliteStore.sendMessage in batches of ${BATCH} before the server starts; half are between bench0000 and 99 peers (either way), half between other accounts.`,
        `"${RARE}" is in one message in ${RARE_EVERY} (written upper-case; the query is lower-case), so about ${MESSAGES / RARE_EVERY / 2} of the searcher's messages match.`,
        'One connection searches one query at a time: the newest 50 matches, then 50 below a random id; no baseline: the original protocol has no search.',
      ],
    };
  },
};
