import nodemailer, { type Transporter } from 'nodemailer';

/** One e-mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends notification e-mail over SMTP (`LECTERN_SMTP_URL`). Without a URL it is off, and says so:
 * nothing is queued for e-mail then. The SMTP server is the operator's, not a customer's, so it is
 * not an outbound call of the guarded kind.
 */
export class Mailer {
  private transport: Transporter | null = null;

  constructor(
    private readonly url: string | undefined,
    readonly from: string,
  ) {}

  /** Whether e-mail is configured. */
  get enabled(): boolean {
    return Boolean(this.url);
  }

  /** Sends one e-mail; throws when the server refuses or cannot be reached (the job retries). */
  async send(mail: Mail): Promise<void> {
    if (!this.url) throw new Error('E-mail is not configured (LECTERN_SMTP_URL).');
    this.transport ??= nodemailer.createTransport(this.url);
    await this.transport.sendMail({ from: this.from, ...mail });
  }

  /** Closes pooled connections. */
  close(): void {
    this.transport?.close();
    this.transport = null;
  }
}
