/**
 * The playground's request: built from the form, sent to POST /v1/responses,
 * and shown as the same request in curl, JavaScript (`openai`) and Python
 * (`openai`, Cohort's own fields in `extra_body`). The key is never put in
 * the code: it reads COHORT_API_KEY.
 */

export type OutputFormat = 'text' | 'json_object' | 'json_schema';

export interface PlaygroundForm {
  personaId: string;
  instructions: string;
  input: string;
  analysis: boolean;
  format: OutputFormat;
  schemaName: string;
  schema: string;
  tools: string;
  temperature: string;
  maxOutputTokens: string;
}

export const EXAMPLE_SCHEMA = JSON.stringify(
  {
    type: 'object',
    properties: { verdict: { type: 'string', enum: ['buy', 'maybe', 'pass'] }, reason: { type: 'string' } },
    required: ['verdict', 'reason'],
    additionalProperties: false,
  },
  null,
  2,
);

export const EXAMPLE_TOOLS = JSON.stringify(
  [
    {
      type: 'function',
      name: 'lookup_price',
      description: 'Look up the current price of a product.',
      parameters: { type: 'object', properties: { product: { type: 'string' } }, required: ['product'], additionalProperties: false },
    },
  ],
  null,
  2,
);

export class FormError extends Error {
  constructor(
    message: string,
    readonly field: keyof PlaygroundForm,
  ) {
    super(message);
  }
}

function parseJson(text: string, field: keyof PlaygroundForm, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormError(`${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, field);
  }
}

/** The body of POST /v1/responses, without `stream` (the console adds it; the code shows a plain call). */
export function buildRequest(form: PlaygroundForm): Record<string, unknown> {
  if (!form.input.trim()) throw new FormError('Write a message for the persona.', 'input');
  const body: Record<string, unknown> = { model: 'mavera-1' };
  if (form.personaId) body.persona_id = form.personaId;
  if (form.instructions.trim()) body.instructions = form.instructions;
  body.input = form.input;
  if (form.analysis) body.analysis_mode = true;
  if (form.format === 'json_object') body.text = { format: { type: 'json_object' } };
  if (form.format === 'json_schema') {
    const schema = parseJson(form.schema, 'schema', 'The JSON Schema');
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new FormError('The JSON Schema must be an object.', 'schema');
    body.text = { format: { type: 'json_schema', name: form.schemaName.trim() || 'answer', schema, strict: true } };
  }
  if (form.tools.trim()) {
    const tools = parseJson(form.tools, 'tools', 'Tools');
    if (!Array.isArray(tools)) throw new FormError('Tools must be a JSON array of function tools.', 'tools');
    if (tools.length > 0) body.tools = tools;
  }
  if (form.temperature.trim()) {
    const t = Number(form.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) throw new FormError('Temperature is a number from 0 to 2.', 'temperature');
    body.temperature = t;
  }
  if (form.maxOutputTokens.trim()) {
    const n = Number(form.maxOutputTokens);
    if (!Number.isInteger(n) || n < 16) throw new FormError('Max output tokens is a whole number of at least 16.', 'maxOutputTokens');
    body.max_output_tokens = n;
  }
  return body;
}

/** Fields the OpenAI SDKs do not know: JavaScript passes them through, Python needs extra_body. */
const COHORT_FIELDS = new Set(['persona_id', 'analysis_mode']);

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlCode(body: Record<string, unknown>, origin: string): string {
  return [`curl ${origin}/v1/responses \\`, `  -H "Authorization: Bearer $COHORT_API_KEY" \\`, `  -H "Content-Type: application/json" \\`, `  -d ${shellQuote(JSON.stringify(body, null, 2))}`].join('\n');
}

/** A JavaScript object literal: JSON with unquoted identifier keys. */
function jsLiteral(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${indent}  ${jsLiteral(v, `${indent}  `)}`).join(',\n')},\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${indent}  ${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${jsLiteral(v, `${indent}  `)}`).join(',\n')},\n${indent}}`;
  }
  return JSON.stringify(value);
}

export function javascriptCode(body: Record<string, unknown>, origin: string): string {
  const lines = [
    `import OpenAI from 'openai';`,
    ``,
    `const client = new OpenAI({ baseURL: '${origin}/v1', apiKey: process.env.COHORT_API_KEY });`,
    ``,
    `// persona_id and analysis_mode are Cohort's fields: the SDK sends them as given.`,
    `const response = await client.responses.create(${jsLiteral(body, '')});`,
    ``,
    `console.log(response.output_text);`,
  ];
  if (body.analysis_mode) lines.push(`console.log(response.analysis);`);
  return lines.join('\n');
}

/** A Python literal: dicts, lists, strings (JSON escapes are valid Python), True/False/None. */
function pyLiteral(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${indent}    ${pyLiteral(v, `${indent}    `)}`).join(',\n')},\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${indent}    ${JSON.stringify(k)}: ${pyLiteral(v, `${indent}    `)}`).join(',\n')},\n${indent}}`;
  }
  return JSON.stringify(value);
}

export function pythonCode(body: Record<string, unknown>, origin: string): string {
  const standard = Object.entries(body).filter(([k]) => !COHORT_FIELDS.has(k));
  const extra = Object.fromEntries(Object.entries(body).filter(([k]) => COHORT_FIELDS.has(k)));
  const args = standard.map(([k, v]) => `    ${k}=${pyLiteral(v, '    ')},`);
  if (Object.keys(extra).length > 0) args.push(`    extra_body=${pyLiteral(extra, '    ')},`);
  const lines = [
    `import os`,
    `from openai import OpenAI`,
    ``,
    `client = OpenAI(base_url="${origin}/v1", api_key=os.environ["COHORT_API_KEY"])`,
    ``,
    `response = client.responses.create(`,
    ...args,
    `)`,
    ``,
    `print(response.output_text)`,
  ];
  if (body.analysis_mode) lines.push(`print(response.model_extra["analysis"])`);
  return lines.join('\n');
}
