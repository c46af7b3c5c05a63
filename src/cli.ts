// Entry point of the `chatbox` command: picks the subcommand and hands over.

import { runMain } from './args.js';

const HELP = `chatbox: a terminal chat

Usage:
  chatbox [--host H] [--port P] [--user NAME] ...   open the full-screen chat (see chatbox chat --help)
  chatbox cli [--host H] [--port P] [--tls] [--ca FILE]
                                                    line-mode client, as in the original ChatBox
  chatbox serve [options]                           run a server (see chatbox serve --help)
  chatbox user add|list|passwd|remove ...           manage accounts (see chatbox user --help)
  chatbox backup --db FILE --out BACKUP             copy a SQLite database, also while it is served
  chatbox restore --from BACKUP --db FILE           put a backup in place (see chatbox backup --help)
  chatbox --version
`;

async function main(): Promise<number | void> {
  const [sub, ...rest] = process.argv.slice(2);
  switch (sub) {
    case 'serve':
      return (await import('./server/main.js')).serveCommand(rest);
    case 'user':
      return (await import('./server/admin.js')).userCommand(rest);
    case 'backup':
      return (await import('./server/backup.js')).backupCommand(rest);
    case 'restore':
      return (await import('./server/backup.js')).restoreCommand(rest);
    case 'cli':
      return (await import('./tui/line-mode.js')).lineModeCommand(rest);
    case 'chat':
      return (await import('./tui/main.js')).chatCommand(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    case '--version':
    case '-V': {
      const { readFileSync } = await import('node:fs');
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      process.stdout.write(`chatbox ${pkg.version}\n`);
      return 0;
    }
    default:
      // No subcommand (or a flag first): the full-screen chat.
      return (await import('./tui/main.js')).chatCommand(process.argv.slice(2));
  }
}

await runMain(main);
