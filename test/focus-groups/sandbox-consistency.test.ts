/**
 * A sandbox respondent's answers hang together (the conversation a study
 * builds: each question, then the respondent's own JSON answer): an open
 * question after a 9–10 on NPS is answered by someone who likes the thing,
 * and "what do you like most?" names likes; a multiple-choice answer's
 * reasoning is about the option chosen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerItem, questionItem } from '../../src/focus-groups/prompts.js';
import { typeOf, type Question } from '../../src/focus-groups/questions/registry.js';
import { sampleProfile } from '../../src/focus-groups/sample.js';
import { traitsOf } from '../../src/focus-groups/respondent-profile.js';
import { planSandboxResponse } from '../../src/providers/sandbox/index.js';
import type { ConversationItem } from '../../src/providers/types.js';
import { personas } from '../helpers/app.js';

const nps = { id: 'nps', type: 'nps', text: 'How likely are you to recommend the FreshBox meal service to a friend?' } as Question;
const likes = { id: 'likes', type: 'open_ended', text: 'What do you like most about FreshBox?' } as Question;
const choice = {
  id: 'meal',
  type: 'multiple_choice',
  text: 'Which would you most likely buy for a weeknight dinner?',
  options: ['Ready meals', 'Fresh ingredients to cook', 'Takeaway', 'Store-brand frozen pizza'],
} as Question;

function answer(persona: (typeof personas)[number], traits: Record<string, number>, q: Question, history: ConversationItem[], index: number, seed: number): Record<string, unknown> {
  const plan = planSandboxResponse({
    persona,
    items: [...history, questionItem(q, index, 3, [])],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: { type: 'json_schema', name: `answer_${q.type}`, schema: typeOf(q).answerSchema(q), strict: true },
    sampling: { seed },
    respondent: { traits },
  });
  assert.equal(plan.kind, 'text');
  return JSON.parse(plan.kind === 'text' ? plan.text : '{}') as Record<string, unknown>;
}

describe('sandbox respondents: answers agree with each other', () => {
  it('promoters (9–10) name what they like when asked, without doubts', () => {
    let promoters = 0;
    for (const persona of personas.slice(0, 12)) {
      for (let i = 0; i < 12; i++) {
        const traits = traitsOf(sampleProfile(persona, 11, i));
        const first = answer(persona, traits, nps, [], 0, 100 + i);
        if (typeof first.score !== 'number' || first.score < 9) continue;
        promoters++;
        const history = [questionItem(nps, 0, 3, []), answerItem(JSON.stringify(first))];
        const open = answer(persona, traits, likes, history, 1, 200 + i);
        const text = String(open.answer);
        assert.doesNotMatch(text, /two minds|on the fence|I have (?:my )?doubts|not convinced|isn't for me|hard sell|skeptical/i, `${persona.id} gave ${first.score}, then: ${text}`);
        assert.match(text, /\b(?:like|love|best part|speaks to|care about|fits)\b/i, `${persona.id}: ${text}`);
      }
    }
    assert.ok(promoters >= 10, `enough promoters to check (${promoters})`);
  });

  it('a multiple-choice reasoning is about the option chosen', () => {
    const persona = personas.find((p) => p.id === 'budget-conscious-single-parent')!;
    for (let i = 0; i < 30; i++) {
      const traits = traitsOf(sampleProfile(persona, 3, i));
      const a = answer(persona, traits, choice, [], 0, 300 + i);
      const reasoning = String(a.reasoning);
      assert.ok(reasoning.includes(String(a.choice)), `names the option: ${reasoning}`);
      assert.doesNotMatch(reasoning, /price doesn't put me off|I'm easy to please|So my answer is/i, reasoning);
      const why: Record<string, RegExp> = { 'Ready meals': /time|easiest/, 'Fresh ingredients to cook': /myself|what is in it/, Takeaway: /time|easiest/, 'Store-brand frozen pizza': /cheap|cost/ };
      assert.match(reasoning, why[String(a.choice)]!, reasoning);
    }
  });
});
