/*
 * What the LTI 1.3 services that call a platform on a person's behalf (launches, Dynamic
 * Registration) are built with, said once so that each adds only what is its own.
 */
import type { OutboundClient } from '../security/outbound.js';

/** The options every LTI 1.3 service that calls a platform takes. */
export interface Lti13ServiceOptions {
  /** LECTERN_PUBLIC_URL: the tool's own URLs are made from it. */
  publicUrl: string;
  /** The guarded client (security/outbound.ts) every call to the platform goes through. */
  outbound: Pick<OutboundClient, 'request'>;
  /** The clock; tests set it. */
  now?: () => Date;
}
