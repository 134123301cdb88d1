/*
 * LTI 1.3 Assignment and Grade Services 2.0: reading progress goes back to the LMS as scores, through
 * the queue, retries, call records and grade report of LTI 1.1 Basic Outcomes (src/lti/outcomes.ts).
 *
 * A resource-link launch whose AGS claim grants the score scope binds the person's link (bindScores,
 * inside the launch's transaction): the claim's line item, or, when the link has none and the claim
 * grants the lineitem scope, none yet — the first score's job creates one in the claim's line item
 * container (scoreMaximum 1, labelled with the title, tied to the resource link) and every binding of
 * that link then uses it. No AGS claim, or no score scope: no binding, nothing is sent.
 *
 * A score (AGS 2.0 §3.4) is POSTed to the line item URL with /scores appended to its path (its query
 * kept, as Moodle's carry one), with a bearer token from PlatformTokens; a 401 means the platform
 * dropped the token, so it is forgotten and the call made once more with a new one.
 */
import type { ReaderTarget } from '../lti/launch-target.js';
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { OutcomeRepository, type OutcomeBinding } from '../lti/outcome-repository.js';
import type { OutboundClient, OutboundResponse } from '../security/outbound.js';
import { nowIso } from '../time.js';
import { sanitise, type PlatformTokens, type TokenPlatform } from './access-token.js';
import type { ResourceLinkLaunch } from './id-token.js';

/** The AGS scopes Lectern uses (AGS 2.0 §3.1). */
export const AGS_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  score: 'application/vnd.ims.lis.v1.score+json',
} as const;

const TIMEOUT_MS = 10_000;
/** A score answer is empty or small; a created line item a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_LABEL_CHARS = 255;

/** What a 1.3 launch binds: who launched which reader target from which registration. */
export interface ScoreBindingInput {
  customerId: string;
  /** The platform registration (lti_platforms.id) the launch verified against. */
  platformId: string;
  /** The Lectern user the launch signed in. */
  userId: string;
  /** The title or collection the launch opens; null for the shelf. */
  target: ReaderTarget;
  launch: ResourceLinkLaunch;
  /** ISO time of the launch. */
  now: string;
}

/**
 * Binds a 1.3 launch's resource link for scores, from its AGS claim (call inside the launch's
 * transaction); does nothing without a claim granting the score scope, or for the shelf.
 */
export async function bindScores(db: Kysely<Database>, input: ScoreBindingInput): Promise<void> {
  const { launch, target } = input;
  const ags = launch.ags;
  // The bookshelf has no single progress to report, so only title and collection links are bound.
  if (!ags || !target || !ags.scope.includes(AGS_SCOPES.score)) return;
  const lineItemUrl = ags.lineitem;
  // Without a line item, one is created later: only where the platform lets the tool, and says where.
  if (!lineItemUrl && !(ags.lineitems && ags.scope.includes(AGS_SCOPES.lineItem))) return;
  await new OutcomeRepository(db).saveBinding({
    id: crypto.randomUUID(),
    customer_id: input.customerId,
    user_id: input.userId,
    // A resource link id is unique within its deployment only (LTI Core 1.3 §5.3.5).
    consumer_guid: `lti13:${input.platformId}:${launch.deploymentId}`,
    resource_link_id: launch.resourceLink.id,
    target_type: target.type,
    target_id: target.id,
    // The 1.1 columns: no outcome service, sourcedid or consumer key in 1.3.
    service_url: '',
    result_sourcedid: '',
    consumer_key: '',
    reported_score: null,
    created_at: input.now,
    updated_at: input.now,
    lti_version: '1.3',
    platform_id: input.platformId,
    line_item_url: lineItemUrl,
    lineitems_url: ags.lineitems,
    lti_user_id: launch.sub,
    ags_scopes: JSON.stringify(ags.scope.filter((s) => s === AGS_SCOPES.lineItem || s === AGS_SCOPES.score)),
  });
}

/** The line item URL's scores endpoint: `/scores` appended to its path, its query kept (AGS 2.0 §3.4). */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  return url.href;
}

