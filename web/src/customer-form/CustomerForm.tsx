import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, messageOf } from '../api.js';
import { Banner } from '../components/Banner.js';
import { ErrorSummary, focusFirstError } from '../components/ErrorSummary.js';
import { CheckboxField, RadioGroup, SelectField, TextField } from '../components/fields.js';
import { useTimeZones } from '../hooks/useTimeZones.js';
import { LTI_VERSION_OPTIONS, ROSTERING_TYPE_OPTIONS } from '../labels.js';
import { FIELD_ORDER, applyChange, fieldLabel, fieldLabels, emptyValues, valuesFromCustomer, type FieldName, type FormMode, type FormValues } from './model.js';
import { normaliseSuffix } from '../../../src/customers/customer-rules.js';
import { usesLti13 } from '../../../src/customers/lti13-rules.js';
import { ConnectionTest } from './ConnectionTest.js';
import { RosteringFields } from './RosteringFields.js';
import { SuffixPreview } from './SuffixPreview.js';
import './customer-form.css';
import { requiredFields, validateCustomerForm } from './validate.js';

/** What a field's control needs from the form: value, change and blur handlers, error, marker. */
export type Bind = (name: FieldName) => {
  name: FieldName;
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur: () => void;
  error: string | undefined;
  required: boolean;
};

/**
 * The customer form, for Add and for Edit. It checks as the person types (after they leave a
 * field, or everything once they try to submit), shows the server's field errors next to the same
 * inputs, lists all problems at the top and moves focus to the first one.
 */
