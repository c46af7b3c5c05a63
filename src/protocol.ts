// The ChatBox wire contract, pure: request parsing, reply formatting, error
// strings; the decoders that frame the stream (framing.ts) are re-exported here.
// Nothing here touches a socket, a clock or a store.

import { asciiJsonString } from './ascii-json.js';
import { REPLY_TERMINATOR } from './framing.js';

/** Default TCP port of a ChatBox server. */
export const DEFAULT_PORT = 8889;
/** Most characters (code points) a message may hold. */
export const MAX_MESSAGE_CHARS = 4000;
/** Most messages one inbox reply carries. */
export const INBOX_BATCH = 500;
/** History page size when the request gives none, and the largest allowed. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 500;
/** Most characters of a user's nama or negara. */
export const MAX_PROFILE_CHARS = 64;
/** Most messages one sync reply carries. */
export const SYNC_BATCH = 500;
/** Longest a sync waits (ms); a larger wait_ms is capped to it. */
export const SYNC_MAX_WAIT_MS = 60_000;
/** Search page sizes allowed. */
export const SEARCH_MAX_LIMIT = 200;

/** The error texts of the protocol, exactly as clients see them. */
export const Errors = {
  noUser: 'User Tidak Ada',
  badPassword: 'Password Salah',
  noSession: 'Session Tidak Ditemukan',
  noDestination: 'User Tidak Ditemukan',
  badProtocol: 'Protocol Tidak Benar',
  emptyMessage: 'Pesan Kosong',
  messageTooLong: 'Pesan Terlalu Panjang',
  lineTooLong: 'Request Terlalu Panjang',
  tooMany: 'Terlalu Banyak Permintaan',
} as const;
/** One of the protocol's error texts. */
export type ErrorText = (typeof Errors)[keyof typeof Errors];

/** A user as the directory and `online` show them. */
export interface UserProfile {
  username: string;
  nama: string;
  negara: string;
}

/** A message as it travels in replies. */
export interface Message {
  msg_from: string;
  msg_to: string;
  msg: string;
  id: number;
  sender: string;
  recipient: string;
  ts: string;
}

/** An entry of an `online` reply. */
export interface OnlineEntry {
  username: string;
  userdetail: { nama: string; negara: string };
}

/** An entry of a `users` reply. */
export interface DirectoryEntry extends OnlineEntry {
  online: boolean;
  /** Messages from that user above the caller's read marker (servers with sync). */
  unread?: number;
  /** The newest message between the two, or 0 (servers with sync). */
  last_id?: number;
}

/** A parsed request. */
export type Request =
  | { cmd: 'auth'; username: string; password: string }
  | { cmd: 'logout'; token: string }
  | { cmd: 'send'; token: string; to: string; message: string }
  | { cmd: 'inbox'; token: string; ackId: number | null }
  | { cmd: 'online'; token: string; version?: number }
  | { cmd: 'users'; token: string }
  | { cmd: 'history'; token: string; with: string; beforeId: number | null; limit: number }
  | { cmd: 'sync'; token: string; sinceId: number; waitMs: number | null }
  | { cmd: 'read'; token: string; with: string; id: number }
  | { cmd: 'search'; token: string; beforeId: number | null; limit: number; query: string };

/** The command words a server understands. */
export type CommandName = Request['cmd'];

/** What parsing a line gives: a request, or the error to answer with. */
export type ParseResult = { ok: true; request: Request } | { ok: false; error: ErrorText };

const USERNAME_RE = /^[A-Za-z0-9_.-]{1,32}$/;

/** True when `name` is a well-formed username (1–32 of A-Z a-z 0-9 _ . -). */
export function isValidUsername(name: string): boolean {
  return USERNAME_RE.test(name);
}

// Printable: no C0/C1 controls, DEL, or bidi/format controls that could
// reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Why a nama or negara is not acceptable, or null when it is. */
export function profileFieldProblem(value: string): string | null {
  const chars = [...value].length;
  if (chars === 0) return 'must not be empty';
  if (chars > MAX_PROFILE_CHARS) return `must be at most ${MAX_PROFILE_CHARS} characters`;
  if (UNPRINTABLE_RE.test(value)) return 'must be printable text (no control characters)';
  return null;
}

/** Length of a string in characters (code points), as the message limit counts. */
export function charLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/** Splits off up to `count` words (spaces/tabs between), returning them and the rest of the line. */
function splitWords(line: string, count: number): { words: string[]; rest: string } {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  while (words.length < count) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlank(line.charCodeAt(i))) i++;
    words.push(line.slice(start, i));
  }
  return { words, rest: line.slice(i) };
}

/** Removes surrounding spaces and tabs (only those: other characters are content). */
export function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

const DIGITS_RE = /^[0-9]{1,16}$/;

function parseCount(word: string | undefined): number | null {
  if (word === undefined || !DIGITS_RE.test(word)) return null;
  const n = Number(word);
  return Number.isSafeInteger(n) ? n : null;
}

const bad: ParseResult = { ok: false, error: Errors.badProtocol };

/**
 * Parses one request line (without its line ending). Only the form is
 * checked here; whether a token, user or message is acceptable is for the
 * server to decide.
 */
