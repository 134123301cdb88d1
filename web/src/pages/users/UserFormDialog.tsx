import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { focusFirstError } from '../../components/ErrorSummary.js';
import { CheckboxField, RadioGroup, TextField, fieldId } from '../../components/fields.js';
import { useSchools } from '../../hooks/useCustomer.js';
import { useUser } from '../../session.js';
import type { DirectoryUser } from '../../types.js';
import { InstituteAdminInfo } from './InstituteAdminInfo.js';
import type { IssuedPassword } from './IssuedPasswords.js';

/** A manual user's editable details, as the user page has them. */
export interface ManualUserDetails {
  id: string;
  role: string;
  givenName: string;
  familyName: string;
  email: string;
  login: string;
  grades: string[];
  schoolIds: string[];
}

type Values = { role: string; givenName: string; familyName: string; email: string; login: string; grade: string; schoolIds: string[]; password: string; mustChangePassword: boolean };

const ROLES = [
  { value: 'student', label: 'Student' },
  { value: 'teacher', label: 'Teacher' },
  { value: 'institute_admin', label: 'Institute admin' },
];

/**
 * Add a teacher, student or institute admin by hand, or edit a manual user. Manual accounts are
 * protected: roster syncs never delete them. Server errors land on their fields.
 */
export function UserFormDialog({
  customerId,
  open,
  editing,
  onClose,
  onSaved,
}: {
  customerId: string;
  open: boolean;
  /** The manual user to edit; absent to add one. */
  editing?: ManualUserDetails;
  onClose: () => void;
  onSaved: (user: DirectoryUser, issued: IssuedPassword | null) => void;
}) {
  const me = useUser();
  const schools = useSchools(customerId);
  const initial: Values = {
    role: editing?.role ?? 'student',
    givenName: editing?.givenName ?? '',
    familyName: editing?.familyName ?? '',
    email: editing?.email ?? '',
    login: editing?.login ?? '',
    grade: editing?.grades[0] ?? '',
    schoolIds: editing?.schoolIds ?? [],
    password: '',
    mustChangePassword: true,
  };
  const [v, setV] = useState<Values>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setV((old) => ({ ...old, [key]: value }));
    setErrors(({ [key]: _dropped, ...rest }) => rest);
  };
  const roles = me.role === 'institute_admin' ? ROLES.filter((r) => r.value !== 'institute_admin') : ROLES;

  const close = () => {
    setV(initial);
    setErrors({});
    setGeneral(null);
    onClose();
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const found: Record<string, string> = {};
    if (!v.givenName.trim()) found.givenName = 'Enter a given name.';
    if (!v.familyName.trim()) found.familyName = 'Enter a family name.';
    if (!v.login.trim()) found.login = 'Enter the login they will sign in with.';
    if (v.role === 'institute_admin' && !v.schoolIds.length) found.schoolIds = 'Choose at least one school this institute admin looks after.';
    setErrors(found);
    setGeneral(null);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => focusFirstError(form));
      return;
    }
    setBusy(true);
    const details = { givenName: v.givenName, familyName: v.familyName, email: v.email, login: v.login, schoolIds: v.schoolIds, grade: v.grade };
    try {
      const base = `/api/customers/${encodeURIComponent(customerId)}/users`;
      if (editing) {
        const user = await api.patch<DirectoryUser>(`${base}/${encodeURIComponent(editing.id)}`, details);
        close();
        onSaved(user, null);
      } else {
        const body = { ...details, role: v.role, ...(v.password ? { password: v.password, mustChangePassword: v.mustChangePassword } : {}) };
        const res = await api.post<{ user: DirectoryUser; password: string | null }>(base, body);
        close();
        onSaved(res.user, res.password ? { login: res.user.login, password: res.password } : null);
      }
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        setErrors(Object.fromEntries(err.fields.map((f) => [f.field, f.message])));
        requestAnimationFrame(() => focusFirstError(form));
      } else setGeneral(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const schoolsId = fieldId('schoolIds');
  return (
    <Dialog open={open} title={editing ? `Edit ${editing.givenName} ${editing.familyName}`.trim() : 'Add a user'} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        {general ? <Banner kind="error">{general}</Banner> : null}
        {editing ? null : <RadioGroup name="role" label="Role" required value={v.role} onChange={(r) => set('role', r)} options={roles} error={errors.role} />}
        <div className="field-row">
          <TextField name="givenName" label="Given name" required value={v.givenName} onChange={(x) => set('givenName', x)} error={errors.givenName} autoComplete="given-name" />
          <TextField name="familyName" label="Family name" required value={v.familyName} onChange={(x) => set('familyName', x)} error={errors.familyName} autoComplete="family-name" />
        </div>
        <TextField name="email" label="Email" type="email" value={v.email} onChange={(x) => set('email', x)} error={errors.email} hint="Optional." />
        <TextField name="login" label="Login" required value={v.login} onChange={(x) => set('login', x)} error={errors.login} hint="What they type to sign in, e.g. jdoe@lincoln." spellCheck={false} />
        {v.role === 'student' ? <TextField name="grade" label="Grade" width="short" value={v.grade} onChange={(x) => set('grade', x)} error={errors.grade} hint="Optional, e.g. 05." /> : null}
        {schools.length ? (
          <fieldset
            className="field school-picker"
            id={schoolsId}
            tabIndex={-1}
            aria-invalid={errors.schoolIds ? true : undefined}
            aria-describedby={errors.schoolIds ? `${schoolsId}-error` : undefined}
          >
            <legend>
              Schools
              {v.role === 'institute_admin' ? (
                <span className="required-mark" aria-hidden="true">
                  {' '}
                  *
                </span>
              ) : null}
            </legend>
            {schools.map((s) => (
              <label key={s.sourcedId} className="checkbox-row">
                <input
                  type="checkbox"
                  name="schoolIds"
                  value={s.sourcedId}
                  checked={v.schoolIds.includes(s.sourcedId)}
                  onChange={(e) => set('schoolIds', e.target.checked ? [...v.schoolIds, s.sourcedId] : v.schoolIds.filter((x) => x !== s.sourcedId))}
                />
                <span>{s.name || s.sourcedId}</span>
              </label>
            ))}
            {errors.schoolIds ? (
              <p className="field-error" id={`${schoolsId}-error`}>
                <span aria-hidden="true">⚠ </span>
                {errors.schoolIds}
              </p>
            ) : null}
          </fieldset>
        ) : null}
        {v.role === 'institute_admin' ? <InstituteAdminInfo /> : null}
        {editing ? null : (
          <>
            <TextField
              name="password"
              label="Password"
              type="password"
              value={v.password}
              onChange={(x) => set('password', x)}
              error={errors.password}
              autoComplete="new-password"
              hint="Leave empty and Lectern makes a one-time password, shown once."
            />
            {v.password ? <CheckboxField name="mustChangePassword" label="Must change it at the first sign-in" checked={v.mustChangePassword} onChange={(c) => set('mustChangePassword', c)} /> : null}
          </>
        )}
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Add user'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
