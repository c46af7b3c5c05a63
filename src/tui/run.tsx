// Runs the full-screen chat on the terminal: alternate screen in and out on
// every way out (quit, SIGTERM, SIGHUP, a crash), with the window title
// saved and restored and mouse reporting turned off, the console kept off
// the screen, logout before exit.

import { render, type Instance } from 'ink';
import { constants } from 'node:os';
import { App } from './components/App.js';
import { tuiLog, tuiLogPath } from './log.js';
import type { ChatOptions } from './options.js';
import { sanitizeLine } from './sanitize.js';
import type { ChatSession } from './session.js';
import { MOUSE_OFF, PUSH_TITLE, RESTORE_TITLE } from './terminal-modes.js';

// The alternate screen, with bracketed paste on while we are there, and the title saved (the chat sets its own).
const ENTER_ALT = PUSH_TITLE + '\x1b[?1049h\x1b[?2004h';
// Mouse reporting is the chat screen's (when not --no-mouse); turning it off when it was never on is harmless.
const LEAVE_ALT = MOUSE_OFF + '\x1b[?2004l\x1b[?1049l' + RESTORE_TITLE;
const SHOW_CURSOR = '\x1b[?25h';

/** Exit status after an unexpected error (EX_SOFTWARE). */
const CRASH_STATUS = 70;

/** The one line a crash leaves on the terminal (details go to the log file). */
function crashLine(err: unknown): string {
  const message = sanitizeLine(err instanceof Error ? err.message : String(err));
  const log = tuiLogPath();
  return `chatbox: unexpected error: ${message}${log ? ` (details in ${log})` : ''}\n`;
}

/** Sends console output to the log file instead of the screen; returns the undo. */
function quietConsole(): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const toLog = (...args: unknown[]): void => tuiLog(args.map(String).join(' '));
  Object.assign(console, { log: toLog, info: toLog, warn: toLog, error: toLog, debug: toLog });
  return () => Object.assign(console, saved);
}

/** Runs the chat until the person quits; resolves with the exit status. */
export async function runChat(options: ChatOptions, session: ChatSession): Promise<number> {
  const out = process.stdout;
  let instance: Instance | null = null;
  let exitCode = 0;
  let quitting: Promise<void> | null = null;
  let onScreen = false;

  const leaveScreen = (): void => {
    if (!onScreen) return;
    onScreen = false;
    try {
      out.write(SHOW_CURSOR + LEAVE_ALT);
    } catch {
      // The terminal may be gone (SIGHUP); nothing left to restore.
    }
  };
  const quit = (code = 0): Promise<void> => {
    if (quitting) return quitting;
    exitCode = code;
    quitting = (async () => {
      await session.logout(code === 0 ? 2000 : 1000);
      instance?.unmount();
    })();
    return quitting;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    void quit(128 + (constants.signals[signal] ?? 1));
  };
  const onCrash = (err: unknown): void => {
    tuiLog(`crash: ${err instanceof Error ? err.stack : String(err)}`);
    try {
      instance?.unmount();
    } catch {
      // Already broken; the terminal is restored below regardless.
    }
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    leaveScreen();
    process.stderr.write(crashLine(err));
    process.exit(CRASH_STATUS);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', leaveScreen);
  out.on('error', () => undefined);
  const restoreConsole = quietConsole();

  out.write(ENTER_ALT);
  onScreen = true;
  let failure: unknown = null;
  try {
    instance = render(<App session={session} options={options} onQuit={() => void quit(0)} />, {
      exitOnCtrlC: false,
      patchConsole: false,
      // Ink 6.8's incremental mode redraws changed lines one row off on a full-height screen.
      incrementalRendering: false,
      maxFps: 60,
    });
    await instance.waitUntilExit();
  } catch (err) {
    failure = err;
  } finally {
    session.stop();
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    leaveScreen();
    process.off('exit', leaveScreen);
    restoreConsole();
  }
  if (failure) {
    // A component threw while drawing: the same one line and status as any other crash.
    tuiLog(`render failed: ${failure instanceof Error ? failure.stack : String(failure)}`);
    process.stderr.write(crashLine(failure));
    return CRASH_STATUS;
  }
  return exitCode;
}
