// JSON string literals in pure ASCII, exactly as Python's `json.dumps` writes
// them by default (ensure_ascii): the original ChatBox client decodes each
// 64-byte read on its own, so a multi-byte character split across two reads
// would make it fail. Pure: no I/O, no imports.

const HEX = new Uint8Array(Buffer.from('0123456789abcdef', 'latin1'));

/** The letter after `\` of a short escape, by code unit below 0x80 (0: none). */
const SHORT = new Uint8Array(0x80);
for (const [c, e] of [['"', '"'], ['\\', '\\'], ['\b', 'b'], ['\f', 'f'], ['\n', 'n'], ['\r', 'r'], ['\t', 't']] as const) {
  SHORT[c.charCodeAt(0)] = e.charCodeAt(0);
}

/** Escaped strings are written here as bytes, then read back as one flat string. */
let scratch = Buffer.allocUnsafeSlow(1 << 14);
/** Scratch is grown up to this; a longer string gets a buffer of its own, so a rare giant is not kept. */
const SCRATCH_MAX = 1 << 20;

/**
 * `s` as a quoted JSON string of printable ASCII only, byte for byte what
 * Python's `json.dumps(s)` gives: `\"`, `\\`, `\b \f \n \r \t`, and `\uXXXX`
 * (lowercase hex) for every other UTF-16 code unit outside 0x20–0x7E, so an
 * astral character becomes its surrogate pair and a lone surrogate stays one
 * escape. `/` is not escaped.
 */
export function asciiJsonString(s: string): string {
  const n = s.length;
  let i = 0;
  // Most names, tokens and messages need no escape at all.
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
  }
  if (i === n) return '"' + s + '"';
  // Each code unit takes at most 6 bytes (`\uXXXX`).
  const need = 2 + 6 * n;
  if (need > scratch.length && need <= SCRATCH_MAX) scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(need, 2 * scratch.length)));
  const b = need <= scratch.length ? scratch : Buffer.allocUnsafeSlow(need);
  b[0] = 0x22;
  let o = 1 + b.write(s, 1, i, 'latin1');
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) {
      b[o++] = c;
      continue;
    }
    b[o++] = 0x5c;
    const e = c < 0x80 ? SHORT[c]! : 0;
    if (e !== 0) {
      b[o++] = e;
      continue;
    }
    b[o] = 0x75;
    b[o + 1] = HEX[c >>> 12]!;
    b[o + 2] = HEX[(c >>> 8) & 15]!;
    b[o + 3] = HEX[(c >>> 4) & 15]!;
    b[o + 4] = HEX[c & 15]!;
    o += 5;
  }
  b[o++] = 0x22;
  return b.toString('latin1', 0, o);
}
