import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { RadioGroup, SelectField, TextField } from '../components/fields.js';
import { AUTHORIZATION_OPTIONS, FREQUENCY_OPTIONS, MATCH_WITH_OPTIONS, ONEROSTER_VERSION_OPTIONS, PERIOD_OPTIONS, SYNC_TYPE_OPTIONS } from '../labels.js';
import type { Bind } from './CustomerForm.js';
import { showsPeriod, type FormValues } from './model.js';
import { NextRunHint } from './NextRunHint.js';

/**
 * The OneRoster settings, shown when Rostering type is OneRoster. Which fields appear depends on
 * the Sync Type and Sync Frequency, as the server's rules require.
 */
export function RosteringFields({
  values,
  bind,
  secretPlaceholder,
  suffixPreview,
  connectionTest,
}: {
  values: FormValues;
  bind: Bind;
  /** Placeholders for write-only secrets that are already stored (edit mode). */
  secretPlaceholder: { secretKey?: string; sftpPassword?: string; sftpPrivateKey?: string };
  /** The login the Suffix gives, under the Suffix field. */
  suffixPreview: ReactNode;
  /** The Test connection button and its report, at the end of the API or SFTP settings. */
  connectionTest: ReactNode;
}) {
  const { t } = useTranslation('customerForm');
  const syncType = values['rostering.syncType'];
  const isZip = syncType === 'zip';
  // ZIP Upload runs when someone uploads a file, so Auto is not offered at all.
  const frequencies = isZip ? FREQUENCY_OPTIONS.filter((o) => o.value !== 'auto') : FREQUENCY_OPTIONS;
  const oauth2 = values['rostering.authorization'] === 'oauth2-client-credentials';

  return (
    <div className="subsection" data-testid="oneroster-settings">
      <div className="form-grid">
        <RadioGroup {...bind('rostering.syncType')} options={SYNC_TYPE_OPTIONS} className="field-full" />
        <SelectField {...bind('rostering.oneRosterVersion')} options={ONEROSTER_VERSION_OPTIONS} />
        <SelectField {...bind('rostering.matchWith')} options={MATCH_WITH_OPTIONS} placeholder={t('choose')} hint={t('matchWithHint')} />
        <RadioGroup {...bind('rostering.syncFrequency')} options={frequencies} hint={isZip ? t('frequencyHintZip') : t('frequencyHint')} />
        {showsPeriod(values) ? (
          <SelectField
            {...bind('rostering.period')}
            options={PERIOD_OPTIONS}
            placeholder={t('choose')}
            after={<NextRunHint period={values['rostering.period']} timeZone={values['profile.timeZone']} />}
          />
        ) : null}
        <TextField {...bind('rostering.suffix')} placeholder="@lincoln" hint={t('suffixHint')} maxLength={64} spellCheck={false} after={suffixPreview} />
        <TextField {...bind('rostering.clientPartnerId')} maxLength={100} hint={isZip ? t('clientPartnerIdHint') : undefined} />
      </div>

      {syncType === 'api' ? (
        <fieldset className="connection">
          <legend>{t('apiLegend')}</legend>
          <div className="form-grid">
            <TextField {...bind('rostering.url')} type="url" placeholder="https://sis.example.org/ims/oneroster/v1p1" className="field-full" spellCheck={false} />
            <TextField {...bind('rostering.consumerKey')} spellCheck={false} />
            <TextField {...bind('rostering.secretKey')} type="password" autoComplete="new-password" placeholder={secretPlaceholder.secretKey} />
            <SelectField {...bind('rostering.authorization')} options={AUTHORIZATION_OPTIONS} />
            {oauth2 ? (
              <>
                <TextField {...bind('rostering.tokenUrl')} type="url" placeholder="https://sis.example.org/oauth/token" spellCheck={false} />
                <TextField {...bind('rostering.scope')} spellCheck={false} hint={t('scopeHint')} />
              </>
            ) : null}
            {connectionTest}
          </div>
        </fieldset>
      ) : null}

      {syncType === 'sftp' ? (
        <fieldset className="connection">
          <legend>{t('sftpLegend')}</legend>
          <div className="form-grid">
            <TextField {...bind('rostering.sftp.host')} placeholder="sftp.example.org" spellCheck={false} />
            <TextField {...bind('rostering.sftp.port')} inputMode="numeric" width="short" maxLength={5} />
            <TextField {...bind('rostering.sftp.username')} spellCheck={false} />
            <TextField {...bind('rostering.sftp.password')} type="password" autoComplete="new-password" placeholder={secretPlaceholder.sftpPassword} />
            <TextField {...bind('rostering.sftp.path')} placeholder="/uploads" spellCheck={false} />
            <TextField {...bind('rostering.sftp.fileName')} placeholder="roster.zip" spellCheck={false} hint={t('fileNameHint')} />
            <TextField
              {...bind('rostering.sftp.privateKey')}
              rows={4}
              width="full"
              spellCheck={false}
              placeholder={secretPlaceholder.sftpPrivateKey ?? '-----BEGIN OPENSSH PRIVATE KEY-----'}
              hint={t('privateKeyHint')}
            />
            <TextField {...bind('rostering.sftp.hostKeyFingerprint')} width="full" spellCheck={false} placeholder="SHA256:…" hint={t('hostKeyHint')} />
            {connectionTest}
          </div>
        </fieldset>
      ) : null}
    </div>
  );
}
