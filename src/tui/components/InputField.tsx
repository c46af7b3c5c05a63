// One line of editable text with a visible cursor (an inverse cell),
// scrolled sideways so the cursor stays in view: the compose box's (the
// chat screen handles its keys, with line-edit.ts).

import { Text } from 'ink';
import { memo } from 'react';
import type { EditLine } from '../line-edit.js';
import { scrollToCursor } from '../wrap.js';

/** Props of an input field. */
export interface InputFieldProps {
  line: EditLine;
  width: number;
  focused: boolean;
  /** Shown dimmed when the line is empty. */
  placeholder?: string;
  /** Draw every character as this one (passwords). */
  mask?: string;
}

/** An editable line. */
export const InputField = memo(function InputField({ line, width, focused, placeholder, mask }: InputFieldProps) {
  const shown = mask ? { text: mask.repeat([...line.text].length), cursor: [...line.text.slice(0, line.cursor)].length * mask.length } : line;
  if (shown.text === '' && placeholder) {
    return (
      <Text wrap="truncate">
        {focused ? <Text inverse> </Text> : null}
        <Text dimColor>{placeholder.slice(0, Math.max(0, width - 1))}</Text>
      </Text>
    );
  }
  const { before, at, after } = scrollToCursor(shown.text, shown.cursor, Math.max(2, width));
  return (
    <Text wrap="truncate">
      {before}
      {focused ? <Text inverse>{at}</Text> : at}
      {after}
    </Text>
  );
});