export function CustomerForm({
  mode,
  submitLabel,
  onCancel,
  onSubmit,
}: {
  mode: FormMode;
  submitLabel: string;
  onCancel: () => void;
  /** Saves the values; throw the ApiError to have its field errors shown. */
  onSubmit: (values: FormValues) => Promise<void>;
}) {
  const { t } = useTranslation('customerForm');
  const [values, setValues] = useState<FormValues>(() => (mode.kind === 'edit' ? valuesFromCustomer(mode.customer) : emptyValues()));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  // The fields on screen at the last submit: their errors show from then on. A field revealed later
  // (choosing SFTP reveals its fields) waits until it is touched or the form is submitted again.
  const [attempted, setAttempted] = useState<ReadonlySet<string>>(new Set());
  const [summary, setSummary] = useState<string | null>(null);
  const [generalError, setGeneralError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const timeZones = useTimeZones();

  const clientErrors = useMemo(() => validateCustomerForm(values, mode), [values, mode]);
  const required = useMemo(() => requiredFields(values, mode), [values, mode]);
  const visible = useMemo(() => {
    const out: Record<string, string> = {};
    for (const [field, message] of Object.entries(clientErrors)) if (attempted.has(field) || touched.has(field)) out[field] = message;
    Object.assign(out, serverErrors);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => order(a) - order(b)));
  }, [clientErrors, serverErrors, attempted, touched]);

  useEffect(() => {
    if (focusRequest) focusFirstError(formRef.current);
  }, [focusRequest]);

  const touch = (name: string) => setTouched((t) => (t.has(name) ? t : new Set(t).add(name)));
  const change = (name: FieldName, value: string) => {
    setValues((v) => applyChange(v, name, value));
    setServerErrors(({ [name]: _dropped, ...rest }) => rest);
  };
  const storedSuffix = mode.kind === 'edit' ? mode.customer.rostering.suffix : null;
  const blur = (name: FieldName) => {
    touch(name);
    // The Suffix shows its "@" once typed, as it is stored (a Suffix saved before the rule stays as it is).
    if (name === 'rostering.suffix' && values[name].trim() !== storedSuffix && normaliseSuffix(values[name]) !== values[name]) change(name, normaliseSuffix(values[name]));
  };
  const bind: Bind = (name) => ({
    name,
    label: fieldLabel(name),
    value: values[name],
    onChange: (value) => change(name, value),
    onBlur: () => blur(name),
    error: visible[name],
    required: required.has(name),
  });
  // Choices (selects, radios) are complete the moment they change, so check them at once.
  const bindChoice: Bind = (name) => ({
    ...bind(name),
    onChange: (value) => {
      change(name, value);
      touch(name);
    },
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAttempted(new Set(Array.from(formRef.current?.elements ?? [], (el) => (el as HTMLInputElement).name).filter(Boolean)));
    setGeneralError(null);
    if (Object.keys(validateCustomerForm(values, mode)).length) {
      setSummary(t('fixFields'));
      setServerErrors({});
      setFocusRequest((n) => n + 1);
      return;
    }
    setBusy(true);
    setSummary(null);
    try {
      await onSubmit(values);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) byField[f.field] ??= f.message;
        setServerErrors(byField);
        setSummary(messageOf(err));
        setFocusRequest((n) => n + 1);
      } else {
        setGeneralError(messageOf(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const SET_PLACEHOLDER = t('setKeep');
  const unmatchedUsersOptions = [
    { value: 'create', label: t('unmatchedCreate') },
    { value: 'refuse', label: t('unmatchedRefuse') },
  ];
  const secretPlaceholder =
    mode.kind === 'edit'
      ? {
          secretKey: mode.customer.rostering.secretKeySet ? SET_PLACEHOLDER : undefined,
          sftpPassword: mode.customer.rostering.sftp.passwordSet ? SET_PLACEHOLDER : undefined,
          sftpPrivateKey: mode.customer.rostering.sftp.privateKeySet ? SET_PLACEHOLDER : undefined,
        }
      : {};
  const zoneOptions = (timeZones.length ? timeZones : [values['profile.timeZone']]).map((z) => ({ value: z, label: z.replace(/_/g, ' ') }));
  const showSummary = summary !== null && Object.keys(visible).length > 0;
  // The platform registration and the NRPS option belong to LTI 1.3 (and to 'both').
  const lti13 = usesLti13(values['lti.version']);
  const customerId = mode.kind === 'edit' ? mode.customer.id : null;

  return (
    <form ref={formRef} className="customer-form" noValidate onSubmit={submit} aria-describedby={showSummary ? 'error-summary-title' : undefined}>
      {showSummary ? <ErrorSummary message={summary} errors={visible} labels={fieldLabels()} /> : null}
      {generalError ? <Banner kind="error">{generalError}</Banner> : null}

      <FormSection id="profile" title={t('profile')} description={t('profileLead')}>
        <TextField {...bind('profile.name')} maxLength={200} autoComplete="organization" className="field-full" />
        <TextField {...bind('profile.code')} maxLength={40} spellCheck={false} placeholder={t('codeExample')} hint={t('codeHint')} />
        <SelectField {...bindChoice('profile.timeZone')} options={zoneOptions} hint={t('timeZoneHint')} />
      </FormSection>

      <FormSection id="administrator" title={t('administrator')} description={mode.kind === 'create' ? t('administratorLeadCreate') : t('administratorLeadEdit')}>
        <TextField {...bind('administrator.firstName')} maxLength={100} autoComplete="off" />
        <TextField {...bind('administrator.lastName')} maxLength={100} autoComplete="off" />
        <TextField {...bind('administrator.email')} type="email" maxLength={254} spellCheck={false} />
        <TextField {...bind('administrator.phone')} type="tel" maxLength={40} />
        {mode.kind === 'create' ? <TextField {...bind('administrator.password')} type="password" autoComplete="new-password" maxLength={256} hint={t('passwordHint')} /> : null}
      </FormSection>

      <FormSection id="address" title={t('address')} description={t('addressLead')}>
        <TextField {...bind('address.line1')} maxLength={200} className="field-full" />
        <TextField {...bind('address.line2')} maxLength={200} className="field-full" />
        <TextField {...bind('address.city')} maxLength={100} />
        <TextField {...bind('address.region')} maxLength={100} />
        <TextField {...bind('address.postalCode')} maxLength={20} />
        <TextField {...bind('address.country')} maxLength={2} width="short" placeholder="US" hint={t('countryHint')} />
      </FormSection>

      <FormSection id="lti" title="LTI" description={t('ltiLead')}>
        <SelectField {...bindChoice('lti.version')} options={LTI_VERSION_OPTIONS} />
        {lti13 ? (
          <fieldset className="field-full lti13-platform">
            <legend>{t('platformLegend')}</legend>
            <TextField {...bind('lti.platforms.0.issuer')} maxLength={2000} placeholder="https://canvas.instructure.com" hint={t('issuerHint')} />
            <TextField {...bind('lti.platforms.0.clientId')} maxLength={255} />
            <TextField {...bind('lti.platforms.0.deploymentIds')} maxLength={2000} hint={t('deploymentIdsHint')} className="field-full" />
            <TextField {...bind('lti.platforms.0.authLoginUrl')} maxLength={2000} className="field-full" />
            <TextField {...bind('lti.platforms.0.authTokenUrl')} maxLength={2000} className="field-full" />
            <TextField {...bind('lti.platforms.0.jwksUrl')} maxLength={2000} className="field-full" />
          </fieldset>
        ) : null}
        {lti13 ? (
          <CheckboxField
            name="lti.syncRosterOnLaunch"
            label={fieldLabel('lti.syncRosterOnLaunch')}
            checked={values['lti.syncRosterOnLaunch'] === 'true'}
            onChange={(checked) => {
              change('lti.syncRosterOnLaunch', checked ? 'true' : '');
              touch('lti.syncRosterOnLaunch');
            }}
            error={visible['lti.syncRosterOnLaunch']}
            hint={t('syncOnLaunchHint')}
            className="field-full"
          />
        ) : null}
        <RadioGroup {...bindChoice('lti.unmatchedUsers')} options={unmatchedUsersOptions} className="field-full" hint={t('unmatchedHint')} />
      </FormSection>

      <FormSection id="rostering" title={t('rostering')} description={t('rosteringLead')}>
        <RadioGroup {...bindChoice('rostering.type')} options={ROSTERING_TYPE_OPTIONS} className="field-full" />
        {values['rostering.type'] === 'oneroster' ? (
          <div className="field-full">
            <RosteringFields
              values={values}
              bind={(n) => (isChoice(n) ? bindChoice(n) : bind(n))}
              secretPlaceholder={secretPlaceholder}
              suffixPreview={<SuffixPreview suffix={values['rostering.suffix']} customerId={customerId} stored={storedSuffix} />}
              connectionTest={
                <ConnectionTest
                  values={values}
                  customerId={customerId}
                  onPin={(fingerprint) => change('rostering.sftp.hostKeyFingerprint', fingerprint)}
                  onUseFileName={(name) => change('rostering.sftp.fileName', name)}
                  onFieldErrors={(errors) => {
                    setServerErrors(errors);
                    setFocusRequest((n) => n + 1);
                  }}
                />
              }
            />
          </div>
        ) : null}
      </FormSection>

      {mode.kind === 'create' ? (
        <div className="form-terms">
          <CheckboxField
            name="acceptTerms"
            label={fieldLabel('acceptTerms')}
            checked={values.acceptTerms === 'true'}
            onChange={(checked) => {
              change('acceptTerms', checked ? 'true' : '');
              touch('acceptTerms');
            }}
            error={visible.acceptTerms}
            required
          >
            {t('acceptTerms')}
          </CheckboxField>
        </div>
      ) : null}

      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          {t('ui:cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('ui:saving') : submitLabel}
        </button>
      </div>
    </form>
  );
}

// `id` names the section in the page (section-<id>) whatever the language of its title.
function FormSection({ id, title, description, children }: { id: string; title: string; description: string; children: ReactNode }) {
  return (
    <section className="form-section" aria-labelledby={`section-${id}`}>
      <div className="form-section-intro">
        <h2 id={`section-${id}`}>{title}</h2>
        <p>{description}</p>
      </div>
      <div className="form-grid">{children}</div>
    </section>
  );
}

const CHOICES = new Set<FieldName>(['rostering.oneRosterVersion', 'rostering.syncType', 'rostering.matchWith', 'rostering.syncFrequency', 'rostering.period', 'rostering.authorization']);
function isChoice(name: FieldName): boolean {
  return CHOICES.has(name);
}

function order(field: string): number {
  const i = FIELD_ORDER.indexOf(field as FieldName);
  return i === -1 ? FIELD_ORDER.length : i;
}
