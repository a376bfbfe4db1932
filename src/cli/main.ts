/** The `cohort` command: serve, keys, personas. Exit codes: 0 ok, 1 failure, 2 usage. */
import { UsageError, type Io } from './args.js';
import { keysCommand } from './keys.js';
import { personasCommand } from './personas.js';
import { serveCommand } from './serve.js';
import { workspacesCommand } from './workspaces.js';
import { creditsCommand, usageCommand } from './credits.js';

export const HELP = `Usage: cohort <command> [options]

Commands:
  serve       run the API server
  keys        create, list and revoke API keys
  workspaces  create, list, show workspaces; set plans and limits
  credits     grant, adjust and show credits
  usage       credits used, by day, key, persona or operation
  personas    list, show, create and export personas

Every command takes --data-dir DIR (or COHORT_DATA_DIR) and --help.
`;

const defaultIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env };

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.err(HELP);
        return 2;
      case '--help':
      case '-h':
      case 'help':
        io.out(HELP);
        return 0;
      case 'serve':
        return await serveCommand(rest, io, {
          onShutdown: (fn) => {
            let stopping = false;
            const stop = (signal: string) => {
              if (stopping) process.exit(1);
              stopping = true;
              io.err(`cohort: ${signal} received, finishing in-flight responses…\n`);
              fn().then(
                () => process.exit(0),
                () => process.exit(1),
              );
            };
            process.once('SIGINT', () => stop('SIGINT'));
            process.once('SIGTERM', () => stop('SIGTERM'));
          },
        });
      case 'keys':
        return await keysCommand(rest, io);
      case 'personas':
        return await personasCommand(rest, io);
      case 'workspaces':
        return await workspacesCommand(rest, io);
      case 'credits':
        return await creditsCommand(rest, io);
      case 'usage':
        return await usageCommand(rest, io);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cohort: ${err.message}\nRun 'cohort ${command && command !== 'help' ? `${command} ` : ''}--help' for usage.\n`);
      return 2;
    }
    io.err(`cohort: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
