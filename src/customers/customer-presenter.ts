import type { LtiPlatform } from '../db/schema.js';
import type { CustomerRecord } from './customer-repository.js';
import type { CustomerViewT, LtiToolViewT } from './customer-schema.js';
import { usesLti13 } from './lti13-rules.js';
import { nextRunAt, type Period } from '../rostering/schedule.js';
import { isStale, type FeedStatus } from '../rostering/scheduler-feeds.js';

const NO_FEED: FeedStatus = { lastRun: null, lastSuccessAt: null };

/** The launch URL LMSs are given for a customer's LTI 1.1 tool. */
export function launchUrl(publicUrl: string): string {
  return `${publicUrl}/lti/launch`;
}

/** The LTI 1.3 tool values an LMS admin pastes (DESIGN.md): fixed paths under LECTERN_PUBLIC_URL. */
export function toolValues(publicUrl: string, registrationUrl: string | null): LtiToolViewT {
  return { loginUrl: `${publicUrl}/lti/1.3/login`, launchUrl: `${publicUrl}/lti/1.3/launch`, jwksUrl: `${publicUrl}/lti/1.3/jwks`, registrationUrl };
}

/** A Dynamic Registration URL: the customer's code, and the one-time secret in the query. */
export function registrationUrl(publicUrl: string, customerCode: string, token: string): string {
  return `${publicUrl}/lti/1.3/register/${encodeURIComponent(customerCode)}?token=${encodeURIComponent(token)}`;
}

/** A platform registration as the API shows it. */
export function presentPlatform(p: LtiPlatform): CustomerViewT['lti']['platforms'][number] {
  return {
    id: p.id,
    issuer: p.issuer,
    clientId: p.client_id,
    deploymentIds: JSON.parse(p.deployment_ids) as string[],
    authLoginUrl: p.auth_login_url,
    authTokenUrl: p.auth_token_url,
    jwksUrl: p.jwks_url,
    origin: p.origin,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}

/** Shapes a stored customer for the API: secrets become "set" flags, never values. */
export function presentCustomer({ customer: c, rostering: r, platforms }: CustomerRecord, publicUrl: string, now = new Date(), feed: FeedStatus = NO_FEED): CustomerViewT {
  const scheduled = r.type === 'oneroster' && r.sync_frequency === 'auto' && r.sync_type !== 'zip' && r.period;
  return {
    id: c.id,
    status: c.status,
    profile: { name: c.name, code: c.code, timeZone: c.time_zone },
    administrator: { firstName: c.admin_first_name, lastName: c.admin_last_name, email: c.admin_email, phone: c.admin_phone, userId: c.admin_user_id },
    address: {
      line1: c.address_line1,
      line2: c.address_line2,
      city: c.address_city,
      region: c.address_region,
      postalCode: c.address_postal_code,
      country: c.address_country,
    },
    lti: {
      version: c.lti_version,
      consumerKey: c.lti_consumer_key,
      launchUrl: launchUrl(publicUrl),
      sharedSecretSet: Boolean(c.lti_shared_secret_enc),
      unmatchedUsers: c.lti_unmatched_users,
      syncRosterOnLaunch: c.lti_sync_roster_on_launch === 1,
      platforms: platforms.map(presentPlatform),
      tool: usesLti13(c.lti_version) ? toolValues(publicUrl, null) : null,
    },
    rostering: {
      type: r.type,
      oneRosterVersion: r.one_roster_version,
      syncType: r.sync_type,
      matchWith: r.match_with,
      syncFrequency: r.sync_frequency,
      period: r.period,
      nextRunAt: scheduled ? nextRunAt(r.period as Period, c.time_zone, now).toISOString() : null,
      lastRun: feed.lastRun,
      lastSuccessAt: feed.lastSuccessAt,
      stale: isStale(r, c.time_zone, feed.lastSuccessAt, c.created_at, now),
      suffix: r.suffix,
      clientPartnerId: r.client_partner_id,
      authorization: r.authorization,
      consumerKey: r.api_consumer_key,
      secretKeySet: Boolean(r.api_secret_enc),
      url: r.api_url,
      tokenUrl: r.token_url,
      scope: r.scope,
      sftp: {
        host: r.sftp_host,
        port: r.sftp_port,
        username: r.sftp_username,
        passwordSet: Boolean(r.sftp_password_enc),
        privateKeySet: Boolean(r.sftp_private_key_enc),
        path: r.sftp_path,
        fileName: r.sftp_file_name,
        hostKeyFingerprint: r.sftp_host_key_fingerprint,
      },
      deletionThresholdPercent: r.deletion_threshold_percent,
      deletionThresholdMin: r.deletion_threshold_min,
      retentionDays: r.retention_days,
    },
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}
