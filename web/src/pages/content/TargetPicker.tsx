import { useEffect, useId, useRef, useState } from 'react';
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
  onSearch,
  label = 'Assign to users or classes',
}: {
  customerId: string;
  value: Target[];
  onChange: (targets: Target[]) => void;
  error?: string | null | undefined;
  /** Called as the person types: an error about the last attempt no longer applies. */
  onSearch?: () => void;
  label?: string;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [search, setSearch] = useState('');
  // The results and the search they answer: "No matches." only once the current search has been answered.
  const [results, setResults] = useState<{ for: string; items: Target[] }>({ for: '', items: [] });
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const q = search.trim();
    if (!q) {
      setResults({ for: '', items: [] });
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      const c = encodeURIComponent(customerId);
      Promise.all([api.get<Page<DirectoryClass>>(`/api/customers/${c}/classes`, { search: q, pageSize: 8 }), api.get<Page<DirectoryUser>>(`/api/customers/${c}/users`, { search: q, pageSize: 8 })])
        .then(([classes, users]) => {
          if (!current) return;
          setFailure(null);
          setResults({
            for: q,
            items: [
              ...classes.items.map((k): Target => ({ type: 'class', id: k.id, label: k.title, detail: `Class${k.classCode ? ` · ${k.classCode}` : ''}` })),
              ...users.items.map((u): Target => ({ type: 'user', id: u.id, label: `${u.givenName} ${u.familyName}`.trim() || u.login, detail: `${roleLabel(u.role)} · ${u.login}`, role: u.role })),
            ],
          });
        })
        .catch((err: unknown) => {
          if (!current) return;
          setFailure(messageOf(err));
          setResults({ for: q, items: [] });
        });
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [customerId, search]);

  const picked = new Set(value.map((t) => `${t.type}:${t.id}`));
  const query = search.trim();
  const answered = results.for === query;
  const shown = answered ? results.items.filter((r) => !picked.has(`${r.type}:${r.id}`)) : [];
  // A choice ends its search: the box empties for the next one and keeps the focus.
  const choose = (r: Target) => {
    onChange([...value, r]);
    setSearch('');
    input.current?.focus();
  };
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field picker">
      <label htmlFor={`${id}-search`}>{label}</label>
      <input
        id={`${id}-search`}
        type="search"
        name="targetSearch"
        ref={input}
        value={search}
        onChange={(e) => {
          setSearch(e.target.value);
          onSearch?.();
        }}
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
      <ul className="picker-results" id={`${id}-results`} aria-label="Matches" hidden={!query}>
        {shown.map((r) => (
          <li key={`${r.type}:${r.id}`}>
            <button type="button" onClick={() => choose(r)} aria-label={`Add ${r.label} (${r.detail})`}>
              <span>{r.label}</span>
              <span className="muted small">{r.detail}</span>
            </button>
          </li>
        ))}
        {query && !answered ? <li className="muted small picker-note">Searching…</li> : null}
        {query && answered && !shown.length ? <li className="muted small picker-note">{failure ? 'The search failed.' : 'No matches.'}</li> : null}
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
