/*
 * The one way Lectern calls an address that a customer or a launch supplied (OneRoster API and its
 * token URL, LTI outcome services, SFTP hosts, later LTI 1.3 endpoints). Without it, a signed launch
 * or a customer form could make Lectern post to 127.0.0.1, the private network or the cloud metadata
 * service and show the answer back (SSRF). Every call:
 * - goes only to public unicast addresses, checked after DNS resolution (every address the name
 *   has), and connects to the very address checked (the socket's lookup answers with it, so a DNS
 *   answer that changes between check and connect reaches nothing);
 * - uses https, unless the operator allowed the host;
 * - follows redirects only where the caller allows them, checking each hop the same way;
 * - is bounded in time (connect, and start to last byte) and in body size.
 * The operator's allow-list (LECTERN_OUTBOUND_ALLOW: host names, addresses, CIDR ranges) admits
 * test servers and an on-premises SIS on private addresses, and plain http to them.
 */
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The operator's allow-list, checked and normalised; plain data, since the configuration is copied
 * into worker threads.
 */
export interface OutboundPolicy {
  /** Host names (lower case) allowed whatever they resolve to. */
  hosts: string[];
  /** Address ranges allowed, as CIDR text (a single address is a /32 or /128). */
  ranges: string[];
}

/** No exceptions: public https only. */
export const STRICT_OUTBOUND: OutboundPolicy = { hosts: [], ranges: [] };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/**
 * Parses `LECTERN_OUTBOUND_ALLOW` (comma-separated host names, IP addresses, CIDR ranges); an entry
 * that is none of these throws, naming it, so a typo stops the start instead of passing silently.
 */
export function parseOutboundAllow(text: string | undefined): OutboundPolicy {
  const hosts: string[] = [];
  const ranges: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw invalidEntry(entry, 'is not a valid CIDR range');
      const [base, bits] = ipaddr.parseCIDR(entry);
      ranges.push(`${base.toString()}/${bits}`);
    } else if (net.isIP(bare)) {
      const address = ipaddr.parse(bare);
      ranges.push(`${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`);
    } else if (HOST_NAME.test(entry) && !/(^|\.)(\d+|0x[0-9a-f]*)\.?$/i.test(entry)) {
      // A name whose last label is a number would be read as an IPv4 address by URL parsers.
      hosts.push(entry.toLowerCase().replace(/\.$/, ''));
    } else {
      throw invalidEntry(entry, 'is not a host name, an IP address or a CIDR range');
    }
  }
  return { hosts, ranges };
}

function invalidEntry(entry: string, why: string): Error {
  return new Error(`LECTERN_OUTBOUND_ALLOW: "${entry}" ${why} (expected a comma-separated list such as 127.0.0.1,10.20.0.0/16,sis.district.example).`);
}

/** What an address is: its normal form, its range name, and whether Lectern may call it unasked. */
export interface AddressClass {
  address: string;
  range: string;
  public: boolean;
}

/**
 * Classifies an IP address as the network stack would read it (also `127.1`, `0x7f.1`,
 * `2130706433`, `[::1]`, IPv4-mapped IPv6); null when `text` is not an address. Only global unicast
 * is public: loopback, private (RFC 1918), carrier-grade NAT, link-local (the metadata service
 * 169.254.169.254), unique-local IPv6, unspecified, multicast, broadcast, reserved and the IPv6
 * forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are not.
 */
export function classifyAddress(text: string): AddressClass | null {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return null;
  let address: Address = ipaddr.parse(bare);
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) address = v6.toIPv4Address();
    else if (v6.parts.slice(0, 6).every((p) => p === 0) && v6.range() === 'unicast') {
      return { address: v6.toString(), range: 'ipv4Compatible', public: false };
    }
  }
  const range = address.range();
  return { address: address.toString(), range, public: range === 'unicast' };
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  carrierGradeNat: 'a carrier-grade NAT address',
  linkLocal: 'a link-local address (such as the cloud metadata service)',
  uniqueLocal: 'a private IPv6 address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** Why an outbound call did not complete (a refused destination is an AppError OUTBOUND_FORBIDDEN instead). */
export class OutboundError extends Error {
  constructor(
    readonly kind: 'timeout' | 'too_large' | 'network',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundError';
  }
}

/** One outbound request. */
export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** From the start to the last byte of the body, redirects included. */
  timeoutMs: number;
  /** Resolving and connecting (default: the smaller of 10 s and timeoutMs). */
  connectTimeoutMs?: number;
  /** Largest body read; a longer one fails as `too_large` without being buffered. */
  maxBytes: number;
  /** Redirects followed (each checked as the first hop); 0, the default, returns a 3xx as it is. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** A complete answer. */
export interface OutboundResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

interface Destination {
  hostname: string;
  addresses: { address: string; family: 4 | 6 }[];
}

/** The guarded client; one per process, built from the configuration's policy. */
export class OutboundClient {
  private readonly hosts: ReadonlySet<string>;
  private readonly ranges: readonly [Address, number][];

  constructor(policy: OutboundPolicy) {
    this.hosts = new Set(policy.hosts);
    this.ranges = policy.ranges.map((r) => ipaddr.parseCIDR(r));
  }

