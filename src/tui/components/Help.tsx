// The help overlay: every binding from keys.ts, so what it says is what the
// keys do, laid out by help-layout.ts to fit the pane whole (one column, two
// columns, or scrolled on a tiny terminal).

import { Box, Text } from 'ink';
import { memo } from 'react';
import { helpTitle, helpLayout, type HelpLine } from '../help-layout.js';
import { truncate } from '../wrap.js';
import { useTheme } from '../theme-context.js';

function Column({ lines, width }: { lines: HelpLine[]; width: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((l, i) => (
        <Text key={i} bold={l.head} color={l.head ? theme.accent : undefined} wrap="truncate">
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  );
}

/** Props of the help overlay. */
export interface HelpProps {
  width: number;
  height: number;
  /** First line shown when the help has to scroll. */
  top?: number;
}

/** The help overlay, `width` × `height` cells. */
export const Help = memo(function Help({ width, height, top = 0 }: HelpProps) {
  const inner = Math.max(10, width - 1);
  const theme = useTheme();
  const layout = helpLayout(inner, height, top);
  const scrolled = layout.maxTop > 0;
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Text bold color={theme.accent} wrap="truncate">
        {truncate(helpTitle(), inner)}
      </Text>
      <Text> </Text>
      {scrolled ? <Text dimColor>{layout.above > 0 ? truncate(`↑ ${layout.above} more · PgUp`, inner) : ' '}</Text> : null}
      <Box flexDirection="row">
        {layout.columns.map((lines, i) => (
          <Column key={i} lines={lines} width={layout.widths[i]!} />
        ))}
      </Box>
      {scrolled ? <Text dimColor>{layout.below > 0 ? truncate(`↓ ${layout.below} more · PgDn`, inner) : ' '}</Text> : null}
    </Box>
  );
});
