/*
 * The LTI Advantage services of the test platform: AGS 2.0 line items, scores and results, and NRPS
 * 2.0 context memberships. Every call needs a bearer token from the platform's token endpoint with
 * a scope the call allows (AGS 2.0 §3.1, NRPS 2.0 §3.6.1): none or an unknown one is a 401, a token
 * without the scope a 403.
 */
import type http from 'node:http';
import { SCOPES, type Context, type Member } from './claims.js';
import { bearer, readBody, send } from './http.js';

/** An AGS 2.0 line item (§3.2). */
export interface LineItem {
  id: string;
  scoreMaximum: number;
  label: string;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
}

/** A score the platform accepted (AGS 2.0 §3.4). */
export interface ReceivedScore {
  /** The line item's URL (its id). */
  lineItem: string;
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  activityProgress: string;
  gradingProgress: string;
  timestamp: string;
}

/** One service call as the platform answered it. */
export interface ServiceRequest {
  method: string;
  /** The path and query. */
  url: string;
  status: number;
  /** Why it was refused ('' when it was not). */
  problem: string;
}

/** An access token the token endpoint issued. */
export interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

/** What the services read and write of the platform. */
export interface ServiceState {
  origin: string;
  context: Context;
  members: Member[];
  lineItems: LineItem[];
  scores: ReceivedScore[];
  tokens: Map<string, IssuedToken>;
  serviceRequests: ServiceRequest[];
  /** The page size of line item and membership listings when the caller gives no `limit`. */
  pageSize: number;
  /** Appended to every line item URL, e.g. `type_id=1` as Moodle does. */
  lineItemQuery: string;
}

export const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
  membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

/** The paths the services answer, for a course. */
export function servicePaths(contextId: string): { lineItems: string; memberships: string } {
  const base = `/api/lti/courses/${encodeURIComponent(contextId)}`;
  return { lineItems: `${base}/line_items`, memberships: `${base}/names_and_roles` };
}

/** Creates a line item and returns it (its id being its URL). */
export function addLineItem(state: ServiceState, item: Omit<LineItem, 'id'>): LineItem {
  const n = state.lineItems.length + 1;
  const query = state.lineItemQuery ? `?${state.lineItemQuery}` : '';
  const created = { ...item, id: `${state.origin}${servicePaths(state.context.id).lineItems}/${n}${query}` };
  state.lineItems.push(created);
  return created;
}

