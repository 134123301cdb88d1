/*
 * The LTI pages a student may see speak the browser's language: a launch has no session yet, so
 * Accept-Language decides (Spanish when asked for, English otherwise), for a refused launch and for
 * the open-in-a-new-window page of a framed one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { pageLanguage, translatedMessage } from '../../src/lti/page-words.js';
import { describeEachDialect } from '../helpers/app.js';
import { userRow } from '../helpers/roster-rows.js';
import { importRoster, ltiCustomer, postLaunch, schoolRoster, signed, startLtiServer, type LtiServer } from './lti-server.js';

describe('pageLanguage', () => {
  it('takes the most preferred language there are words for, by q-value, else English', () => {
    const cases: [string | undefined, 'en' | 'es'][] = [
      [undefined, 'en'],
      ['', 'en'],
      ['es', 'es'],
      ['es-MX,es;q=0.9,en;q=0.8', 'es'],
      ['en-US,en;q=0.9,es;q=0.8', 'en'],
      ['fr-FR,es;q=0.5', 'es'],
      ['fr, de', 'en'],
      ['en;q=0.2, es;q=0.7', 'es'],
      ['es;q=0', 'en'],
    ];
    for (const [header, expected] of cases) assert.equal(pageLanguage(header), expected, String(header));
  });

  it('translates a code’s standard message and leaves a launch-specific one as written', () => {
    assert.match(translatedMessage('es', 'LTI_UNKNOWN_USER', 'Your LMS account is not linked to a Lectern account. Ask your school to add you to its roster.'), /no está vinculada/);
    assert.equal(translatedMessage('es', 'LTI_INVALID_LAUNCH', 'This LTI launch is missing resource_link_id.'), 'This LTI launch is missing resource_link_id.');
    assert.equal(translatedMessage('en', 'LTI_UNKNOWN_USER', 'x'), 'x');
  });
});

describeEachDialect('LTI pages in the student’s language', (dialect) => {
  let s: LtiServer;
  let c: Awaited<ReturnType<typeof ltiCustomer>>;

  before(async () => {
    s = await startLtiServer(dialect);
    c = await ltiCustomer(s.ctx, { rostering: { matchWith: 'identifier', suffix: '@lincoln' } });
    // An LMS user the roster does not know is refused, not created.
    await s.ctx.customers.update(operatorActor, c.id, { lti: { unmatchedUsers: 'refuse' } });
    await importRoster(s.ctx, c.id, schoolRoster([userRow('stu-ada', { username: 'ada', identifier: 'S-1001' })]));
  });
  after(() => s.close());

  it('a refused launch without a return URL: the error page in Spanish for a Spanish browser, in English otherwise', async () => {
    const launch = (language: string) =>
      postLaunch(s, signed(s, c, { user_id: 'lms-nobody', lis_person_sourcedid: 'S-0000', launch_presentation_return_url: '' }), { headers: { 'accept-language': language } });
    const spanish = await launch('es-ES,es;q=0.9');
    assert.equal(spanish.status, 403, spanish.body);
    assert.match(spanish.body, /<html lang="es">/);
    assert.match(spanish.body, /No se pudo abrir Lectern/);
    assert.match(spanish.body, /Tu cuenta del LMS no está vinculada a una cuenta de Lectern/);
    assert.match(spanish.headers.get('vary') ?? '', /Accept-Language/i);
    const english = await launch('en-US,en;q=0.9');
    assert.equal(english.status, 403);
    assert.match(english.body, /<html lang="en">/);
    assert.match(english.body, /Lectern could not open/);
    assert.match(english.body, /not linked to a Lectern account/);
  });

  it('a framed launch’s open-in-a-new-window page and a stale ticket speak Spanish too', async () => {
    const framed = await postLaunch(s, signed(s, c, { user_id: 'lms-ada', lis_person_sourcedid: 'S-1001' }), { headers: { 'sec-fetch-dest': 'iframe', 'accept-language': 'es' } });
    assert.equal(framed.status, 200, framed.body);
    assert.match(framed.body, /Abrir Lectern en una ventana nueva/);
    assert.match(framed.body, /name="ticket" value="[^"]+"/);
    const stale = await postLaunch(s, [['ticket', 'made-up']], { path: '/lti/continue', headers: { 'accept-language': 'es' } });
    assert.equal(stale.status, 410);
    assert.match(stale.body, /Este enlace ha caducado o ya se usó/);
  });
});
