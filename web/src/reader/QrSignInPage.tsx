import { useEffect, useState } from 'react';
import { api, messageOf } from '../api.js';
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
  useTitle('Signing in');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = window.location.hash.slice(1);
    window.history.replaceState(null, '', '/reader/qr');
    if (!token) {
      if (!redeeming.size) setError('This address has no sign-in code. Scan the code on your card again.');
      return;
    }
    if (!redeeming.has(token)) redeeming.set(token, api.post('/api/auth/qr', { token }));
    redeeming.get(token)!.then(
      // A full load, so the reader starts with the new session rather than the one before.
      () => window.location.replace('/reader'),
      (err: unknown) => setError(messageOf(err)),
    );
  }, []);
  return (
    <AuthCard title="Signing you in" lead="One moment: opening your bookshelf." footer="Lost your card? Ask your teacher for a new one.">
      {error ? (
        <>
          <Banner kind="error">{error}</Banner>
          <p>
            <a href="/reader/login">Sign in with your username and password</a>
          </p>
        </>
      ) : (
        <p className="loading">Checking your card…</p>
      )}
    </AuthCard>
  );
}
