/**
 * The built-in persona library: one JSON file per persona in `personas/` at the
 * package root, validated at load. Loaded once at start-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { personaSchema, type PersonaRecord } from './persona-schema.js';

/** `personas/` next to `src/` and `dist/`. */
export const BUILTIN_PERSONA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'personas');

export function loadPersonaDir(dir: string = BUILTIN_PERSONA_DIR): PersonaRecord[] {
  const out: PersonaRecord[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const raw: unknown = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const parsed = personaSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`persona file ${file}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
    }
    if (`${parsed.data.id}.json` !== file) throw new Error(`persona file ${file}: id '${parsed.data.id}' must match the file name`);
    out.push(parsed.data);
  }
  return out;
}
