import type { ReactNode } from 'react';
import type { Option } from './fields.js';

/** The search box and filters above a list. */
export function ListToolbar({ label, search, onSearch, placeholder, children }: {
  label: string;
  search: string;
  onSearch: (value: string) => void;
  placeholder: string;
  children?: ReactNode;
}) {
  return (
    <div className="list-toolbar" role="search" aria-label={label}>
      <div className="toolbar-field toolbar-search">
        <label htmlFor="list-search">
          Search<span className="visually-hidden"> {label.toLowerCase()}</span>
        </label>
        <input id="list-search" name="search" type="search" value={search} placeholder={placeholder} onChange={(e) => onSearch(e.target.value)} autoComplete="off" />
      </div>
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
