/**
 * The study builder: the sample (personas and respondent counts), the guide
 * (a question editor for every type, skip logic, reference distributions),
 * the stimulus (text, images), target marginals, then the estimate
 * (POST … dry_run) and the launch (POST, with an Idempotency-Key so a double
 * click makes one study).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../../../api/client';
import { QUESTION_TYPES, TYPE_LABELS, type Estimate, type QuestionType, type Study } from '../../../api/focus-groups';
import { CATEGORIES, usePersonas } from '../../../api/personas';
import { ErrorBanner, formatNumber, Notice, PageHeader, Section } from '../../../components/ui';
import { href, navigate } from '../../../router';
import { useSession } from '../../../session';
import { buildStudyRequest, DraftError, emptyDraft, newKey, newQuestion, type StudyDraft } from './draft';
import { QuestionEditor } from './question-editor';

const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/** A random Idempotency-Key (crypto.randomUUID needs a secure context; plain http on a LAN address is not one). */
const randomKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
const DIMENSIONS = ['age_band', 'gender', 'region', 'household'];

/** Whether this server's POST /v1/focus-groups takes target marginals (`targets`), read from its /openapi.json. */
function useTargetsSupported(): boolean | null {
  const [supported, setSupported] = useState<boolean | null>(null);
  useEffect(() => {
    fetch('/openapi.json', { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<{ components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> } }>)
      .then((doc) => setSupported(Boolean(doc.components?.schemas?.CreateFocusGroupRequest?.properties?.targets)))
      .catch(() => setSupported(false));
  }, []);
  return supported;
}

