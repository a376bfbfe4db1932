/**
 * Playground: one persona, one question, the answer streamed as it is
 * written, with analysis mode, structured output and function tools, the
 * credits it used, and the same request as code.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { usePersonas } from '../../api/personas';
import { Badge, CopyButton, ErrorBanner, formatNumber, PageHeader, Section, Tabs } from '../../components/ui';
import type { Route } from '../../router';
import { useSession } from '../../session';
import { AnalysisPanel } from './analysis-panel';
import { PersonaPicker } from './persona-picker';
import { buildRequest, curlCode, EXAMPLE_SCHEMA, EXAMPLE_TOOLS, FormError, javascriptCode, pythonCode, type OutputFormat, type PlaygroundForm } from './request';
import { IDLE, runStream, type RunState } from './stream';

const INITIAL: PlaygroundForm = {
  personaId: '',
  instructions: '',
  input: '',
  analysis: true,
  format: 'text',
  schemaName: 'answer',
  schema: EXAMPLE_SCHEMA,
  tools: '',
  temperature: '',
  maxOutputTokens: '',
};

type CodeTab = 'curl' | 'javascript' | 'python';

export function Playground({ route }: { route: Route }) {
  const session = useSession();
  const { personas, error: personasError } = usePersonas();
  const [form, setForm] = useState<PlaygroundForm>(() => ({ ...INITIAL, personaId: route.query.get('persona') ?? '' }));
  const [run, setRun] = useState<RunState>(IDLE);
  const [formError, setFormError] = useState<FormError | null>(null);
  const [codeTab, setCodeTab] = useState<CodeTab>('curl');
  const [showCode, setShowCode] = useState(false);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  useEffect(() => {
    const p = route.query.get('persona');
    if (p !== null) setForm((f) => ({ ...f, personaId: p }));
  }, [route.query.get('persona')]);

  const set = <K extends keyof PlaygroundForm>(k: K, v: PlaygroundForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  const preview = useMemo(() => {
    try {
      return { body: buildRequest(form), error: null };
    } catch (err) {
      return { body: null, error: err };
    }
  }, [form]);

  const send = async (e: Event) => {
    e.preventDefault();
    let body: Record<string, unknown>;
    try {
      body = buildRequest(form);
      setFormError(null);
    } catch (err) {
      if (err instanceof FormError) {
        setFormError(err);
        document.getElementById(`pg-${err.field}`)?.focus();
        return;
      }
      throw err;
    }
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    await runStream(body, setRun, controller.signal);
  };

  const streaming = run.status === 'streaming';
  const origin = location.origin;
  const code = preview.body ? (codeTab === 'curl' ? curlCode(preview.body, origin) : codeTab === 'javascript' ? javascriptCode(preview.body, origin) : pythonCode(preview.body, origin)) : '';
  const fieldError = (k: keyof PlaygroundForm) =>
    formError?.field === k ? (
      <span class="field-error" id={`pg-${k}-error`}>
        {formError.message}
      </span>
    ) : null;
  const describedBy = (k: keyof PlaygroundForm) => (formError?.field === k ? `pg-${k}-error` : undefined);

  return (
    <div class="page">
      <PageHeader title="Playground">
        <Badge tone={session.key.mode === 'live' ? 'accent' : 'neutral'}>{session.key.mode === 'live' ? 'Live engine' : 'Sandbox (test key, free)'}</Badge>
      </PageHeader>
      <div class="playground">
        <Section title="Persona" id="pg-persona">
          <PersonaPicker personas={personas} error={personasError} selected={form.personaId} onSelect={(id) => set('personaId', id)} />
        </Section>
        <div class="playground-main">
          <Section title="Request" id="pg-request">
            <form onSubmit={send} class="stack">
              <label class="field">
                <span class="field-label">Instructions (optional)</span>
                <textarea id="pg-instructions" rows={2} value={form.instructions} onInput={(e) => set('instructions', e.currentTarget.value)} placeholder="e.g. Answer in two sentences." />
              </label>
              <label class="field">
                <span class="field-label">Message</span>
                <textarea
                  id="pg-input"
                  rows={4}
                  value={form.input}
                  onInput={(e) => set('input', e.currentTarget.value)}
                  placeholder="e.g. What would make you switch to a new banking app?"
                  aria-invalid={formError?.field === 'input'}
                  aria-describedby={describedBy('input')}
                />
                {fieldError('input')}
              </label>
              <div class="row wrap">
                <label class="check">
                  <input type="checkbox" checked={form.analysis} onChange={(e) => set('analysis', e.currentTarget.checked)} />
                  Analysis mode
                </label>
                <label class="field field-inline">
                  <span class="field-label">Output</span>
                  <select value={form.format} onChange={(e) => set('format', e.currentTarget.value as OutputFormat)}>
                    <option value="text">Text</option>
                    <option value="json_object">JSON object</option>
                    <option value="json_schema">JSON Schema (structured)</option>
                  </select>
                </label>
                <label class="field field-inline">
                  <span class="field-label">Temperature</span>
                  <input id="pg-temperature" class="input-narrow" inputMode="decimal" value={form.temperature} onInput={(e) => set('temperature', e.currentTarget.value)} placeholder="1" aria-invalid={formError?.field === 'temperature'} aria-describedby={describedBy('temperature')} />
                </label>
                <label class="field field-inline">
                  <span class="field-label">Max output tokens</span>
                  <input id="pg-maxOutputTokens" class="input-narrow" inputMode="numeric" value={form.maxOutputTokens} onInput={(e) => set('maxOutputTokens', e.currentTarget.value)} placeholder="auto" aria-invalid={formError?.field === 'maxOutputTokens'} aria-describedby={describedBy('maxOutputTokens')} />
                </label>
              </div>
              {fieldError('temperature')}
              {fieldError('maxOutputTokens')}
              {form.format === 'json_schema' ? (
                <div class="stack">
                  <label class="field">
                    <span class="field-label">Schema name</span>
                    <input value={form.schemaName} onInput={(e) => set('schemaName', e.currentTarget.value)} />
                  </label>
                  <label class="field">
                    <span class="field-label">JSON Schema</span>
                    <textarea id="pg-schema" class="code-input" rows={8} value={form.schema} onInput={(e) => set('schema', e.currentTarget.value)} spellcheck={false} aria-invalid={formError?.field === 'schema'} aria-describedby={describedBy('schema')} />
                    {fieldError('schema')}
                  </label>
                </div>
              ) : null}
              <details class="tools-editor" open={form.tools !== ''}>
                <summary>Function tools</summary>
                <label class="field">
                  <span class="field-label">Tools (JSON array)</span>
                  <textarea id="pg-tools" class="code-input" rows={8} value={form.tools} onInput={(e) => set('tools', e.currentTarget.value)} spellcheck={false} placeholder="[]" aria-invalid={formError?.field === 'tools'} aria-describedby={describedBy('tools')} />
                  {fieldError('tools')}
                </label>
                <button type="button" class="button button-small" onClick={() => set('tools', EXAMPLE_TOOLS)}>
                  Insert an example tool
                </button>
              </details>
              <div class="row">
                <button type="submit" class="button button-primary" disabled={streaming}>
                  {streaming ? 'Streaming…' : 'Send'}
                </button>
                {streaming ? (
                  <button type="button" class="button" onClick={() => abort.current?.abort()}>
                    Stop
                  </button>
                ) : null}
                <button type="button" class="button" aria-expanded={showCode} onClick={() => setShowCode(!showCode)}>
                  {showCode ? 'Hide code' : 'View code'}
                </button>
              </div>
            </form>
          </Section>
          {showCode ? (
            <Section title="Code" id="pg-code" actions={code ? <CopyButton text={code} /> : null}>
              <Tabs
                idPrefix="code"
                label="Language"
                selected={codeTab}
                onSelect={setCodeTab}
                tabs={[
                  { key: 'curl', label: 'curl' },
                  { key: 'javascript', label: 'JavaScript' },
                  { key: 'python', label: 'Python' },
                ]}
              />
              <div role="tabpanel" id="code-panel" aria-labelledby={`code-tab-${codeTab}`}>
                {preview.body ? (
                  <pre class="code" tabIndex={0}>
                    <code>{code}</code>
                  </pre>
                ) : (
                  <ErrorBanner error={preview.error} />
                )}
                <p class="muted small">Set COHORT_API_KEY to your key. The console never puts a key in code.</p>
              </div>
            </Section>
          ) : null}
          <Answer run={run} format={form.format} />
        </div>
      </div>
    </div>
  );
}

function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

function Answer({ run, format }: { run: RunState; format: OutputFormat }) {
  if (run.status === 'idle') return null;
  const usage = run.final?.usage;
  const structured = format !== 'text' && run.status !== 'streaming' ? prettyJson(run.text) : null;
  return (
    <Section
      title="Answer"
      id="pg-answer"
      actions={
        <span class="row">
          <Badge tone={run.status === 'completed' ? 'ok' : run.status === 'failed' ? 'danger' : run.status === 'streaming' ? 'accent' : 'warn'}>{run.status}</Badge>
        </span>
      }
    >
      <div class="answer" aria-live="polite" aria-busy={run.status === 'streaming'} data-testid="answer-text">
        {structured !== null ? (
          <pre class="code">
            <code>{structured}</code>
          </pre>
        ) : (
          run.text || (run.status === 'streaming' ? <span class="muted">…</span> : null)
        )}
      </div>
      {run.calls.length > 0 ? (
        <div class="calls">
          <h3>Function calls</h3>
          <ul>
            {run.calls.map((c) => (
              <li key={c.id}>
                <code>{c.name}</code>
                <pre class="code">
                  <code>{prettyJson(c.arguments) ?? c.arguments}</code>
                </pre>
              </li>
            ))}
          </ul>
          <p class="muted small">The playground shows the calls; your code runs the function and sends its output back (function_call_output).</p>
        </div>
      ) : null}
      {run.error ? <ErrorBanner error={new Error(run.error)} /> : null}
      {usage ? (
        <dl class="stats" aria-label="Usage">
          <div>
            <dt>Credits used</dt>
            <dd data-testid="credits-used">{formatNumber(usage.credits_used ?? 0)}</dd>
          </div>
          <div>
            <dt>Input tokens</dt>
            <dd>{formatNumber(usage.input_tokens)}</dd>
          </div>
          <div>
            <dt>Output tokens</dt>
            <dd>{formatNumber(usage.output_tokens)}</dd>
          </div>
          <div>
            <dt>Response</dt>
            <dd>
              <code>{run.final?.id}</code>
            </dd>
          </div>
        </dl>
      ) : null}
      {run.final?.analysis ? (
        <div class="analysis-wrap">
          <h3>Analysis</h3>
          <AnalysisPanel analysis={run.final.analysis} />
        </div>
      ) : null}
    </Section>
  );
}
