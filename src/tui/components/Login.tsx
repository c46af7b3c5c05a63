// The login form: username, then password (masked); Enter moves on and
// then signs in. The server's answer (or why the connection failed) shows
// in the form, and the person can correct it and try again.

import { Box, Text } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSyncState } from '../hooks/use-sync-state.js';
import { isValidUsername } from '../../protocol.js';
import { useKeyboard } from '../hooks/use-keyboard.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { editActionFor, type KeyPress } from '../keys.js';
import { EMPTY_LINE, applyEdit, insertText, lineOf, type EditLine } from '../line-edit.js';
import { truncate } from '../wrap.js';
import { InputField } from './InputField.js';

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

/** The login form. */
export function Login({ server, initialUser, initialPassword, autoSubmit, onSubmit, onQuit }: LoginProps) {
  const { cols, rows } = useTerminalSize();
  const [user, setUser, getUser] = useSyncState<EditLine>(initialUser ? lineOf(initialUser) : EMPTY_LINE);
  const [password, setPassword, getPassword] = useSyncState<EditLine>(initialPassword ? lineOf(initialPassword) : EMPTY_LINE);
  const [field, setField, getField] = useSyncState<Field>(initialUser ? 'password' : 'user');
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
          setPassword(EMPTY_LINE);
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

  const onKey = useCallback(
    (key: KeyPress) => {
      if (key.name === 'ctrl+c') return onQuit();
      if (getBusy()) return;
      const field = getField();
      if (key.name === 'tab' || key.name === 'shift+tab' || key.name === 'up' || key.name === 'down') {
        setField((f) => (f === 'user' ? 'password' : 'user'));
        return;
      }
      if (key.name === 'enter') {
        if (field === 'user') {
          const bad = problem(getUser().text, '', 'user');
          setError(bad);
          if (!bad) setField('password');
        } else void submit(getUser().text, getPassword().text);
        return;
      }
      const set = field === 'user' ? setUser : setPassword;
      const edit = editActionFor(key);
      if (edit) set((l) => applyEdit(l, edit));
      else if (key.text !== undefined) { const text = key.text; set((l) => insertText(l, text)); }
    },
    [getBusy, getField, getUser, getPassword, setField, setUser, setPassword, submit, onQuit],
  );
  useKeyboard(onKey);

  const width = Math.min(56, Math.max(30, cols - 4));
  const fieldW = width - 16;
  return (
    <Box width={cols} height={Math.max(1, rows - 1)} alignItems="center" justifyContent="center" flexDirection="column">
      <Box flexDirection="column" width={width} borderStyle="round" borderColor="cyan" paddingLeft={1} paddingRight={1}>
        <Text bold color="cyan">
          ChatBox
        </Text>
        <Text dimColor wrap="truncate">
          {truncate(`server ${server}`, width - 4)}
        </Text>
        <Text> </Text>
        <Box>
          <Text bold={field === 'user'}>{field === 'user' ? '› ' : '  '}Username  </Text>
          <Box width={fieldW}>
            <InputField line={user} width={fieldW} focused={field === 'user' && !busy} />
          </Box>
        </Box>
        <Box>
          <Text bold={field === 'password'}>{field === 'password' ? '› ' : '  '}Password  </Text>
          <Box width={fieldW}>
            <InputField line={password} width={fieldW} focused={field === 'password' && !busy} mask="•" />
          </Box>
        </Box>
        <Text> </Text>
        {busy ? (
          <Text color="yellow">Signing in…</Text>
        ) : error ? (
          <Text color="red" wrap="wrap">
            {error}
          </Text>
        ) : (
          <Text dimColor>Enter: next / sign in · Tab: switch · Ctrl+C: quit</Text>
        )}
      </Box>
    </Box>
  );
}
