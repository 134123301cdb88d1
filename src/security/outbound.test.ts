import assert from 'node:assert/strict';
import dns from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { OutboundClient, OutboundError, STRICT_OUTBOUND, classifyAddress, parseOutboundAllow } from './outbound.js';

/*
 * The outbound guard: the address classifier as a table, the allow-list parser, and real calls to
 * a real HTTP server on 127.0.0.1 (refused without the allow-list, reached with it), redirects, a
 * slow body, a huge body and a DNS answer that changes between the check and the connection.
 */

describe('classifyAddress', () => {
  const table: [string, string, boolean][] = [
    ['8.8.8.8', 'unicast', true],
    ['2606:4700:4700::1111', 'unicast', true],
    ['127.0.0.1', 'loopback', false],
    ['127.1', 'loopback', false],
    ['2130706433', 'loopback', false],
    ['0x7f.1', 'loopback', false],
    ['0177.0.0.1', 'loopback', false],
    ['[::1]', 'loopback', false],
    ['::1', 'loopback', false],
    ['::ffff:127.0.0.1', 'loopback', false],
    ['::ffff:7f00:1', 'loopback', false],
    ['::ffff:169.254.169.254', 'linkLocal', false],
    ['::7f00:1', 'ipv4Compatible', false],
    ['0.0.0.0', 'unspecified', false],
    ['0', 'unspecified', false],
    ['::', 'unspecified', false],
    ['10.0.0.1', 'private', false],
    ['172.16.5.4', 'private', false],
    ['192.168.1.1', 'private', false],
    ['100.64.0.1', 'carrierGradeNat', false],
    ['100.100.100.200', 'carrierGradeNat', false],
    ['169.254.169.254', 'linkLocal', false],
    ['fe80::1', 'linkLocal', false],
    ['fe80::1%eth0', 'linkLocal', false],
    ['fc00::1', 'uniqueLocal', false],
    ['fd00:ec2::254', 'uniqueLocal', false],
    ['224.0.0.1', 'multicast', false],
    ['ff02::1', 'multicast', false],
    ['255.255.255.255', 'broadcast', false],
    ['192.0.0.192', 'reserved', false],
    ['64:ff9b::a9fe:a9fe', 'rfc6052', false],
    ['2002:7f00:1::', '6to4', false],
  ];
  for (const [text, range, isPublic] of table) {
    it(`${text} is ${range}${isPublic ? ' (public)' : ''}`, () => {
      const cls = classifyAddress(text);
      assert.ok(cls, `${text} is an address`);
      assert.deepEqual([cls.range, cls.public], [range, isPublic]);
    });
  }
  it('is null for host names', () => {
    assert.equal(classifyAddress('sis.example.org'), null);
    assert.equal(classifyAddress('localhost'), null);
  });
});

describe('LECTERN_OUTBOUND_ALLOW', () => {
  it('takes host names, addresses and CIDR ranges, normalised', () => {
    assert.deepEqual(parseOutboundAllow(' 127.0.0.1, 10.20.0.0/16 ,SIS.District.example., [::1],fd00::/8,'), {
      hosts: ['sis.district.example'],
      ranges: ['127.0.0.1/32', '10.20.0.0/16', '::1/128', 'fd00::/8'],
    });
    assert.deepEqual(parseOutboundAllow(undefined), STRICT_OUTBOUND);
    assert.deepEqual(loadConfig({ LECTERN_OUTBOUND_ALLOW: '127.0.0.1' }).outbound, { hosts: [], ranges: ['127.0.0.1/32'] });
  });
  it('fails config loading on an invalid entry, naming it', () => {
    for (const bad of ['10.0.0.0/33', 'http://sis.example', '*.example.org', 'sis.example:8443', '10.1', '127.0.0.1/8/1', 'a b']) {
      assert.throws(
        () => loadConfig({ LECTERN_OUTBOUND_ALLOW: `127.0.0.1,${bad}` }),
        (e: Error) => e.message.startsWith('LECTERN_OUTBOUND_ALLOW: ') && e.message.includes(`"${bad}"`),
        bad,
      );
    }
  });
});

