/*
 * The access-audit decision of every route that reads (every GET of the OpenAPI document, and the
 * POST that prints login cards): either it logs one audit entry, saying which and about what, or it
 * is exempt, saying why. read-routes.test.ts checks this list against the app's routes both ways
 * (a new GET without a decision fails, as does a decision for a route that is gone) and calls every
 * route: a logging one must write exactly one entry about the right record, an exempt one none.
 */

/** What a logged read's entry is about: the record its `target_type`/`target_id` name (`users`: people chosen one by one, counted). */
export type TargetKind = 'user' | 'class' | 'run' | 'customer' | 'platform' | 'users';

/** A route that logs: the action and kind of its entry, what it is about, and how to call it so it logs. */
export interface Logged {
  action: string;
  /** Reads are `read`; printing login cards changes passwords or mints sign-ins, so it is a `write` that also names whom it was for. */
  kind: 'read' | 'write';
  target: TargetKind;
  /** Whether the entry names the person (`subject_user_id`): a user's page, or a login card for one person. */
  subject: boolean;
  /** Query string that makes the request log (e.g. a search), when it logs only on some requests. */
  query?: string;
  /** A request to the same route that does not log, and why that is right. */
  quiet?: { query: string; why: string };
  /** The JSON body, for a POST. */
  body?: 'one student, QR';
}

/** A route that shows no one's personal data to anyone but its owner, or none at all. */
export interface Exempt {
  exempt: string;
}

