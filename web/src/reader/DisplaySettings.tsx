import { useTranslation } from 'react-i18next';
import { Banner } from '../components/Banner.js';
import { Dialog } from '../components/Dialog.js';
import { RadioGroup } from '../components/fields.js';
import { LanguageSwitch, useReaderSettings } from './reading-settings.js';
import { READER_FONT_SIZE } from './types.js';

// Text sizes the A− / A+ buttons step through, in percent of the book's own.
const FONT_SIZES = [85, 100, 115, 130, 150, 175, 200].filter((s) => s >= READER_FONT_SIZE.min && s <= READER_FONT_SIZE.max);

/** The next text size up (+1) or down (-1) from `current`, or `current` at either end. */
export function stepFontSize(current: number, direction: -1 | 1): number {
  const next = direction === 1 ? FONT_SIZES.find((s) => s > current) : [...FONT_SIZES].reverse().find((s) => s < current);
  return next ?? current;
}

/** A− and A+: the text size of an EPUB, saved with the reader's settings. */
export function TextSizeButtons({ disabled, className = '' }: { disabled?: boolean; className?: string }) {
  const { t } = useTranslation('book');
  const { settings, update } = useReaderSettings();
  const size = settings.fontSize;
  return (
    <div className={`text-size ${className}`} role="group" aria-label={t('textSize', { percent: size })}>
      <button type="button" className="btn btn-small reading-tool" onClick={() => update({ fontSize: stepFontSize(size, -1) })} disabled={disabled || stepFontSize(size, -1) === size}>
        {/* A− and A+ are symbols, not a label: the name is hidden text (an aria-label beside a visible "A−" fails WCAG 2.5.3, label in name). */}
        <span aria-hidden="true">A−</span>
        <span className="visually-hidden">{t('smallerText')}</span>
      </button>
      <button type="button" className="btn btn-small reading-tool" onClick={() => update({ fontSize: stepFontSize(size, 1) })} disabled={disabled || stepFontSize(size, 1) === size}>
        <span aria-hidden="true" className="text-size-large">
          A+
        </span>
        <span className="visually-hidden">{t('largerText')}</span>
      </button>
    </div>
  );
}

/** The display settings dialog: font, text size, line spacing (EPUB), theme and language. */
export function DisplaySettingsDialog({ open, onClose, format }: { open: boolean; onClose: () => void; format: 'epub' | 'pdf' }) {
  const { t } = useTranslation('settings');
  const { settings, update, saveError } = useReaderSettings();
  return (
    <Dialog
      title={t('title')}
      open={open}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          {t('common:close')}
        </button>
      }
    >
      <div className="display-settings">
        {saveError ? <Banner kind="error">{t('saveFailed', { message: saveError })}</Banner> : null}
        {format === 'epub' ? (
          <>
            <RadioGroup
              name="reader-font"
              label={t('font')}
              value={settings.font}
              onChange={(font) => update({ font: font as typeof settings.font })}
              options={[
                { value: 'book', label: t('fontBook') },
                { value: 'serif', label: t('fontSerif') },
                { value: 'sans', label: t('fontSans') },
                { value: 'dyslexic', label: t('fontDyslexic') },
              ]}
              className="font-choice"
            />
            <div className="field">
              <span className="display-settings-label">{t('textSize')}</span>
              <div className="display-settings-size">
                <TextSizeButtons className="text-size-dialog" />
                <span aria-hidden="true">{settings.fontSize}%</span>
              </div>
            </div>
            <RadioGroup
              name="reader-line-spacing"
              label={t('lineSpacing')}
              value={settings.lineSpacing}
              onChange={(lineSpacing) => update({ lineSpacing: lineSpacing as typeof settings.lineSpacing })}
              options={[
                { value: 'normal', label: t('spacingNormal') },
                { value: 'relaxed', label: t('spacingRelaxed') },
                { value: 'loose', label: t('spacingLoose') },
              ]}
            />
          </>
        ) : (
          <p className="muted">{t('pdfNote')}</p>
        )}
        <RadioGroup
          name="reader-theme"
          label={t('theme')}
          value={settings.theme}
          onChange={(theme) => update({ theme: theme as typeof settings.theme })}
          options={[
            { value: 'standard', label: t('themeStandard') },
            { value: 'high-contrast', label: t('themeHighContrast') },
          ]}
        />
        <LanguageSwitch className="field" />
        <p className="muted display-settings-note">{t('savedEverywhere')}</p>
      </div>
    </Dialog>
  );
}
