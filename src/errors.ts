/**
 * The one catalogue of error codes. Codes are stable strings that clients and scripts may match
 * on (as Fastify's FST_ERR_*); messages are for people and may be reworded.
 */
export const errorCatalog = {
  VALIDATION_FAILED: { status: 400, message: 'Some fields are not valid.' },
  BAD_REQUEST: { status: 400, message: 'The request could not be understood.' },
  AUTH_REQUIRED: { status: 401, message: 'Please sign in.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The login or password is not correct.' },
  ACCOUNT_DISABLED: { status: 403, message: 'This account is disabled.' },
  ACCOUNT_REMOVED: { status: 403, message: "This account was removed by your school's roster. Ask your school's administrator or your teacher to add you back." },
  FORBIDDEN: { status: 403, message: 'You do not have permission to do that.' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: 'Choose a new password before you continue.' },
  CSRF_FAILED: { status: 403, message: 'The form has expired or came from another site. Reload the page and try again.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  CONFLICT: { status: 409, message: 'That conflicts with an existing record.' },
  ROSTER_MANAGED: { status: 409, message: 'This account is kept by the roster or the LMS: its details are read-only here.' },
  RUN_STATE_CHANGED: { status: 409, message: 'This run is no longer in the state that action needs; reload it to see what happened.' },
  SYNC_IN_PROGRESS: { status: 409, message: 'A roster sync of this customer is already queued or running.' },
  SYNC_NO_SOURCE: { status: 409, message: 'This customer has no roster source to pull from.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'That content type is not supported.' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested byte range is outside the file.' },
  RATE_LIMITED: { status: 429, message: 'Too many attempts. Please wait and try again.' },
  LTI_INVALID_LAUNCH: { status: 400, message: 'This LTI launch is missing required information.' },
  LTI_UNSUPPORTED_SIGNATURE: { status: 400, message: 'This LTI launch is signed with a method Lectern does not accept (use HMAC-SHA1 or HMAC-SHA256).' },
  LTI_INVALID_SIGNATURE: { status: 401, message: 'This LTI launch could not be verified. Check the consumer key, shared secret and launch URL in your LMS.' },
  LTI_EXPIRED: { status: 401, message: 'This LTI launch has expired or its clock is off. Please launch again.' },
  LTI_REPLAYED: { status: 401, message: 'This LTI launch was already used. Please launch again from your course.' },
  LTI_UNKNOWN_USER: { status: 403, message: 'Your LMS account is not linked to a Lectern account. Ask your school to add you to its roster.' },
  LTI_ACCOUNT_REMOVED: { status: 403, message: 'Your Lectern account was removed by your school. Contact your teacher or administrator.' },
  LTI_AMBIGUOUS_USER: { status: 409, message: 'More than one Lectern account matches your LMS account. Ask your administrator to fix the roster.' },
  LTI_ADMIN_ACCOUNT: { status: 403, message: 'Administrator accounts cannot be opened from the LMS. Sign in to Lectern directly.' },
  LTI_TARGET_UNAVAILABLE: { status: 403, message: 'This title or collection is not available to you. Ask your teacher to assign it.' },
  LTI_TICKET_INVALID: { status: 410, message: 'This link has expired or was already used. Please launch Lectern again from your course.' },
  LTI_DEEP_LINK_ROLE: { status: 403, message: 'Only teachers and course designers can add Lectern titles to a course. Ask your teacher to add the reading.' },
  LTI_DEEP_LINK_EXPIRED: { status: 410, message: 'This title picker has expired or was already used. Open it again from your course.' },
  LTI_VERSION_RETIRED: { status: 403, message: 'This organisation now connects to Lectern with LTI 1.3. Ask your administrator to replace this LTI 1.1 link in the LMS.' },
  SIGN_IN_CARD_INVALID: { status: 410, message: 'This sign-in card has expired or was already used. Ask your teacher for a new card, or sign in with your username and password.' },
  CUSTOMER_DISABLED: { status: 403, message: 'This organisation is disabled. Contact your administrator.' },
  SOURCE_UNREACHABLE: { status: 502, message: 'The roster source could not be reached.' },
  SOURCE_AUTH_FAILED: { status: 502, message: 'The roster source refused the credentials.' },
  SOURCE_HOST_KEY_CHANGED: { status: 502, message: "The SFTP server's host key is not the one Lectern trusts." },
  SOURCE_FILE_MISSING: { status: 502, message: 'The roster file is not on the source.' },
  SOURCE_TOO_LARGE: { status: 502, message: 'The roster file is larger than the limit.' },
  SOURCE_TIMEOUT: { status: 504, message: 'The roster source did not answer in time.' },
  SOURCE_RATE_LIMITED: { status: 502, message: 'The roster source kept asking Lectern to slow down.' },
  OUTBOUND_FORBIDDEN: { status: 502, message: 'Lectern does not call that address: it is not public https, and the operator has not allowed it.' },
  BUNDLE_NOT_KEPT: { status: 410, message: 'The roster file is no longer kept; upload it again.' },
  BUNDLE_DAMAGED: { status: 422, message: 'The kept copy of the roster file was altered or damaged; upload it again.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side. The error has been logged.' },
  UNAVAILABLE: { status: 503, message: 'The service is not available right now.' },
} as const;

export type ErrorCode = keyof typeof errorCatalog;

/** One problem with one input field, addressed by a dotted path such as `rostering.sftp.port`. */
export interface FieldIssue {
  field: string;
  message: string;
  code?: string;
}

/** The error every layer throws; the HTTP and CLI layers turn it into a response or exit code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldIssue[];
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, opts: { fields?: FieldIssue[]; headers?: Record<string, string> } = {}) {
    super(message ?? errorCatalog[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.fields = opts.fields ?? [];
    this.headers = opts.headers ?? {};
  }

  /** The JSON body sent to clients: never a stack, never internals. */
  toJSON(): { error: { code: ErrorCode; message: string; fields?: FieldIssue[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields.length ? { fields: this.fields } : {}),
      },
    };
  }
}

/** Shorthand for a validation failure with field-level issues. */
export function validationError(fields: FieldIssue[], message?: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { fields });
}

/** Shorthand for "no such record here", also used for other tenants' records so they stay invisible. */
export function notFound(what = 'Record'): AppError {
  return new AppError('NOT_FOUND', `${what} not found.`);
}
