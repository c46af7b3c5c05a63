// The compose box: who the message goes to, and the draft being typed.

import { Box, Text } from 'ink';
import { memo } from 'react';
import { MAX_MESSAGE_CHARS, charLength } from '../../protocol.js';
import type { EditLine } from '../line-edit.js';
import { textWidth, truncate } from '../wrap.js';
import { InputField } from './InputField.js';

/** Props of the compose box. */
export interface ComposeProps {
  peer: string | null;
  draft: EditLine;
  width: number;
  /** Messages will be queued (not connected). */
  offline: boolean;
}

/** The compose box. */
export const Compose = memo(function Compose({ peer, draft, width, offline }: ComposeProps) {
  const label = peer === null ? ' ' : ` ${truncate(peer, Math.max(4, Math.floor(width / 4)))}› `;
  const count = charLength(draft.text);
  const counter = count > MAX_MESSAGE_CHARS - 500 ? ` ${count}/${MAX_MESSAGE_CHARS} ` : '';
  const fieldWidth = Math.max(2, width - textWidth(label) - textWidth(counter) - 1);
  return (
    <Box width={width} flexShrink={0}>
      <Text color={offline ? 'yellow' : 'cyan'} bold wrap="truncate">
        {label}
      </Text>
      <Box width={fieldWidth} flexShrink={0}>
        <InputField
          line={draft}
          width={fieldWidth}
          focused={peer !== null}
          placeholder={peer === null ? '' : offline ? 'offline: messages will be sent when the connection is back' : `message ${peer} (Enter to send, F1 for keys)`}
        />
      </Box>
      {counter ? <Text color={count > MAX_MESSAGE_CHARS ? 'red' : 'yellow'}>{counter}</Text> : null}
    </Box>
  );
});
