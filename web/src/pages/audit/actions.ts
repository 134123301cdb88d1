/** What each audit action means, in words, for the Audit page; an action not listed shows its code. */
export const ACTION_LABELS: Record<string, string> = {
  'user.viewed': "Opened a person's page",
  'users.searched': 'Searched the users',
  'users.exported': 'Downloaded users (CSV)',
  'class.roster_viewed': "Opened a class's roster",
  'run.issues_downloaded': "Downloaded a run's issues (CSV)",
  'run.changes_viewed': "Viewed a run's plan of people",
  'lti.outcomes_viewed': 'Viewed grade reports',
  'audit.exported': 'Downloaded the audit log (CSV)',
  'customer.export': "Exported the customer's data",
  'login_cards.printed_qr': 'Printed login cards (QR sign-in)',
  'login_cards.printed_password': 'Printed login cards (new passwords)',
  'user.created': 'Added a user',
  'user.updated': 'Edited a user',
  'user.disabled': 'Disabled a user',
  'user.enabled': 'Enabled a user',
  'user.restored': 'Restored a user',
  'user.password_changed': 'Changed their own password',
  'customer.created': 'Added the customer',
  'customer.updated': "Changed the customer's settings",
  'customer.disabled': 'Disabled the customer',
  'customer.enabled': 'Enabled the customer',
  'customer.lti_secret_rotated': 'Rotated the LTI secret',
  'user.erased': 'Erased a person',
  'customer.erased': 'Erased the customer',
  'book.uploaded': 'Uploaded a title',
  'book.updated': 'Edited a title',
  'book.deleted': 'Deleted a title',
  'token.created': 'Created an API token',
  'token.revoked': 'Revoked an API token',
};

/** The words for an action (a password set by an admin names its reason after the last dot). */
export function actionLabel(action: string): string {
  if (action.startsWith('user.password_set.')) return 'Set a password';
  return ACTION_LABELS[action] ?? action;
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
