// The results of `/search`: the query, then the messages found, newest
// first, each with its conversation, day and time, and its text on one line;
// over both panes, like the switcher.

import { Box, Text } from 'ink';
import { memo } from 'react';
import { clock, dayKey } from '../format.js';
import type { SearchState } from '../model.js';
import { padEnd, truncate } from '../wrap.js';

/** Props of the search results. */
export interface SearchResultsProps {
  search: SearchState;
  me: string;
  width: number;
  height: number;
}

/** The results view, `width` × `height` cells. */
export const SearchResults = memo(function SearchResults({ search, me, width, height }: SearchResultsProps) {
  const { hits, pick } = search;
  const rows = Math.max(1, height - 2);
  const top = Math.max(0, Math.min(pick - rows + 1, hits.length - rows));
  const shown = hits.slice(top, top + rows);
  const peerWidth = Math.min(17, Math.max(6, ...shown.map((h) => h.peer.length)));
  const status =
    search.status === 'loading'
      ? 'searching…'
      : search.status === 'failed'
        ? `search failed: ${search.error ?? ''}`
        : `${hits.length === 1 ? '1 message' : `${hits.length} messages`} · Up/Down choose · Enter opens · Esc closes`;
  // peer, date and time, then the text.
  const textWidth = Math.max(0, width - peerWidth - 22);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {' Search › ' + truncate(search.query, Math.max(0, width - 11))}
      </Text>
      <Text dimColor wrap="truncate">
        {' ' + truncate(status, width - 2)}
      </Text>
      {shown.map((h, i) => {
        const picked = top + i === pick;
        const who = h.from === me ? 'you: ' : '';
        return (
          <Box key={h.id}>
            <Text inverse={picked} bold={picked}>
              {(picked ? '▌' : ' ') + padEnd(truncate(h.peer, peerWidth), peerWidth) + ' '}
            </Text>
            <Text inverse={picked} dimColor={!picked}>
              {`${dayKey(h.ts)} ${clock(h.ts)} `}
            </Text>
            <Text inverse={picked} wrap="truncate">
              {truncate(who + h.text, textWidth) + ' '}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
});
