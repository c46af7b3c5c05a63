// Command-line options of the two clients, from flags and CHATBOX_*
// variables. Connection options live in one table and one function
// (CONNECT_FLAGS, connectOptionsFrom) that both clients share: a new way of
// connecting (TLS, a CA file) is one entry there and one line there.

import { readFileSync } from 'node:fs';
import type { ConnectOptions } from '../client.js';
import { DEFAULT_PORT, isValidUsername } from '../protocol.js';
import { UsageError, flagOrEnv, parseFlags, parseIntSetting, parsePort } from '../args.js';
import { loadConfig } from './config-file.js';
import { historyPath } from './input-history.js';
import type { BoundKeys } from './key-config.js';
import { DEFAULT_THEME, THEMES, THEME_NAMES, noColourWanted, withoutColour, type Theme } from './theme.js';

/** Flags about where the server is, shared by `chatbox` and `chatbox cli`. */
export const CONNECT_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
} as const;

type FlagValues = Record<string, string | boolean | undefined>;

/**
 * Where to connect, from the flags in CONNECT_FLAGS and the environment,
 * then `fallback` (the config file's server), then the defaults.
 */
export function connectOptionsFrom(values: FlagValues, fallback: { host?: string; port?: number } = {}): ConnectOptions {
  const host = flagOrEnv(values['host'] as string | undefined, 'CHATBOX_HOST') ?? fallback.host ?? '127.0.0.1';
  const portText = flagOrEnv(values['port'] as string | undefined, 'CHATBOX_PORT');
  const port = portText === undefined ? (fallback.port ?? DEFAULT_PORT) : parsePort(portText, '--port', false);
  const caPath = values['ca'] as string | undefined;
  const tls = values['tls'] === true || caPath !== undefined || flagOrEnv(undefined, 'CHATBOX_TLS') === '1';
  if (!tls) return { host, port };
  const options: ConnectOptions = { host, port, tls: true };
  if (caPath !== undefined) {
    try {
      options.ca = readFileSync(caPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read --ca ${caPath}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  return options;
}

/** Usage lines for the connection flags. */
export const CONNECT_USAGE = `  --host H         server address (default 127.0.0.1; CHATBOX_HOST)
  --port P         server port (default ${DEFAULT_PORT}; CHATBOX_PORT)
  --tls            connect with TLS (CHATBOX_TLS=1), checking the server's certificate
  --ca FILE        trust the CA certificate in FILE (PEM) instead of the system's,
                   for a server with a private or self-signed certificate; implies --tls`;

/** Options of the full-screen chat. */
export interface ChatOptions {
  connect: ConnectOptions;
  /** Username to log in as (the form asks when missing). */
  user?: string;
  /** Password from CHATBOX_PASSWORD: log in without the form. */
  password?: string;
  intervalMs: number;
  bell: boolean;
  /** Report the mouse (wheel, clicks) to the chat instead of the terminal's own selection. */
  mouse?: boolean;
  /** Show the unread count in the terminal's title. */
  title?: boolean;
  /** The input history file, or null to keep history for this run only. */
  historyFile?: string | null;
  /** The colours (without any under NO_COLOR). */
  theme?: Theme;
  /** The key bindings from the config file, when it rebinds any. */
  keys?: BoundKeys;
}

/** Usage of `chatbox` / `chatbox chat`. */
export const CHAT_USAGE = `Usage: chatbox [chat] [options]

The full-screen chat. Logs in (asking for what it does not know), then shows
your conversations. F1 inside shows the keys.

Options:
${CONNECT_USAGE}
  --user NAME      log in as NAME (CHATBOX_USER); CHATBOX_PASSWORD skips the form
  --config FILE    read settings from FILE instead of
                   $XDG_CONFIG_HOME/chatbox/config.json (~/.config/chatbox/config.json)
  --theme NAME     colours: ${THEME_NAMES.join(' or ')} (by default the file's
                   theme, else default); NO_COLOR=1 turns colour off
  --interval MS    a server without live sync is polled for messages and
                   who is online this often, in ms (default 1000); with
                   live sync, messages come at once and this is only how
                   often the client checks whether the user list is due to
                   be read again (every 10 s)
  --no-bell        do not ring the terminal bell for new messages
  --no-mouse       leave the mouse to the terminal (its own text selection)
                   instead of wheel scrolling and clicking on users
  --no-title       leave the terminal's title alone (by default it shows the
                   unread count: "(3) ChatBox — you")
  --no-history     do not read or save the input history file
                   ($XDG_STATE_HOME/chatbox/history, ~/.local/state/chatbox/history)
  -h, --help       show this help
`;

/** Parses the full-screen chat's arguments; 'help' when --help was given. */
export function parseChatOptions(argv: string[]): ChatOptions | 'help' {
  const { values } = parseFlags(argv, {
    ...CONNECT_FLAGS,
    user: { type: 'string', short: 'u' },
    config: { type: 'string' },
    theme: { type: 'string' },
    interval: { type: 'string' },
    'no-bell': { type: 'boolean' },
    'no-mouse': { type: 'boolean' },
    'no-history': { type: 'boolean' },
    'no-title': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (values.config === '') throw new UsageError('--config needs a file name');
  const themeName = values.theme;
  if (themeName !== undefined && !THEMES.has(themeName)) throw new UsageError(`--theme must be one of ${THEME_NAMES.join(', ')}, got '${themeName}'`);
  // Flags and the environment win over the file; the file over the defaults.
  const file = loadConfig(values.config);
  const user = flagOrEnv(values.user, 'CHATBOX_USER') ?? file.user;
  if (user !== undefined && !isValidUsername(user)) {
    throw new UsageError(`--user must be 1-32 characters of A-Z a-z 0-9 _ . -, got '${user}'`);
  }
  const interval = values.interval;
  const opts: ChatOptions = {
    connect: connectOptionsFrom(values, file),
    intervalMs: interval === undefined ? 1000 : parseIntSetting(interval, '--interval', 50, 60_000),
    bell: !values['no-bell'],
    mouse: !values['no-mouse'],
    title: !values['no-title'],
    historyFile: values['no-history'] ? null : historyPath(),
  };
  const theme = THEMES.get(themeName ?? file.theme ?? 'default') ?? DEFAULT_THEME;
  opts.theme = noColourWanted() ? withoutColour(theme) : theme;
  if (file.keys) opts.keys = file.keys;
  if (user !== undefined) opts.user = user;
  const password = process.env['CHATBOX_PASSWORD'];
  if (password) opts.password = password;
  return opts;
}
