/**
 * How to run `cohort` again, as this process was started, so the hints it
 * prints (the first key's banner, "Run '… --help'") can be pasted as printed.
 * In a clone there is no `cohort` on PATH, and `npx cohort` would fetch
 * another npm package (ours is `cohort-persona-api`).
 */
import path from 'node:path';

/** The package's npm name: `npx` runs it by this name, never by `cohort`. */
export const PACKAGE_NAME = 'cohort-persona-api';

/**
 * `script` is process.argv[1] as Node got it (a bin link keeps its own path):
 * - a link on PATH (`…/bin/cohort`, a global install or `npm link`): its name;
 * - inside node_modules (a local install, run by npx or a package script): `npx cohort-persona-api`;
 * - a .js file elsewhere (a clone: `node bin/cohort.js`, `npm start`): `node <that file>`, relative to `cwd` when under it.
 */
export function cohortCommand(script: string | undefined, cwd: string): string {
  if (!script) return 'cohort';
  const parts = script.split(/[\\/]/);
  if (parts.includes('node_modules')) return `npx ${PACKAGE_NAME}`;
  if (!/\.[cm]?js$/.test(script)) return path.basename(script);
  const relative = path.relative(cwd, script);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : script;
  return `node ${shellWord(shown)}`;
}

/** A word a POSIX shell reads back as it is: quoted when it has anything but safe characters. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

const COMMAND_MENTION = /(^|[\s'`(])cohort (?=(?:serve|worker|keys|workspaces|credits|usage|personas|focus-groups|help|<command>|--help)(?![\w-]))/g;

/** Our own texts (help, usage errors) name the command `cohort …`: shown as this process was started. */
export function withCommand(text: string, command: string | undefined): string {
  return command && command !== 'cohort' ? text.replace(COMMAND_MENTION, `$1${command} `) : text;
}
