/*
 * The OIDC login's state and nonce (Security Framework 1.0 §5.1.1, OpenID Connect Core §3.1.2.1).
 * Both are random and fresh per login; the state is kept server-side as a digest with the platform
 * it was issued for, the target_link_uri it carried and the nonce, for ten minutes, and taken once.
 * No cookie: the platform's form post comes cross-site (an LMS iframe, Safari and Chrome blocking
 * third-party cookies), and an unguessable single-use state row is the proof that this login began
 * here. The id_token's nonce must then equal the stored one, so a token cannot be replayed with
 * another login's state either.
 */
import { randomToken, safeEqual, tokenDigest } from '../security/tokens.js';
import { addMs } from '../time.js';
import type { LoginStateRepository, LoginStateRow } from './login-state-repository.js';

/** How long a login may take between Lectern's redirect and the platform's form post. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/** A login in flight, as a launch finds it. */
export interface LoginState {
  platformId: string;
  nonce: string;
  targetLinkUri: string;
  /** The platform's storage frame when the state is kept there (storage-target.ts), else null. */
  storageTarget: string | null;
}

/** What a post of a state gets: the login, taken; or, for a login kept in platform storage, the marker its check page must send back. */
export type LoginClaim = { kind: 'taken'; login: LoginState } | { kind: 'check'; login: LoginState; marker: string };

/** Issues and takes login states. */
export class LoginStates {
  constructor(private readonly repo: LoginStateRepository) {}

  /** Starts a login: a fresh state and nonce, stored (the state as its digest) until `now` + the TTL; `storageTarget` when the platform keeps the state. */
  async issue(platformId: string, targetLinkUri: string, now: Date, storageTarget: string | null = null): Promise<{ state: string; nonce: string }> {
    const state = randomToken();
    const nonce = randomToken();
    await this.repo.insert({
      state_hash: tokenDigest(state),
      nonce,
      platform_id: platformId,
      target_link_uri: targetLinkUri,
      expires_at: addMs(now.toISOString(), LOGIN_STATE_TTL_MS),
      storage_target: storageTarget,
      storage_marker_hash: null,
    });
    return { state, nonce };
  }

  /**
   * Reads the ordinary login (not kept in platform storage) this state began, without taking it, so
   * that a launch can take it in the transaction that signs the person in: one commit instead of two.
   * Null when unknown, expired or a storage login (claim() serves those). Whoever reads a login must
   * then take it (takeRead), refused or not: a state serves one post.
   */
  async read(state: string, now: Date): Promise<LoginState | null> {
    if (!state || state.length > 200) return null;
    const row = await this.repo.findUnboundPlatformWide(tokenDigest(state), now.toISOString());
    return row ? loginState(row) : null;
  }

  /** Takes an ordinary login that read() found; false when another post of the state took it first (or it has just expired). */
  async takeRead(state: string, now: Date): Promise<boolean> {
    return (await this.repo.takeUnboundPlatformWide(tokenDigest(state), now.toISOString())) !== undefined;
  }

  /**
   * Claims the login this state began; null when unknown, used, expired or the marker is wrong. An
   * ordinary login is taken by its first post. A login kept in platform storage takes two: the
   * platform's post (no marker) sets a fresh one-time marker and leaves the row, since the browser
   * has not yet shown that it holds the state; the check page's post (with the marker) takes the row.
   * The state is still used once: a second platform post finds the marker set, a second check post
   * finds no row, and a wrong marker uses the state up.
   */
  async claim(state: string, marker: string | undefined, now: Date): Promise<LoginClaim | null> {
    if (!state || state.length > 200) return null;
    const stateHash = tokenDigest(state);
    const iso = now.toISOString();
    if (marker === undefined) {
      // One statement for an ordinary login, as before; the marker's compare-and-set only when that finds none.
      const row = await this.repo.takeUnboundPlatformWide(stateHash, iso);
      if (row) return { kind: 'taken', login: loginState(row) };
      const fresh = randomToken();
      const marked = await this.repo.markPlatformWide(stateHash, tokenDigest(fresh), iso);
      return marked ? { kind: 'check', login: loginState(marked), marker: fresh } : null;
    }
    const row = await this.repo.takePlatformWide(stateHash, iso);
    if (!row?.storage_marker_hash || !safeEqual(row.storage_marker_hash, tokenDigest(marker))) return null;
    return { kind: 'taken', login: loginState(row) };
  }
}

function loginState(row: LoginStateRow): LoginState {
  return { platformId: row.platform_id, nonce: row.nonce, targetLinkUri: row.target_link_uri, storageTarget: row.storage_target };
}