export function parseRequest(line: string): ParseResult {
  const { words, rest } = splitWords(line, 3);
  const cmd = words[0];
  if (cmd === 'send') {
    if (words.length < 3) return bad;
    return { ok: true, request: { cmd, token: words[1]!, to: words[2]!, message: trimBlanks(rest) } };
  }
  if (cmd === 'search') return parseSearch(words, rest);
  // Every other command is a fixed list of words.
  const more = splitWords(rest, 3);
  if (trimBlanks(more.rest) !== '') return bad;
  const all = words.concat(more.words);
  switch (cmd) {
    case 'auth':
      if (all.length !== 3) return bad;
      return { ok: true, request: { cmd, username: all[1]!, password: all[2]! } };
    case 'logout':
    case 'users':
      if (all.length !== 2) return bad;
      return { ok: true, request: { cmd, token: all[1]! } };
    case 'online': {
      if (all.length < 2 || all.length > 3) return bad;
      if (all.length === 2) return { ok: true, request: { cmd, token: all[1]! } };
      const version = parseCount(all[2]);
      if (version === null) return bad;
      return { ok: true, request: { cmd, token: all[1]!, version } };
    }
    case 'sync': {
      if (all.length < 3 || all.length > 4) return bad;
      const sinceId = parseCount(all[2]);
      const wait = all[3] === undefined ? null : parseCount(all[3]);
      if (sinceId === null || (all[3] !== undefined && wait === null)) return bad;
      const waitMs = wait === null ? null : Math.min(wait, SYNC_MAX_WAIT_MS);
      return { ok: true, request: { cmd, token: all[1]!, sinceId, waitMs } };
    }
    case 'read': {
      if (all.length !== 4) return bad;
      const id = parseCount(all[3]);
      if (id === null) return bad;
      return { ok: true, request: { cmd, token: all[1]!, with: all[2]!, id } };
    }
    case 'inbox': {
      if (all.length < 2 || all.length > 3) return bad;
      if (all.length === 2) return { ok: true, request: { cmd, token: all[1]!, ackId: null } };
      const ackId = parseCount(all[2]);
      if (ackId === null) return bad;
      return { ok: true, request: { cmd, token: all[1]!, ackId } };
    }
    case 'history': {
      if (all.length < 3 || all.length > 5) return bad;
      let beforeId: number | null = null;
      let limit = HISTORY_DEFAULT_LIMIT;
      if (all[3] !== undefined) {
        const b = parseCount(all[3]);
        if (b === null) return bad;
        beforeId = b === 0 ? null : b;
      }
      if (all[4] !== undefined) {
        const l = parseCount(all[4]);
        if (l === null || l < 1 || l > HISTORY_MAX_LIMIT) return bad;
        limit = l;
      }
      return { ok: true, request: { cmd, token: all[1]!, with: all[2]!, beforeId, limit } };
    }
    default:
      return bad;
  }
}

/** `search <token> <before_id> <limit> <query>`: the query is the rest of the line, and must have a word. */
function parseSearch(words: string[], rest: string): ParseResult {
  const more = splitWords(rest, 1);
  if (words.length < 3 || more.words.length < 1) return bad;
  const beforeId = parseCount(words[2]);
  const limit = parseCount(more.words[0]);
  const query = trimBlanks(more.rest);
  if (beforeId === null || limit === null || limit < 1 || limit > SEARCH_MAX_LIMIT || query === '') return bad;
  return { ok: true, request: { cmd: 'search', token: words[1]!, beforeId: beforeId === 0 ? null : beforeId, limit, query } };
}

/**
 * Serialises a JSON value the way the original (Python) server did:
 * `", "` between items and `": "` after keys, and strings (keys too) in pure
 * ASCII as `json.dumps` escapes them, so no raw line break and no multi-byte
 * character can appear inside a reply.
 */
export function toWireJson(value: unknown): string {
  if (typeof value === 'string') return asciiJsonString(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ', ';
      out += toWireJson(value[i]);
    }
    return out + ']';
  }
  let out = '{';
  // A Map is an object whose keys keep their order, integer-like ones included.
  if (value instanceof Map) for (const [key, v] of value as Map<string, unknown>) out = withField(out, key, v);
  else for (const key in value) out = withField(out, key, (value as Record<string, unknown>)[key]);
  return out + '}';
}

/** `out` (an object so far, from its `{`) with one more field; undefined fields are left out. */
function withField(out: string, key: string, v: unknown): string {
  if (v === undefined) return out;
  return out + (out.length > 1 ? ', ' : '') + asciiJsonString(key) + ': ' + toWireJson(v);
}

/** A reply object as it goes on the wire (status first). */
export type Reply = { status: 'OK'; [field: string]: unknown } | { status: 'ERROR'; message: string };

/** A whole reply frame: one JSON line and the terminator. */
export function formatReply(reply: Reply): string {
  return toWireJson(reply) + REPLY_TERMINATOR;
}

/** The frame of an error reply. */
export function errorReply(error: ErrorText): Reply {
  return { status: 'ERROR', message: error };
}

/** Formats a request line from its words (the client side); rejects what the wire cannot carry. */
export function formatRequest(words: readonly string[]): string {
  for (const w of words) {
    if (/[\r\n]/.test(w)) throw new Error('a request cannot contain a line break');
  }
  return words.join(' ') + '\r\n';
}

// The decoders that frame the byte stream live in framing.ts; they are part of this contract.
export { DEFAULT_MAX_LINE_BYTES, LineDecoder, parseReply, REPLY_TERMINATOR, ReplyDecoder, type DecodeResult } from './framing.js';
