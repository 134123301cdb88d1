// Shared with the web console (types only): keep this module import-light.
import { Type, type Static } from 'typebox';
import type { Selectable } from 'kysely';
import type { ErasureCertificatesTable } from '../../db/schema.js';
import type { ErasureCounts } from './kinds.js';

const Counts = Type.Record(Type.String(), Type.Integer());

/** An erasure certificate as the API shows it (no personal data: codes, uuids, counts, digests). */
export const CertificateView = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['customer', 'person']),
  reason: Type.Enum(['request', 'offboarding'], { description: '`request`: an admin or the CLI; `offboarding`: the daily purge, past the customer’s offboarding period' }),
  customer: Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }),
  personId: Type.Union([Type.String(), Type.Null()], { description: "The erased person's user id (a random uuid); null for a customer" }),
  actor: Type.String({ description: 'Who erased: the login of the admin, `cli` or `Lectern (offboarding)`' }),
  erasedAt: Type.String(),
  counts: Type.Object({
    records: Counts,
    anonymized: Counts,
    files: Type.Object({ content: Type.Integer(), bundles: Type.Integer() }),
    secrets: Type.Integer(),
  }),
  manifestSha256: Type.String({ description: 'SHA-256 (hex) of `manifest`, byte for byte' }),
});
export type CertificateViewT = Static<typeof CertificateView>;

/** A certificate with its manifest: the canonical JSON the hash is made of. */
export const CertificateDetailView = Type.Intersect([
  CertificateView,
  Type.Object({ manifest: Type.String({ description: 'Canonical JSON (sorted keys, no spaces): per table the rows erased with a digest of their keys, per kind the files' }) }),
]);
export type CertificateDetailViewT = Static<typeof CertificateDetailView>;

/** A customer's offboarding: when it was disabled and when the daily purge will erase it. */
export const OffboardingView = Type.Object({
  status: Type.Enum(['active', 'disabled']),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
  /** The customer's own period; null: the operator's default. */
  offboardingDays: Type.Union([Type.Integer(), Type.Null()]),
  defaultDays: Type.Integer({ description: 'LECTERN_OFFBOARDING_DAYS' }),
  /** When the daily purge erases the customer (its first run from then); null while it is active. */
  eraseAfter: Type.Union([Type.String(), Type.Null()]),
});
export type OffboardingViewT = Static<typeof OffboardingView>;

/** PUT …/offboarding body. */
export const OffboardingBody = Type.Object(
  { days: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], { description: 'Days from disabling to erasure; null for the default' }) },
  { additionalProperties: false },
);

/** The typed confirmation an erasure needs. */
export const EraseBody = Type.Object({ confirm: Type.String({ maxLength: 320, description: 'A customer: its code. A person: their login (or user id).' }) }, { additionalProperties: false });

/** Shapes a stored certificate for the API. */
export function presentCertificate(row: Selectable<ErasureCertificatesTable>): CertificateViewT {
  return {
    id: row.id,
    kind: row.kind,
    reason: row.reason,
    customer: { id: row.customer_id, code: row.customer_code, name: row.customer_name },
    personId: row.subject_id,
    actor: row.actor_label,
    erasedAt: row.erased_at,
    counts: JSON.parse(row.counts) as ErasureCounts,
    manifestSha256: row.manifest_sha256,
  };
}
