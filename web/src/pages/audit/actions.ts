import i18next from 'i18next';

/**
 * The words for an action in the page's language, from the catalogue's `audit:actions` (the action
 * with its dots as underscores); a password set by an admin names its reason after the last dot, and
 * an action the catalogue lacks shows its code.
 */
export function actionLabel(action: string): string {
  const key = action.startsWith('user.password_set.') ? 'user_password_set' : action.replaceAll('.', '_');
  return i18next.exists(`audit:actions.${key}`) ? i18next.t(`audit:actions.${key}`) : action;
}

/** Actions to suggest in the filter: the reads first, then every prefix the log groups by. */
export const ACTION_SUGGESTIONS: readonly string[] = [
  'user.viewed',
  'users.searched',
  'users.exported',
  'class.roster_viewed',
  'run.issues_downloaded',
  'run.changes_viewed',
  'lti.outcomes_viewed',
  'audit.exported',
  'customer.export',
  'login_cards',
  'user',
  'customer',
  'book',
  'collection',
];
