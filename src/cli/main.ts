/**
 * The `cohort` command. Exit codes: 0 ok, 1 failure, 2 usage, 3 a focus group followed to its end was cancelled or failed.
 *
 * `main(argv, io)` runs in the calling process with its output going to `io`
 * (tests call it directly); only `serve` touches the process (signals, exit).
 */
import { UsageError, type Io } from './args.js';
import { KEYS_HELP, keysCommand } from './keys.js';
import { PERSONAS_HELP, personasCommand } from './personas.js';
import { SERVE_HELP, serveCommand } from './serve.js';
import { WORKSPACES_HELP, workspacesCommand } from './workspaces.js';
import { WORKER_HELP, workerCommand } from './worker.js';
import { CREDITS_HELP, creditsCommand, USAGE_HELP, usageCommand } from './credits.js';
import { FOCUS_GROUPS_HELP, focusGroupsCommand } from './focus-groups.js';
import { cohortCommand, withCommand } from './invocation.js';

interface Command {
  summary: string;
  help: string;
  run: (argv: string[], io: Io) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the API server', help: SERVE_HELP, run: (argv, io) => serveCommand(argv, io, { onShutdown: onSignals(io) }) },
  worker: { summary: 'work focus-group studies from the job queue (Redis)', help: WORKER_HELP, run: (argv, io) => workerCommand(argv, io, { onShutdown: onSignals(io, 'putting its focus-group jobs back on the queue') }) },
  keys: { summary: 'create (with scopes), list and revoke API keys', help: KEYS_HELP, run: keysCommand },
  workspaces: { summary: 'create, list and show workspaces; set plans and limits', help: WORKSPACES_HELP, run: workspacesCommand },
  credits: { summary: 'grant, adjust and show credits', help: CREDITS_HELP, run: creditsCommand },
  usage: { summary: 'requests and credits used, by day, key, persona or operation', help: USAGE_HELP, run: usageCommand },
  personas: { summary: 'list, show, create and export personas', help: PERSONAS_HELP, run: personasCommand },
  'focus-groups': { summary: 'run a study file on a server and follow it; list, show, export, cancel', help: FOCUS_GROUPS_HELP, run: focusGroupsCommand },
};

export const HELP = `Usage: cohort <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(13)} ${c.summary}`)
  .join('\n')}
  ${'help'.padEnd(13)} this list, or a command's help (cohort help keys)

The commands that work on the data folder take --data-dir DIR (or
COHORT_DATA_DIR); focus-groups talks to a running server instead (--url and
--key, or COHORT_URL and COHORT_API_KEY). 'cohort <command> --help' shows its
options.
`;

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  tty: process.stderr.isTTY === true,
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  command: cohortCommand(process.argv[1], process.cwd()),
};

const isHelpFlag = (a: string | undefined): boolean => a === '--help' || a === '-h';

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  // Our texts say `cohort …`; shown as this process was started (node bin/cohort.js … in a clone).
  const text = (t: string): string => withCommand(t, io.command);
  if (command === undefined) return io.err(text(HELP)), 2;
  if (isHelpFlag(command) || command === 'help') {
    // `cohort help --help` (and `cohort --help --help`) is the list too.
    const name = rest.find((a) => !isHelpFlag(a));
    const topic = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (name !== undefined && name !== 'help' && !topic) return io.err(`cohort: unknown command '${name}'\n\n${text(HELP)}`), 2;
    io.out(text(topic ? topic.help : HELP));
    return 0;
  }
  const found = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!found) return io.err(`cohort: unknown command '${command}'\n\n${text(HELP)}`), 2;
  // --help wins over everything else on the line (a bad option next to it included).
  if (rest.some(isHelpFlag)) return io.out(text(found.help)), 0;
  try {
    return await found.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cohort: ${text(err.message)}\n${text(`Run 'cohort ${command} --help' for usage.`)}\n`);
      return 2;
    }
    io.err(`cohort: ${text(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}

/** SIGINT/SIGTERM drain the server (or worker), a second signal exits at once. */
function onSignals(io: Io, doing = 'finishing in-flight responses') {
  return (fn: () => Promise<void>): void => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      io.err(`cohort: ${signal} received, ${doing}…\n`);
      fn().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  };
}
