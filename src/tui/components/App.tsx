// The root: the login form until the server accepts us, then the chat.

import { useCallback, useState } from 'react';
import { ChatError } from '../../client.js';
import { Errors } from '../../protocol.js';
import type { ChatOptions } from '../options.js';
import { sanitizeLine } from '../sanitize.js';
import { ThemeContext } from '../theme-context.js';
import { DEFAULT_THEME } from '../theme.js';
import type { ChatSession } from '../session.js';
import { ChatScreen } from './ChatScreen.js';
import { Login } from './Login.js';

// A Map: the error text comes from the server, and may be `constructor`.
const HINTS = new Map<string, string>([
  [Errors.noUser, 'no such user'],
  [Errors.badPassword, 'wrong password'],
  [Errors.tooMany, 'too many attempts; wait a little and try again'],
]);

/** One line saying why a login failed. */
export function describeLoginError(err: unknown): string {
  if (err instanceof ChatError) {
    const code = sanitizeLine(err.code);
    const hint = HINTS.get(err.code);
    return hint ? `${code} (${hint})` : code;
  }
  return sanitizeLine(err instanceof Error ? err.message : String(err));
}

/** Props of the root component. */
export interface AppProps {
  session: ChatSession;
  options: ChatOptions;
  /** Logs out and ends the program. */
  onQuit: () => void;
}

/** The root component. */
export function App({ session, options, onQuit }: AppProps) {
  const [me, setMe] = useState<string | null>(null);
  const [quitting, setQuitting] = useState(false);
  const quit = useCallback(() => {
    setQuitting(true);
    onQuit();
  }, [onQuit]);
  const onSubmit = useCallback(
    async (user: string, password: string) => {
      try {
        await session.login(user, password);
        setMe(user);
        return null;
      } catch (err) {
        return describeLoginError(err);
      }
    },
    [session],
  );
  return (
    <ThemeContext.Provider value={options.theme ?? DEFAULT_THEME}>
      {me === null ? (
        <Login
          server={session.options.connect.tls ? `${session.server} over TLS` : session.server}
          initialUser={options.user}
          initialPassword={options.password}
          autoSubmit={options.user !== undefined && options.password !== undefined}
          onSubmit={onSubmit}
          onQuit={quit}
        />
      ) : (
        <ChatScreen backend={session} me={me} bell={options.bell} mouse={options.mouse ?? false} title={options.title ?? false} historyFile={options.historyFile ?? null} quitting={quitting} onQuit={quit} />
      )}
    </ThemeContext.Provider>
  );
}
