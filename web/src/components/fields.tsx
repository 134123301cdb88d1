/*
 * Form controls with their label, hint and error wired together: every control has a <label for>,
 * its error is referenced by aria-describedby and flagged with aria-invalid, and its `name` is the
 * dotted API path (e.g. `rostering.sftp.host`) so server errors and tests can find it.
 */
import type { ReactNode } from 'react';

/** The DOM id of the control for a dotted field name. */
export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

interface Common {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
  /** Extra content under the control (e.g. a computed next-run time). */
  after?: ReactNode;
  className?: string;
}

function describedBy(id: string, p: Common): string | undefined {
  const ids = [p.hint ? `${id}-hint` : '', p.after ? `${id}-after` : '', p.error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

// The frame a single labelled control shares: wrapper, <label for>, then hint, extra content and error.
function LabelledField({ id, p, width, children }: { id: string; p: Common; width?: 'short' | 'medium' | 'full' | undefined; children: ReactNode }) {
  return (
    <div className={`field ${width ? `field-${width}` : ''} ${p.className ?? ''}`}>
      <label htmlFor={id}>
        <LabelText label={p.label} required={p.required} />
      </label>
      {children}
      <Messages id={id} p={p} />
    </div>
  );
}

// The accessibility attributes every control carries.
function ariaOf(id: string, p: Common) {
  return { 'aria-required': p.required || undefined, 'aria-invalid': p.error ? true : undefined, 'aria-describedby': describedBy(id, p) } as const;
}

function LabelText({ label, required }: { label: string; required?: boolean | undefined }) {
  return (
    <>
      {label}
      {required ? (
        <span className="required-mark" aria-hidden="true">
          {' '}
          *
        </span>
      ) : null}
    </>
  );
}

function Messages({ id, p }: { id: string; p: Common }) {
  return (
    <>
      {p.hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.after ? (
        <div className="field-after" id={`${id}-after`}>
          {p.after}
        </div>
      ) : null}
      {p.error ? (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {p.error}
        </p>
      ) : null}
    </>
  );
}

/** A labelled text input (also email, password, number, url, tel). */
export function TextField(
  p: Common & {
    value: string;
    onChange: (value: string) => void;
    onBlur?: () => void;
    type?: 'text' | 'email' | 'password' | 'number' | 'url' | 'tel' | 'search';
    placeholder?: string;
    autoComplete?: string;
    maxLength?: number;
    inputMode?: 'numeric' | 'text' | 'email' | 'url' | 'tel';
    spellCheck?: boolean;
    width?: 'short' | 'medium' | 'full';
    readOnly?: boolean;
    /** Several lines (a textarea of this many rows), for text such as a pasted key. */
    rows?: number;
  },
) {
  const id = fieldId(p.name);
  const common = {
    id,
    name: p.name,
    value: p.value,
    onBlur: p.onBlur,
    placeholder: p.placeholder,
    autoComplete: p.autoComplete ?? 'off',
    maxLength: p.maxLength,
    spellCheck: p.spellCheck,
    readOnly: p.readOnly,
    ...ariaOf(id, p),
  };
  return (
    <LabelledField id={id} p={p} width={p.width}>
      {p.rows ? (
        <textarea {...common} rows={p.rows} onChange={(e) => p.onChange(e.target.value)} />
      ) : (
        <input {...common} type={p.type ?? 'text'} inputMode={p.inputMode} onChange={(e) => p.onChange(e.target.value)} />
      )}
    </LabelledField>
  );
}

/** An option of a select or radio group. */
export interface Option {
  value: string;
  label: string;
}

/** A labelled native <select>. */
export function SelectField(
  p: Common & { value: string; onChange: (value: string) => void; onBlur?: () => void; options: readonly Option[]; placeholder?: string; width?: 'short' | 'medium' | 'full' },
) {
  const id = fieldId(p.name);
  return (
    <LabelledField id={id} p={p} width={p.width}>
      <select id={id} name={p.name} value={p.value} onChange={(e) => p.onChange(e.target.value)} onBlur={p.onBlur} {...ariaOf(id, p)}>
        {p.placeholder !== undefined ? <option value="">{p.placeholder}</option> : null}
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </LabelledField>
  );
}

/** A group of radio buttons in a fieldset whose legend is the label; the group is one field. */
export function RadioGroup(p: Common & { value: string; onChange: (value: string) => void; onBlur?: () => void; options: readonly Option[] }) {
  const id = fieldId(p.name);
  return (
    <fieldset className={`field radio-group ${p.className ?? ''}`} id={id} aria-invalid={p.error ? true : undefined} aria-describedby={describedBy(id, p)} tabIndex={-1} onBlur={p.onBlur}>
      <legend>
        <LabelText label={p.label} required={p.required} />
      </legend>
      <div className="radio-options">
        {p.options.map((o) => (
          <label key={o.value} className={`radio-option ${p.value === o.value ? 'is-checked' : ''}`}>
            <input type="radio" name={p.name} value={o.value} checked={p.value === o.value} onChange={() => p.onChange(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      <Messages id={id} p={p} />
    </fieldset>
  );
}

/** A single labelled checkbox. */
export function CheckboxField(p: Common & { checked: boolean; onChange: (checked: boolean) => void; children?: ReactNode }) {
  const id = fieldId(p.name);
  return (
    <div className={`field checkbox-field ${p.className ?? ''}`}>
      <div className="checkbox-row">
        <input
          id={id}
          type="checkbox"
          name={p.name}
          checked={p.checked}
          onChange={(e) => p.onChange(e.target.checked)}
          aria-required={p.required || undefined}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={describedBy(id, p)}
        />
        <label htmlFor={id}>{p.children ?? p.label}</label>
      </div>
      <Messages id={id} p={p} />
    </div>
  );
}
