/*
 * The OIDC login's state and nonce (Security Framework 1.0 §5.1.1, OpenID Connect Core §3.1.2.1).
 * Both are random and fresh per login; the state is kept server-side as a digest with the platform
 * it was issued for, the target_link_uri it carried and the nonce, for ten minutes, and taken once.
 * No cookie: the platform's form post comes cross-site (an LMS iframe, Safari and Chrome blocking
 * third-party cookies), and an unguessable single-use state row is the proof that this login began
 * here. The id_token's nonce must then equal the stored one, so a token cannot be replayed with
 * another login's state either.
 */
import { randomToken, tokenDigest } from '../security/tokens.js';
import { addMs } from '../time.js';
import type { LoginStateRepository } from './login-state-repository.js';

/** How long a login may take between Lectern's redirect and the platform's form post. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/** A login in flight, as a launch finds it. */
export interface LoginState {
  platformId: string;
  nonce: string;
  targetLinkUri: string;
}

/** Issues and takes login states. */
export class LoginStates {
  constructor(private readonly repo: LoginStateRepository) {}

  /** Starts a login: a fresh state and nonce, stored (the state as its digest) until `now` + the TTL. */
  async issue(platformId: string, targetLinkUri: string, now: Date): Promise<{ state: string; nonce: string }> {
    const state = randomToken();
    const nonce = randomToken();
    await this.repo.insert({ state_hash: tokenDigest(state), nonce, platform_id: platformId, target_link_uri: targetLinkUri, expires_at: addMs(now.toISOString(), LOGIN_STATE_TTL_MS) });
    return { state, nonce };
  }

  /** Takes the login this state began, once; null when unknown, already used or expired. */
  async take(state: string, now: Date): Promise<LoginState | null> {
    if (!state || state.length > 200) return null;
    const row = await this.repo.takePlatformWide(tokenDigest(state), now.toISOString());
    return row ? { platformId: row.platform_id, nonce: row.nonce, targetLinkUri: row.target_link_uri } : null;
  }
}
