import { useEffect, useId, useState } from 'react';
import { api, messageOf } from '../../api.js';
import { roleLabel } from '../../labels.js';
import type { DirectoryClass, DirectoryUser, Page } from '../../types.js';
import type { Target } from './model.js';
import './content.css';

/**
 * Finds users and classes of the customer by name, login or class code and collects the ones
 * picked as removable chips. Results are plain buttons in a list, so keyboard and screen-reader
 * users move through them like any other controls.
 */
export function TargetPicker({
  customerId,
  value,
  onChange,
  error,
  label = 'Assign to users or classes',
}: {
  customerId: string;
  value: Target[];
  onChange: (targets: Target[]) => void;
  error?: string | null | undefined;
  label?: string;
}) {
  const id = useId();
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<Target[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const q = search.trim();
    if (!q) {
      setResults([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      const c = encodeURIComponent(customerId);
      Promise.all([api.get<Page<DirectoryClass>>(`/api/customers/${c}/classes`, { search: q, pageSize: 8 }), api.get<Page<DirectoryUser>>(`/api/customers/${c}/users`, { search: q, pageSize: 8 })])
        .then(([classes, users]) => {
          if (!current) return;
          setFailure(null);
          setResults([
            ...classes.items.map((k): Target => ({ type: 'class', id: k.id, label: k.title, detail: `Class${k.classCode ? ` · ${k.classCode}` : ''}` })),
            ...users.items.map((u): Target => ({ type: 'user', id: u.id, label: `${u.givenName} ${u.familyName}`.trim() || u.login, detail: `${roleLabel(u.role)} · ${u.login}` })),
          ]);
        })
        .catch((err: unknown) => current && setFailure(messageOf(err)));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [customerId, search]);

  const picked = new Set(value.map((t) => `${t.type}:${t.id}`));
  const shown = results.filter((r) => !picked.has(`${r.type}:${r.id}`));
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field picker">
      <label htmlFor={`${id}-search`}>{label}</label>
      <input
        id={`${id}-search`}
        type="search"
        name="targetSearch"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder="Search classes and people"
        autoComplete="off"
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        aria-controls={`${id}-results`}
      />
      <p className="field-hint" id={`${id}-hint`}>
        A class reaches everyone enrolled in it now and later, for as long as they stay enrolled.
      </p>
      {failure ? <p className="field-error">{failure}</p> : null}
      <ul className="picker-results" id={`${id}-results`} aria-label="Matches" hidden={!search.trim()}>
        {shown.map((r) => (
          <li key={`${r.type}:${r.id}`}>
            <button type="button" onClick={() => onChange([...value, r])} aria-label={`Add ${r.label} (${r.detail})`}>
              <span>{r.label}</span>
              <span className="muted small">{r.detail}</span>
            </button>
          </li>
        ))}
        {search.trim() && !shown.length ? (
          <li className="muted small" style={{ padding: '8px 12px' }}>
            No matches.
          </li>
        ) : null}
      </ul>
      {value.length ? (
        <ul className="chips" aria-label="Chosen">
          {value.map((t) => (
            <li key={`${t.type}:${t.id}`} className="chip">
              <span>
                {t.label} <span className="visually-hidden">({t.detail})</span>
              </span>
              <button type="button" aria-label={`Remove ${t.label}`} onClick={() => onChange(value.filter((v) => !(v.type === t.type && v.id === t.id)))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}
