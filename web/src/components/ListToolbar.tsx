import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Option } from './fields.js';

/** The search box (when the list has one) and filters above a list. */
export function ListToolbar({ label, search, onSearch, placeholder, children }: { label: string; search?: string; onSearch?: (value: string) => void; placeholder?: string; children?: ReactNode }) {
  const { t } = useTranslation('ui');
  return (
    <div className="list-toolbar" role="search" aria-label={label}>
      {onSearch ? (
        <div className="toolbar-field toolbar-search">
          <label htmlFor="list-search">
            {t('search')}
            <span className="visually-hidden"> {label.toLocaleLowerCase()}</span>
          </label>
          <input id="list-search" name="search" type="search" value={search ?? ''} placeholder={placeholder} onChange={(e) => onSearch(e.target.value)} autoComplete="off" />
        </div>
      ) : null}
      {children}
    </div>
  );
}

/** A compact labelled select for a list filter. */
export function FilterSelect({ name, label, value, options, onChange }: { name: string; label: string; value: string; options: readonly Option[]; onChange: (value: string) => void }) {
  const id = `filter-${name}`;
  return (
    <div className="toolbar-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A compact labelled text filter, optionally suggesting values it has seen. */
export function FilterText({
  name,
  label,
  value,
  onChange,
  placeholder,
  suggestions = [],
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  suggestions?: readonly string[];
}) {
  const id = `filter-${name}`;
  return (
    <div className="toolbar-field toolbar-text">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="search"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        list={suggestions.length ? `${id}-suggestions` : undefined}
      />
      {suggestions.length ? (
        <datalist id={`${id}-suggestions`}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      ) : null}
    </div>
  );
}
