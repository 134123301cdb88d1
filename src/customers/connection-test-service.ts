import type { Kysely } from 'kysely';
import { assertCustomerAccess, assertPlatformAdmin, type Actor } from '../accounts/policy.js';
import type { Database, RosteringConfig } from '../db/schema.js';
import { notFound, validationError, type FieldIssue } from '../errors.js';
import { checkApi, checkSftp, type ConnectionReport } from '../rostering/sources/connection-check.js';
import { restAuth, restBaseUrl } from '../rostering/sources/rest-client.js';
import type { OutboundClient } from '../security/outbound.js';
import type { SecretBox } from '../security/secret-box.js';
import { assertMatches } from '../validation.js';
import { CustomerRepository } from './customer-repository.js';
import { checkRostering, type StoredSecrets } from './customer-rules.js';
import { ConnectionTestBody, type ConnectionTestInput } from './customer-schema.js';
import { secretContext } from './customer-service.js';

// The fields a connection depends on: other rules (Match with, Period…) do not stop a test.
const CONNECTION_FIELD = /^rostering\.(syncType|sftp\.|url$|consumerKey$|secretKey$|authorization$|tokenUrl$)/;

/**
 * Test connection for the customer form: the unsaved values of Add, or of Edit (where a secret left
 * blank is the stored one). Nothing is saved: not the values, not a learnt host key (the form offers
 * to pin it), not a file.
 */
export class ConnectionTestService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    private readonly outbound: OutboundClient,
    private readonly options: { connectTimeoutMs?: number } = {},
  ) {}

  /** Tests the connection `input.rostering` describes; `customerId` lends the stored secrets of that customer. */
  async test(actor: Actor, input: unknown, customerId?: string): Promise<ConnectionReport> {
    assertPlatformAdmin(actor);
    assertMatches<ConnectionTestInput>(ConnectionTestBody, input);
    let stored: RosteringConfig | null = null;
    if (customerId) {
      assertCustomerAccess(actor, customerId);
      const record = await new CustomerRepository(this.db).find(customerId);
      if (!record) throw notFound('Customer');
      stored = record.rostering;
    }
    const r = input.rostering;
    const issues: FieldIssue[] = [];
    if (r.type !== 'oneroster' || (r.syncType !== 'sftp' && r.syncType !== 'api')) {
      issues.push({ field: 'rostering.syncType', message: 'Test connection is for Sync With API and SFTP.', code: 'not_testable' });
      throw validationError(issues);
    }
    const lend = stored ? this.lendable(stored, r) : { apiSecret: false, sftpPassword: false, sftpPrivateKey: false };
    const settings = checkRostering(r, lend, issues);
    const relevant = issues.filter((i) => CONNECTION_FIELD.test(i.field));
    if (stored && r.syncType === 'sftp' && !r.sftp?.password && !r.sftp?.privateKey && !lend.sftpPassword && !lend.sftpPrivateKey && (stored.sftp_password_enc || stored.sftp_private_key_enc)) {
      relevant.push({ field: 'rostering.sftp.password', message: 'Enter the password again: Lectern sends the stored one only to the host and username it was saved for.', code: 'required' });
    }
    if (stored && r.syncType === 'api' && !r.secretKey && !lend.apiSecret && stored.api_secret_enc) {
      relevant.push({ field: 'rostering.secretKey', message: 'Enter the Secret Key again: Lectern sends the stored one only to the URLs and key it was saved for.', code: 'required' });
    }
    const byField = new Map(relevant.map((i) => [i.field, i]));
    if (byField.size) throw validationError([...byField.values()]);

    if (settings.syncType === 'sftp') {
      const open = (sealed: string | null, field: 'sftp_password' | 'sftp_private_key') => (sealed && customerId ? this.secrets.open(sealed, secretContext(customerId, field)) : '');
      return checkSftp(
        {
          host: settings.sftpHost,
          port: settings.sftpPort ?? 22,
          username: settings.sftpUsername,
          password: settings.sftpPassword ?? (lend.sftpPassword ? open(stored!.sftp_password_enc, 'sftp_password') : ''),
          privateKey: settings.sftpPrivateKey ?? ((lend.sftpPrivateKey ? open(stored!.sftp_private_key_enc, 'sftp_private_key') : '') || null),
          path: settings.sftpPath,
          fileName: settings.sftpFileName,
          hostKeyFingerprint: settings.sftpHostKeyFingerprint,
        },
        this.outbound,
        this.options,
      );
    }
    const secret = settings.apiSecret ?? this.secrets.open(stored!.api_secret_enc!, secretContext(customerId!, 'api_secret'));
    return checkApi(
      restBaseUrl(settings.apiUrl, settings.oneRosterVersion === '1.2' ? '1.2' : '1.1'),
      restAuth({ authorization: settings.authorization, tokenUrl: settings.tokenUrl, scope: settings.scope, consumerKey: settings.apiConsumerKey }, secret),
      this.outbound,
    );
  }

  // A stored secret goes only where it was saved for: otherwise whoever edits the form could send the
  // district's password to a server of their own and read it there.
  private lendable(stored: RosteringConfig, r: ConnectionTestInput['rostering']): StoredSecrets {
    const sameSftp =
      stored.sync_type === 'sftp' && stored.sftp_host === (r.sftp?.host ?? '').trim() && (stored.sftp_port ?? 22) === (r.sftp?.port ?? 22) && stored.sftp_username === (r.sftp?.username ?? '').trim();
    const sameApi =
      stored.sync_type === 'api' &&
      stored.api_url === (r.url ?? '').trim() &&
      stored.api_consumer_key === (r.consumerKey ?? '').trim() &&
      stored.authorization === r.authorization &&
      stored.token_url === (r.authorization === 'oauth2-client-credentials' ? (r.tokenUrl ?? '').trim() : '');
    return { apiSecret: sameApi && Boolean(stored.api_secret_enc), sftpPassword: sameSftp && Boolean(stored.sftp_password_enc), sftpPrivateKey: sameSftp && Boolean(stored.sftp_private_key_enc) };
  }
}
