// Drives a real terminal for end-to-end tests: a private tmux server (its
// own socket), one session of a fixed size running a command, keys sent with
// send-keys, the screen read with capture-pane. Panes stay after their
// command exits (remain-on-exit). tmux 3.3 sometimes loses a dead pane's exit
// status, so the command runs under a small shell that writes it to a file.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let counter = 0;

/** Options for a tmux session. */
export interface TmuxOptions {
  /** The program and its arguments. */
  command: string[];
  cols?: number;
  rows?: number;
  /** Extra environment for the program (undefined removes a variable). */
  env?: Record<string, string | undefined>;
}

/** Whether tmux can be run here. */
export async function haveTmux(): Promise<boolean> {
  return new Promise((resolve) => execFile('tmux', ['-V'], (err) => resolve(!err)));
}

/** One tmux server with one session running one command. */
export class TmuxSession {
  private killed = false;

  private constructor(
    readonly socket: string,
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private get statusFile(): string {
    return join(this.dir, 'status');
  }

  /** Starts the command in a new detached session of `cols` × `rows`. */
  static async start(opts: TmuxOptions): Promise<TmuxSession> {
    const socket = `chatbox-test-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'chatbox-tmux-'));
    const conf = join(dir, 'tmux.conf');
    // No status line (the pane is the whole window), panes kept after exit, no renaming by tmux itself,
    // and OSC 52 accepted (so a test can see whether a program wrote to the clipboard).
    writeFileSync(conf, 'set -g status off\nset -g remain-on-exit on\nset -g history-limit 0\nset -g automatic-rename off\nset -g set-clipboard on\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Not inside the test runner's tmux (if any), and not "in CI" for the program under test.
    for (const k of ['TMUX', 'TMUX_PANE', 'CI', 'CONTINUOUS_INTEGRATION']) delete env[k];
    // The chat's input history goes to the session's own dir, never the real user's state directory.
    env['XDG_STATE_HOME'] = join(dir, 'state');
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    env['TERM'] = 'xterm-256color';
    const session = new TmuxSession(socket, dir, env);
    // The program runs in the foreground of `sh` (so it owns the terminal); sh records its status.
    const wrapped = ['sh', '-c', 'f=$1; shift; "$@"; echo $? > "$f"', 'sh', session.statusFile, ...opts.command];
    await session.tmux(['-f', conf, 'new-session', '-d', '-s', 'main', '-x', String(opts.cols ?? 120), '-y', String(opts.rows ?? 40), ...wrapped]);
    return session;
  }

  /** Runs a tmux command on this server; resolves with its stdout. */
  tmux(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('tmux', ['-L', this.socket, ...args], { env: this.env, timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args.join(' ')}: ${stderr || err.message}`));
        else resolve(stdout);
      });
    });
  }

  /** Sends tmux key names ('C-n', 'Enter', 'M-a', 'F1', 'PPage'). */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', 'main', ...keys]);
  }

  /** Types text literally (no key-name lookup). */
  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', 'main', '-l', text]);
  }

  /** Resizes the terminal (the window, and with it the pane) to `cols` × `rows`; the program gets SIGWINCH. */
  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux(['resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)]);
  }

  /** The screen as text, one line per row. */
  async capture(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-t', 'main']);
  }

  /** A tmux format for the pane, e.g. '#{pane_title}'. */
  async format(fmt: string): Promise<string> {
    return (await this.tmux(['display-message', '-p', '-t', 'main', fmt])).replace(/\n$/, '');
  }

  /** Polls the screen until `test` passes; throws with the last screen after `timeoutMs`. */
  async waitFor(test: RegExp | string | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const ok = typeof test === 'function' ? test : typeof test === 'string' ? (s: string) => s.includes(test) : (s: string) => test.test(s);
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      screen = await this.capture();
      if (ok(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen did not show ${String(test)} within ${timeoutMs} ms; last screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 60));
    }
  }

  /** The program's process id (the child of the wrapping shell), once it runs. */
  async programPid(timeoutMs = 10_000): Promise<number> {
    const shell = await this.format('#{pane_pid}');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = await new Promise<string>((resolve) => execFile('pgrep', ['-P', shell], (_err, stdout) => resolve(stdout)));
      const pid = Number(out.trim().split('\n')[0]);
      if (pid > 0) return pid;
      if (Date.now() > deadline) throw new Error('the program did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the command to exit; resolves with its exit status (128 + signal when killed by one). */
  async waitForExit(timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (existsSync(this.statusFile)) {
        const text = readFileSync(this.statusFile, 'utf8');
        if (text.endsWith('\n')) return Number(text.trim());
      }
      if (Date.now() > deadline) throw new Error(`program still running after ${timeoutMs} ms; screen:\n${await this.capture()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the tmux server (and with it the program) and removes its files. */
  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    // tmux leaves its socket file behind when the server is killed: remove it too.
    const socketPath = (await this.format('#{socket_path}').catch(() => '')).trim();
    await this.tmux(['kill-server']).catch(() => undefined);
    if (socketPath) rmSync(socketPath, { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
