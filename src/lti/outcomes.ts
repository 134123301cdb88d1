import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { assertCustomerAccess, type Actor } from '../accounts/policy.js';
import { AuditService, filtersUsed } from '../audit/audit-service.js';
import { CustomerRepository } from '../customers/customer-repository.js';
import { schoolScope } from '../directory/school-scope.js';
import { secretContext } from '../customers/customer-service.js';
import type { Database } from '../db/schema.js';
import { uuidv7 } from '../db/uuid.js';
import { AppError, notFound } from '../errors.js';
import type { JobContext, JobQueue } from '../jobs/job-queue.js';
import { authorizationHeader, bodyHash, signRequest } from '../security/oauth1.js';
import { PlatformTokens } from '../lti13/access-token.js';
import { AgsScores } from '../lti13/scores.js';
import { ToolKeys } from '../lti13/tool-keys.js';
import type { OutboundClient } from '../security/outbound.js';
import type { SecretBox } from '../security/secret-box.js';
import { nowIso } from '../time.js';
import { OutcomeRepository, type OutcomeBinding, type OutcomeCallQuery, type OutcomeCallRow } from './outcome-repository.js';
import type { OutcomeCallView, OutcomeStatus } from './outcome-view.js';

export const LTI_OUTCOME_JOB = 'lti.outcome';

/** A change smaller than this is not worth a grade update; reaching 1.0 always is. */
export const OUTCOME_STEP = 0.1;
const MAX_ATTEMPTS = 5;
const TIMEOUT_MS = 10_000;
/** A POX answer is a few hundred bytes; more is not read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The payload of an outcome job. */
export interface OutcomePayload {
  customerId: string;
  callId: string;
}

/** How reports are sent. */
export interface LtiOutcomesOptions {
  /** The guarded client: the service URL comes from a launch, so it may point anywhere. */
  outbound: OutboundClient;
  /** LTI 1.3 access tokens (default: a cache of its own, signing with the tool keys). */
  tokens?: PlatformTokens;
  timeoutMs?: number;
}

/**
 * Grade passback: reading progress becomes the LMS grade (0.0–1.0) of the resource link the reader
 * was launched from. A progress change of a step queues a call, sent by the job engine with retries;
 * every call is recorded for the admin. An LTI 1.1 binding sends a signed `replaceResult` (POX XML
 * with oauth_body_hash), an LTI 1.3 one an AGS score (src/lti13/scores.ts).
 */
