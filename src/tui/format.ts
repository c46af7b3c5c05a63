// Dates and times as the chat shows them, in the local time zone.

const two = (n: number): string => (n < 10 ? '0' + n : String(n));

/** HH:MM of a time. */
export function clock(ts: number): string {
  const d = new Date(ts);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A key that is the same for all times on one local calendar day: YYYY-MM-DD. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A day separator label: 'Today', 'Yesterday' or 'Tue 26 Nov 2026'. */
export function dayLabel(ts: number, now: number = Date.now()): string {
  const key = dayKey(ts);
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(now - 86_400_000)) return 'Yesterday';
  const d = new Date(ts);
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** Parses a message time (ISO 8601); a missing or bad one counts as `fallback`. */
export function parseTime(iso: unknown, fallback: number): number {
  if (typeof iso !== 'string') return fallback;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
}
