/*
 * The client side of Names and Role Provisioning Services 2.0: a context's membership container,
 * read page by page. Each GET asks for `application/vnd.ims.lti-nrps.v2.membershipcontainer+json`
 * with a bearer token of the `contextmembership.readonly` scope (NRPS 2.0 §2.2, §3.6.1); the next
 * page is the `Link: <…>; rel="next"` of the answer (§2.4.1). The `differences` link (§2.4.2) is not
 * used: a pull always reads the whole roster, which alone shows who left.
 *
 * The URLs come from an LMS, so every call goes through the guarded outbound client, and paging is
 * bounded: a next link must stay on the origin of the memberships URL (a token for one LMS is never
 * sent to another host, and a platform cannot steer Lectern around the network), no page may come
 * twice, and pages, bytes and members have ceilings. Paging that breaks a rule ends the read with a
 * reason (the pull is then unusable and applies nothing); a transport failure throws its SOURCE_*
 * AppError, as the OneRoster REST client does.
 */
import { AppError } from '../errors.js';
import { nextLink } from '../rostering/sources/rest-client.js';
import { isObject } from '../rostering/sources/rest-rows.js';
import { OutboundError, type OutboundClient } from '../security/outbound.js';

/** The launch claim that names a context's memberships service (NRPS 2.0 §3.6.1). */
export const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
/** The scope a memberships read needs. */
export const MEMBERSHIPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
/** The media type of a membership container. */
export const MEMBERSHIP_CONTAINER = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

/** A member's standing in the context; a missing status is Active (NRPS 2.0 §2.3). */
export type MemberStatus = 'Active' | 'Inactive' | 'Deleted';

/** One member as the pull reads them. */
export interface Member {
  /** The LTI user id (a launch's `sub`). */
  userId: string;
  status: MemberStatus;
  roles: string[];
  givenName: string;
  familyName: string;
  name: string;
  email: string;
  /** lis_person_sourcedid, '' when the platform sends none. */
  personSourcedId: string;
}

/** A member entry that could not be read, by its position in the container. */
export interface MemberProblem {
  position: number;
  message: string;
}

/** One page of the container. */
export interface MembershipPage {
  /** The container's context (id, label, title), when it names one. */
  context: { id: string; label: string; title: string } | null;
  members: Member[];
  problems: MemberProblem[];
}

/** Why the memberships could not be read whole: nothing of the pull may be applied. */
export interface PagingProblem {
  code: 'nrps.foreign_next_link' | 'nrps.link_loop' | 'nrps.too_many_pages' | 'nrps.too_many_members' | 'nrps.bad_body';
  message: string;
}

/** Ceilings of one read. */
export interface MembershipLimits {
  maxPages: number;
  maxPageBytes: number;
  maxMembers: number;
  pageTimeoutMs: number;
}

/** A class is a few hundred people; a whole-school "course" some thousands. */
export const DEFAULT_MEMBERSHIP_LIMITS: MembershipLimits = { maxPages: 200, maxPageBytes: 8 * 1024 * 1024, maxMembers: 20_000, pageTimeoutMs: 30_000 };

/** Where the bearer token comes from: asked again (once) after a 401, when `renew` drops the old one. */
export interface MembershipAuth {
  token(): Promise<string>;
  renew(): void;
}

const MAX_FIELD_CHARS = 256;

/**
 * Yields the pages of the container at `url` in order, then returns null, or why the read had to
 * stop (see above). Throws SOURCE_* AppErrors (or OUTBOUND_FORBIDDEN) when the LMS cannot be read.
 */
