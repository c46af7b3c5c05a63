// The colours of the full-screen client, by role, in one table: every
// component asks the theme in use (useTheme, theme-context.ts) instead of
// naming colours. No React here: options.ts reads this before React loads.
// `NO_COLOR` (https://no-color.org) keeps the layout and the bold and
// inverse attributes (the selection stays visible) and drops every colour.

/** What each kind of text is drawn in; undefined draws in the terminal's own colour. */
export interface Theme {
  name: string;
  /** Headings, the login box, the compose prompt, your own name. */
  accent?: string | undefined;
  /** The other person's name in the conversation. */
  peer?: string | undefined;
  online?: string | undefined;
  offline?: string | undefined;
  /** Queued messages, the offline prompt, unread counts, the key hint over the compose box. */
  warn?: string | undefined;
  /** Failures, a message over the length limit. */
  error?: string | undefined;
  /** A message on its way to the server. */
  pending?: string | undefined;
  /** The compose box's border. */
  border?: string | undefined;
  /** The status line: its background and text, and its connection states. */
  statusBg?: string | undefined;
  statusFg?: string | undefined;
  statusOk?: string | undefined;
  statusWarn?: string | undefined;
  statusError?: string | undefined;
  /** Draws the status line inverse (when it has no background colour to stand out by). */
  statusInverse: boolean;
}

/** The themes `theme` in the config file and `--theme` choose from. */
export const THEMES: ReadonlyMap<string, Theme> = new Map<string, Theme>([
  [
    'default',
    {
      name: 'default',
      accent: 'cyan',
      peer: 'magenta',
      online: 'green',
      offline: 'gray',
      warn: 'yellow',
      error: 'red',
      pending: 'gray',
      border: 'gray',
      statusBg: 'blue',
      statusFg: 'white',
      statusOk: 'greenBright',
      statusWarn: 'yellowBright',
      statusError: 'redBright',
      statusInverse: false,
    },
  ],
  [
    // The 16 bright colours only, nothing grey, on a black status line: for
    // low-contrast terminal palettes and bright rooms.
    'high-contrast',
    {
      name: 'high-contrast',
      accent: 'cyanBright',
      peer: 'magentaBright',
      online: 'greenBright',
      offline: 'whiteBright',
      warn: 'yellowBright',
      error: 'redBright',
      pending: 'whiteBright',
      border: 'whiteBright',
      statusBg: 'black',
      statusFg: 'whiteBright',
      statusOk: 'greenBright',
      statusWarn: 'yellowBright',
      statusError: 'redBright',
      statusInverse: false,
    },
  ],
]);

/** The theme's names, for messages. */
export const THEME_NAMES: readonly string[] = [...THEMES.keys()];

/** The default theme. */
export const DEFAULT_THEME: Theme = THEMES.get('default')!;

/** `theme` without any colour (NO_COLOR). */
export function withoutColour(theme: Theme): Theme {
  return { name: theme.name, statusInverse: true };
}

/** Whether the environment asks for no colour: NO_COLOR set to anything but the empty string. */
export function noColourWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['NO_COLOR'];
  return v !== undefined && v !== '';
}
