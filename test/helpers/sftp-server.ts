import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { IN_CI } from './databases.js';

/** OpenSSH's SFTP server (Debian package openssh-sftp-server). */
export const SFTP_SERVER_BINARY = '/usr/lib/openssh/sftp-server';

/** Why SFTP tests cannot run here, or null; in CI a missing binary fails the tests instead. */
export function sftpSkipReason(): string | null {
  if (fs.existsSync(SFTP_SERVER_BINARY) || IN_CI) return null;
  const reason = `${SFTP_SERVER_BINARY} is missing (apt-get install openssh-sftp-server); SFTP tests are SKIPPED locally`;
  console.warn(`\n!!! ${reason} !!!\n`);
  return reason;
}

/** A running SSH server on loopback whose SFTP subsystem is the real OpenSSH sftp-server. */
export interface TestSftpServer {
  host: string;
  port: number;
  root: string;
  username: string;
  password: string;
  /** A private key (OpenSSH format) the server also accepts for `username`. */
  privateKey: string;
  /** The host key's fingerprint as OpenSSH prints it: `SHA256:<base64>`. */
  fingerprint: string;
  close(): Promise<void>;
}

/**
 * Starts an in-process ssh2 server on 127.0.0.1 that authenticates one user by password or by a
 * client key (its signature checked, as sshd does), and hands
 * the `sftp` subsystem to a spawned OpenSSH `sftp-server` working in `root`: our client talks to
 * the real SFTP implementation, only the SSH transport and login are test code.
 */
export async function startSftpServer(opts: { hostKey?: string } = {}): Promise<TestSftpServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-sftp-'));
  const username = 'roster';
  const password = `pw-${crypto.randomBytes(6).toString('hex')}`;
  const clientKeys = keyPair();
  const allowed = ssh2.utils.parseKey(clientKeys.public);
  if (allowed instanceof Error || Array.isArray(allowed)) throw new Error('could not parse the test client key');
  const hostKey = opts.hostKey ?? keyPair().private;
  const parsed = ssh2.utils.parseKey(hostKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  const fingerprint = `SHA256:${crypto.createHash('sha256').update(key!.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
  const children = new Set<ReturnType<typeof spawn>>();
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === username && ctx.password === password) return ctx.accept();
      if (ctx.method === 'publickey' && ctx.username === username && ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH())) {
        // Without a signature the client only asks whether the key would do; with one, it must verify.
        if (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (acceptSub, _reject, info) => {
          if (info.name !== 'sftp') return;
          const channel = acceptSub();
          const child = spawn(SFTP_SERVER_BINARY, ['-d', root, '-e'], { stdio: ['pipe', 'pipe', 'ignore'] });
          children.add(child);
          channel.pipe(child.stdin!);
          child.stdout!.pipe(channel);
          child.on('exit', () => {
            children.delete(child);
            channel.close();
          });
          channel.on('close', () => child.kill());
        });
      });
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    root,
    username,
    password,
    privateKey: clientKeys.private,
    fingerprint,
    close: async () => {
      for (const c of children) c.kill();
      // server.close() waits for every connection to end; end them, or a lingering one hangs the test.
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * An ed25519 key pair in OpenSSH format. ssh2's generator now and then (about 1 in 500) writes a
 * key its own parser calls malformed: draw again until both halves parse.
 */
export function keyPair(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}