export async function* membershipPages(
  outbound: Pick<OutboundClient, 'request'>,
  url: string,
  auth: MembershipAuth,
  limits: MembershipLimits = DEFAULT_MEMBERSHIP_LIMITS,
): AsyncGenerator<MembershipPage, PagingProblem | null> {
  const origin = new URL(url).origin;
  const visited = new Set<string>([url]);
  let members = 0;
  for (let page = 1, current: string | null = url; current; page++) {
    if (page > limits.maxPages) return { code: 'nrps.too_many_pages', message: `The LMS listed more than ${limits.maxPages} pages of members; the pull was stopped.` };
    const res = await getPage(outbound, current, auth, limits);
    const parsed = parseContainer(res.body);
    if (!parsed) return { code: 'nrps.bad_body', message: `Page ${page} of the memberships is not an NRPS membership container (no "members" list).` };
    members += parsed.members.length + parsed.problems.length;
    if (members > limits.maxMembers) return { code: 'nrps.too_many_members', message: `The LMS listed more than ${limits.maxMembers} members; the pull was stopped.` };
    const next = nextLink(res.headers.get('link'), current);
    if (next !== null) {
      // The token and the caller stay with the LMS that was registered: no hop to another host or scheme.
      if (new URL(next).origin !== origin)
        return { code: 'nrps.foreign_next_link', message: `The next link of page ${page} leads away from ${origin}; Lectern only follows links on the LMS's own address.` };
      if (visited.has(next)) return { code: 'nrps.link_loop', message: `The next link of page ${page} points back to a page already read.` };
      visited.add(next);
    }
    yield parsed;
    current = next;
  }
  return null;
}

// One page: a 401 gets one more try with a fresh token (the platform may have revoked the cached one).
async function getPage(outbound: Pick<OutboundClient, 'request'>, url: string, auth: MembershipAuth, limits: MembershipLimits) {
  const where = new URL(url).host;
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await outbound.request(url, {
        headers: { accept: MEMBERSHIP_CONTAINER, authorization: `Bearer ${await auth.token()}` },
        timeoutMs: limits.pageTimeoutMs,
        maxBytes: limits.maxPageBytes,
      });
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      if (err.kind === 'too_large') throw new AppError('SOURCE_TOO_LARGE', `A page of members from ${where} is larger than ${Math.round(limits.maxPageBytes / 1048576)} MB.`);
      throw new AppError(err.kind === 'timeout' ? 'SOURCE_TIMEOUT' : 'SOURCE_UNREACHABLE', `The LMS memberships service at ${where} could not be read: ${err.message}.`);
    }
    if (res.status === 200) return res;
    if (res.status === 401 && attempt === 1) {
      auth.renew();
      continue;
    }
    if (res.status === 401 || res.status === 403) {
      throw new AppError(
        'SOURCE_AUTH_FAILED',
        `The LMS memberships service at ${where} refused Lectern's access token (HTTP ${res.status}): the platform must grant the Names and Role Provisioning scope.`,
      );
    }
    throw new AppError('SOURCE_UNREACHABLE', `The LMS memberships service at ${where} answered HTTP ${res.status}.`);
  }
}

/** A membership container's context and members; null when the body is not one. */
export function parseContainer(body: Buffer): MembershipPage | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(json) || !Array.isArray(json.members)) return null;
  const c = isObject(json.context) ? json.context : null;
  const context = c && typeof c.id === 'string' ? { id: c.id, label: text(c.label), title: text(c.title) } : null;
  const page: MembershipPage = { context, members: [], problems: [] };
  json.members.forEach((entry: unknown, position: number) => {
    const member = memberOf(entry);
    if (typeof member === 'string') page.problems.push({ position, message: member });
    else page.members.push(member);
  });
  return page;
}

// One member, or what is wrong with it.
function memberOf(entry: unknown): Member | string {
  if (!isObject(entry)) return 'is not a JSON object';
  const userId = entry.user_id;
  if (typeof userId !== 'string' || !userId.trim() || userId.length > MAX_FIELD_CHARS) return 'has no usable user_id';
  if (!Array.isArray(entry.roles) || !entry.roles.every((r) => typeof r === 'string')) return 'has no list of roles';
  const status = entry.status ?? 'Active';
  if (status !== 'Active' && status !== 'Inactive' && status !== 'Deleted') return 'has an unknown status';
  return {
    userId,
    status,
    roles: entry.roles as string[],
    givenName: text(entry.given_name),
    familyName: text(entry.family_name),
    name: text(entry.name),
    email: text(entry.email),
    personSourcedId: text(entry.lis_person_sourcedid),
  };
}

// A display field: text without control characters, bounded (the roster stores it as it is).
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
        .replace(/\p{Cc}+/gu, ' ')
        .trim()
        .slice(0, MAX_FIELD_CHARS)
    : '';
}