export function StudyBuilder() {
  const session = useSession();
  const { personas, error: personasError } = usePersonas();
  const [draft, setDraft] = useState<StudyDraft>(emptyDraft);
  const [addType, setAddType] = useState<QuestionType>('likert');
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<{ path: string; message: string } | null>(null);
  const [busy, setBusy] = useState<'estimate' | 'launch' | null>(null);
  const [imageUrl, setImageUrl] = useState('');
  const idempotencyKey = useRef(randomKey());
  const targetsSupported = useTargetsSupported();

  const set = <K extends keyof StudyDraft>(k: K, v: StudyDraft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    setEstimate(null);
  };
  const total = draft.personas.reduce((t, p) => t + (Number(p.respondents) || 0), 0);
  const grouped = useMemo(() => {
    const list = personas ?? [];
    const cats = [...CATEGORIES, ...new Set(list.map((p) => p.category).filter((c) => !(CATEGORIES as readonly string[]).includes(c)))];
    return cats.map((c) => ({ category: c, personas: list.filter((p) => p.category === c) })).filter((g) => g.personas.length > 0);
  }, [personas]);

  const body = (dryRun: boolean): Record<string, unknown> | null => {
    try {
      const b = buildStudyRequest(draft, { withTargets: targetsSupported === true });
      setFieldError(null);
      return dryRun ? { ...b, dry_run: true } : b;
    } catch (err) {
      if (err instanceof DraftError) {
        setFieldError({ path: err.path, message: err.message });
        setError(new ApiFailure(err.message, 400, 'invalid_request', err.path));
        return null;
      }
      throw err;
    }
  };
  const showServerError = (err: unknown) => {
    setError(err);
    if (err instanceof ApiFailure && err.param) setFieldError({ path: err.param, message: err.message });
  };
  const runEstimate = async () => {
    const b = body(true);
    if (!b) return;
    setBusy('estimate');
    setError(null);
    try {
      setEstimate(await api<Estimate>('/focus-groups', { body: b }));
    } catch (err) {
      showServerError(err);
    } finally {
      setBusy(null);
    }
  };
  const launch = async (e: Event) => {
    e.preventDefault();
    const b = body(false);
    if (!b) return;
    setBusy('launch');
    setError(null);
    try {
      const study = await api<Study>('/focus-groups', { body: b, headers: { 'idempotency-key': idempotencyKey.current } });
      navigate(`/focus-groups/${encodeURIComponent(study.id)}`);
    } catch (err) {
      showServerError(err);
      idempotencyKey.current = randomKey();
    } finally {
      setBusy(null);
    }
  };
  const addImages = async (files: FileList | null) => {
    if (!files) return;
    const added: string[] = [];
    for (const f of [...files].slice(0, 4 - draft.stimulusImages.length)) {
      if (!/^image\/(png|jpeg|gif|webp)$/.test(f.type)) {
        setError(new Error(`${f.name}: use a PNG, JPEG, GIF or WebP image.`));
        continue;
      }
      if (f.size > MAX_IMAGE_BYTES) {
        setError(new Error(`${f.name} is over 4 MB.`));
        continue;
      }
      added.push(await new Promise<string>((resolve, reject) => {
        const r = new FileReader();
        r.onload = () => resolve(String(r.result));
        r.onerror = () => reject(r.error);
        r.readAsDataURL(f);
      }));
    }
    set('stimulusImages', [...draft.stimulusImages, ...added]);
  };
  const pathError = (prefix: string) => (fieldError && (fieldError.path === prefix || fieldError.path.startsWith(`${prefix}.`) || fieldError.path.startsWith(`${prefix}[`)) ? fieldError.message : null);

  return (
    <div class="page">
      <p class="small">
        <a href={href('/focus-groups')}>← Focus groups</a>
      </p>
      <PageHeader title="New study" />
      <form class="stack" onSubmit={launch} noValidate>
        <Section title="Study" id="fg-study">
          <div class="stack">
            <label class="field">
              <span class="field-label">Name</span>
              <input value={draft.name} maxLength={200} onInput={(e) => set('name', e.currentTarget.value)} placeholder="e.g. Meal-kit pricing concept test" aria-invalid={!!pathError('name')} />
              {pathError('name') ? <span class="field-error">{pathError('name')}</span> : null}
            </label>
            <label class="field">
              <span class="field-label">Instructions to every respondent (optional)</span>
              <textarea rows={2} value={draft.instructions} maxLength={10000} onInput={(e) => set('instructions', e.currentTarget.value)} />
            </label>
          </div>
        </Section>
        <Section title={`Sample: ${formatNumber(total)} respondents`} id="fg-sample">
          <ErrorBanner error={personasError} />
          <div class="stack">
            {draft.personas.map((p, i) => (
              <div class="row wrap" key={p.key}>
                <label class="field">
                  <span class="field-label">Persona {i + 1}</span>
                  <select value={p.personaId} onChange={(e) => set('personas', draft.personas.map((x) => (x.key === p.key ? { ...x, personaId: e.currentTarget.value } : x)))} aria-invalid={!!pathError(`personas[${i}]`)}>
                    <option value="">Choose a persona…</option>
                    {grouped.map((g) => (
                      <optgroup key={g.category} label={g.category}>
                        {g.personas.map((x) => (
                          <option key={x.id} value={x.id}>
                            {x.name}
                            {x.is_custom ? ' (custom)' : ''}
                          </option>
                        ))}
                      </optgroup>
                    ))}
                  </select>
                </label>
                <label class="field">
                  <span class="field-label">Respondents</span>
                  <input class="input-number" inputMode="numeric" value={p.respondents} onInput={(e) => set('personas', draft.personas.map((x) => (x.key === p.key ? { ...x, respondents: e.currentTarget.value } : x)))} />
                </label>
                <button type="button" class="button button-small" disabled={draft.personas.length <= 1} onClick={() => set('personas', draft.personas.filter((x) => x.key !== p.key))} aria-label={`Remove persona ${i + 1}`}>
                  Remove
                </button>
                {pathError(`personas[${i}]`) ? <span class="field-error">{pathError(`personas[${i}]`)}</span> : null}
              </div>
            ))}
            <div>
              <button type="button" class="button button-small" disabled={draft.personas.length >= 20} onClick={() => set('personas', [...draft.personas, { key: newKey(), personaId: '', respondents: '20' }])}>
                Add persona
              </button>
            </div>
          </div>
        </Section>
        <Section title={`Guide: ${draft.questions.length} question${draft.questions.length === 1 ? '' : 's'}`} id="fg-guide">
          <div class="stack">
            {draft.questions.map((q, i) => (
              <QuestionEditor
                key={q.key}
                q={q}
                index={i}
                count={draft.questions.length}
                earlier={draft.questions.slice(0, i)}
                error={fieldError?.path.startsWith(`questions[${i}]`) ? fieldError : null}
                onChange={(nq) => set('questions', draft.questions.map((x) => (x.key === q.key ? nq : x)))}
                onRemove={() => set('questions', draft.questions.filter((x) => x.key !== q.key))}
                onMove={(delta) => {
                  const qs = [...draft.questions];
                  const [moved] = qs.splice(i, 1);
                  qs.splice(i + delta, 0, moved!);
                  set('questions', qs);
                }}
              />
            ))}
            <div class="row wrap">
              <label class="field field-inline">
                <span class="field-label">New question</span>
                <select value={addType} onChange={(e) => setAddType(e.currentTarget.value as QuestionType)}>
                  {QUESTION_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {TYPE_LABELS[t]}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" class="button" disabled={draft.questions.length >= 50} onClick={() => set('questions', [...draft.questions, newQuestion(addType, draft.questions.length)])}>
                Add question
              </button>
            </div>
          </div>
        </Section>
        <Section title="Stimulus (optional)" id="fg-stimulus">
          <div class="stack">
            <label class="field">
              <span class="field-label">Concept text shown to every respondent</span>
              <textarea rows={4} value={draft.stimulusText} maxLength={20000} onInput={(e) => set('stimulusText', e.currentTarget.value)} placeholder="Describe the product, the offer or the ad." />
            </label>
            <div class="row wrap">
              <label class="field">
                <span class="field-label">Images (PNG, JPEG, GIF, WebP; up to 4, 4 MB each)</span>
                <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" multiple disabled={draft.stimulusImages.length >= 4} onChange={(e) => addImages(e.currentTarget.files)} />
              </label>
              <label class="field">
                <span class="field-label">or an image URL (fetched by the server)</span>
                <input type="url" value={imageUrl} onInput={(e) => setImageUrl(e.currentTarget.value)} placeholder="https://…" />
              </label>
              <button
                type="button"
                class="button button-small"
                disabled={!/^https?:\/\/\S+$/.test(imageUrl) || draft.stimulusImages.length >= 4}
                onClick={() => {
                  set('stimulusImages', [...draft.stimulusImages, imageUrl]);
                  setImageUrl('');
                }}
              >
                Add URL
              </button>
            </div>
            {draft.stimulusImages.length > 0 ? (
              <ul class="plain-list row wrap">
                {draft.stimulusImages.map((img, i) => (
                  <li key={i} class="stimulus-thumb">
                    {img.startsWith('data:') ? <img src={img} alt={`Stimulus image ${i + 1}`} /> : <code>{img}</code>}
                    <button type="button" class="button button-small" onClick={() => set('stimulusImages', draft.stimulusImages.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            {pathError('stimulus') ? <span class="field-error">{pathError('stimulus')}</span> : null}
          </div>
        </Section>
        <Section title="Target marginals (optional)" id="fg-targets">
          {targetsSupported === false ? <Notice tone="warn">This server does not rake samples to target marginals yet: the targets below are not sent.</Notice> : null}
          <p class="muted small">Weights every aggregate so that the sample matches known shares (raking), e.g. age bands of a census. One target per line: "25-34 = 0.3".</p>
          <div class="stack">
            {draft.targets.map((t, i) => (
              <div class="grid-2" key={t.key}>
                <label class="field">
                  <span class="field-label">Dimension</span>
                  <select value={t.dimension} onChange={(e) => set('targets', draft.targets.map((x) => (x.key === t.key ? { ...x, dimension: e.currentTarget.value } : x)))}>
                    {DIMENSIONS.map((d) => (
                      <option key={d} value={d}>
                        {d.replace('_', ' ')}
                      </option>
                    ))}
                  </select>
                </label>
                <label class="field">
                  <span class="field-label">Shares</span>
                  <textarea rows={3} value={t.shares} onInput={(e) => set('targets', draft.targets.map((x) => (x.key === t.key ? { ...x, shares: e.currentTarget.value } : x)))} placeholder={'18-24 = 0.2\n25-34 = 0.5\n35-44 = 0.3'} aria-invalid={!!pathError(`targets.${t.dimension}`)} />
                  {pathError(`targets.${t.dimension}`) ?? pathError(`targets[${i}]`) ? <span class="field-error">{pathError(`targets.${t.dimension}`) ?? pathError(`targets[${i}]`)}</span> : null}
                </label>
              </div>
            ))}
            <div class="row">
              <button type="button" class="button button-small" onClick={() => set('targets', [...draft.targets, { key: newKey(), dimension: DIMENSIONS.find((d) => !draft.targets.some((t) => t.dimension === d)) ?? 'region', shares: '' }])}>
                Add target
              </button>
              {draft.targets.length > 0 ? (
                <button type="button" class="button button-small" onClick={() => set('targets', draft.targets.slice(0, -1))}>
                  Remove last target
                </button>
              ) : null}
            </div>
          </div>
        </Section>
        <Section title="Advanced (optional)" id="fg-advanced">
          <div class="row wrap">
            <label class="field">
              <span class="field-label">Seed (same seed, same respondents)</span>
              <input class="input-narrow" inputMode="numeric" value={draft.seed} onInput={(e) => set('seed', e.currentTarget.value)} placeholder="random" aria-invalid={!!pathError('seed')} />
            </label>
            <label class="field">
              <span class="field-label">Temperature</span>
              <input class="input-narrow" inputMode="decimal" value={draft.temperature} onInput={(e) => set('temperature', e.currentTarget.value)} placeholder="default" aria-invalid={!!pathError('temperature')} />
            </label>
          </div>
        </Section>
        <section class="panel" aria-labelledby="fg-launch-title">
          <h2 id="fg-launch-title">Estimate and launch</h2>
          <ErrorBanner error={error} />
          {estimate ? (
            <dl class="stats" data-testid="estimate">
              <div>
                <dt>Answers</dt>
                <dd>{formatNumber(estimate.answers)}</dd>
              </div>
              <div>
                <dt>Expected credits</dt>
                <dd>{formatNumber(estimate.credits)}</dd>
              </div>
              <div>
                <dt>Held at most</dt>
                <dd>{formatNumber(estimate.max_credits)}</dd>
              </div>
              <div>
                <dt>Charged</dt>
                <dd>{estimate.livemode ? 'yes (live key)' : 'no (test key, sandbox)'}</dd>
              </div>
            </dl>
          ) : (
            <p class="muted">
              {session.key.mode === 'live' ? 'The estimate is held from your balance at launch; the study pays for the answers it gets.' : 'With a test key the study runs on the sandbox and is free.'}
            </p>
          )}
          <div class="row">
            <button type="button" class="button" onClick={runEstimate} disabled={busy !== null}>
              {busy === 'estimate' ? 'Estimating…' : 'Estimate'}
            </button>
            <button type="submit" class="button button-primary" disabled={busy !== null}>
              {busy === 'launch' ? 'Launching…' : 'Launch study'}
            </button>
          </div>
        </section>
      </form>
    </div>
  );
}
