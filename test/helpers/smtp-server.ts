import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the test SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message, headers and body. */
  raw: string;
  subject: string;
  /** The text/plain part, quoted-printable undone. */
  text: string;
  /** The text/html part, quoted-printable undone. */
  html: string;
}

/** A real SMTP server on loopback (no TLS, no auth) that keeps what it is sent. */
export interface TestSmtpServer {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** Starts the test SMTP server on a free port. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, subject: headerOf(raw, 'subject'), text: partOf(raw, 'text/plain'), html: partOf(raw, 'text/html') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// A header's value, folded lines joined (nodemailer folds long subjects).
function headerOf(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const m = new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return (m?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
}

// The body of the first part of a content type, decoded from quoted-printable when it is.
function partOf(raw: string, type: string): string {
  const start = raw.toLowerCase().indexOf(`content-type: ${type}`);
  if (start < 0) return '';
  const rest = raw.slice(start);
  const bodyAt = rest.search(/\r?\n\r?\n/);
  const headers = rest.slice(0, bodyAt);
  const body =
    rest
      .slice(bodyAt)
      .replace(/^\r?\n\r?\n/, '')
      .split(/\r?\n--/)[0] ?? '';
  if (/quoted-printable/i.test(headers)) return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (/base64/i.test(headers)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}
