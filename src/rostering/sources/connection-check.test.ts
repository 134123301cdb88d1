import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOneRosterProvider, type OneRosterProvider } from '../../../test/helpers/oneroster-provider.js';
import { sftpSkipReason, startSftpServer, type TestSftpServer } from '../../../test/helpers/sftp-server.js';
import { OutboundClient, STRICT_OUTBOUND, parseOutboundAllow } from '../../security/outbound.js';
import { checkApi, checkSftp, nearNames, type ConnectionReport } from './connection-check.js';
import type { SftpLocation } from './sftp-fetch.js';

const allowLoopback = new OutboundClient(parseOutboundAllow('127.0.0.1'));

/** The steps as `step:status[:code]`, to compare a whole report at once. */
const outline = (r: ConnectionReport) => r.steps.map((s) => [s.step, s.status, s.code].filter(Boolean).join(':'));
const failed = (r: ConnectionReport) => r.steps.find((s) => s.status === 'failed')!;

describe('Test connection over SFTP (OpenSSH sftp-server)', sftpSkipReason() ? { skip: sftpSkipReason()! } : {}, () => {
  let server: TestSftpServer;
  let uploads: string;
  before(async () => {
    server = await startSftpServer();
    uploads = path.join(server.root, 'uploads');
    fs.mkdirSync(uploads);
    fs.writeFileSync(path.join(uploads, 'Roster.zip'), 'PK');
    fs.writeFileSync(path.join(uploads, 'roster-2024.zip'), 'PK');
    fs.writeFileSync(path.join(uploads, 'notes.txt'), 'x');
    fs.mkdirSync(path.join(uploads, 'archive.zip'));
  });
  after(() => server.close());

  const loc = (o: Partial<SftpLocation> = {}): SftpLocation => ({
    host: server.host,
    port: server.port,
    username: server.username,
    password: server.password,
    privateKey: null,
    path: uploads,
    fileName: 'roster-2024.zip',
    hostKeyFingerprint: '',
    ...o,
  });

  it('walks every step, shows the unpinned host key, and finds the file', async () => {
    const r = await checkSftp(loc(), allowLoopback);
    assert.deepEqual(outline(r), ['resolve:ok', 'connect:ok', 'hostKey:ok', 'authenticate:ok', 'listPath:ok', 'findFile:ok']);
    assert.equal(r.ok, true);
    assert.deepEqual(r.hostKey, { fingerprint: server.fingerprint, pinned: 'unpinned' });
    assert.match(r.steps[2]!.message, /Nothing is pinned yet/);
    // A private key alone signs in as well, and a pinned key that matches is said to match.
    const byKey = await checkSftp(loc({ password: '', privateKey: server.privateKey, hostKeyFingerprint: server.fingerprint }), allowLoopback);
    assert.equal(byKey.ok, true);
    assert.equal(byKey.hostKey?.pinned, 'match');
  });

  it('a pinned key the server does not show fails the host key step and shows the key it did show', async () => {
    const r = await checkSftp(loc({ hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), allowLoopback);
    assert.deepEqual(outline(r), ['resolve:ok', 'connect:ok', 'hostKey:failed:SOURCE_HOST_KEY_CHANGED', 'authenticate:skipped', 'listPath:skipped', 'findFile:skipped']);
    assert.deepEqual(r.hostKey, { fingerprint: server.fingerprint, pinned: 'mismatch' });
    assert.match(failed(r).message, new RegExp(`presented host key ${server.fingerprint.replace(/[+/]/g, '\\$&')}, not the trusted`));
  });

  it('a wrong password fails sign-in after the host key was shown', async () => {
    const r = await checkSftp(loc({ password: 'not-the-password' }), allowLoopback);
    assert.deepEqual(outline(r), ['resolve:ok', 'connect:ok', 'hostKey:ok', 'authenticate:failed:SOURCE_AUTH_FAILED', 'listPath:skipped', 'findFile:skipped']);
    assert.equal(r.hostKey?.fingerprint, server.fingerprint);
    assert.match(failed(r).message, /refused the username and password/);
  });

  it('a missing Path, and a File name that is not there (with the nearest names), fail their steps', async () => {
    const noPath = await checkSftp(loc({ path: path.join(server.root, 'nope') }), allowLoopback);
    assert.deepEqual(outline(noPath).slice(4), ['listPath:failed:SOURCE_FILE_MISSING', 'findFile:skipped']);
    assert.match(failed(noPath).message, /does not exist on the server: check Path/);

    const noFile = await checkSftp(loc({ fileName: 'roster.zip' }), allowLoopback);
    assert.deepEqual(outline(noFile).slice(4), ['listPath:ok', 'findFile:failed:SOURCE_FILE_MISSING']);
    assert.deepEqual(noFile.nearNames, ['Roster.zip', 'roster-2024.zip']);
    assert.match(failed(noFile).message, /roster\.zip is not in .*Closest names there: Roster\.zip, roster-2024\.zip\./);

    const folder = await checkSftp(loc({ fileName: 'archive.zip' }), allowLoopback);
    assert.match(failed(folder).message, /is a folder, not a file/);
  });

  it('a refused port, a silent one (timeout), an unknown name and a private address each fail with their own answer', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const refused = await checkSftp(loc({ port: closed }), allowLoopback);
    assert.deepEqual(outline(refused).slice(0, 3), ['resolve:ok', 'connect:failed:SOURCE_UNREACHABLE', 'hostKey:skipped']);
    assert.match(failed(refused).message, /refused the connection/);

    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const timeout = await checkSftp(loc({ port: (silent.address() as AddressInfo).port }), allowLoopback, { connectTimeoutMs: 500 });
      assert.deepEqual(outline(timeout).slice(0, 2), ['resolve:ok', 'connect:failed:SOURCE_TIMEOUT']);
      assert.match(failed(timeout).message, /no SSH answer within 0\.5 s/);
    } finally {
      silent.close();
    }

    const dns = await checkSftp(loc({ host: 'no-such-host.invalid' }), allowLoopback);
    assert.deepEqual(outline(dns).slice(0, 2), ['resolve:failed:SOURCE_UNREACHABLE', 'connect:skipped']);
    assert.match(failed(dns).message, /no-such-host\.invalid could not be resolved/);

    // Without the operator's allow-list, loopback is refused before any connection (the outbound guard).
    const guarded = await checkSftp(loc(), new OutboundClient(STRICT_OUTBOUND));
    assert.deepEqual(outline(guarded).slice(0, 2), ['resolve:failed:OUTBOUND_FORBIDDEN', 'connect:skipped']);
    assert.match(failed(guarded).message, /LECTERN_OUTBOUND_ALLOW/);
  });
});

