import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, messageOf, unwrap } from '../api.js';
import { AuthCard } from '../components/AuthCard.js';
import { Banner } from '../components/Banner.js';
import { useTitle } from '../components/Layout.js';

// One redemption per token per page load: StrictMode runs effects twice, and a token works once.
const redeeming = new Map<string, Promise<unknown>>();

/**
 * Where a login card's QR code leads (`/reader/qr#<token>`): the token travels in the fragment, which
 * the browser never sends, so it is posted once to sign in and then wiped from the address bar.
 */
export function QrSignInPage() {
  const { t } = useTranslation('auth');
  useTitle(t('qrPageTitle'));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = window.location.hash.slice(1);
    window.history.replaceState(null, '', '/reader/qr');
    if (!token) {
      if (!redeeming.size) setError(t('qrNoCode'));
      return;
    }
    if (!redeeming.has(token)) redeeming.set(token, unwrap(client.POST('/api/auth/qr', { body: { token } })));
    redeeming.get(token)!.then(
      // A full load, so the reader starts with the new session rather than the one before.
      () => window.location.replace('/reader'),
      (err: unknown) => setError(messageOf(err)),
    );
  }, [t]);
  return (
    <AuthCard title={t('qrTitle')} lead={t('qrLead')} footer={t('qrFooter')}>
      {error ? (
        <>
          <Banner kind="error">{error}</Banner>
          <p>
            <a href="/reader/login">{t('qrPassword')}</a>
          </p>
        </>
      ) : (
        <p className="loading">{t('qrChecking')}</p>
      )}
    </AuthCard>
  );
}