describe('OutboundClient against a real server on 127.0.0.1', () => {
  let server: http.Server;
  let base: string;
  let hits = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      hits++;
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/ok') return res.writeHead(200, { 'content-type': 'text/plain', 'x-seen-host': String(req.headers.host) }).end('hello');
      if (url.pathname === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (url.pathname === '/to-ok') return res.writeHead(307, { location: '/ok' }).end();
      if (url.pathname === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (url.pathname === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (url.pathname === '/huge') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => undefined);
        return pump();
      }
      return res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const strict = new OutboundClient(STRICT_OUTBOUND);
  const allowed = new OutboundClient(parseOutboundAllow('127.0.0.1'));
  const forbidden = (pattern: RegExp) => (e: unknown) => e instanceof AppError && e.code === 'OUTBOUND_FORBIDDEN' && pattern.test(e.message);
  const limits = { timeoutMs: 5000, maxBytes: 1024 * 1024 };

  it('refuses loopback without the allow-list, before any connection', async () => {
    const before = hits;
    await assert.rejects(strict.request(`${base}/ok`, limits), forbidden(/127\.0\.0\.1 a loopback address/));
    const port = new URL(base).port;
    for (const url of [
      `http://localhost:${port}/ok`,
      `http://127.1:${port}/ok`,
      `http://2130706433:${port}/ok`,
      `http://0x7f.1:${port}/ok`,
      `http://[::ffff:127.0.0.1]:${port}/ok`,
      `http://0.0.0.0:${port}/ok`,
    ]) {
      await assert.rejects(strict.request(url, limits), forbidden(/loopback|unspecified/), url);
    }
    assert.equal(hits, before, 'the server was never called');
  });

  it('reaches it with the allow-list, over plain http', async () => {
    const res = await allowed.request(`${base}/ok`, limits);
    assert.deepEqual([res.status, res.body.toString(), res.headers.get('x-seen-host')], [200, 'hello', new URL(base).host]);
  });

  it('refuses plain http to a public address, and schemes other than http(s)', async () => {
    await assert.rejects(strict.request('http://8.8.8.8/', limits), forbidden(/is not https/));
    await assert.rejects(strict.request('file:///etc/passwd', limits), forbidden(/file: URLs are not called/));
    await assert.rejects(strict.request('https://169.254.169.254/latest/meta-data/', limits), forbidden(/link-local address \(such as the cloud metadata service\)/));
  });

  it('checks every redirect: an allowed host that redirects to the metadata service is refused', async () => {
    await assert.rejects(allowed.request(`${base}/to-metadata`, { ...limits, maxRedirects: 3 }), forbidden(/169\.254\.169\.254 a link-local address/));
    const followed = await allowed.request(`${base}/to-ok`, { ...limits, maxRedirects: 3 });
    assert.deepEqual([followed.status, followed.body.toString(), followed.url], [200, 'hello', `${base}/ok`]);
    // Where the caller allows none, the 3xx comes back as it is and is not followed.
    const kept = await allowed.request(`${base}/to-metadata`, limits);
    assert.equal(kept.status, 302);
    await assert.rejects(allowed.request(`${base}/loop`, { ...limits, maxRedirects: 3 }), (e: unknown) => e instanceof OutboundError && /more than 3 redirects/.test(e.message));
  });

  it('cuts a slow body at the time limit and a huge one at the size cap', async () => {
    const t0 = Date.now();
    await assert.rejects(allowed.request(`${base}/slow`, { timeoutMs: 300, maxBytes: 1024 * 1024 }), (e: unknown) => e instanceof OutboundError && e.kind === 'timeout');
    assert.ok(Date.now() - t0 < 2000, `stopped after ${Date.now() - t0} ms`);
    const rss = process.memoryUsage().rss;
    await assert.rejects(allowed.request(`${base}/huge`, { timeoutMs: 10_000, maxBytes: 256 * 1024 }), (e: unknown) => e instanceof OutboundError && e.kind === 'too_large');
    assert.ok(process.memoryUsage().rss - rss < 64 * 1048576, 'the body was not buffered past the cap');
  });

  it('connects to the address it checked: a DNS answer that changes afterwards (rebinding) reaches nothing else', async () => {
    const port = new URL(base).port;
    const answers = ['127.0.0.1', '169.254.169.254'];
    const real = dns.lookup;
    let asked = 0;
    // The guard resolves once; Node's own resolver would not know this name at all.
    (dns as { lookup: unknown }).lookup = async () => [{ address: answers[Math.min(asked++, 1)]!, family: 4 }];
    try {
      const res = await allowed.request(`http://rebind.lectern.test:${port}/ok`, limits);
      assert.deepEqual([res.status, res.headers.get('x-seen-host'), asked], [200, `rebind.lectern.test:${port}`, 1]);
      await assert.rejects(allowed.request(`http://rebind.lectern.test:${port}/ok`, limits), forbidden(/rebind\.lectern\.test resolves to a link-local address/));
    } finally {
      (dns as { lookup: unknown }).lookup = real;
    }
  });

  it('refuses a name when any of its addresses is not allowed', async () => {
    const real = dns.lookup;
    (dns as { lookup: unknown }).lookup = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.9.8.7', family: 4 },
    ];
    try {
      await assert.rejects(allowed.request('https://mixed.lectern.test/ok', limits), forbidden(/mixed\.lectern\.test resolves to a private network address/));
    } finally {
      (dns as { lookup: unknown }).lookup = real;
    }
  });

  it('resolves an SFTP host to the checked address', async () => {
    assert.equal(await allowed.resolveHost('127.0.0.1'), '127.0.0.1');
    await assert.rejects(strict.resolveHost('localhost'), forbidden(/localhost resolves to a loopback address/));
  });
});
