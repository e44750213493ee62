import type { AuthPayloadFieldsFragment, UserFieldsFragment } from './gql/graphql';

/**
 * Where the tokens live, and why:
 * - the access token only in this object's memory: it is what an injected script would want
 *   most, and memory is gone with the tab; it is never written to storage, a cookie or a URL;
 * - the refresh token in sessionStorage, so a reload keeps the user signed in while a closed
 *   tab forgets it; the gateway's tokens are bearer tokens sent by our code only (no cookie the
 *   browser would attach to other sites' requests), and auth rotates the refresh token on every
 *   use and ends the session when an old one comes back.
 * The page's Content-Security-Policy (clients/web/server) allows no inline or third-party script.
 */
const REFRESH_TOKEN_KEY = 'aether.refreshToken';
/** Refresh this long before the access token expires, so no request or socket carries an expired one. */
const REFRESH_AHEAD_MS = 60_000;

export type RefreshTokens = (refreshToken: string) => Promise<AuthPayloadFieldsFragment>;

export class SessionEndedError extends Error {
  constructor() {
    super('Your session ended. Please sign in again.');
  }
}

export class Session {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  user: UserFieldsFragment | null = null;
  /** Called after every new access token, so an open socket can move to it before the old one expires. */
  onTokenRenewed: () => void = () => undefined;

  constructor(
    private readonly exchange: RefreshTokens,
    private readonly storage: Storage = sessionStorage,
  ) {}

  get signedIn(): boolean {
    return this.user !== null;
  }

  get canResume(): boolean {
    return this.storage.getItem(REFRESH_TOKEN_KEY) !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes a new token pair from register, login or refreshToken. */
  accept(payload: AuthPayloadFieldsFragment): void {
    const renewed = this.accessToken !== null;
    this.accessToken = payload.accessToken;
    this.expiresAt = Date.parse(payload.accessTokenExpiresAt);
    this.user = payload.user;
    this.storage.setItem(REFRESH_TOKEN_KEY, payload.refreshToken);
    clearTimeout(this.timer);
    const wait = Math.max(this.expiresAt - Date.now() - REFRESH_AHEAD_MS, 5_000);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), wait);
    this.listeners.forEach((l) => l());
    if (renewed) this.onTokenRenewed();
  }

  /** An access token valid for at least a few more seconds, refreshed first when needed. */
  async token(): Promise<string> {
    if (this.accessToken && this.expiresAt - Date.now() > 10_000) return this.accessToken;
    return this.refresh();
  }

  /** The current access token, if any, without refreshing. */
  currentToken(): string | null {
    return this.accessToken;
  }

  /**
   * Exchanges the refresh token for a new pair. One exchange at a time: two concurrent ones
   * would present the same refresh token twice, which auth treats as theft and ends the session.
   */
  refresh(): Promise<string> {
    this.refreshing ??= (async () => {
      const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
      if (!refreshToken) throw new SessionEndedError();
      try {
        const payload = await this.exchange(refreshToken);
        this.accept(payload);
        return payload.accessToken;
      } catch (error) {
        if (isAuthError(error)) this.end();
        throw error instanceof Error && isAuthError(error) ? new SessionEndedError() : error;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Forgets both tokens (sign-out, or the session was ended elsewhere). */
  end(): void {
    clearTimeout(this.timer);
    this.accessToken = null;
    this.expiresAt = 0;
    this.user = null;
    this.storage.removeItem(REFRESH_TOKEN_KEY);
    this.listeners.forEach((l) => l());
  }

  storedRefreshToken(): string | null {
    return this.storage.getItem(REFRESH_TOKEN_KEY);
  }
}

/** Whether a failed exchange means the refresh token is no good (as opposed to a network failure). */
function isAuthError(error: unknown): boolean {
  const errors = (error as { graphQLErrors?: { extensions?: { code?: unknown } }[] })?.graphQLErrors ?? [];
  return errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED' || e.extensions?.code === 'FORBIDDEN');
}