/** One page of `rows` from `url`'s `limit` and `offset`, with the RFC 8288 Link header to the next. */
function page<T>(state: ServiceState, url: URL, rows: T[]): { rows: T[]; headers: Record<string, string> } {
  const limit = Math.max(1, Number(url.searchParams.get('limit')) || state.pageSize);
  const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
  const headers: Record<string, string> = {};
  if (offset + limit < rows.length) {
    const next = new URL(url);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('offset', String(offset + limit));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return { rows: rows.slice(offset, offset + limit), headers };
}

/** Validates a score body; returns the problems ('' when none). */
function scoreProblems(body: Record<string, unknown>, members: Member[]): string {
  const problems: string[] = [];
  if (typeof body.userId !== 'string' || !members.some((m) => m.user_id === body.userId)) problems.push('userId is not a member of the course');
  if (typeof body.timestamp !== 'string' || Number.isNaN(Date.parse(body.timestamp))) problems.push('timestamp missing or not ISO 8601');
  if (!ACTIVITY.includes(String(body.activityProgress))) problems.push('activityProgress');
  if (!GRADING.includes(String(body.gradingProgress))) problems.push('gradingProgress');
  if (body.scoreGiven !== undefined) {
    if (typeof body.scoreGiven !== 'number' || body.scoreGiven < 0) problems.push('scoreGiven');
    if (typeof body.scoreMaximum !== 'number' || body.scoreMaximum <= 0) problems.push('scoreMaximum must accompany scoreGiven');
  }
  return problems.join(', ');
}

/**
 * Answers a service request if its path is one of the services' (true), or leaves it (false).
 * Records every answered call in `state.serviceRequests`.
 */
export async function handleService(state: ServiceState, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
  const paths = servicePaths(state.context.id);
  const method = req.method ?? 'GET';
  const answer = (status: number, body: unknown, problem = '', headers: Record<string, string> = {}) => {
    state.serviceRequests.push({ method, url: url.pathname + url.search, status, problem });
    send(res, status, body, headers);
  };
  const allowed = (scopes: string[]): boolean => {
    const token = state.tokens.get(bearer(req));
    if (!token || token.expiresAt < Date.now()) {
      answer(401, { error: 'invalid_token' }, token ? 'expired token' : 'no or unknown bearer token', { 'www-authenticate': 'Bearer error="invalid_token"' });
      return false;
    }
    if (!scopes.some((s) => token.scopes.includes(s))) {
      answer(403, { error: 'insufficient_scope' }, `token lacks ${scopes.join(' or ')}`, { 'www-authenticate': 'Bearer error="insufficient_scope"' });
      return false;
    }
    return true;
  };

  if (url.pathname === paths.memberships) {
    if (method !== 'GET') return (answer(405, { error: 'method' }), true);
    if (!allowed([SCOPES.memberships])) return true;
    const role = url.searchParams.get('role');
    const members = role ? state.members.filter((m) => m.roles.some((r) => r === role || r.endsWith(`#${role}`))) : state.members;
    const { rows, headers } = page(state, url, members);
    answer(200, { id: url.href, context: { id: state.context.id, label: state.context.label, title: state.context.title }, members: rows }, '', {
      ...headers,
      'content-type': MEDIA.membershipContainer,
    });
    return true;
  }

  if (url.pathname === paths.lineItems) {
    if (method === 'GET') {
      if (!allowed([SCOPES.lineItem, SCOPES.lineItemReadonly])) return true;
      const filters = { resourceLinkId: url.searchParams.get('resource_link_id'), resourceId: url.searchParams.get('resource_id'), tag: url.searchParams.get('tag') };
      const items = state.lineItems.filter((i) => Object.entries(filters).every(([k, v]) => v === null || i[k as keyof typeof filters] === v));
      const { rows, headers } = page(state, url, items);
      answer(200, rows, '', { ...headers, 'content-type': MEDIA.lineItemContainer });
      return true;
    }
    if (method !== 'POST') return (answer(405, { error: 'method' }), true);
    if (!allowed([SCOPES.lineItem])) return true;
    const body = JSON.parse((await readBody(req)) || '{}') as Partial<LineItem>;
    if (!String(req.headers['content-type']).startsWith(MEDIA.lineItem)) return (answer(415, { error: 'content type' }, `content type ${req.headers['content-type']}`), true);
    if (typeof body.label !== 'string' || !body.label || typeof body.scoreMaximum !== 'number' || body.scoreMaximum <= 0)
      return (answer(400, { error: 'label and scoreMaximum > 0 required' }, 'line item body'), true);
    const { id: _ignored, ...fields } = body;
    answer(201, addLineItem(state, fields as Omit<LineItem, 'id'>), '', { 'content-type': MEDIA.lineItem });
    return true;
  }

  const m = new RegExp(`^${paths.lineItems.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\d+)(/scores|/results)?$`).exec(url.pathname);
  const item = m ? state.lineItems.find((i) => new URL(i.id).pathname === `${paths.lineItems}/${m[1]}`) : undefined;
  if (!m) return false;
  if (!item) return (answer(404, { error: 'no such line item' }, 'unknown line item'), true);
  if (m[2] === '/scores') {
    if (method !== 'POST') return (answer(405, { error: 'method' }), true);
    if (!allowed([SCOPES.score])) return true;
    if (!String(req.headers['content-type']).startsWith(MEDIA.score)) return (answer(415, { error: 'content type' }, `content type ${req.headers['content-type']}`), true);
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    const problem = scoreProblems(body, state.members);
    if (problem) return (answer(400, { error: problem }, problem), true);
    const score = { ...(body as unknown as Omit<ReceivedScore, 'lineItem'>), lineItem: item.id };
    // AGS 2.0 §3.4.7: a score older than the one on record must not replace it.
    const newer = state.scores.some((s) => s.lineItem === item.id && s.userId === score.userId && Date.parse(s.timestamp) > Date.parse(score.timestamp));
    if (newer) return (answer(409, { error: 'a later score is on record' }, 'out-of-order timestamp'), true);
    state.scores.push(score);
    answer(204, undefined);
    return true;
  }
  if (m[2] === '/results') {
    if (!allowed([SCOPES.resultReadonly])) return true;
    const latest = new Map<string, ReceivedScore>();
    for (const s of state.scores.filter((x) => x.lineItem === item.id)) latest.set(s.userId, s);
    const results = [...latest.values()].map((s) => ({
      id: `${item.id}#${s.userId}`,
      scoreOf: item.id,
      userId: s.userId,
      resultScore: s.scoreGiven,
      resultMaximum: s.scoreMaximum,
      comment: s.comment,
    }));
    answer(200, results, '', { 'content-type': MEDIA.resultContainer });
    return true;
  }
  if (method === 'GET') {
    if (!allowed([SCOPES.lineItem, SCOPES.lineItemReadonly])) return true;
    answer(200, item, '', { 'content-type': MEDIA.lineItem });
    return true;
  }
  if (method === 'PUT') {
    if (!allowed([SCOPES.lineItem])) return true;
    const body = JSON.parse((await readBody(req)) || '{}') as Partial<LineItem>;
    Object.assign(item, { ...body, id: item.id });
    answer(200, item, '', { 'content-type': MEDIA.lineItem });
    return true;
  }
  answer(405, { error: 'method' });
  return true;
}