/** The body of a score POST: progress 0.0–1.0 out of 1, complete at 1. */
export function scoreBody(userId: string, score: number, timestamp: string): Record<string, unknown> {
  const complete = score >= 1;
  return {
    userId,
    scoreGiven: score,
    scoreMaximum: 1,
    activityProgress: complete ? 'Completed' : 'InProgress',
    gradingProgress: complete ? 'FullyGraded' : 'Pending',
    // Date.toISOString always has milliseconds, which AGS asks for (§3.4.7).
    timestamp: new Date(timestamp).toISOString(),
  };
}

/** How scores are sent. */
export interface AgsScoresOptions {
  /** The guarded client: every URL here came from a launch claim or a registration. */
  outbound: Pick<OutboundClient, 'request'>;
  tokens: PlatformTokens;
  timeoutMs?: number;
}

/** Sends AGS scores for 1.3 bindings (the outcome job's LTI 1.3 half). */
export class AgsScores {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: AgsScoresOptions,
  ) {}

  /** Posts one score for a 1.3 binding (creating its line item first when it has none); throws unless the LMS accepted it. */
  async post(binding: OutcomeBinding, score: number, timestamp: string, signal: AbortSignal): Promise<void> {
    const repo = new OutcomeRepository(this.db);
    const platform = binding.platform_id ? await repo.agsPlatform(binding.customer_id, binding.platform_id) : undefined;
    if (!platform) throw new Error('the LTI 1.3 platform registration no longer exists');
    const userId = binding.lti_user_id;
    if (!userId) throw new Error('the binding has no LTI user id');
    const scopes = parseScopes(binding.ags_scopes);
    const lineItemUrl = binding.line_item_url ?? (await this.createLineItem(binding, platform, scopes, signal));
    await this.postJson(platform, scopes, scoresUrl(lineItemUrl), MEDIA.score, scoreBody(userId, score, timestamp), 'score', signal);
  }

  // Creates the link's line item in the claim's container and stores it on every binding of the link.
  private async createLineItem(binding: OutcomeBinding, platform: TokenPlatform, scopes: string[], signal: AbortSignal): Promise<string> {
    const container = binding.lineitems_url;
    if (!container || !scopes.includes(AGS_SCOPES.lineItem)) throw new Error('the launch gave no line item and no way to create one');
    const repo = new OutcomeRepository(this.db);
    const label = ((await repo.targetTitle(binding.customer_id, binding.target_type, binding.target_id)) ?? 'Lectern reading').slice(0, MAX_LABEL_CHARS);
    const body = { scoreMaximum: 1, label, resourceLinkId: binding.resource_link_id, resourceId: binding.target_id };
    const res = await this.postJson(platform, scopes, container, MEDIA.lineItem, body, 'line item', signal);
    const id = (parseJson(res) as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !/^https?:\/\//i.test(id)) throw new Error(`LMS created a line item without a URL id (HTTP ${res.status})`);
    await repo.setLineItem(binding.customer_id, binding, id, nowIso());
    return id;
  }

  // One AGS POST with a bearer token (a 401 retried once with a new one); throws unless the answer is 2xx.
  private async postJson(platform: TokenPlatform, scopes: string[], url: string, mediaType: string, body: unknown, what: string, signal: AbortSignal): Promise<OutboundResponse> {
    const res = await this.opts.tokens.withToken(platform, scopes, (token) =>
      // No redirects: a 3xx is not an acceptance, so a failed try.
      this.opts.outbound.request(url, {
        method: 'POST',
        headers: { 'content-type': mediaType, accept: `${mediaType}, application/json`, authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        timeoutMs: this.opts.timeoutMs ?? TIMEOUT_MS,
        maxBytes: MAX_ANSWER_BYTES,
        signal,
      }),
    );
    if (res.status < 200 || res.status > 299) throw refused(what, res);
    return res;
  }
}

function parseScopes(text: string | null): string[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

function parseJson(res: OutboundResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    return null;
  }
}

// Only a short status line reaches the admin's grade report: the status and the platform's own error text.
function refused(what: string, res: OutboundResponse): Error {
  const answer = parseJson(res) as Record<string, unknown> | null;
  const raw = answer && typeof answer === 'object' ? [answer.error, answer.error_description, answer.message].find((v) => typeof v === 'string' && v.trim()) : undefined;
  const reason = typeof raw === 'string' ? `: ${sanitise(raw, 120)}` : '';
  return new Error(`LMS refused the ${what} (HTTP ${res.status}${reason})`);
}
