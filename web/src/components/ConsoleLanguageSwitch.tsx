/*
 * The console's language and where the choice is kept. A user of a customer (customer and institute
 * admins) keeps it with their account, as the reader does: the language of their reading settings
 * (GET/PUT /api/reader/settings), so the console and the reader follow them to every device.
 * Enterprise admins belong to no customer and have no reading settings: theirs stays on the device.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, messageOf, unwrap } from '../api.js';
import { setLanguage } from '../i18n/index.js';
import { useUser } from '../session.js';
import type { Me } from '../types.js';
import { LanguageSwitch } from './LanguageSwitch.js';

/** True when the user's language is kept with their account (their reading settings), false when only on this device. */
export function keepsLanguageWithAccount(user: Me): boolean {
  return Boolean(user.customerId);
}

/** Shows the console in the language kept with the signed-in user's account, when they chose one. */
export function useAccountLanguage(): void {
  const user = useUser();
  const kept = keepsLanguageWithAccount(user);
  useEffect(() => {
    if (!kept) return;
    let current = true;
    unwrap(client.GET('/api/reader/settings'))
      .then(async (saved) => {
        if (current && saved.language) await setLanguage(saved.language, { remember: true });
      })
      // Without them the console stays in this device's language.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [kept, user.id]);
}

/** The console's language switch: the page changes at once, and the choice is kept with the account (or on this device). */
export function ConsoleLanguageSwitch({ className = '', hideLabel = false }: { className?: string; hideLabel?: boolean }) {
  const { t } = useTranslation('frame');
  const user = useUser();
  const [error, setError] = useState<string | null>(null);
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const choose = (lng: string) => {
    setError(null);
    void setLanguage(lng, { remember: true });
    if (!keepsLanguageWithAccount(user)) return;
    // One save after another, each keeping the other reading settings as they are: the last one wins, as on screen.
    saving.current = saving.current.then(async () => {
      try {
        const settings = await unwrap(client.GET('/api/reader/settings'));
        await unwrap(client.PUT('/api/reader/settings', { body: { ...settings, language: lng } }));
      } catch (err) {
        setError(messageOf(err));
      }
    });
  };
  return (
    <div className={`console-language ${className}`}>
      <LanguageSwitch onChange={choose} hideLabel={hideLabel} />
      {error ? (
        <p className="console-language-error" role="alert">
          {t('languageNotSaved', { message: error })}
        </p>
      ) : null}
    </div>
  );
}
