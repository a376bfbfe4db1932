/** One question of the guide: its type's fields, an optional reference distribution and skip logic. */
import { QUESTION_TYPES, TYPE_LABELS, type QuestionType } from '../../../api/focus-groups';
import { conditionKind, OPERATORS, type ConditionDraft, type QuestionDraft } from './draft';
import { ListEditor } from './list-editor';

const OP_LABELS: Record<ConditionDraft['op'], string> = {
  equals: 'is',
  not_equals: 'is not',
  in: 'is one of (comma-separated)',
  gt: 'is above',
  gte: 'is at least',
  lt: 'is below',
  lte: 'is at most',
  includes: 'includes',
};

export function QuestionEditor({
  q,
  index,
  earlier,
  onChange,
  onRemove,
  onMove,
  error,
  count,
}: {
  q: QuestionDraft;
  index: number;
  earlier: QuestionDraft[];
  onChange: (q: QuestionDraft) => void;
  onRemove: () => void;
  onMove: (delta: number) => void;
  error: { path: string; message: string } | null;
  count: number;
}) {
  const base = `questions[${index}]`;
  const set = <K extends keyof QuestionDraft>(k: K, v: QuestionDraft[K]) => onChange({ ...q, [k]: v });
  const errFor = (field: string) => (error && (error.path === `${base}.${field}` || error.path.startsWith(`${base}.${field}[`) || error.path.startsWith(`${base}.${field}.`)) ? error.message : null);
  const errId = (field: string) => (errFor(field) ? `${base}-${field}-error` : undefined);
  const ErrorText = ({ field }: { field: string }) =>
    errFor(field) ? (
      <span class="field-error" id={`${base}-${field}-error`}>
        {errFor(field)}
      </span>
    ) : null;
  const referable = earlier.filter((e) => conditionKind(e.type) !== 'none' && e.id.trim());
  const target = referable.find((e) => e.id.trim() === q.when?.questionId);
  const kind = target ? conditionKind(target.type) : 'number';
  const hasReference = ['nps', 'likert', 'rating', 'semantic_differential', 'yes_no', 'multiple_choice', 'slider'].includes(q.type);
  return (
    <article class="question-card" aria-labelledby={`${base}-title`} data-question-index={index}>
      <div class="question-head">
        <h3 id={`${base}-title`}>Question {index + 1}</h3>
        <label class="field field-inline">
          <span class="field-label">Type</span>
          <select value={q.type} onChange={(e) => onChange({ ...q, type: e.currentTarget.value as QuestionType, when: q.when })}>
            {QUESTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button button-small" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move question ${index + 1} up`}>
          ↑
        </button>
        <button type="button" class="button button-small" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move question ${index + 1} down`}>
          ↓
        </button>
        <button type="button" class="button button-small" disabled={count <= 1} onClick={onRemove} aria-label={`Remove question ${index + 1}`}>
          Remove
        </button>
      </div>
      <div class="grid-2">
        <label class="field">
          <span class="field-label">Id</span>
          <input value={q.id} maxLength={64} onInput={(e) => set('id', e.currentTarget.value)} aria-invalid={!!errFor('id')} aria-describedby={errId('id')} />
          <ErrorText field="id" />
        </label>
      </div>
      <label class="field">
        <span class="field-label">Question text</span>
        <textarea rows={2} value={q.text} maxLength={2000} onInput={(e) => set('text', e.currentTarget.value)} aria-invalid={!!errFor('text')} aria-describedby={errId('text')} placeholder={PLACEHOLDERS[q.type]} />
        <ErrorText field="text" />
      </label>
      {q.type === 'multiple_choice' || q.type === 'ranking' || q.type === 'maxdiff' ? (
        <>
          <ListEditor label="Options" items={q.options} onChange={(v) => set('options', v)} min={q.type === 'maxdiff' ? 3 : 2} invalid={!!errFor('options')} errorId={errId('options')} placeholder={(i) => `Option ${i + 1}`} />
          <ErrorText field="options" />
        </>
      ) : null}
      {q.type === 'multiple_choice' ? (
        <div class="row wrap">
          <label class="check">
            <input type="checkbox" checked={q.multiple} onChange={(e) => set('multiple', e.currentTarget.checked)} />
            Several answers allowed
          </label>
          {q.multiple ? (
            <label class="field field-inline">
              <span class="field-label">At most</span>
              <input class="input-number" inputMode="numeric" value={q.maxChoices} onInput={(e) => set('maxChoices', e.currentTarget.value)} />
            </label>
          ) : null}
          <label class="check">
            <input type="checkbox" checked={q.allowOther} onChange={(e) => set('allowOther', e.currentTarget.checked)} />
            "Other" with the respondent's own words
          </label>
        </div>
      ) : null}
      {q.type === 'maxdiff' ? (
        <label class="field field-inline">
          <span class="field-label">Options per set (3–6, default 4)</span>
          <input class="input-number" inputMode="numeric" value={q.setSize} onInput={(e) => set('setSize', e.currentTarget.value)} aria-invalid={!!errFor('set_size')} />
        </label>
      ) : null}
      {q.type === 'likert' || q.type === 'semantic_differential' ? (
        <label class="field field-inline">
          <span class="field-label">Points</span>
          <select value={q.scale} onChange={(e) => set('scale', e.currentTarget.value)}>
            <option value="5">5</option>
            <option value="7">7</option>
          </select>
        </label>
      ) : null}
      {q.type === 'matrix' ? (
        <>
          <ListEditor label="Rows" items={q.rows} onChange={(v) => set('rows', v)} min={1} max={20} invalid={!!errFor('rows')} errorId={errId('rows')} placeholder={(i) => ['Price', 'Quality', 'Design', 'Service'][i] ?? `Row ${i + 1}`} />
          <ErrorText field="rows" />
          <label class="field field-inline">
            <span class="field-label">Points (2–11)</span>
            <input class="input-number" inputMode="numeric" value={q.scale} onInput={(e) => set('scale', e.currentTarget.value)} aria-invalid={!!errFor('scale')} />
          </label>
        </>
      ) : null}
      {q.type === 'likert' || q.type === 'matrix' ? (
        <details>
          <summary>Point labels (optional; default: agreement)</summary>
          <ListEditor label="Labels" items={q.labels} onChange={(v) => set('labels', v)} max={11} placeholder={(i) => `Label of point ${i + 1}`} />
          <ErrorText field="labels" />
        </details>
      ) : null}
      {q.type === 'semantic_differential' ? (
        <div class="grid-2">
          <label class="field">
            <span class="field-label">Left pole (point 1)</span>
            <input value={q.left} maxLength={200} onInput={(e) => set('left', e.currentTarget.value)} placeholder="Cheap" aria-invalid={!!errFor('left')} aria-describedby={errId('left')} />
            <ErrorText field="left" />
          </label>
          <label class="field">
            <span class="field-label">Right pole</span>
            <input value={q.right} maxLength={200} onInput={(e) => set('right', e.currentTarget.value)} placeholder="Premium" aria-invalid={!!errFor('right')} aria-describedby={errId('right')} />
            <ErrorText field="right" />
          </label>
        </div>
      ) : null}
      {q.type === 'rating' || q.type === 'slider' ? (
        <div class="row wrap">
          <label class="field field-inline">
            <span class="field-label">Min</span>
            <input class="input-number" inputMode="numeric" value={q.min} onInput={(e) => set('min', e.currentTarget.value)} aria-invalid={!!errFor('min')} />
          </label>
          <label class="field field-inline">
            <span class="field-label">Max</span>
            <input class="input-number" inputMode="numeric" value={q.max} onInput={(e) => set('max', e.currentTarget.value)} aria-invalid={!!errFor('max')} />
          </label>
          <ErrorText field="min" />
          <ErrorText field="max" />
        </div>
      ) : null}
      {q.type === 'conjoint' ? <ConjointEditor q={q} onChange={onChange} error={errFor('attributes') ?? errFor('profiles')} /> : null}
      {hasReference ? (
        <details open={q.reference !== ''}>
          <summary>Reference distribution from a real survey (optional)</summary>
          <label class="field">
            <span class="field-label">Shares, lowest point first{q.type === 'multiple_choice' ? ' (options, then other)' : q.type === 'yes_no' ? ' (yes, no)' : ''}</span>
            <input value={q.reference} onInput={(e) => set('reference', e.currentTarget.value)} placeholder="0.1, 0.2, 0.3, 0.25, 0.15" aria-invalid={!!errFor('reference')} aria-describedby={errId('reference')} />
          </label>
          <ErrorText field="reference" />
        </details>
      ) : null}
      {index > 0 ? (
        <details open={q.when !== null}>
          <summary>Skip logic (optional)</summary>
          {referable.length === 0 ? (
            <p class="muted small">No earlier question can be tested (open-ended, matrix and MaxDiff answers cannot).</p>
          ) : (
            <div class="row wrap">
              <label class="check">
                <input
                  type="checkbox"
                  checked={q.when !== null}
                  onChange={(e) => set('when', e.currentTarget.checked ? { questionId: referable[0]!.id.trim(), op: OPERATORS[conditionKind(referable[0]!.type) as 'number']![0]!, value: '' } : null)}
                />
                Ask only when
              </label>
              {q.when ? (
                <>
                  <label class="field field-inline">
                    <span class="visually-hidden">Earlier question</span>
                    <select value={q.when.questionId} onChange={(e) => set('when', { ...q.when!, questionId: e.currentTarget.value })}>
                      {referable.map((r) => (
                        <option key={r.key} value={r.id.trim()}>
                          {r.id.trim()}: {r.text.slice(0, 40) || TYPE_LABELS[r.type]}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="field field-inline">
                    <span class="visually-hidden">Condition</span>
                    <select value={q.when.op} onChange={(e) => set('when', { ...q.when!, op: e.currentTarget.value as ConditionDraft['op'] })}>
                      {OPERATORS[kind === 'none' ? 'number' : kind].map((op) => (
                        <option key={op} value={op}>
                          {OP_LABELS[op]}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="field field-inline">
                    <span class="visually-hidden">Value</span>
                    <input value={q.when.value} onInput={(e) => set('when', { ...q.when!, value: e.currentTarget.value })} placeholder={kind === 'boolean' ? 'yes' : kind === 'number' ? '9' : 'an option'} aria-invalid={!!errFor('when')} />
                  </label>
                </>
              ) : null}
              <ErrorText field="when" />
            </div>
          )}
        </details>
      ) : null}
    </article>
  );
}

const PLACEHOLDERS: Record<QuestionType, string> = {
  nps: 'How likely are you to recommend this to a friend or colleague?',
  likert: 'I would use this every week.',
  multiple_choice: 'Which of these would you use most?',
  open_ended: 'What would make you try it?',
  rating: 'How appealing is this, from 1 to 10?',
  yes_no: 'Would you buy it at this price?',
  ranking: 'Rank these features from most to least important.',
  slider: 'How much would you pay, from 0 to 100?',
  matrix: 'How satisfied are you with each of these?',
  semantic_differential: 'How does this brand feel to you?',
  conjoint: 'Which of these plans would you choose?',
  maxdiff: 'Which matters most and which least to you?',
};

function ConjointEditor({ q, onChange, error }: { q: QuestionDraft; onChange: (q: QuestionDraft) => void; error: string | null }) {
  const setAttr = (j: number, a: { name: string; levels: string[] }) => {
    const old = q.attributes[j]!.name;
    const profiles = q.profiles.map((p) => {
      if (old === a.name || !(old in p)) return p;
      const { [old]: level, ...rest } = p;
      return level === undefined ? rest : { ...rest, [a.name]: level };
    });
    onChange({ ...q, attributes: q.attributes.map((x, k) => (k === j ? a : x)), profiles });
  };
  return (
    <div class="stack">
      <fieldset class="stack">
        <legend>Attributes and their levels</legend>
        {q.attributes.map((a, j) => (
          <div class="grid-2" key={j}>
            <label class="field">
              <span class="field-label">Attribute {j + 1}</span>
              <input value={a.name} maxLength={200} placeholder={['Price', 'Contract', 'Support'][j] ?? 'Attribute'} onInput={(e) => setAttr(j, { ...a, name: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field-label">Levels (comma-separated)</span>
              <input
                value={a.levels.join(', ')}
                placeholder={['$10, $20', 'Monthly, Yearly', 'Email, Phone'][j] ?? 'Level A, Level B'}
                onInput={(e) => setAttr(j, { ...a, levels: e.currentTarget.value.split(',').map((s) => s.trimStart()) })}
              />
            </label>
          </div>
        ))}
        <div class="row">
          <button type="button" class="button button-small" disabled={q.attributes.length >= 10} onClick={() => onChange({ ...q, attributes: [...q.attributes, { name: '', levels: ['', ''] }] })}>
            Add attribute
          </button>
          <button type="button" class="button button-small" disabled={q.attributes.length <= 1} onClick={() => onChange({ ...q, attributes: q.attributes.slice(0, -1) })}>
            Remove last attribute
          </button>
        </div>
      </fieldset>
      <fieldset class="stack">
        <legend>Profiles shown (choose one level per attribute)</legend>
        {q.profiles.map((p, k) => (
          <div class="row wrap" key={k}>
            <strong>Profile {String.fromCharCode(65 + k)}</strong>
            {q.attributes.map((a, j) => (
              <label class="field field-inline" key={j}>
                <span class="field-label">{a.name || `Attribute ${j + 1}`}</span>
                <select value={p[a.name] ?? ''} onChange={(e) => onChange({ ...q, profiles: q.profiles.map((x, m) => (m === k ? { ...x, [a.name]: e.currentTarget.value } : x)) })}>
                  <option value="">—</option>
                  {a.levels
                    .map((l) => l.trim())
                    .filter(Boolean)
                    .map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                </select>
              </label>
            ))}
          </div>
        ))}
        <div class="row wrap">
          <button type="button" class="button button-small" disabled={q.profiles.length >= 6} onClick={() => onChange({ ...q, profiles: [...q.profiles, {}] })}>
            Add profile
          </button>
          <button type="button" class="button button-small" disabled={q.profiles.length <= 2} onClick={() => onChange({ ...q, profiles: q.profiles.slice(0, -1) })}>
            Remove last profile
          </button>
          <label class="check">
            <input type="checkbox" checked={q.allowNone} onChange={(e) => onChange({ ...q, allowNone: e.currentTarget.checked })} />
            Allow "none of these"
          </label>
        </div>
      </fieldset>
      {error ? <span class="field-error">{error}</span> : null}
    </div>
  );
}