/** Every reading route, by method and OpenAPI path. */
export const READ_ROUTES: Record<string, Logged | Exempt> = {
  // People: the reads the issue names.
  'GET /api/customers/{id}/users/{userId}': { action: 'user.viewed', kind: 'read', target: 'user', subject: true },
  'GET /api/customers/{id}/classes/{classId}': { action: 'class.roster_viewed', kind: 'read', target: 'class', subject: false },
  'GET /api/customers/{id}/users': {
    action: 'users.searched',
    kind: 'read',
    target: 'customer',
    subject: false,
    query: 'search=a',
    quiet: {
      query: '',
      why: 'browsing the Users list shows what a school directory shows (name, login, role, status) and is what the tab does on every visit; a search looks for someone, and what is opened from the list is logged',
    },
  },
  'GET /api/customers/{id}/users.csv': { action: 'users.exported', kind: 'read', target: 'customer', subject: false },
  'GET /api/customers/{id}/roster/runs/{runId}/issues.csv': { action: 'run.issues_downloaded', kind: 'read', target: 'run', subject: false },
  'GET /api/customers/{id}/roster/runs/{runId}/changes': {
    action: 'run.changes_viewed',
    kind: 'read',
    target: 'run',
    subject: false,
    query: 'entity=users',
    quiet: { query: 'entity=orgs', why: 'a page of the plan that lists no users or enrollments names no one' },
  },
  'GET /api/customers/{id}/lti/outcomes': { action: 'lti.outcomes_viewed', kind: 'read', target: 'customer', subject: false },
  'GET /api/customers/{id}/export': { action: 'customer.export', kind: 'read', target: 'customer', subject: false },
  'GET /api/audit.csv': { action: 'audit.exported', kind: 'read', target: 'platform', subject: false },
  'POST /api/customers/{id}/login-cards': { action: 'login_cards.printed_qr', kind: 'write', target: 'users', subject: true, body: 'one student, QR' },

  // Exempt, and why.
  'GET /api/customers/{id}/offboarding': { exempt: "the customer's offboarding period and when it was disabled, no people" },
  'GET /api/erasures': { exempt: 'erasure certificates: counts, hashes and the staff who erased, never a value of the erased' },
  'GET /api/customers/{id}/erasures/{erasureId}': { exempt: 'one erasure certificate: counts, hashes and the staff who erased' },
  'GET /api/customers/{id}/erasures/{erasureId}/certificate.pdf': { exempt: 'the same certificate as a PDF' },
  'GET /api/customers/{id}/roster/runs/{runId}/issues': {
    exempt: "issues carry sourcedIds, codes and messages built from column names, never a person's values; the CSV download, a copy that leaves Lectern, is logged",
  },
  'GET /api/customers/{id}/users/{userId}/books': { exempt: 'part of the user page, whose opening is logged (user.viewed); titles only' },
  'GET /api/audit': {
    exempt: 'reading the log names staff logins and ids of the people concerned; logging each look at the log would bury the entries it is read for. Its CSV download is logged',
  },
  'GET /api/customers/{id}/audit': { exempt: "the customer's change history (settings, staff actions); its entries name ids, not people's data" },
  'GET /api/customers': { exempt: 'customers and their contact (staff), no student data' },
  'GET /api/customers/{id}': { exempt: "the customer's settings and its administrator's contact (staff), no student data" },
  'GET /api/customers/{id}/classes': { exempt: 'class titles and codes, no people' },
  'GET /api/customers/{id}/classes/{classId}/books': { exempt: 'titles assigned to a class, no people' },
  'GET /api/customers/{id}/classes/{classId}/lms-sync': { exempt: 'the LMS course a class came from, no people' },
  'GET /api/customers/{id}/schools': { exempt: 'schools (orgs), no people' },
  'GET /api/customers/{id}/collections': { exempt: 'collections of titles, no people' },
  'GET /api/customers/{id}/collections/{collectionId}': { exempt: 'a collection of titles, no people' },
  'GET /api/customers/{id}/content': { exempt: 'titles, no people' },
  'GET /api/customers/{id}/content/{bookId}': { exempt: 'a title, no people' },
  'GET /api/customers/{id}/content/{bookId}/cover': { exempt: "a title's cover image" },
  'GET /api/customers/{id}/notifications/deliveries': { exempt: 'webhook deliveries of run events: ids, status codes, no people' },
  'GET /api/customers/{id}/notifications/webhook': { exempt: "the customer's webhook settings" },
  'GET /api/customers/{id}/roster/runs': { exempt: 'runs: file names, counts, the staff login that started each; no student data' },
  'GET /api/customers/{id}/roster/runs/{runId}': { exempt: 'one run: status, stage, counts; no student data' },
  'GET /api/status': { exempt: "every customer's feed state and counts, no people" },
  'GET /api/lti/1.3/keys': { exempt: "the tool's public key ids and states" },
  'GET /api/auth/session': { exempt: "the signed-in person's own account" },
  'GET /api/auth/tokens': { exempt: "the signed-in person's own API tokens (names and prefixes)" },
  'GET /api/notifications/preferences': { exempt: "the signed-in person's own e-mail preferences" },
  'GET /api/reader/bookshelf': { exempt: "the reader's own bookshelf" },
  'GET /api/reader/books/{id}': { exempt: "the reader's own title" },
  'GET /api/reader/books/{id}/cover': { exempt: "a cover of the reader's own title" },
  'GET /api/reader/books/{id}/file': { exempt: "the reader's own title's file" },
  'GET /api/reader/books/{id}/progress': { exempt: "the reader's own reading progress" },
  'GET /api/reader/collections/{id}': { exempt: "the reader's own collection" },
  'GET /api/reader/settings': { exempt: "the reader's own reading settings" },
  'GET /api/health': { exempt: 'service health, no data' },
  'GET /api/meta/limits': { exempt: 'upload limits, no data' },
  'GET /api/meta/next-run': { exempt: 'when a schedule would run next, computed from the form, no data' },
  'GET /api/meta/time-zones': { exempt: 'the list of time zones' },
  'GET /lti/1.3/jwks': { exempt: "the tool's public keys" },
  'GET /lti/1.3/login': { exempt: 'the LTI 1.3 login step: a redirect to the LMS, no data' },
  'GET /lti/1.3/covers/{customerId}/{bookId}': { exempt: 'a cover image for the deep-linking picker' },
};

/** Whether a decision logs. */
export function isLogged(d: Logged | Exempt): d is Logged {
  return 'action' in d;
}
