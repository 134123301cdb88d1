import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { focusFirstError } from '../../components/ErrorSummary.js';
import { CheckboxField, RadioGroup, TextField, fieldId } from '../../components/fields.js';
import { useSchools } from '../../hooks/useCustomer.js';
import { roleLabel } from '../../labels.js';
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

/** What the dialog tells about the user it saved: enough to name them. */
type Named = Pick<DirectoryUser, 'givenName' | 'familyName' | 'login'>;

type Values = { role: string; givenName: string; familyName: string; email: string; login: string; grade: string; schoolIds: string[]; password: string; mustChangePassword: boolean };

// The roles a person added by hand may have, in the order the form offers them.
const MANUAL_ROLES = ['student', 'teacher', 'institute_admin'] as const;
type ManualRole = (typeof MANUAL_ROLES)[number];
// The label is read when shown, so it follows a language switch.
const ROLES = MANUAL_ROLES.map((role) => ({
  value: role,
  get label() {
    return roleLabel(role);
  },
}));

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
  onSaved: (user: Named, issued: IssuedPassword | null) => void;
}) {
  const { t } = useTranslation('users');
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
    if (!v.givenName.trim()) found.givenName = t('form.enterGivenName');
    if (!v.familyName.trim()) found.familyName = t('form.enterFamilyName');
    if (!v.login.trim()) found.login = t('form.enterLogin');
    if (v.role === 'institute_admin' && !v.schoolIds.length) found.schoolIds = t('form.chooseSchool');
    setErrors(found);
    setGeneral(null);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => focusFirstError(form));
      return;
    }
    setBusy(true);
    const details = { givenName: v.givenName, familyName: v.familyName, email: v.email, login: v.login, schoolIds: v.schoolIds, grade: v.grade };
    try {
      if (editing) {
        const user = await unwrap(client.PATCH('/api/customers/{id}/users/{userId}', { params: { path: { id: customerId, userId: editing.id } }, body: details }));
        close();
        onSaved(user, null);
      } else {
        const body = { ...details, role: v.role as ManualRole, ...(v.password ? { password: v.password, mustChangePassword: v.mustChangePassword } : {}) };
        const res = await unwrap(client.POST('/api/customers/{id}/users', { params: { path: { id: customerId } }, body }));
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
    <Dialog open={open} title={editing ? t('form.editTitle', { name: `${editing.givenName} ${editing.familyName}`.trim() }) : t('form.addTitle')} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        {general ? <Banner kind="error">{general}</Banner> : null}
        {editing ? null : <RadioGroup name="role" label={t('role')} required value={v.role} onChange={(r) => set('role', r)} options={roles} error={errors.role} />}
        <div className="field-row">
          <TextField name="givenName" label={t('form.givenName')} required value={v.givenName} onChange={(x) => set('givenName', x)} error={errors.givenName} autoComplete="given-name" />
          <TextField name="familyName" label={t('form.familyName')} required value={v.familyName} onChange={(x) => set('familyName', x)} error={errors.familyName} autoComplete="family-name" />
        </div>
        <TextField name="email" label={t('email')} type="email" value={v.email} onChange={(x) => set('email', x)} error={errors.email} hint={t('form.optional')} />
        <TextField name="login" label={t('login')} required value={v.login} onChange={(x) => set('login', x)} error={errors.login} hint={t('form.loginHint')} spellCheck={false} />
        {v.role === 'student' ? (
          <TextField name="grade" label={t('form.grade')} width="short" value={v.grade} onChange={(x) => set('grade', x)} error={errors.grade} hint={t('form.gradeHint')} />
        ) : null}
        {schools.length ? (
          <fieldset
            className="field school-picker"
            id={schoolsId}
            tabIndex={-1}
            aria-invalid={errors.schoolIds ? true : undefined}
            aria-describedby={errors.schoolIds ? `${schoolsId}-error` : undefined}
          >
            <legend>
              {t('form.schools')}
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
              label={t('list.password')}
              type="password"
              value={v.password}
              onChange={(x) => set('password', x)}
              error={errors.password}
              autoComplete="new-password"
              hint={t('form.passwordHint')}
            />
            {v.password ? <CheckboxField name="mustChangePassword" label={t('form.mustChangeFirst')} checked={v.mustChangePassword} onChange={(c) => set('mustChangePassword', c)} /> : null}
          </>
        )}
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
            {t('ui:cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('ui:saving') : editing ? t('form.saveChanges') : t('form.addUser')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
