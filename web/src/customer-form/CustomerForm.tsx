import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, messageOf } from '../api.js';
import { Banner } from '../components/Banner.js';
import { ErrorSummary, focusFirstError } from '../components/ErrorSummary.js';
import { CheckboxField, RadioGroup, SelectField, TextField } from '../components/fields.js';
import { useTimeZones } from '../hooks/useTimeZones.js';
import { LTI_VERSION_OPTIONS, ROSTERING_TYPE_OPTIONS } from '../labels.js';
import { FIELD_LABELS, applyChange, emptyValues, valuesFromCustomer, type FieldName, type FormMode, type FormValues } from './model.js';
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

const FIELD_ORDER = Object.keys(FIELD_LABELS);
const UNMATCHED_USERS_OPTIONS = [
  { value: 'create', label: 'Create an LTI-only reader account' },
  { value: 'refuse', label: 'Refuse the launch with a message' },
] as const;
const SET_PLACEHOLDER = 'Set — leave blank to keep';

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
    label: FIELD_LABELS[name],
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
      setSummary('Please fix the highlighted fields.');
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
        setSummary(err.message);
        setFocusRequest((n) => n + 1);
      } else {
        setGeneralError(messageOf(err));
      }
    } finally {
      setBusy(false);
    }
  };

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
      {showSummary ? <ErrorSummary message={summary} errors={visible} labels={FIELD_LABELS} /> : null}
      {generalError ? <Banner kind="error">{generalError}</Banner> : null}

      <FormSection title="Profile" description="How the customer appears in Lectern. The code is part of its LTI consumer key.">
        <TextField {...bind('profile.name')} maxLength={200} autoComplete="organization" className="field-full" />
        <TextField {...bind('profile.code')} maxLength={40} spellCheck={false} placeholder="lincoln-usd" hint="Lower-case letters, digits and dashes." />
        <SelectField {...bindChoice('profile.timeZone')} options={zoneOptions} hint="Scheduled syncs run on this clock." />
      </FormSection>

      <FormSection
        title="Administrator"
        description={
          mode.kind === 'create'
            ? 'The customer admin account is created from these details. They sign in with the email and initial password.'
            : 'The customer’s administrator. They change their own password from their Account page.'
        }
      >
        <TextField {...bind('administrator.firstName')} maxLength={100} autoComplete="off" />
        <TextField {...bind('administrator.lastName')} maxLength={100} autoComplete="off" />
        <TextField {...bind('administrator.email')} type="email" maxLength={254} spellCheck={false} />
        <TextField {...bind('administrator.phone')} type="tel" maxLength={40} />
        {mode.kind === 'create' ? (
          <TextField {...bind('administrator.password')} type="password" autoComplete="new-password" maxLength={256} hint="At least 10 characters, mixing letters with digits or symbols." />
        ) : null}
      </FormSection>

      <FormSection title="Address" description="The customer’s postal address.">
        <TextField {...bind('address.line1')} maxLength={200} className="field-full" />
        <TextField {...bind('address.line2')} maxLength={200} className="field-full" />
        <TextField {...bind('address.city')} maxLength={100} />
        <TextField {...bind('address.region')} maxLength={100} />
        <TextField {...bind('address.postalCode')} maxLength={20} />
        <TextField {...bind('address.country')} maxLength={2} width="short" placeholder="US" hint="Two-letter code." />
      </FormSection>

      <FormSection
        title="LTI"
        description="LTI 1.1: Lectern generates the consumer key and shared secret when the customer is added. LTI 1.3: register the LMS below, or later with the Dynamic Registration URL."
      >
        <SelectField {...bindChoice('lti.version')} options={LTI_VERSION_OPTIONS} />
        {lti13 ? (
          <fieldset className="field-full lti13-platform">
            <legend>LTI 1.3 platform (from the LMS’s developer key or tool registration)</legend>
            <TextField {...bind('lti.platforms.0.issuer')} maxLength={2000} placeholder="https://canvas.instructure.com" hint="An identifier: Lectern never calls it." />
            <TextField {...bind('lti.platforms.0.clientId')} maxLength={255} />
            <TextField {...bind('lti.platforms.0.deploymentIds')} maxLength={2000} hint="One or more, separated by commas." className="field-full" />
            <TextField {...bind('lti.platforms.0.authLoginUrl')} maxLength={2000} className="field-full" />
            <TextField {...bind('lti.platforms.0.authTokenUrl')} maxLength={2000} className="field-full" />
            <TextField {...bind('lti.platforms.0.jwksUrl')} maxLength={2000} className="field-full" />
          </fieldset>
        ) : null}
        {lti13 ? (
          <CheckboxField
            name="lti.syncRosterOnLaunch"
            label={FIELD_LABELS['lti.syncRosterOnLaunch']}
            checked={values['lti.syncRosterOnLaunch'] === 'true'}
            onChange={(checked) => {
              change('lti.syncRosterOnLaunch', checked ? 'true' : '');
              touch('lti.syncRosterOnLaunch');
            }}
            error={visible['lti.syncRosterOnLaunch']}
            hint="After a teacher opens Lectern from a course, pull the course’s members (NRPS)."
            className="field-full"
          />
        ) : null}
        <RadioGroup
          {...bindChoice('lti.unmatchedUsers')}
          options={UNMATCHED_USERS_OPTIONS}
          className="field-full"
          hint="A launch from the school’s LMS signs a person in as the rostered user their Match with rule and Suffix find. When it finds nobody, Lectern can give them an LTI-only reader account (roster syncs never delete it, and once a sync brings them, their next launch moves to the rostered account with their reading progress), or send them back to the LMS with a message."
        />
      </FormSection>

      <FormSection title="Rostering" description="How students, teachers and classes reach Lectern.">
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
            label={FIELD_LABELS.acceptTerms}
            checked={values.acceptTerms === 'true'}
            onChange={(checked) => {
              change('acceptTerms', checked ? 'true' : '');
              touch('acceptTerms');
            }}
            error={visible.acceptTerms}
            required
          >
            I accept the Privacy Policy and Terms of Service on behalf of this customer.
          </CheckboxField>
        </div>
      ) : null}

      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

function FormSection({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase()}`;
  return (
    <section className="form-section" aria-labelledby={id}>
      <div className="form-section-intro">
        <h2 id={id}>{title}</h2>
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
  const i = FIELD_ORDER.indexOf(field);
  return i === -1 ? FIELD_ORDER.length : i;
}
