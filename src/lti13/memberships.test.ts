/*
 * The NRPS 2.0 membership container client against a scripted HTTP server on loopback: what it asks
 * for, how it pages, and each way an LMS can page wrongly or refuse.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it, describe } from 'node:test';
import { AppError } from '../errors.js';
import { OutboundClient, parseOutboundAllow } from '../security/outbound.js';
import { MEMBERSHIP_CONTAINER, membershipPages, parseContainer, type MembershipAuth, type MembershipLimits, type MembershipPage, type PagingProblem } from './memberships.js';

type Answer = { status?: number; link?: string; body?: unknown };

describe('NRPS 2.0 membership pages', () => {
  let server: http.Server;
  let origin: string;
  const seen: { url: string; accept: string; authorization: string }[] = [];
  // The answer for each path, in order of the calls to it.
  let script: Record<string, Answer[]> = {};
  const outbound = new OutboundClient(parseOutboundAllow('127.0.0.1'));
  const limits: MembershipLimits = { maxPages: 5, maxPageBytes: 64 * 1024, maxMembers: 50, pageTimeoutMs: 5000 };

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', accept: String(req.headers.accept), authorization: String(req.headers.authorization) });
      const answer = script[new URL(req.url ?? '/', origin).pathname]?.shift() ?? { status: 404, body: {} };
      res.writeHead(answer.status ?? 200, { 'content-type': MEMBERSHIP_CONTAINER, ...(answer.link ? { link: answer.link } : {}) });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const auth = (): MembershipAuth & { renewed: number } => {
    let n = 0;
    const a = { renewed: 0, token: () => Promise.resolve(`token-${n}`), renew: () => void (n++, a.renewed++) };
    return a;
  };
  const members = (...ids: string[]) => ({ context: { id: 'c1', label: 'C1', title: 'Course 1' }, members: ids.map((id) => ({ user_id: id, roles: ['Learner'] })) });
  /** Reads every page; returns them and how the read ended. */
  const readAll = async (url: string, a: MembershipAuth = auth()) => {
    const pages: MembershipPage[] = [];
    const it = membershipPages(outbound, url, a, limits);
    let step = await it.next();
    for (; !step.done; step = await it.next()) pages.push(step.value);
    return { pages, end: step.value as PagingProblem | null };
  };

  it('follows rel="next" page by page with the container media type and the bearer token, to the end', async () => {
    seen.length = 0;
    script = {
      '/m': [
        { link: `<${origin}/m?p=2>; rel="next"`, body: members('a', 'b') },
        { link: `<${origin}/m?p=3>; rel="next", <${origin}/d>; rel="differences"`, body: members('c') },
        { body: members('d') },
      ],
    };
    const { pages, end } = await readAll(`${origin}/m`);
    assert.equal(end, null);
    assert.deepEqual(
      pages.flatMap((p) => p.members.map((m) => m.userId)),
      ['a', 'b', 'c', 'd'],
    );
    assert.deepEqual(pages[0]!.context, { id: 'c1', label: 'C1', title: 'Course 1' });
    assert.deepEqual(
      seen.map((s) => [s.url, s.accept, s.authorization]),
      ['/m', '/m?p=2', '/m?p=3'].map((u) => [u, MEMBERSHIP_CONTAINER, 'Bearer token-0']),
    );
  });

  it('a next link back to a page already read ends the read as nrps.link_loop', async () => {
    script = {
      '/loop': [
        { link: `<${origin}/loop?p=2>; rel="next"`, body: members('a') },
        { link: `<${origin}/loop>; rel="next"`, body: members('b') },
      ],
    };
    assert.equal((await readAll(`${origin}/loop`)).end?.code, 'nrps.link_loop');
  });

  it('more pages than allowed end the read as nrps.too_many_pages', async () => {
    script = { '/many': Array.from({ length: 6 }, (_, i) => ({ link: `<${origin}/many?p=${i + 2}>; rel="next"`, body: members(`u${i}`) })) };
    assert.equal((await readAll(`${origin}/many`)).end?.code, 'nrps.too_many_pages');
  });

  it('an answer that is not a membership container ends the read as nrps.bad_body', async () => {
    script = { '/bad': [{ body: '<html>login</html>' }] };
    assert.equal((await readAll(`${origin}/bad`)).end?.code, 'nrps.bad_body');
  });

  it('a 401 is tried once more with a fresh token; a second refusal is SOURCE_AUTH_FAILED', async () => {
    seen.length = 0;
    script = { '/auth': [{ status: 401 }, { body: members('a') }] };
    const a = auth();
    const { pages } = await readAll(`${origin}/auth`, a);
    assert.equal(pages[0]!.members[0]!.userId, 'a');
    assert.equal(a.renewed, 1);
    assert.deepEqual(
      seen.map((s) => s.authorization),
      ['Bearer token-0', 'Bearer token-1'],
    );
    script = { '/auth': [{ status: 401 }, { status: 401 }] };
    await assert.rejects(readAll(`${origin}/auth`), (err: AppError) => err.code === 'SOURCE_AUTH_FAILED');
    script = { '/auth': [{ status: 403 }] };
    await assert.rejects(readAll(`${origin}/auth`), (err: AppError) => err.code === 'SOURCE_AUTH_FAILED');
  });

  it('a member without a user_id or roles is a problem of its page, not a member', () => {
    const page = parseContainer(
      Buffer.from(JSON.stringify({ members: [{ user_id: 'ok', roles: [] }, { roles: ['Learner'] }, { user_id: 'x' }, 'text', { user_id: 'y', roles: [], status: 'Gone' }] })),
    );
    assert.deepEqual(
      page?.members.map((m) => [m.userId, m.status]),
      [['ok', 'Active']],
    );
    assert.deepEqual(
      page?.problems.map((p) => p.position),
      [1, 2, 3, 4],
    );
  });
});
