/**
 * The Analysis object as a strict JSON Schema: what the live pass asks the
 * model for (`format: {type: 'json_schema', strict: true}`) and what its reply
 * is validated against. Only keywords OpenAI's strict structured outputs
 * accept: every property required, no additional properties, integer bounds,
 * array sizes.
 */
export const ANALYSIS_MAX_BIASES = 6;
export const ANALYSIS_MIN_INSIGHTS = 2;
export const ANALYSIS_MAX_INSIGHTS = 5;

const scale = (description: string) => ({ type: 'integer', minimum: 1, maximum: 10, description });

export const ANALYSIS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    confidence: scale('How confident the persona is in this answer: 1 heavily hedged … 10 certain.'),
    emotion: {
      type: 'object',
      properties: {
        emotional_valence: scale('1 very negative … 10 very positive.'),
        arousal: scale('1 calm … 10 intensely activated.'),
        dominance: scale('1 powerless, constrained by others … 10 in control of the decision.'),
      },
      required: ['emotional_valence', 'arousal', 'dominance'],
      additionalProperties: false,
    },
    biases: {
      type: 'array',
      maxItems: ANALYSIS_MAX_BIASES,
      description: 'Cognitive biases the answer itself shows; empty when none.',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'Lowercase name, e.g. "anchoring", "status quo bias".' },
          description: { type: 'string', description: 'One sentence: how the bias shows in this answer.' },
          evidence: { type: 'string', description: 'An exact quote copied from the answer.' },
        },
        required: ['name', 'description', 'evidence'],
        additionalProperties: false,
      },
    },
    key_insights: {
      type: 'array',
      minItems: ANALYSIS_MIN_INSIGHTS,
      maxItems: ANALYSIS_MAX_INSIGHTS,
      description: 'Short, concrete takeaways grounded in the answer.',
      items: { type: 'string' },
    },
  },
  required: ['confidence', 'emotion', 'biases', 'key_insights'],
  additionalProperties: false,
};
