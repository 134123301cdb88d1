/*
 * Why an LTI 1.3 launch (or a Dynamic Registration) was refused. Each refusal has a stable LTI13_*
 * code (for logs, tests and the LMS's lti_errorlog) and a message for the person who launched. It
 * is an AppError too, carrying the nearest code of the shared catalogue, so the launch routes' error
 * handler gives it the right 4xx status and page without the catalogue growing LTI 1.3 entries.
 *
 * Where the refusal may send the person: before the token verified (its signature against the
 * platform's keys, and its issuer), nothing in it can be trusted, so only an error page, never a
 * redirect (no open redirect for forgers). After, the platform itself signed its
 * launch_presentation.return_url, so a refusal may go back there with lti_errormsg (DESIGN.md, "LTI
 * 1.3 (LTI Advantage) customers").
 */
import { AppError, type ErrorCode } from '../errors.js';

const CATALOG = {
  LTI13_MALFORMED: { app: 'LTI_INVALID_LAUNCH', message: 'This LTI launch is not a valid LTI 1.3 message. Please launch Lectern again from your course.' },
  LTI13_ALG: { app: 'LTI_UNSUPPORTED_SIGNATURE', message: 'This LTI launch is signed with a method Lectern does not accept: LTI 1.3 launches must be signed with RS256.' },
  LTI13_BAD_SIGNATURE: {
    app: 'LTI_INVALID_SIGNATURE',
    message: "This LTI launch could not be verified with your LMS's public keys. Ask your administrator to check the platform's JWKS URL registered in Lectern.",
  },
  LTI13_UNKNOWN_KID: {
    app: 'LTI_INVALID_SIGNATURE',
    message: "This LTI launch is signed with a key your LMS does not publish. Ask your administrator to check the platform's JWKS URL registered in Lectern.",
  },
  LTI13_JWKS_UNAVAILABLE: {
    app: 'SOURCE_UNREACHABLE',
    message: "Lectern could not get your LMS's public keys to verify this launch. Please try again in a minute; if it keeps failing, ask your administrator to check the platform's JWKS URL.",
  },
  LTI13_WRONG_ISSUER: { app: 'LTI_INVALID_SIGNATURE', message: 'This LTI launch comes from another LMS than the one registered for it. Please launch Lectern again from your course.' },
  LTI13_WRONG_AUDIENCE: {
    app: 'LTI_INVALID_SIGNATURE',
    message: "This LTI launch was meant for another tool: it does not name Lectern's client ID. Ask your administrator to check the client ID registered in Lectern.",
  },
  LTI13_EXPIRED: { app: 'LTI_EXPIRED', message: 'This LTI launch has expired or a clock is off. Please launch Lectern again.' },
  LTI13_NOT_YET_VALID: { app: 'LTI_EXPIRED', message: "This LTI launch is dated in the future: your LMS's clock or Lectern's is off. Please launch Lectern again." },
  LTI13_NONCE: { app: 'LTI_REPLAYED', message: 'This LTI launch was already used or does not belong to this sign-in. Please launch Lectern again from your course.' },
  LTI13_UNKNOWN_DEPLOYMENT: {
    app: 'LTI_INVALID_LAUNCH',
    message: 'This LTI deployment is not registered with Lectern. Ask your administrator to add its deployment ID to the platform registration.',
  },
  LTI13_MESSAGE_TYPE: { app: 'LTI_INVALID_LAUNCH', message: 'Lectern does not handle this kind of LTI message. Open Lectern from a course link, or add it as content.' },
  LTI13_VERSION: { app: 'LTI_INVALID_LAUNCH', message: 'This LTI launch uses an LTI version Lectern does not support (it needs 1.3.0).' },
  LTI13_CLAIM_MISSING: { app: 'LTI_INVALID_LAUNCH', message: 'This LTI launch is missing required information.' },
  LTI13_CLAIM_INVALID: { app: 'LTI_INVALID_LAUNCH', message: 'This LTI launch carries information in a form Lectern does not accept.' },
  // Dynamic Registration (src/lti13/dynamic-registration.ts): shown to the LMS administrator registering Lectern.
  LTI13_REGISTRATION_LINK: {
    app: 'LTI_TICKET_INVALID',
    message: 'This registration link is not valid: it is incomplete, has expired, was already used, or was replaced by a newer one. Ask your Lectern administrator for a new registration URL.',
  },
  LTI13_REGISTRATION_REQUEST: {
    app: 'BAD_REQUEST',
    message: "This link registers Lectern with an LMS: paste it into your LMS's LTI Dynamic Registration (which adds its openid_configuration), rather than opening it here.",
  },
  LTI13_REGISTRATION_DISABLED: {
    app: 'CUSTOMER_DISABLED',
    message: 'This organisation is disabled in Lectern, so it cannot be registered with an LMS now. Ask your Lectern administrator.',
  },
  LTI13_PLATFORM_UNREACHABLE: { app: 'SOURCE_UNREACHABLE', message: 'Lectern could not reach your LMS to register. Please try again in a minute.' },
  LTI13_PLATFORM_FORBIDDEN: { app: 'OUTBOUND_FORBIDDEN', message: 'Lectern does not call that LMS address.' },
  LTI13_PLATFORM_CONFIGURATION: { app: 'BAD_REQUEST', message: "Your LMS's OpenID configuration cannot be used to register an LTI 1.3 tool." },
  LTI13_REGISTRATION_REFUSED: { app: 'SOURCE_UNREACHABLE', message: 'Your LMS refused to register Lectern.' },
  LTI13_REGISTRATION_INVALID: { app: 'SOURCE_UNREACHABLE', message: "Your LMS's answer to the registration cannot be used." },
  LTI13_REGISTRATION_CONFLICT: { app: 'CONFLICT', message: 'Your LMS gave Lectern a client ID that another Lectern customer already registered. Ask your Lectern administrator.' },
} as const satisfies Record<string, { app: ErrorCode; message: string }>;

/** The stable codes of LTI 1.3 refusals. */
export type Lti13ErrorCode = keyof typeof CATALOG;

/** A refused LTI 1.3 launch; `returnUrl` is set only after the token verified (see above). */
export class Lti13Error extends AppError {
  /** The stable LTI 1.3 code; `code` is the shared catalogue's nearest one (it sets the status). */
  readonly lti13Code: Lti13ErrorCode;
  /** True when the token's signature and issuer verified, so its return URL may be used. */
  readonly afterVerification: boolean;
  /** The platform's launch_presentation.return_url (http or https), only after verification. */
  readonly returnUrl: string | null;
  /** What happened, for the log and the LMS's lti_errorlog: may name claims and values. */
  readonly logMessage: string;

  constructor(lti13Code: Lti13ErrorCode, logMessage: string, opts: { message?: string; returnUrl?: string | null; afterVerification?: boolean; cause?: unknown } = {}) {
    super(CATALOG[lti13Code].app, opts.message ?? CATALOG[lti13Code].message);
    this.name = 'Lti13Error';
    this.lti13Code = lti13Code;
    this.afterVerification = opts.afterVerification ?? false;
    this.returnUrl = this.afterVerification ? (opts.returnUrl ?? null) : null;
    this.logMessage = logMessage;
    if (opts.cause !== undefined) this.cause = opts.cause;
  }
}
