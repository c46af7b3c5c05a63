// The login form: username, then password (masked); Enter moves on and
// then signs in. The server's answer (or why the connection failed) shows
// in the form, and the person can correct it and try again. The fields are
// ink-text-input's; the form itself handles only the keys those leave alone
// (Tab and Up/Down switch fields, Ctrl+C quits), and useFieldInput hands
// them the keyboard one key at a time.

import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useCallback, useEffect, useRef, useState } from 'react';
import { isValidUsername } from '../../protocol.js';
import { useFieldInput } from '../hooks/use-field-input.js';
import { useKeyboard } from '../hooks/use-keyboard.js';
import { useSyncState } from '../hooks/use-sync-state.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { KeyPress } from '../keys.js';
import { truncate, wrapText } from '../wrap.js';
import { useTheme } from '../theme-context.js';

/** Props of the login form. */
export interface LoginProps {
  server: string;
  initialUser?: string;
  initialPassword?: string;
  /** Sign in at once with the initial values (CHATBOX_PASSWORD). */
  autoSubmit?: boolean;
  /** Tries to log in; resolves with an error line to show, or null on success. */
  onSubmit: (user: string, password: string) => Promise<string | null>;
  onQuit: () => void;
}

type Field = 'user' | 'password';

/** Why a username or password cannot be sent, or null. */
function problem(user: string, password: string, field: Field): string | null {
  if (user === '') return 'Enter your username.';
  if (!isValidUsername(user)) return 'A username is 1-32 letters, digits, _ . or -';
  if (field === 'password' && password === '') return 'Enter your password.';
  if (/\s/.test(password)) return 'Passwords cannot contain spaces.';
  return null;
}

/** A field's text as it changes: ink-text-input deletes half of an emoji on Backspace, so a half left alone goes too. */
function wholeCharacters(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

/** The login form. */
export function Login({ server, initialUser, initialPassword, autoSubmit, onSubmit, onQuit }: LoginProps) {
  const { cols, rows } = useTerminalSize();
  const theme = useTheme();
  const [user, setUser, getUser] = useSyncState(initialUser ?? '');
  const [password, setPassword, getPassword] = useSyncState(initialPassword ?? '');
  const [field, setField] = useSyncState<Field>(initialUser ? 'password' : 'user');
  const [busy, setBusy, getBusy] = useSyncState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const submit = useCallback(
    async (u: string, p: string) => {
      const bad = problem(u, p, 'password');
      if (bad) {
        setError(bad);
        setField(u === '' || !isValidUsername(u) ? 'user' : 'password');
        return;
      }
      setBusy(true);
      setError(null);
      const err = await onSubmit(u, p);
      if (!mounted.current) return;
      setBusy(false);
      if (err) {
        setError(err);
        if (/User Tidak Ada/.test(err)) setField('user');
        else if (/Password Salah/.test(err)) {
          setPassword('');
          setField('password');
        }
      }
    },
    [onSubmit, setBusy, setField, setPassword],
  );

  useEffect(() => {
    if (autoSubmit && initialUser && initialPassword) void submit(initialUser, initialPassword);
    // Only on the first render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onUserChange = useCallback((text: string) => setUser(wholeCharacters(text)), [setUser]);
  const onPasswordChange = useCallback((text: string) => setPassword(wholeCharacters(text)), [setPassword]);
  const onUserEnter = useCallback(() => {
    const bad = problem(getUser(), '', 'user');
    setError(bad);
    if (!bad) setField('password');
  }, [getUser, setField]);
  const onPasswordEnter = useCallback(() => void submit(getUser(), getPassword()), [submit, getUser, getPassword]);

  // Kept because ink-text-input 6.0.0 edits the value of the render its key handler came from: two keys
  // before the next render (typed ahead, a script) would both start from the same old value; one key per render.
  useFieldInput();
  // Only the keys the text fields leave alone: typing, Backspace, Left/Right and Enter are theirs.
  const onKey = useCallback(
    (key: KeyPress) => {
      if (key.name === 'ctrl+c') return onQuit();
      if (getBusy()) return;
      if (key.name === 'tab' || key.name === 'shift+tab' || key.name === 'up' || key.name === 'down') {
        setField((f) => (f === 'user' ? 'password' : 'user'));
      }
    },
    [getBusy, setField, onQuit],
  );
  useKeyboard(onKey);

  const width = Math.min(56, Math.max(30, cols - 4));
  const fieldW = width - 16;
  return (
    <Box width={cols} height={Math.max(1, rows - 1)} alignItems="center" justifyContent="center" flexDirection="column">
      <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.accent} paddingLeft={1} paddingRight={1}>
        <Text bold color={theme.accent}>
          ChatBox
        </Text>
        <Text dimColor wrap="truncate">
          {truncate(`server ${server}`, width - 4)}
        </Text>
        <Text> </Text>
        <Box>
          <Text bold={field === 'user'}>{field === 'user' ? '› ' : '  '}Username  </Text>
          <Box width={fieldW}>
            <TextInput value={user} onChange={onUserChange} onSubmit={onUserEnter} focus={field === 'user' && !busy} />
          </Box>
        </Box>
        <Box>
          <Text bold={field === 'password'}>{field === 'password' ? '› ' : '  '}Password  </Text>
          <Box width={fieldW}>
            <TextInput value={password} onChange={onPasswordChange} onSubmit={onPasswordEnter} focus={field === 'password' && !busy} mask="•" />
          </Box>
        </Box>
        <Text> </Text>
        {busy ? (
          <Text color={theme.warn}>Signing in…</Text>
        ) : error ? (
          // Wrapped here at word boundaries: Ink would start the next line with the space it broke at.
          wrapText(error, width - 4).map((line, i) => (
            <Text key={i} color={theme.error}>
              {line}
            </Text>
          ))
        ) : (
          <Text dimColor>Enter: next / sign in · Tab: switch · Ctrl+C: quit</Text>
        )}
      </Box>
    </Box>
  );
}
