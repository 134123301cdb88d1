import type { Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type { CertificateViewT } from './erasure-view.js';
import { kindLabel } from './kinds.js';
import { PdfFont, usePdfFonts } from '../../documents/pdf-fonts.js';

/** The certificate as a one- or two-page PDF (pdfkit): who, what, when, the counts and the manifest's hash. */
export function renderCertificate(c: CertificateViewT): Readable {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `Erasure certificate ${c.id}`, Creator: 'Lectern' } });
  usePdfFonts(doc);
  const width = doc.page.width - 112;
  const fact = (label: string, value: string, mono = false) => {
    doc.font(PdfFont.bold).fontSize(9).fillColor('#555555').text(label);
    doc
      .font(mono ? PdfFont.mono : PdfFont.regular)
      .fontSize(11)
      .fillColor('#000000')
      .text(value, { width });
    doc.moveDown(0.4);
  };
  const heading = (text: string) => {
    doc.moveDown(0.6);
    doc.font(PdfFont.bold).fontSize(13).fillColor('#000000').text(text);
    doc.moveDown(0.3);
  };
  const table = (rows: [string, number][]) => {
    for (const [label, n] of rows) {
      const y = doc.y;
      doc
        .font(PdfFont.regular)
        .fontSize(10)
        .fillColor('#000000')
        .text(label, 56, y, { width: width - 80 });
      const after = doc.y;
      doc.text(String(n), 56 + width - 80, y, { width: 80, align: 'right' });
      doc.y = Math.max(after, doc.y);
    }
  };

  doc.font(PdfFont.bold).fontSize(20).text('Certificate of erasure');
  doc
    .font(PdfFont.regular)
    .fontSize(10)
    .fillColor('#444444')
    .text(
      c.kind === 'customer'
        ? 'Every record and file Lectern held for this customer was deleted, except this certificate and one audit entry saying so.'
        : 'Every record of this person was deleted, and records of others that named them now name no one.',
      { width },
    );
  doc.moveDown();
  fact('Certificate', c.id, true);
  fact('Customer', `${c.customer.name} (${c.customer.code})`);
  if (c.personId) fact('Person (user id)', c.personId, true);
  fact('Erased at (UTC)', c.erasedAt);
  fact('Erased by', c.actor);
  fact('Why', c.reason === 'offboarding' ? 'The customer was disabled longer than its offboarding period.' : 'On request.');

  heading('Records deleted');
  const records = Object.entries(c.counts.records).map(([k, n]): [string, number] => [kindLabel(k), n]);
  table(records.length ? records : [['None', 0]]);
  const anonymized = Object.entries(c.counts.anonymized);
  if (anonymized.length) {
    heading('Records kept, no longer naming the person');
    table(anonymized.map(([k, n]) => [kindLabel(k), n]));
  }
  heading('Files and secrets deleted');
  table([
    ['Title files and temporary uploads', c.counts.files.content],
    ['Roster files', c.counts.files.bundles],
    ['Sealed secrets (credentials, passwords)', c.counts.secrets],
  ]);

  heading('Manifest');
  doc
    .font(PdfFont.regular)
    .fontSize(9)
    .fillColor('#333333')
    .text(
      'The manifest lists, per kind, how many records and files were erased and a SHA-256 digest of their ids (random identifiers, never names). Its SHA-256 is below; the JSON certificate carries the manifest itself, so anyone can recompute it.',
      56,
      doc.y,
      { width },
    );
  doc.moveDown(0.4);
  fact('SHA-256 of the manifest', c.manifestSha256, true);
  doc.end();
  return doc;
}
