// Fuzzy matching for the quick switcher: a query matches a name when its
// characters appear in it in order (case-insensitive). Matches are ranked by
// how they match: at the start of the name, then at the start of a word,
// then anywhere as one piece, then scattered.

/** How a query matches a text, best first; null when it does not. */
export type MatchKind = 'prefix' | 'word' | 'substring' | 'subsequence';

const RANK: Record<MatchKind, number> = { prefix: 4, word: 3, substring: 2, subsequence: 1 };

/** Whether position `i` of `text` starts a word (after a space, `_`, `-`, `.`, or a lower-to-upper change). */
function wordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1]!;
  if (/[\s_\-.@]/.test(prev)) return true;
  return /[a-z]/.test(prev) && /[A-Z]/.test(text[i]!);
}

/** How `query` matches `text` (both as given; compared case-insensitively). */
export function matchKind(query: string, text: string): MatchKind | null {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (q === '') return 'prefix';
  if (t.startsWith(q)) return 'prefix';
  let at = t.indexOf(q);
  if (at !== -1) {
    for (let i = at; i !== -1; i = t.indexOf(q, i + 1)) if (wordStart(text, i)) return 'word';
    return 'substring';
  }
  at = 0;
  for (const ch of q) {
    at = t.indexOf(ch, at);
    if (at === -1) return null;
    at += ch.length;
  }
  return 'subsequence';
}

/** A candidate for the switcher: a username and the full name shown beside it. */
export interface Candidate {
  username: string;
  nama: string;
  online: boolean;
}

/**
 * The usernames matching `query` on their username or full name, best
 * first: by kind of match (the username's counting a little more than the
 * full name's), then online before offline, then the shorter username, then
 * by username.
 */
export function rankCandidates(query: string, candidates: Iterable<Candidate>): string[] {
  const q = query.trim();
  const scored: Array<{ name: string; score: number; online: boolean }> = [];
  for (const c of candidates) {
    const byName = matchKind(q, c.username);
    const byFull = c.nama ? matchKind(q, c.nama) : null;
    if (!byName && !byFull) continue;
    const score = Math.max(byName ? RANK[byName] * 2 + 1 : 0, byFull ? RANK[byFull] * 2 : 0);
    scored.push({ name: c.username, score, online: c.online });
  }
  scored.sort((a, b) => b.score - a.score || Number(b.online) - Number(a.online) || a.name.length - b.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.map((s) => s.name);
}
