// The compose box's command line: a draft that starts with `/` is a command
// for the client, not a message. Pure: this only reads the draft; the chat
// keys carry the command out.

/** What a draft asks for when Enter is pressed. */
export type DraftIntent =
  | { kind: 'message'; text: string }
  | { kind: 'msg'; peer: string; text: string }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'search'; words: string }
  | { kind: 'error'; notice: string };

/** The commands, as the help and the docs list them (`short` for the help overlay). */
export const COMMANDS: ReadonlyArray<{ usage: string; does: string; short: string }> = [
  { usage: '/msg <user> [text]', does: 'open the conversation with <user>, sending the text if any', short: 'open, send the text' },
  { usage: '/search <words>', does: 'search your messages (needs a server with search)', short: 'search messages' },
  { usage: '/help', does: 'show the keys and commands', short: 'this help' },
  { usage: '/quit', does: 'log out and quit', short: 'log out and quit' },
  { usage: '//text', does: 'send "/text" as a message', short: 'send "/text"' },
];

/**
 * Reads a draft: `//text` is the message `/text`; `/name args` a command
 * (one line only); anything else a message as it is.
 */
export function parseDraft(draft: string): DraftIntent {
  const text = draft.replace(/^[ \t]+/, '');
  if (!text.startsWith('/')) return { kind: 'message', text: draft };
  if (text.startsWith('//')) return { kind: 'message', text: text.slice(1) };
  if (text.includes('\n')) return { kind: 'error', notice: 'A command takes one line (start with // to send a message beginning with /)' };
  const m = /^\/(\S*)\s*(.*)$/.exec(text.trimEnd())!;
  const name = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (name) {
    case 'msg':
    case 'query': {
      const [, peer = '', body = ''] = /^(\S*)\s*(.*)$/.exec(rest)!;
      if (peer === '') return { kind: 'error', notice: 'Usage: /msg <user> [text]' };
      return { kind: 'msg', peer, text: body };
    }
    case 'help':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case 'search':
      if (rest.trim() === '') return { kind: 'error', notice: 'Usage: /search <words>' };
      return { kind: 'search', words: rest.trim() };
    default:
      return { kind: 'error', notice: `Unknown command /${name.slice(0, 20)} · /help lists the commands (// sends a leading /)` };
  }
}
