import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  label,
}: {
  customerId: string;
  value: Target[];
  onChange: (targets: Target[]) => void;
  error?: string | null | undefined;
  /** Called as the person types: an error about the last attempt no longer applies. */
  onSearch?: () => void;
  label?: string;
}) {
  const { t } = useTranslation('content');
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
              ...classes.items.map((k): Target => ({ type: 'class', id: k.id, label: k.title, detail: k.classCode ? t('classDetailCode', { code: k.classCode }) : t('classDetail') })),
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
  }, [customerId, search, t]);

  const picked = new Set(value.map((v) => `${v.type}:${v.id}`));
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
      <label htmlFor={`${id}-search`}>{label ?? t('pickerLabel')}</label>
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
        placeholder={t('searchTargets')}
        autoComplete="off"
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        aria-controls={`${id}-results`}
      />
      <p className="field-hint" id={`${id}-hint`}>
        {t('pickerHint')}
      </p>
      {failure ? <p className="field-error">{failure}</p> : null}
      <ul className="picker-results" id={`${id}-results`} aria-label={t('matches')} hidden={!query}>
        {shown.map((r) => (
          <li key={`${r.type}:${r.id}`}>
            <button type="button" onClick={() => choose(r)} aria-label={t('addTarget', { label: r.label, detail: r.detail })}>
              <span>{r.label}</span>
              <span className="muted small">{r.detail}</span>
            </button>
          </li>
        ))}
        {query && !answered ? <li className="muted small picker-note">{t('searching')}</li> : null}
        {query && answered && !shown.length ? <li className="muted small picker-note">{failure ? t('searchFailed') : t('noMatches')}</li> : null}
      </ul>
      {value.length ? (
        <ul className="chips" aria-label={t('chosen')}>
          {value.map((v) => (
            <li key={`${v.type}:${v.id}`} className="chip">
              <span>
                {v.label} <span className="visually-hidden">({v.detail})</span>
              </span>
              <button type="button" aria-label={t('removeTarget', { label: v.label })} onClick={() => onChange(value.filter((x) => !(x.type === v.type && x.id === v.id)))}>
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
