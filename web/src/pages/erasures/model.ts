/*
 * Erasure certificates as the console reads them (the API's own types), where to download them, and
 * the parts every erasure screen shows: the certificate's id, hash and downloads.
 */
export type { CertificateDetailViewT as CertificateDetail, CertificateViewT as Certificate, OffboardingViewT as Offboarding } from '../../../../src/privacy/erasure/erasure-view.js';

/** Where a certificate is downloaded, as JSON (with its manifest) or as a PDF. */
export function certificateUrls(c: { id: string; customer: { id: string } }): { json: string; pdf: string } {
  const base = `/api/customers/${encodeURIComponent(c.customer.id)}/erasures/${encodeURIComponent(c.id)}`;
  return { json: base, pdf: `${base}/certificate.pdf` };
}

/** How many records a certificate counts in all (rows deleted). */
export function recordTotal(c: { counts: { records: Record<string, number> } }): number {
  return Object.values(c.counts.records).reduce((sum, n) => sum + n, 0);
}