export class LtiOutcomes {
  private readonly ags: AgsScores;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    private readonly jobs: JobQueue,
    private readonly opts: LtiOutcomesOptions,
  ) {
    const keys = new ToolKeys(db, secrets);
    const tokens = opts.tokens ?? new PlatformTokens({ outbound: opts.outbound, signer: () => keys.signer() });
    this.ags = new AgsScores(db, { outbound: opts.outbound, tokens, timeoutMs: opts.timeoutMs });
  }

  /**
   * The reader's progress hook: for each binding this book's progress concerns (the book's own link,
   * and links to collections holding it), queues a report when the score moved by OUTCOME_STEP or
   * reached 1.0. Costs one indexed query when the user has no bindings.
   */
  async onProgress(customerId: string, userId: string, bookId: string, progress: number): Promise<void> {
    const repo = new OutcomeRepository(this.db);
    const bindings = await repo.bindingsForBook(customerId, userId, bookId);
    for (const binding of bindings) {
      const raw = binding.target_type === 'book' ? progress : await repo.collectionProgress(customerId, userId, binding.target_id);
      const score = Math.round(Math.min(1, Math.max(0, raw)) * 10_000) / 10_000;
      if (!worthReporting(binding.reported_score, score)) continue;
      const now = nowIso();
      // Compare-and-set: of two saves racing on one binding, only one queues the report.
      if (!(await repo.claimScore(customerId, binding.id, binding.reported_score, score, now))) continue;
      const callId = uuidv7();
      await repo.insertCall({ id: callId, customer_id: customerId, binding_id: binding.id, score, status: 'queued', attempts: 0, last_error: '', created_at: now, updated_at: now });
      await this.jobs.enqueue(LTI_OUTCOME_JOB, { customerId, callId } satisfies OutcomePayload, { serialKey: serialKey(binding), maxAttempts: MAX_ATTEMPTS });
    }
  }

  /** The job: sends one call's replaceResult; throws (so the engine retries) unless the LMS said success. */
  async send(payload: OutcomePayload, ctx: JobContext): Promise<void> {
    const repo = new OutcomeRepository(this.db);
    const found = await repo.findCall(payload.customerId, payload.callId);
    if (!found || found.call.status === 'succeeded') return;
    const { call, binding } = found;
    // A newer score for the same link replaces this one; sending this later would overwrite it.
    if (await repo.hasNewerCall(payload.customerId, binding.id, call.id)) {
      await repo.updateCall(payload.customerId, call.id, { status: 'superseded', attempts: call.attempts, last_error: call.last_error, updated_at: nowIso() });
      return;
    }
    try {
      if (binding.lti_version === '1.3') await this.ags.post(binding, call.score, call.created_at, ctx.signal);
      else await this.post(binding, call.score, ctx.signal);
      await repo.updateCall(payload.customerId, call.id, { status: 'succeeded', attempts: ctx.attempt, last_error: '', updated_at: nowIso() });
    } catch (err) {
      if (err instanceof AppError && err.code === 'OUTBOUND_FORBIDDEN') {
        // A destination Lectern will not call stays refused: failed at once, never retried.
        await repo.updateCall(payload.customerId, call.id, { status: 'failed', attempts: ctx.attempt, last_error: `Not sent: ${err.message}`.slice(0, 500), updated_at: nowIso() });
        return;
      }
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await repo.updateCall(payload.customerId, call.id, { status: ctx.attempt >= ctx.maxAttempts ? 'failed' : 'retrying', attempts: ctx.attempt, last_error: message, updated_at: nowIso() });
      throw err;
    }
  }

  /**
   * One page of a customer's outcome calls, newest first, optionally of one status and matching a
   * search, with the calls per status (the customer's admins, an institute admin for their schools' students; platform admins).
   */
  async list(actor: Actor, customerId: string, q: OutcomeCallQuery): Promise<{ items: OutcomeCallView[]; total: number; counts: Record<OutcomeStatus, number> }> {
    assertCustomerAccess(actor, customerId);
    if (!(await new CustomerRepository(this.db).findStatus(customerId))) throw notFound('Customer');
    const search = q.search?.trim();
    // Students' scores: every look is logged, with the filters used (never the search text).
    await new AuditService(this.db).recordRead(actor, { customerId, action: 'lti.outcomes_viewed', targetType: 'customer', targetId: customerId, fields: filtersUsed({ status: q.status, search }) });
    // An institute admin sees the reports of their own schools' students only (the counts too).
    const withinSchools = await schoolScope(this.db, actor, customerId);
    const { items, total, counts } = await new OutcomeRepository(this.db).listCalls(customerId, { ...q, search: search || undefined, withinSchools });
    return { items: items.map(presentCall), total, counts };
  }

  private async post(binding: OutcomeBinding, score: number, signal: AbortSignal): Promise<void> {
    const sealed = await new OutcomeRepository(this.db).sealedSecret(binding.customer_id);
    if (sealed === undefined) throw new Error('the customer no longer exists');
    const secret = this.secrets.open(sealed, secretContext(binding.customer_id, 'lti_shared_secret'));
    // Serialise once, hash those bytes, send the same bytes.
    const body = Buffer.from(replaceResultXml(binding.result_sourcedid, score, crypto.randomUUID()), 'utf8');
    const oauth = signRequest({
      method: 'POST',
      url: binding.service_url,
      consumerKey: binding.consumer_key,
      consumerSecret: secret,
      signatureMethod: 'HMAC-SHA1',
      extraOAuth: [['oauth_body_hash', bodyHash(body, 'HMAC-SHA1')]],
    });
    // No redirects: a 3xx is an answer without a POX status, so a failed try.
    const res = await this.opts.outbound.request(binding.service_url, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', authorization: authorizationHeader(oauth) },
      body,
      timeoutMs: this.opts.timeoutMs ?? TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
      signal,
    });
    // Only a short status line reaches the admin's grade report, never the body itself.
    const status = parsePoxStatus(res.body.toString('utf8'));
    if (!status) throw new Error(`HTTP ${res.status} without an imsx_POXEnvelopeResponse`);
    if (status.codeMajor !== 'success') throw new Error(`LMS answered ${status.codeMajor}${status.description ? `: ${status.description}` : ''} (HTTP ${res.status})`);
  }
}

