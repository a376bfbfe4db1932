/**
 * Creating a custom persona through one of the three pipelines:
 * north_star (a name and a description; the rest generated), intermediate
 * (guided fields), advanced (the full profile, validated). The request is one
 * POST; its progress shows what the server is doing for it and for how long.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api/client';
import { CATEGORIES, usePersonas } from '../../api/personas';
import type { PersonaFull } from '../../api/types';
import { ErrorBanner, Notice, PageHeader, Section, Tabs } from '../../components/ui';
import { href, navigate } from '../../router';
import { useSession } from '../../session';

type Pipeline = 'north_star' | 'intermediate' | 'advanced';

const BUYING_STAGES = ['UNAWARE', 'PROBLEM_AWARE', 'SOLUTION_AWARE', 'PRODUCT_AWARE', 'MOST_AWARE'];
const DECISION_ROLES = ['ECONOMIC_BUYER', 'TECHNICAL_BUYER', 'USER_BUYER', 'CHAMPION', 'INFLUENCER', 'BLOCKER', 'GATEKEEPER'];

/** Guided fields offered by the form (the API takes more: see docs/personas.md). */
const B2B_TEXT = ['role_title', 'seniority', 'industry', 'company_size', 'budget_authority'] as const;
const B2C_TEXT = ['age_band', 'life_stage', 'income_band', 'household_context', 'purchase_cadence'] as const;
const LISTS = ['goals', 'pains', 'objections', 'channels'] as const;

const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

type Stage = 'idle' | 'sending' | 'done' | 'failed';

