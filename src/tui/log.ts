// The full-screen client never writes to the terminal outside Ink (it would
// tear the screen). Diagnostics go to the file named by CHATBOX_LOG, if any,
// and nowhere otherwise. Never log a password or a token.

import { appendFileSync } from 'node:fs';

/** Appends one line to $CHATBOX_LOG (if set); errors writing it are ignored. */
export function tuiLog(line: string): void {
  const file = process.env['CHATBOX_LOG'];
  if (!file) return;
  try {
    appendFileSync(file, `${new Date().toISOString()} ${line.replace(/\n/g, '\n  ')}\n`);
  } catch {
    // A log that cannot be written must not break the chat.
  }
}

/** The log file named by CHATBOX_LOG, or undefined. */
export function tuiLogPath(): string | undefined {
  return process.env['CHATBOX_LOG'] || undefined;
}