describe('Test connection to a OneRoster API (the provider fake)', () => {
  let oauth2: OneRosterProvider;
  let oauth1: OneRosterProvider;
  let other: http.Server;
  let otherOrigin: string;
  before(async () => {
    oauth2 = await startOneRosterProvider({ auth: { kind: 'oauth2', clientId: 'client', clientSecret: 'secret' } });
    oauth1 = await startOneRosterProvider({ auth: { kind: 'oauth1', key: 'key', secret: 'secret' }, paging: 'link' });
    for (const p of [oauth2, oauth1]) {
      for (let i = 1; i <= 5; i++) p.put('orgs', { sourcedId: `org-${i}`, name: `School ${i}`, type: 'school' });
    }
    // A server that answers JSON of another shape, for the "wrong shape" answer.
    other = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"meta":{}}'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  after(async () => {
    await oauth2.close();
    await oauth1.close();
    other.close();
  });
  const o2 = (o: { clientSecret?: string; tokenUrl?: string } = {}) => ({
    kind: 'oauth2' as const,
    tokenUrl: o.tokenUrl ?? oauth2.tokenUrl,
    scope: '',
    clientId: 'client',
    clientSecret: o.clientSecret ?? 'secret',
  });
  const o1 = (secret = 'secret') => ({ kind: 'oauth1' as const, signatureMethod: 'HMAC-SHA256' as const, consumerKey: 'key', consumerSecret: secret });

  it('fetches a token and reads one page of orgs: the count and the first names', async () => {
    const r = await checkApi(oauth2.url, o2(), allowLoopback);
    assert.deepEqual(outline(r), ['token:ok', 'readOrgs:ok']);
    assert.deepEqual(r.orgs, { count: 5, countIsTotal: true, names: ['School 1', 'School 2', 'School 3'] });
    assert.match(r.steps[1]!.message, /^5 orgs, such as School 1, School 2, School 3\.$/);
    // One page only: no other collection, no second page.
    assert.deepEqual(
      oauth2.requests.map((q) => q.collection),
      ['orgs'],
    );
  });

  it('signs one OAuth 1.0a request and reads orgs from a provider that pages by links', async () => {
    const r = await checkApi(oauth1.url, o1(), allowLoopback);
    assert.deepEqual(outline(r), ['sign:ok', 'readOrgs:ok']);
    assert.equal(r.orgs?.count, 5);
    assert.equal(r.orgs?.countIsTotal, false);
  });

  it('a refused token, a refused signature, a wrong path, not JSON and JSON of another shape each say so', async () => {
    const token = await checkApi(oauth2.url, o2({ clientSecret: 'wrong' }), allowLoopback);
    assert.deepEqual(outline(token), ['token:failed:SOURCE_AUTH_FAILED', 'readOrgs:skipped']);
    assert.match(failed(token).message, /token URL refused the client credentials \(HTTP 401\)/);

    const signature = await checkApi(oauth1.url, o1('wrong'), allowLoopback);
    assert.deepEqual(outline(signature), ['sign:ok', 'readOrgs:failed:SOURCE_AUTH_FAILED']);
    assert.match(failed(signature).message, /refused the credentials \(HTTP 401/);

    const wrongPath = await checkApi(`${oauth1.origin}/api/v1`, o1(), allowLoopback);
    assert.equal(failed(wrongPath).code, 'SOURCE_UNREACHABLE');
    assert.match(failed(wrongPath).message, /answered HTTP 404.*check the API URL and the OneRoster version/);

    oauth1.faults.badBody = 'orgs';
    try {
      const html = await checkApi(oauth1.url, o1(), allowLoopback);
      assert.equal(failed(html).step, 'readOrgs');
      assert.match(failed(html).message, /is not JSON \(it begins "<html><body>Maintenance/);
    } finally {
      oauth1.faults.badBody = null;
    }

    const shape = await checkApi(`${otherOrigin}/ims/oneroster/v1p1`, o1(), allowLoopback);
    assert.match(failed(shape).message, /is JSON but not a OneRoster orgs collection \(no "orgs" list; it has "data", "meta"\)/);
  });

  it('an unknown host, TLS to a port without it, and a private address fail before any answer', async () => {
    const dns = await checkApi('https://no-such-sis.invalid/ims/oneroster/v1p1', o1(), allowLoopback);
    assert.equal(failed(dns).code, 'SOURCE_UNREACHABLE');
    assert.match(failed(dns).message, /no-such-sis\.invalid could not be resolved/);

    const tls = await checkApi(oauth1.url.replace('http:', 'https:'), o1(), allowLoopback);
    assert.equal(failed(tls).code, 'SOURCE_UNREACHABLE');
    assert.match(failed(tls).message, /TLS failed \(.+\): the server's certificate is not trusted for this name, or it does not speak https on this port/);

    const guarded = await checkApi(oauth2.url, o2(), new OutboundClient(STRICT_OUTBOUND));
    assert.deepEqual(outline(guarded), ['token:failed:OUTBOUND_FORBIDDEN', 'readOrgs:skipped']);
  });
});

describe('nearNames', () => {
  it('puts case and extension differences first, then close spellings, and leaves out the unrelated', () => {
    assert.deepEqual(nearNames('roster.zip', ['ROSTER.ZIP', 'roster.csv', 'rostr.zip', 'grades-2023.xlsx']), ['ROSTER.ZIP', 'roster.csv', 'rostr.zip']);
    assert.deepEqual(nearNames('roster.zip', []), []);
  });
});