export function CreatePersona() {
  const session = useSession();
  const [pipeline, setPipeline] = useState<Pipeline>('north_star');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [type, setType] = useState<'B2C' | 'B2B'>('B2C');
  const [text, setText] = useState<Record<string, string>>({});
  const [buyingStage, setBuyingStage] = useState('');
  const [decisionRole, setDecisionRole] = useState('');
  const [details, setDetails] = useState('');
  const [template, setTemplate] = useState('');
  const [stage, setStage] = useState<Stage>('idle');
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<PersonaFull | null>(null);
  const { personas } = usePersonas();
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => clearInterval(timer.current), []);

  const loadTemplate = async (id: string) => {
    setTemplate(id);
    if (!id) return;
    try {
      const doc = await api<{ details: Record<string, unknown>; description: string }>(`/personas/${encodeURIComponent(id)}/export`);
      setDetails(JSON.stringify(doc.details, null, 2));
      if (!description) setDescription(doc.description);
    } catch (err) {
      setError(err);
    }
  };

  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = { pipeline_type: pipeline, name: name.trim() };
    if (description.trim()) b.description = description.trim();
    if (category) b.category = category;
    if (pipeline === 'intermediate') {
      b.type = type;
      for (const k of type === 'B2B' ? B2B_TEXT : B2C_TEXT) if (text[k]?.trim()) b[k] = text[k]!.trim();
      for (const k of LISTS) if (text[k]?.trim()) b[k] = lines(text[k]!);
      if (type === 'B2B' && buyingStage) b.buying_stage = buyingStage;
      if (type === 'B2B' && decisionRole) b.decision_role = decisionRole;
    }
    if (pipeline === 'advanced') {
      try {
        b.details = JSON.parse(details || '{}');
      } catch (err) {
        throw new ApiFailure(`The profile is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, 400, 'invalid_request', 'details');
      }
    }
    return b;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    let payload: Record<string, unknown>;
    try {
      payload = body();
    } catch (err) {
      setError(err);
      return;
    }
    setStage('sending');
    setElapsed(0);
    const started = Date.now();
    timer.current = window.setInterval(() => setElapsed(Math.floor((Date.now() - started) / 1000)), 500);
    try {
      const p = await api<PersonaFull>('/personas', { body: payload });
      setCreated(p);
      setStage('done');
    } catch (err) {
      setError(err);
      setStage('failed');
    } finally {
      clearInterval(timer.current);
    }
  };

  const generates = pipeline !== 'advanced';
  const steps = [
    { label: 'Check the fields', state: stage === 'idle' ? 'todo' : 'done' },
    {
      label: generates
        ? session.key.mode === 'live'
          ? 'Generate the profile with the live model'
          : 'Derive the profile from the closest built-in persona (test key)'
        : 'Validate the full profile',
      state: stage === 'sending' ? 'active' : stage === 'done' ? 'done' : 'todo',
    },
    { label: 'Check consistency (age, generation, life stage, occupation, income, education)', state: stage === 'sending' ? 'active' : stage === 'done' ? 'done' : 'todo' },
    { label: 'Store version 1 and charge the credits', state: stage === 'done' ? 'done' : 'todo' },
  ];

  return (
    <div class="page">
      <p class="small">
        <a href={href('/personas')}>← Personas</a>
      </p>
      <PageHeader title="Create a custom persona" />
      <Section title="Pipeline" id="create-pipeline">
        <Tabs
          idPrefix="pipeline"
          label="Pipeline"
          selected={pipeline}
          onSelect={setPipeline}
          tabs={[
            { key: 'north_star', label: 'North star' },
            { key: 'intermediate', label: 'Guided' },
            { key: 'advanced', label: 'Advanced' },
          ]}
        />
        <div role="tabpanel" id="pipeline-panel" aria-labelledby={`pipeline-tab-${pipeline}`}>
          <p class="muted">
            {pipeline === 'north_star'
              ? 'A name and a description; the profile is generated and checked for consistency.'
              : pipeline === 'intermediate'
                ? 'Guided fields you know (kept as given); the rest of the profile is filled in.'
                : 'The full profile as JSON, validated field by field. Start from a built-in persona to edit its profile.'}
          </p>
          <form class="stack" onSubmit={submit}>
            <div class="grid-2">
              <label class="field">
                <span class="field-label">Name</span>
                <input value={name} required maxLength={200} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. Remote-first startup CTO" />
              </label>
              <label class="field">
                <span class="field-label">Category (optional)</span>
                <select value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
                  <option value="">Chosen from the profile</option>
                  {CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <label class="field">
              <span class="field-label">Description{pipeline === 'intermediate' ? ' (optional)' : ''}</span>
              <textarea rows={3} value={description} required={pipeline !== 'intermediate'} onInput={(e) => setDescription(e.currentTarget.value)} placeholder="Who they are, where they live, what they buy and why." />
            </label>
            {pipeline === 'intermediate' ? (
              <>
                <fieldset class="row wrap">
                  <legend>Type</legend>
                  {(['B2C', 'B2B'] as const).map((t) => (
                    <label class="check" key={t}>
                      <input type="radio" name="persona-type" checked={type === t} onChange={() => setType(t)} />
                      {t === 'B2C' ? 'Consumer (B2C)' : 'Business buyer (B2B)'}
                    </label>
                  ))}
                </fieldset>
                <div class="grid-2">
                  {(type === 'B2B' ? B2B_TEXT : B2C_TEXT).map((k) => (
                    <label class="field" key={k}>
                      <span class="field-label">{k.replace(/_/g, ' ')}</span>
                      <input value={text[k] ?? ''} onInput={(e) => setText({ ...text, [k]: e.currentTarget.value })} />
                    </label>
                  ))}
                  {type === 'B2B' ? (
                    <>
                      <label class="field">
                        <span class="field-label">buying stage</span>
                        <select value={buyingStage} onChange={(e) => setBuyingStage(e.currentTarget.value)}>
                          <option value="">—</option>
                          {BUYING_STAGES.map((s) => (
                            <option key={s} value={s}>
                              {s}
                            </option>
                          ))}
                        </select>
                      </label>
                      <label class="field">
                        <span class="field-label">decision role</span>
                        <select value={decisionRole} onChange={(e) => setDecisionRole(e.currentTarget.value)}>
                          <option value="">—</option>
                          {DECISION_ROLES.map((s) => (
                            <option key={s} value={s}>
                              {s}
                            </option>
                          ))}
                        </select>
                      </label>
                    </>
                  ) : null}
                </div>
                <div class="grid-2">
                  {LISTS.map((k) => (
                    <label class="field" key={k}>
                      <span class="field-label">{k} (one per line)</span>
                      <textarea rows={3} value={text[k] ?? ''} onInput={(e) => setText({ ...text, [k]: e.currentTarget.value })} />
                    </label>
                  ))}
                </div>
              </>
            ) : null}
            {pipeline === 'advanced' ? (
              <>
                <label class="field">
                  <span class="field-label">Start from a built-in persona</span>
                  <select value={template} onChange={(e) => loadTemplate(e.currentTarget.value)}>
                    <option value="">—</option>
                    {(personas ?? [])
                      .filter((p) => !p.is_custom)
                      .map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                  </select>
                </label>
                <label class="field">
                  <span class="field-label">Profile (details, JSON)</span>
                  <textarea class="code-input" rows={16} value={details} onInput={(e) => setDetails(e.currentTarget.value)} spellcheck={false} placeholder='{"demographics": {…}, "psychographics": {…}, …}' />
                </label>
              </>
            ) : null}
            <ErrorBanner error={error} />
            <div class="row">
              <button type="submit" class="button button-primary" disabled={stage === 'sending'}>
                {stage === 'sending' ? 'Creating…' : 'Create persona'}
              </button>
              <span class="muted small">{session.key.mode === 'live' ? 'Costs credits (see Usage).' : 'Free with a test key.'}</span>
            </div>
          </form>
        </div>
      </Section>
      {stage !== 'idle' ? (
        <Section title="Progress" id="create-progress">
          <ol class="steps" aria-live="polite">
            {steps.map((s) => (
              <li key={s.label} class={`step-${s.state}`}>
                {s.label}
                {s.state === 'active' ? <span class="muted small"> — {elapsed} s</span> : null}
              </li>
            ))}
          </ol>
          {created ? (
            <Notice tone="ok">
              Created <strong>{created.name}</strong> (<code>{created.id}</code>, {created.credits_charged ?? 0} credits).{' '}
              <a href={href(`/personas/${encodeURIComponent(created.id)}`)}>Open its card</a> ·{' '}
              <button type="button" class="link-button" onClick={() => navigate(`/playground?persona=${encodeURIComponent(created.id)}`)}>
                Try it in the playground
              </button>
            </Notice>
          ) : null}
          {created?.warnings && created.warnings.length > 0 ? (
            <Notice tone="warn">
              {created.warnings.map((w) => (
                <p key={w.code}>
                  {w.message} <code>{w.param}</code>
                </p>
              ))}
            </Notice>
          ) : null}
        </Section>
      ) : null}
    </div>
  );
}