  /** Sends one request (following allowed redirects) and reads the whole body within the bounds. */
  async request(url: string, req: OutboundRequest): Promise<OutboundResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new OutboundError('timeout', `no complete answer within ${seconds(req.timeoutMs)}`)), req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
    let current = parseUrl(url);
    let method = req.method ?? 'GET';
    let body = req.body;
    const headers = { ...req.headers };
    try {
      for (let hop = 0; ; hop++) {
        const destination = await this.check(current, signal);
        const res = await send(current, destination, { method, headers, body }, { ...req, signal });
        const location = res.headers.get('location');
        if (!isRedirect(res.status) || !location || !req.maxRedirects) return res;
        if (hop >= req.maxRedirects) throw new OutboundError('network', `more than ${req.maxRedirects} redirects`);
        const next = parseUrl(new URL(location, current).toString());
        // Credentials go to the origin they were meant for only (as fetch does).
        if (next.origin !== current.origin) for (const h of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(h)) delete headers[h];
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          for (const h of Object.keys(headers)) if (/^content-/i.test(h)) delete headers[h];
        }
        current = next;
      }
    } catch (err) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new OutboundError('timeout', 'the call was cancelled');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The address to connect to for `host` (a name or an address) on a protocol without URLs (SFTP):
   * checked as a URL's host is, and to be used instead of the name so that the connection goes where
   * the check said.
   */
  async resolveHost(host: string, signal?: AbortSignal): Promise<string> {
    const destination = await this.check(parseUrl(`https://${net.isIPv6(host) ? `[${host}]` : host}/`), signal);
    return destination.addresses[0]!.address;
  }

  // Refuses what may not be called; returns the host's checked addresses.
  private async check(url: URL, signal?: AbortSignal): Promise<Destination> {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const named = this.hosts.has(hostname.replace(/\.$/, ''));
    let addresses: Destination['addresses'];
    if (net.isIP(hostname)) {
      addresses = [{ address: hostname, family: net.isIPv6(hostname) ? 6 : 4 }];
    } else {
      try {
        const found = await raceAbort(dns.lookup(hostname, { all: true, verbatim: true }), signal);
        addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new OutboundError('network', `${hostname} could not be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
      }
      if (!addresses.length) throw new OutboundError('network', `${hostname} has no address`);
    }
    let allInRanges = true;
    for (const { address } of addresses) {
      const inRange = this.inAllowedRange(address);
      allInRanges &&= inRange;
      if (named || inRange) continue;
      const cls = classifyAddress(address);
      if (!cls?.public) {
        // The resolved address itself is not shown: it would map a private network for whoever reads the message.
        const what = RANGE_WORDS[cls?.range ?? ''] ?? `a special-purpose address (${cls?.range ?? 'unknown'})`;
        const subject = net.isIP(hostname) ? hostname : `${hostname} resolves to`;
        throw new AppError('OUTBOUND_FORBIDDEN', `${subject} ${what}; Lectern does not call such addresses. An operator can allow it with LECTERN_OUTBOUND_ALLOW.`);
      }
    }
    if (url.protocol !== 'https:' && !(named || allInRanges)) {
      throw new AppError(
        'OUTBOUND_FORBIDDEN',
        `${url.protocol.replace(':', '')}://${url.host} is not https; Lectern calls other servers over https only, unless an operator allows the host with LECTERN_OUTBOUND_ALLOW.`,
      );
    }
    return { hostname, addresses };
  }

  private inAllowedRange(text: string): boolean {
    const address = ipaddr.process(text);
    return this.ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('OUTBOUND_FORBIDDEN', 'The address is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('OUTBOUND_FORBIDDEN', `${url.protocol} URLs are not called; use https.`);
  return url;
}

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// One HTTP exchange with the checked destination: the socket's lookup answers with the checked
// addresses only, so nothing is resolved again between the check and the connection.
function send(
  url: URL,
  destination: Destination,
  msg: { method: string; headers: Record<string, string>; body?: Buffer | string },
  req: OutboundRequest & { signal: AbortSignal },
): Promise<OutboundResponse> {
  const lookup = ((_host: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    const list = destination.addresses;
    if (options.all) return callback(null, list);
    const chosen = list.find((a) => !options.family || a.family === options.family) ?? list[0]!;
    return callback(null, chosen.address, chosen.family);
  }) as unknown as net.LookupFunction;
  const connectTimeoutMs = req.connectTimeoutMs ?? Math.min(10_000, req.timeoutMs);
  return new Promise<OutboundResponse>((resolve, reject) => {
    const client = (url.protocol === 'https:' ? https : http).request({
      protocol: url.protocol,
      hostname: destination.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: msg.method,
      headers: { ...msg.headers, host: url.host, ...(msg.body !== undefined ? { 'content-length': String(Buffer.byteLength(msg.body)) } : {}) },
      lookup,
      agent: false,
      signal: req.signal,
    });
    client.once('socket', (socket: net.Socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => client.destroy(new OutboundError('timeout', `could not connect within ${seconds(connectTimeoutMs)}`)), connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    client.on('error', (err) => reject(err instanceof OutboundError || err instanceof AppError ? err : new OutboundError('network', describeNetworkError(err), { cause: err })));
    client.once('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (declared > req.maxBytes) {
        res.destroy();
        reject(tooLarge(req.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxBytes) {
          // Stop reading at the cap: the rest is never buffered.
          res.destroy();
          reject(tooLarge(req.maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => reject(req.signal.aborted ? req.signal.reason : new OutboundError('network', describeNetworkError(err), { cause: err })));
      res.once('end', () => {
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          try {
            headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          } catch {
            // A header value fetch would refuse is dropped, as fetch would not show it either.
          }
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), url: url.toString() });
      });
    });
    client.end(msg.body);
  });
}

function tooLarge(max: number): OutboundError {
  return new OutboundError('too_large', `the answer is larger than ${max >= 1048576 ? `${Math.round(max / 1048576)} MB` : `${Math.round(max / 1024)} KB`}`);
}

function describeNetworkError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}` : err.message;
}
