import { fieldId } from './fields.js';

/**
 * The list of problems at the top of a form, each linking to its field. It is announced as an
 * alert; focus itself goes to the first invalid field (see focusFirstError).
 */
export function ErrorSummary({ message, errors, labels }: { message: string; errors: Record<string, string>; labels: Record<string, string> }) {
  const entries = Object.entries(errors);
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{message}</h2>
      {entries.length ? (
        <ul>
          {entries.map(([field, msg]) => (
            <li key={field}>
              <a
                href={`#${fieldId(field)}`}
                onClick={(e) => {
                  e.preventDefault();
                  focusField(field);
                }}
              >
                {labels[field] ? `${labels[field]}: ` : ''}
                {msg}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function focusField(field: string): void {
  const el = document.getElementById(fieldId(field));
  focusControl(el);
}

// A radio group's fieldset is what carries the error; the person wants to land on a radio button.
function focusControl(el: Element | null): void {
  if (!(el instanceof HTMLElement)) return;
  const target = el instanceof HTMLFieldSetElement ? (el.querySelector<HTMLInputElement>('input:checked, input') ?? el) : el;
  target.focus();
  target.scrollIntoView({ block: 'center', behavior: 'instant' });
}

/** Moves focus to the first field marked invalid inside `form`, in reading order. */
export function focusFirstError(form: HTMLElement | null): void {
  focusControl(form?.querySelector('[aria-invalid="true"]') ?? null);
}
