/*
 * The words of the LTI pages a student may see (a refused launch, the open-in-a-new-window page) in
 * each language the reader speaks, chosen from the browser's Accept-Language: a launch arrives
 * before any session, so there is no saved choice to read. Messages are translated by error code
 * when the page shows the code's standard message; a launch-specific detail (for the LMS admin)
 * stays as it was written.
 */
import { errorCatalog, type ErrorCode } from '../errors.js';

/** What an LTI page says, in one language. */
export interface PageWords {
  errorTitle: string;
  ticketTitle: string;
  ticketMessage: string;
  ticketButton: string;
  /** Standard messages of the codes a student may meet at a launch. */
  messages: Partial<Record<ErrorCode, string>>;
}

const ENGLISH: PageWords = {
  errorTitle: 'Lectern could not open',
  ticketTitle: 'Open Lectern',
  ticketMessage: 'Your school’s LMS shows Lectern inside its page, where the browser will not keep you signed in. Open it in its own window to read.',
  ticketButton: 'Open Lectern in a new window',
  messages: {},
};

const SPANISH: PageWords = {
  errorTitle: 'No se pudo abrir Lectern',
  ticketTitle: 'Abrir Lectern',
  ticketMessage: 'El LMS de tu escuela muestra Lectern dentro de su página, donde el navegador no mantiene tu sesión. Ábrelo en su propia ventana para leer.',
  ticketButton: 'Abrir Lectern en una ventana nueva',
  messages: {
    ACCOUNT_DISABLED: 'Esta cuenta está desactivada. Pregunta a tu docente o al administrador de tu escuela.',
    RATE_LIMITED: 'Demasiados intentos. Espera un momento y vuelve a intentarlo.',
    CUSTOMER_DISABLED: 'Esta organización está desactivada. Contacta con tu administrador.',
    LTI_EXPIRED: 'Este acceso desde el LMS ha caducado o la hora no coincide. Vuelve a abrirlo desde tu curso.',
    LTI_REPLAYED: 'Este acceso desde el LMS ya se usó. Vuelve a abrirlo desde tu curso.',
    LTI_UNKNOWN_USER: 'Tu cuenta del LMS no está vinculada a una cuenta de Lectern. Pide a tu escuela que te añada a su lista de clase.',
    LTI_ACCOUNT_REMOVED: 'Tu escuela eliminó tu cuenta de Lectern. Contacta con tu docente o con el administrador.',
    LTI_AMBIGUOUS_USER: 'Hay más de una cuenta de Lectern que coincide con tu cuenta del LMS. Pide a tu administrador que corrija la lista de clase.',
    LTI_ADMIN_ACCOUNT: 'Las cuentas de administrador no se pueden abrir desde el LMS. Inicia sesión directamente en Lectern.',
    LTI_TARGET_UNAVAILABLE: 'Este título o colección no está disponible para ti. Pide a tu docente que te lo asigne.',
    LTI_TICKET_INVALID: 'Este enlace ha caducado o ya se usó. Vuelve a abrir Lectern desde tu curso.',
    LTI_DEEP_LINK_ROLE: 'Solo los docentes y diseñadores del curso pueden añadir títulos de Lectern a un curso. Pide a tu docente que añada la lectura.',
    LTI_DEEP_LINK_EXPIRED: 'Este selector de títulos ha caducado o ya se usó. Vuelve a abrirlo desde tu curso.',
    LTI_VERSION_RETIRED: 'Esta organización ahora se conecta a Lectern con LTI 1.3. Pide a tu administrador que sustituya este enlace LTI 1.1 en el LMS.',
  },
};

const LANGUAGES: Record<string, PageWords> = { en: ENGLISH, es: SPANISH };

/** The page language for an Accept-Language header: the most preferred one there are words for, else English. */
export function pageLanguage(acceptLanguage: string | undefined): 'en' | 'es' {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const found = wanted.find((w) => w.base in LANGUAGES);
  return found?.base === 'es' ? 'es' : 'en';
}

/** The words of the pages in `language`. */
export function pageWords(language: 'en' | 'es'): PageWords {
  return LANGUAGES[language] ?? ENGLISH;
}

/** `message` in `language` when it is `code`'s standard message and there is a translation; else as given. */
export function translatedMessage(language: 'en' | 'es', code: string | undefined, message: string): string {
  if (!code || !(code in errorCatalog)) return message;
  const standard = errorCatalog[code as ErrorCode].message;
  return message === standard ? (pageWords(language).messages[code as ErrorCode] ?? message) : message;
}
