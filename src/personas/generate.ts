/**
 * Profile generation by the configured model (live keys): one request under
 * a strict JSON schema — the persona profile schema (z.toJSONSchema of
 * personaProfileSchema) made strict: every property required, no extra
 * properties — asked through generateObject (src/structured/). Two parts are
 * left out of what the model is asked for: the
 * `population` block (the persona samples from the default derived from its
 * profile, population.ts) and the statistics' `url` and `year` (required in a
 * strict schema, they would invite invented links). The answer is validated with the same zod schema; an answer
 * that is not valid JSON or not a valid profile yields null, and the caller
 * falls back to the deterministic derivation. Upstream errors propagate (the
 * persona is then neither created nor charged).
 */
import { z } from 'zod';
import type { Provider } from '../providers/types.js';
import { generateObject, GenerateObjectError } from '../structured/generate-object.js';
import { personaProfileSchema, statisticSchema, type GuidedDetails, type PersonaProfile, type PersonaType } from './persona-schema.js';

/** What the model writes: the profile without `population`, statistics as claim and source. */
const generatedProfileSchema = personaProfileSchema.omit({ population: true }).extend({ statistics: z.array(statisticSchema.pick({ claim: true, source: true })) });

type Json = Record<string, unknown>;

/** OpenAI-style strict schema: all properties required, additionalProperties false, no keywords strict mode rejects. */
function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema' || k === 'minLength' || k === 'maxLength') continue;
    out[k] = strictify(v);
  }
  if (out.type === 'object' && out.properties && typeof out.properties === 'object') {
    out.required = Object.keys(out.properties as Json);
    out.additionalProperties = false;
  }
  return out;
}

let cached: Json | undefined;

/** The persona profile schema as a strict JSON Schema. */
export function profileJsonSchema(): Json {
  cached ??= strictify(z.toJSONSchema(generatedProfileSchema, { target: 'draft-2020-12', io: 'output' })) as Json;
  return cached;
}

const SYSTEM = `You design realistic audience personas for market research. Given a persona's name, description and any guided fields, write the full profile as one JSON object that matches the schema.

Rules:
- Describe one coherent, plausible group of real people. Age range, generation, life stage, occupation, income and education must agree with each other (no retired 20-year-olds, no students earning $250,000).
- age_range is written like "25-34" or "65+". urbanicity is one of urban, suburban, rural, mixed. Big Five scores are integers 0-100.
- Keep every guided field the user gave; fill the rest.
- phrases are things this person would actually say, in their own voice (at least three).
- statistics: only well-known public statistics with their source (e.g. Pew Research, Census, Gartner); use an empty array when unsure. Never invent numbers.`;

export interface GenerateInput {
  /** The caller's workspace, so per-workspace backend routes apply. */
  workspaceId: string;
  name: string;
  description: string;
  type: PersonaType;
  guided: GuidedDetails;
}

/** Asks `provider` for a profile; null when the answer is unusable. */
export async function generateProfile(provider: Provider, input: GenerateInput, signal: AbortSignal): Promise<PersonaProfile | null> {
  const user = [
    `Name: ${input.name}`,
    `Description: ${input.description}`,
    `Market: ${input.type}`,
    ...(Object.keys(input.guided).length ? [`Guided fields (keep them): ${JSON.stringify(input.guided)}`] : []),
  ].join('\n');
  try {
    const { object } = await generateObject<PersonaProfile>({
      provider,
      request: {
        system: SYSTEM,
        items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: user }] }],
        sampling: { temperature: 0.7, maxOutputTokens: 4000 },
        workspace: { id: input.workspaceId },
      },
      schema: { name: 'persona_profile', schema: profileJsonSchema(), description: 'A market-research persona profile.' },
      // Parsed with the schema that was asked for: a population or links the model added anyway are dropped.
      validate: false,
      check: (value) => {
        const parsed = generatedProfileSchema.safeParse(value);
        return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
      },
      // No repair: an unusable answer falls back to the deterministic derivation.
      repairBudget: 0,
      signal,
    });
    return object;
  } catch (err) {
    if (err instanceof GenerateObjectError) return null;
    throw err;
  }
}
