// The server's log: one line per event on stderr, batched per tick so a busy
// server makes few writes. Callers pass only what may be shown: never a
// password or a token.

/** Log levels, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

type Fields = Record<string, string | number | boolean | undefined>;

/** Formats `key=value` pairs, quoting values that hold spaces or quotes. */
function formatFields(fields: Fields): string {
  let out = '';
  for (const key in fields) {
    const v = fields[key];
    if (v === undefined) continue;
    const s = String(v);
    out += ' ' + key + '=' + (/[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s);
  }
  return out;
}

/** A leveled logger writing `time level event key=value...` lines. */
export class Logger {
  private readonly threshold: number;
  private buffer = '';
  private scheduled = false;

  constructor(
    level: LogLevel,
    private readonly sink: (text: string) => void = (t) => process.stderr.write(t),
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.threshold;
  }

  debug(event: string, fields: Fields = {}): void {
    this.write('debug', event, fields);
  }
  info(event: string, fields: Fields = {}): void {
    this.write('info', event, fields);
  }
  warn(event: string, fields: Fields = {}): void {
    this.write('warn', event, fields);
  }
  error(event: string, fields: Fields = {}): void {
    this.write('error', event, fields);
  }

  /** Writes out whatever is buffered now (at shutdown). */
  flush(): void {
    if (this.buffer) {
      const text = this.buffer;
      this.buffer = '';
      this.sink(text);
    }
  }

  private write(level: LogLevel, event: string, fields: Fields): void {
    if (LOG_LEVELS.indexOf(level) < this.threshold) return;
    this.buffer += `${new Date().toISOString()} ${level} ${event}${formatFields(fields)}\n`;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }
}
