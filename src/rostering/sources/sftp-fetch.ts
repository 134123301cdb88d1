import crypto from 'node:crypto';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { AppError } from '../../errors.js';
import { OutboundError, type OutboundClient } from '../../security/outbound.js';
import { storeBundle, type BundleStore, type StoredBundle } from '../runs/bundle-store.js';

/** Where the customer's bundle is, as the customer form stores it (secrets decrypted). */
export interface SftpLocation {
  host: string;
  port: number;
  username: string;
  /** '' when the customer signs in by key only. */
  password: string;
  /** OpenSSH or PEM private key, tried before the password; null when there is none. */
  privateKey: string | null;
  path: string;
  fileName: string;
  /** `SHA256:…` pinned by the customer, or learnt on first use; '' when neither. */
  hostKeyFingerprint: string;
}

/** The remote file as last imported, to skip an unchanged one. */
export interface RemoteFileState {
  size: number;
  mtimeMs: number;
}

/** What a fetch did. */
export type SftpFetchResult = { status: 'downloaded'; bundle: StoredBundle; remote: RemoteFileState; fingerprint: string } | { status: 'unchanged'; remote: RemoteFileState; fingerprint: string };

/** Tunables (tests shorten the settle time). */
export interface SftpFetchOptions {
  bundles: BundleStore;
  maxBytes: number;
  /** The outbound guard: the host is the customer's to type, so it could name the private network. */
  outbound: OutboundClient;
  previous?: RemoteFileState | null;
  force?: boolean;
  /** How long the file must keep its size before it is taken as complete (an upload may be running). */
  settleMs?: number;
  connectTimeoutMs?: number;
}

/** The fingerprint OpenSSH prints for a host key: `SHA256:` and the unpadded base64 of its SHA-256. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Downloads the customer's bundle from SFTP into the bundle store: verifies the host key (pinned,
 * or trusted on first use and returned to be pinned), waits until the file stops growing, skips it
 * when size and modification time are those of the last import (unless forced), and streams it to
 * disk under the size cap. Every failure is an AppError with a SOURCE_* code; nothing is deleted.
 */
export async function fetchFromSftp(loc: SftpLocation, opts: SftpFetchOptions): Promise<SftpFetchResult> {
  const address = await resolveSftpHost(loc, opts.outbound);
  const { client, fingerprint: seen } = await openSftp(loc, address, { connectTimeoutMs: opts.connectTimeoutMs });
  try {
    const remote = path.posix.join(loc.path || '/', loc.fileName);
    const first = await statOrMissing(client, remote);
    await new Promise((r) => setTimeout(r, opts.settleMs ?? 5000));
    const settled = await statOrMissing(client, remote);
    if (settled.size !== first.size || settled.mtimeMs !== first.mtimeMs) {
      throw new AppError('SOURCE_FILE_MISSING', `${remote} is still being written (its size changed while Lectern waited); the next run will take it.`);
    }
    if (settled.size > opts.maxBytes) throw new AppError('SOURCE_TOO_LARGE', `${remote} is ${settled.size} bytes, over the ${opts.maxBytes}-byte limit.`);
    if (!opts.force && opts.previous && opts.previous.size === settled.size && opts.previous.mtimeMs === settled.mtimeMs) {
      return { status: 'unchanged', remote: settled, fingerprint: seen };
    }
    const stream = client.createReadStream(remote);
    // The stream closes its remote handle after its last byte; ending the session before that
    // would cut the close request short.
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    try {
      const bundle = await storeBundle(stream, opts.bundles, opts.maxBytes);
      return { status: 'downloaded', bundle, remote: settled, fingerprint: seen };
    } finally {
      await closed;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The address to connect to for the customer's host, checked by the outbound guard (the host is the
 * customer's to type, so it could name the private network); connect to it, not to the name again,
 * as its DNS answer could change. A name that does not resolve is SOURCE_UNREACHABLE.
 */
export async function resolveSftpHost(loc: Pick<SftpLocation, 'host' | 'port'>, outbound: OutboundClient): Promise<string> {
  try {
    return await outbound.resolveHost(loc.host);
  } catch (err) {
    if (err instanceof OutboundError) throw new AppError('SOURCE_UNREACHABLE', `Could not connect to ${loc.host}:${loc.port}: ${err.message}`);
    throw err;
  }
}

/**
 * Opens an SFTP session to `address` (from resolveSftpHost) as the customer: a pinned host key must
 * match (SOURCE_HOST_KEY_CHANGED), an unpinned one is accepted and returned to be pinned, then the
 * login (SOURCE_AUTH_FAILED). `onHostKey` hears the key's fingerprint as soon as the server shows it,
 * even when the login then fails. The caller ends the client.
 */
export async function openSftp(
  loc: SftpLocation,
  address: string,
  opts: { connectTimeoutMs?: number; onHostKey?: (fingerprint: string) => void } = {},
): Promise<{ client: SftpClient; fingerprint: string }> {
  const client = new SftpClient('lectern');
  let seen = '';
  try {
    await client.connect({
      host: address,
      port: loc.port,
      username: loc.username,
      ...(loc.password ? { password: loc.password } : {}),
      ...(loc.privateKey ? { privateKey: loc.privateKey } : {}),
      readyTimeout: opts.connectTimeoutMs ?? 15_000,
      hostVerifier: (key: Buffer) => {
        seen = hostKeyFingerprint(key);
        opts.onHostKey?.(seen);
        // A fingerprint is public: a plain comparison is fine here.
        return !loc.hostKeyFingerprint || seen === loc.hostKeyFingerprint;
      },
    });
  } catch (err) {
    await client.end().catch(() => undefined);
    throw connectError(err as Error & { code?: string; level?: string }, loc, seen, opts.connectTimeoutMs ?? 15_000);
  }
  return { client, fingerprint: seen };
}

async function statOrMissing(client: SftpClient, remote: string): Promise<RemoteFileState> {
  try {
    const st = await client.stat(remote);
    if (!st.isFile) throw new AppError('SOURCE_FILE_MISSING', `${remote} is not a file.`);
    return { size: st.size, mtimeMs: st.modifyTime };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('SOURCE_FILE_MISSING', `${remote} was not found on the SFTP server: check Path and File name.`);
  }
}

function connectError(err: Error & { code?: string; level?: string }, loc: SftpLocation, seen: string, timeoutMs: number): AppError {
  const where = `${loc.host}:${loc.port}`;
  if (loc.hostKeyFingerprint && seen && seen !== loc.hostKeyFingerprint) {
    return new AppError(
      'SOURCE_HOST_KEY_CHANGED',
      `${where} presented host key ${seen}, not the trusted ${loc.hostKeyFingerprint}. If the server was really replaced, update the fingerprint in the customer's settings.`,
    );
  }
  if (err.level === 'client-authentication' || /authentication/i.test(err.message)) {
    return new AppError('SOURCE_AUTH_FAILED', `${where} refused the username and ${loc.privateKey ? (loc.password ? 'both the private key and the password' : 'the private key') : 'password'}.`);
  }
  if (err.code === 'ECONNREFUSED') {
    return new AppError('SOURCE_UNREACHABLE', `Could not connect to ${where}: the server refused the connection (is the port right, and is the SFTP server running?).`);
  }
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new AppError('SOURCE_TIMEOUT', `Could not connect to ${where}: no SSH answer within ${Math.round(timeoutMs / 100) / 10} s (a firewall, or not an SFTP port?).`);
  }
  return new AppError('SOURCE_UNREACHABLE', `Could not connect to ${where}: ${err.message.replace(/^(connect|getConnection): /g, '')}`);
}