// One binding's calls are sent one at a time, in order. A 1.3 link still without a line item sends
// its class's calls one at a time: the first creates the line item, the others then find it.
function serialKey(binding: OutcomeBinding): string {
  return binding.lti_version === '1.3' && !binding.line_item_url ? `lti-outcome:${binding.consumer_guid}:${binding.resource_link_id}` : `lti-outcome:${binding.id}`;
}

function presentCall(r: OutcomeCallRow): OutcomeCallView {
  let serviceHost = '';
  try {
    serviceHost = new URL(r.lti_version === '1.3' ? (r.line_item_url ?? r.lineitems_url ?? '') : r.service_url).host;
  } catch {
    // A URL the LMS sent that does not parse: shown blank, its calls fail with the reason.
  }
  return {
    id: r.id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    user: { id: r.user_id, name: `${r.given_name} ${r.family_name}`.trim() },
    target: { type: r.target_type, id: r.target_id },
    targetTitle: r.target_title,
    version: r.lti_version,
    serviceHost,
    score: r.score,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
  };
}

/** Registers the outcome job handler on a queue. */
export function registerOutcomeJobs(jobs: JobQueue, outcomes: LtiOutcomes): void {
  jobs.register(LTI_OUTCOME_JOB, (payload, ctx) => outcomes.send(payload as OutcomePayload, ctx));
}

/** Whether a score differs enough from the last one reported to send it. */
export function worthReporting(previous: number | null, score: number): boolean {
  if (previous === null) return score > 0;
  if (score >= 1 && previous < 1) return true;
  return Math.abs(score - previous) >= OUTCOME_STEP - 1e-9;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** The replaceResult POX request (LTI 1.1 Basic Outcomes), score as a plain decimal. */
export function replaceResultXml(sourcedId: string, score: number, messageId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeRequest xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
  <imsx_POXHeader>
    <imsx_POXRequestHeaderInfo>
      <imsx_version>V1.0</imsx_version>
      <imsx_messageIdentifier>${escapeXml(messageId)}</imsx_messageIdentifier>
    </imsx_POXRequestHeaderInfo>
  </imsx_POXHeader>
  <imsx_POXBody>
    <replaceResultRequest>
      <resultRecord>
        <sourcedGUID><sourcedId>${escapeXml(sourcedId)}</sourcedId></sourcedGUID>
        <result>
          <resultScore>
            <language>en</language>
            <textString>${score.toFixed(4)}</textString>
          </resultScore>
        </result>
      </resultRecord>
    </replaceResultRequest>
  </imsx_POXBody>
</imsx_POXEnvelopeRequest>
`;
}

const CODE_MAJORS = new Set(['success', 'processing', 'failure', 'unsupported']);

/**
 * imsx_codeMajor and imsx_description of a POX response, or null when the text is not one. Both are
 * sanitised for the grade report: the code is one of the four POX codes ('unknown' otherwise), the
 * description one line of printable text, at most 120 characters.
 */
export function parsePoxStatus(xml: string): { codeMajor: string; description: string } | null {
  if (!/<(?:\w+:)?imsx_POXEnvelopeResponse[\s>]/.test(xml)) return null;
  // One run of [^<]* before '<', trimmed after: linear. (`\s*([^<]*?)\s*<` was cubic in a run of blanks.)
  const codeMajor = /<(?:\w+:)?imsx_codeMajor>([^<]*)<\//.exec(xml)?.[1]?.trim().toLowerCase();
  if (!codeMajor) return null;
  const raw = /<(?:\w+:)?imsx_description>([^<]*)<\//.exec(xml)?.[1] ?? '';
  const description = raw.replace(/[\p{C}\s]+/gu, ' ').trim();
  return { codeMajor: CODE_MAJORS.has(codeMajor) ? codeMajor : 'unknown', description: description.length > 120 ? `${description.slice(0, 119)}…` : description };
}
