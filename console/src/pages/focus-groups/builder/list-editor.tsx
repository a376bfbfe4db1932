/** A list of short texts edited as rows (options, rows, levels, labels). */
export function ListEditor({
  label,
  items,
  onChange,
  min = 0,
  max = 30,
  placeholder,
  invalid,
  errorId,
}: {
  label: string;
  items: string[];
  onChange: (items: string[]) => void;
  min?: number;
  max?: number;
  placeholder?: (i: number) => string;
  invalid?: boolean;
  errorId?: string | undefined;
}) {
  return (
    <fieldset class="list-editor" aria-invalid={invalid} aria-describedby={errorId}>
      <legend>{label}</legend>
      {items.map((item, i) => (
        <div class="list-editor-row" key={i}>
          <input
            value={item}
            maxLength={200}
            aria-label={`${label} ${i + 1}`}
            placeholder={placeholder?.(i)}
            onInput={(e) => onChange(items.map((x, j) => (j === i ? e.currentTarget.value : x)))}
          />
          <button type="button" class="button button-small" disabled={items.length <= min} onClick={() => onChange(items.filter((_, j) => j !== i))} aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" class="button button-small" disabled={items.length >= max} onClick={() => onChange([...items, ''])}>
          Add
        </button>
      </div>
    </fieldset>
  );
}
