import type { Kysely } from 'kysely';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { assertPlatformAdmin, type Actor } from '../accounts/policy.js';
import { AuditService } from '../audit/audit-service.js';
import type { Database, LtiToolKey, ToolKeyState } from '../db/schema.js';
import type { SecretBox } from '../security/secret-box.js';
import { ToolKeyRepository } from './tool-key-repository.js';

/** The longest any token Lectern signs may live (deep linking responses, AGS client assertions). */
export const MAX_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
/** How long a new key is published before it signs: well past the JWKS's Cache-Control max-age. */
export const PUBLISH_BEFORE_SIGNING_MS = 60 * 60 * 1000;
/** The JWKS's Cache-Control max-age, in seconds. */
export const JWKS_MAX_AGE_SECONDS = 300;

const ALG = 'RS256';

/** A public key as the JWKS lists it. */
export interface PublicToolJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** What signs for Lectern now: the current key and its kid, for the JWS header. */
export interface ToolSigner {
  kid: string;
  alg: 'RS256';
  privateKey: CryptoKey;
}

/** A key as an operator sees it: never any private part. */
export interface ToolKeySummary {
  kid: string;
  state: ToolKeyState;
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
}

/** Options, for tests: a clock and the two waits. */
export interface ToolKeyOptions {
  now?: () => Date;
  publishBeforeSigningMs?: number;
  maxTokenLifetimeMs?: number;
}

/**
 * The tool's RS256 key set. A key is published as 'next' (listed in the JWKS, signing nothing), becomes
 * 'current' once it has been listed for `publishBeforeSigningMs` (or at the next rotation), and when
 * replaced is 'retired': listed until every token it could have signed has expired, then dropped.
 * Private keys are sealed at rest and leave this module only as a CryptoKey for signing.
 */
export class ToolKeys {
  private readonly now: () => Date;
  private readonly publishMs: number;
  private readonly lifetimeMs: number;
  // Imported private keys by kid: importing an RSA JWK costs more than the signature it serves.
  private readonly imported = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    opts: ToolKeyOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.publishMs = opts.publishBeforeSigningMs ?? PUBLISH_BEFORE_SIGNING_MS;
    this.lifetimeMs = opts.maxTokenLifetimeMs ?? MAX_TOKEN_LIFETIME_MS;
  }

  /** The public JWKS: next, current and retired-but-live keys (making the first key on first use). */
  async jwks(): Promise<{ keys: PublicToolJwk[] }> {
    const live = await this.maintain();
    return { keys: live.map((k) => JSON.parse(k.public_jwk) as PublicToolJwk) };
  }

  /** The keys listed now, without private parts (enterprise admins and the operator). */
  async list(actor: Actor): Promise<ToolKeySummary[]> {
    assertPlatformAdmin(actor);
    return (await this.maintain()).map(summarise);
  }

  /** The current private key and its kid, for deep linking responses and AGS client assertions. */
  async signer(): Promise<ToolSigner> {
    const live = await this.maintain();
    const current = live.find((k) => k.state === 'current');
    if (!current) throw new Error('No current LTI tool key');
    let key = this.imported.get(current.kid);
    if (!key) {
      const jwk = JSON.parse(this.secrets.open(current.private_key_sealed, sealContext(current.kid))) as JWK;
      key = importJWK(jwk, ALG) as Promise<CryptoKey>;
      this.imported.set(current.kid, key);
    }
    return { kid: current.kid, alg: ALG, privateKey: await key };
  }

  /**
   * Rotates: a waiting 'next' key becomes 'current' now (the current one retires), and a fresh 'next'
   * key is published, to sign from the rotation after, or once it has been listed long enough.
   */
  async rotate(actor: Actor): Promise<ToolKeySummary[]> {
    assertPlatformAdmin(actor);
    await this.maintain();
    const at = this.now().toISOString();
    const fresh = await newKey(this.secrets, at);
    await this.db.transaction().execute(async (trx) => {
      const repo = new ToolKeyRepository(trx);
      const next = await repo.findInState('next');
      if (next) await this.promote(repo, next.kid, at);
      // With no key at all yet, the first one signs at once: no platform can hold an older JWKS.
      const state: ToolKeyState = (await repo.findInState('current')) ? 'next' : 'current';
      await repo.insert({ ...fresh, state, activated_at: state === 'current' ? at : null });
      await new AuditService(trx).record(actor, { customerId: null, action: 'lti.tool_keys_rotated', targetType: 'lti_tool_key', targetId: fresh.kid, fields: [] });
    });
    return (await this.maintain()).map(summarise);
  }

  // Makes the key set what the clock says it should be, and returns the keys listed now. Reads only,
  // unless something is due: a write would wait behind SQLite's writer (a roster apply) on every JWKS fetch.
  private async maintain(): Promise<LtiToolKey[]> {
    const now = this.now();
    const at = now.toISOString();
    const retiredSince = new Date(now.getTime() - this.lifetimeMs).toISOString();
    const repo = new ToolKeyRepository(this.db);
    let all = await repo.listAll();
    let changed = false;
    const next = all.find((k) => k.state === 'next');
    if (next && now.getTime() - Date.parse(next.created_at) >= this.publishMs) {
      await this.db.transaction().execute(async (trx) => this.promote(new ToolKeyRepository(trx), next.kid, at));
      changed = true;
    }
    if (all.some((k) => k.state === 'retired' && (k.retired_at ?? '') < retiredSince)) {
      await repo.deleteRetiredBefore(retiredSince);
      changed = true;
    }
    if (changed) all = await repo.listAll();
    if (!all.some((k) => k.state === 'current')) {
      try {
        await repo.insert({ ...(await newKey(this.secrets, at)), state: 'current', activated_at: at });
      } catch (err) {
        // Another process made the first key at the same moment: the unique index kept one; use it.
        if (!(await repo.findInState('current'))) throw err;
      }
      all = await repo.listAll();
    }
    return all.filter((k) => k.state !== 'retired' || (k.retired_at ?? '') >= retiredSince);
  }

  private async promote(repo: ToolKeyRepository, kid: string, at: string): Promise<void> {
    // Another process may have promoted it since we looked: then its current key is this one, not to be retired.
    if ((await repo.findInState('next'))?.kid !== kid) return;
    const current = await repo.findInState('current');
    // Retire before promoting: the unique index allows one 'current' at any moment of the transaction.
    // Both are compare-and-set, so of two processes promoting at once the second changes nothing.
    if (current) await repo.retire(current.kid, at);
    await repo.promote(kid, at);
  }
}

/** The AAD of a tool key's sealed private JWK: bound to its kid, so a sealed key moved to another row does not open. */
function sealContext(kid: string): string {
  return `lti_tool_key:${kid}:private_key`;
}

function summarise(k: LtiToolKey): ToolKeySummary {
  return { kid: k.kid, state: k.state, createdAt: k.created_at, activatedAt: k.activated_at, retiredAt: k.retired_at };
}

// A fresh RS256 pair: the public JWK with its RFC 7638 thumbprint as kid, the private JWK sealed.
async function newKey(secrets: SecretBox, at: string): Promise<Omit<LtiToolKey, 'state' | 'activated_at'>> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const listed: PublicToolJwk = { kty: 'RSA', n: publicJwk.n!, e: publicJwk.e!, kid, alg: ALG, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  return { kid, public_jwk: JSON.stringify(listed), private_key_sealed: secrets.seal(JSON.stringify(privateJwk), sealContext(kid)), created_at: at, retired_at: null };
}
