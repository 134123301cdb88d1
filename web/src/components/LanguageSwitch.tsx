import { useTranslation } from 'react-i18next';
import { LANGUAGES, languageName, setLanguage } from '../i18n/index.js';

/**
 * The language switch: every language there is a catalogue for, each named in its own language.
 * By default the choice is kept on this device (the console's pages, and the reader's before sign-in);
 * `onChange` replaces that (the reader saves it to the reader's settings). `hideLabel` keeps the label
 * for screen readers only (the top bar, where the languages' names say what the control is).
 */
export function LanguageSwitch({ className = '', onChange, hideLabel = false }: { className?: string; onChange?: (lng: string) => void; hideLabel?: boolean }) {
  const { t, i18n } = useTranslation('common');
  const choose = onChange ?? ((lng: string) => void setLanguage(lng, { remember: true }));
  return (
    <label className={`language-switch ${className}`}>
      <span className={hideLabel ? 'language-switch-label visually-hidden' : 'language-switch-label'}>{t('language')}</span>
      <select value={i18n.language} onChange={(e) => choose(e.target.value)}>
        {LANGUAGES.map((tag) => (
          <option key={tag} value={tag} lang={tag}>
            {languageName(tag)}
          </option>
        ))}
      </select>
    </label>
  );
}
