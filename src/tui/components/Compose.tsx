// The compose box: who the message goes to, and the draft being typed. A
// multi-line draft takes one row per line, up to `rows`; beyond that the
// rows scroll to keep the cursor's line in view, and the corner says which
// line it is.

import { Box, Text } from 'ink';
import { memo } from 'react';
import { MAX_MESSAGE_CHARS, charLength } from '../../protocol.js';
import type { EditLine } from '../line-edit.js';
import { keyFor } from '../keys.js';
import { useTheme } from '../theme-context.js';
import { textWidth, truncate } from '../wrap.js';
import { InputField } from './InputField.js';

/** Props of the compose box. */
export interface ComposeProps {
  peer: string | null;
  draft: EditLine;
  width: number;
  /** Rows the box may take (the layout's composeRows). */
  rows?: number;
  /** Messages will be queued (not connected). */
  offline: boolean;
  /** The cursor is elsewhere (the quick switcher has the keys). */
  away?: boolean;
}

/** The compose box. */
export const Compose = memo(function Compose({ peer, draft, width, rows = 1, offline, away = false }: ComposeProps) {
  const theme = useTheme();
  const promptColor = offline ? theme.warn : theme.accent;
  const label = peer === null ? ' ' : ` ${truncate(peer, Math.max(4, Math.floor(width / 4)))}› `;
  const lines = draft.text.split('\n');
  const count = charLength(draft.text) - (lines.length - 1);
  // Which line the cursor is on, and where that line starts.
  let cursorLine = 0;
  let lineStart = 0;
  for (let i = draft.text.indexOf('\n'); i !== -1 && i < draft.cursor; i = draft.text.indexOf('\n', i + 1)) {
    cursorLine++;
    lineStart = i + 1;
  }
  const shown = Math.max(1, Math.min(rows, lines.length));
  const top = Math.max(0, Math.min(cursorLine - shown + 1, lines.length - shown));
  const where = lines.length > shown ? ` ${cursorLine + 1}/${lines.length} ` : '';
  const counterColor = count > MAX_MESSAGE_CHARS ? theme.error : theme.warn;
  const counter = count > MAX_MESSAGE_CHARS - 500 ? ` ${count}/${MAX_MESSAGE_CHARS} ` : '';
  const corner = where + counter;
  const fieldWidth = Math.max(2, width - textWidth(label) - textWidth(corner) - 1);
  const indent = ' '.repeat(textWidth(label));
  if (lines.length === 1) {
    return (
      <Box width={width} flexShrink={0}>
        <Text color={promptColor} bold wrap="truncate">
          {label}
        </Text>
        <Box width={fieldWidth} flexShrink={0}>
          <InputField
            line={draft}
            width={fieldWidth}
            focused={peer !== null && !away}
            placeholder={peer === null ? '' : offline ? 'offline: messages will be sent when the connection is back' : `message ${peer} (${keyFor('send')} to send, ${keyFor('help')} for keys)`}
          />
        </Box>
        {counter ? <Text color={counterColor}>{counter}</Text> : null}
      </Box>
    );
  }
  return (
    <Box width={width} height={shown} flexDirection="column" flexShrink={0}>
      {lines.slice(top, top + shown).map((text, i) => {
        const n = top + i;
        const first = i === 0;
        const line = n === cursorLine ? { text, cursor: draft.cursor - lineStart } : { text, cursor: -1 };
        return (
          <Box key={i} width={width} flexShrink={0}>
            {first ? (
              <Text color={promptColor} bold wrap="truncate">
                {label}
              </Text>
            ) : (
              <Text>{indent}</Text>
            )}
            <Box width={fieldWidth} flexShrink={0}>
              {line.cursor < 0 ? <Text wrap="truncate">{truncate(text, fieldWidth)}</Text> : <InputField line={line} width={fieldWidth} focused={peer !== null && !away} />}
            </Box>
            {first && corner ? <Text color={counterColor}>{corner}</Text> : null}
          </Box>
        );
      })}
    </Box>
  );
});
