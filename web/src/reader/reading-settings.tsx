/*
 * The reader's own settings (font, text size, line spacing, theme, language), kept on the server per
 * user so every device reads the same way. The theme is set on <html data-theme>, where the reader's
 * styles pick it up; the language goes through i18n. Signed out, only the language exists, on this device.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, messageOf } from '../api.js';
import { LanguageSwitch as Switch } from '../components/LanguageSwitch.js';
import { deviceLanguage, setLanguage } from '../i18n/index.js';
import { useSession } from '../session.js';
import { DEFAULT_READER_SETTINGS, type ReaderSettings } from './types.js';

interface ReaderSettingsState {
  settings: ReaderSettings;
  /** Changes some settings at once on the page, then saves them (signed in). */
  update(change: Partial<ReaderSettings>): void;
  /** Why the last save failed, if it did. */
  saveError: string | null;
}

const SettingsContext = createContext<ReaderSettingsState | null>(null);

/** Loads the signed-in reader's settings and applies theme and language to the whole reader. */
export function ReaderSettingsProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const [settings, setSettings] = useState<ReaderSettings>(DEFAULT_READER_SETTINGS);
  const [saveError, setSaveError] = useState<string | null>(null);
  const latest = useRef(settings);
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  // Until a one-time password is replaced the API answers nothing else; the settings load after.
  const readable = Boolean(user?.customerId) && !user?.mustChangePassword;

  useEffect(() => {
    let current = true;
    if (!readable) {
      latest.current = DEFAULT_READER_SETTINGS;
      setSettings(DEFAULT_READER_SETTINGS);
      return;
    }
    api
      .get<ReaderSettings>('/api/reader/settings')
      .then(async (saved) => {
        if (!current) return;
        latest.current = saved;
        setSettings(saved);
        if (saved.language) await setLanguage(saved.language, { remember: true });
      })
      // Without them the reader still works, with the defaults.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [readable]);

  useEffect(() => {
    document.documentElement.dataset.theme = settings.theme;
  }, [settings.theme]);

  const update = useCallback(
    (change: Partial<ReaderSettings>) => {
      const next = { ...latest.current, ...change };
      latest.current = next;
      setSettings(next);
      if (change.language !== undefined) void setLanguage(change.language ?? deviceLanguage(), { remember: change.language !== null });
      if (!readable) return;
      // One save after another, each with everything chosen so far: the last one wins, as on screen.
      saving.current = saving.current.then(() =>
        api.put<ReaderSettings>('/api/reader/settings', latest.current).then(
          () => setSaveError(null),
          (err: unknown) => setSaveError(messageOf(err)),
        ),
      );
    },
    [readable],
  );

  const value = useMemo(() => ({ settings, update, saveError }), [settings, update, saveError]);
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

/** The reader's settings; only inside ReaderSettingsProvider. */
export function useReaderSettings(): ReaderSettingsState {
  const s = useContext(SettingsContext);
  if (!s) throw new Error('useReaderSettings outside ReaderSettingsProvider');
  return s;
}

/** The reader's language switch: the choice is one of the reader's settings (saved to the account when signed in). */
export function LanguageSwitch({ className = '' }: { className?: string }) {
  const { update } = useReaderSettings();
  return <Switch className={className} onChange={(language) => update({ language })} />;
}
