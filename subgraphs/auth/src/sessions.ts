import { UnauthenticatedError, type Logger, type SessionRevocations } from '@aether/common';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { RefreshTokenEntity, SessionEntity, UserEntity, type UserRecord } from './store/entities';
import type { RotationReplay } from './rotation-replay';
import { hashRefreshToken, newRefreshToken, type AccessTokens } from './tokens';

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  user: UserRecord;
}

const INVALID_REFRESH = 'Refresh token is invalid or expired';

/**
 * Sessions are refresh-token families: login starts one, every refresh rotates its token,
 * and presenting a token that was already rotated means it was stolen, so the whole family
 * is revoked (the thief's and the owner's copies alike) — except within the reuse grace right
 * after the rotation, when it returns the same new pair (see rotation-replay.ts).
 */
export class Sessions {
  constructor(
    private readonly db: DataSource,
    private readonly accessTokens: AccessTokens,
    private readonly revocations: SessionRevocations,
    private readonly refreshTtlSeconds: number,
    /** How long a revoked session must stay in the revocation set: the access token lifetime. */
    private readonly accessTtlSeconds: number,
    private readonly logger: Logger,
    private readonly replay?: RotationReplay,
  ) {}

  private async issue(manager: EntityManager, user: UserRecord, sessionId: string, now: Date): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    await manager.getRepository(RefreshTokenEntity).insert({
      tokenHash: hashRefreshToken(refreshToken),
      sessionId,
      expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
    });
    const access = await this.accessTokens.sign(user.id, sessionId, user.roles, now);
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
  }

  async start(user: UserRecord, now = new Date()): Promise<TokenPair> {
    return this.db.transaction(async (manager) => {
      const session = await manager.getRepository(SessionEntity).save({
        userId: user.id,
        expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
      });
      return this.issue(manager, user, session.id, now);
    });
  }

  async rotate(refreshToken: string, now = new Date()): Promise<TokenPair> {
    const tokenHash = hashRefreshToken(refreshToken);
    // Row lock: two concurrent refreshes with one token cannot both succeed.
    const outcome = await this.db.transaction(async (manager) => {
      const token = await manager
        .getRepository(RefreshTokenEntity)
        .findOne({ where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
      if (!token) return { error: INVALID_REFRESH } as const;
      const session = await manager.getRepository(SessionEntity).findOneBy({ id: token.sessionId });
      if (!session || session.revokedAt || session.expiresAt < now) return { error: INVALID_REFRESH } as const;
      if (token.usedAt) {
        if (this.replay && now.getTime() - token.usedAt.getTime() <= this.replay.graceMs) {
          const again = await this.replay.recall(refreshToken, tokenHash);
          const user = again && (await manager.getRepository(UserEntity).findOneBy({ id: session.userId }));
          // Nothing to replay (it was lost, or the user is banned): refused, but the session is not ended for it.
          if (!again || !user || user.bannedAt) return { error: INVALID_REFRESH } as const;
          return { pair: { ...again, user } } as const;
        }
        await this.revokeInTransaction(manager, [session.id], 'refresh-token-reuse', now);
        return { error: INVALID_REFRESH, reused: session.id } as const;
      }
      if (token.expiresAt < now) return { error: INVALID_REFRESH } as const;
      const user = await manager.getRepository(UserEntity).findOneBy({ id: session.userId });
      if (!user || user.bannedAt) return { error: INVALID_REFRESH } as const;
      await manager.getRepository(RefreshTokenEntity).update({ tokenHash }, { usedAt: now });
      const pair = await this.issue(manager, user, session.id, now);
      // Before the commit: a concurrent refresh waiting on this row's lock finds the pair once it sees usedAt.
      await this.replay?.remember(refreshToken, tokenHash, pair);
      return { pair } as const;
    });
    if ('reused' in outcome && outcome.reused) {
      this.logger.warn('refresh token reused: session revoked', { sessionId: outcome.reused });
      await this.revocations.revoke([outcome.reused], this.accessTtlSeconds);
    }
    if ('error' in outcome) throw new UnauthenticatedError(outcome.error);
    return outcome.pair;
  }

  private async revokeInTransaction(manager: EntityManager, ids: string[], reason: string, now: Date): Promise<void> {
    if (!ids.length) return;
    await manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: now, revokedReason: reason })
      .whereInIds(ids)
      .andWhere('revoked_at IS NULL')
      .execute();
  }

  /** Ends the session `refreshToken` belongs to. False when there was nothing to end. */
  async endByRefreshToken(refreshToken: string): Promise<boolean> {
    const token = await this.db.getRepository(RefreshTokenEntity).findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
    if (!token) return false;
    return (await this.end([token.sessionId], 'logout')) > 0;
  }

  /** Ends every live session of a user, except `keep` (the caller's own, on password change). */
  async endAllOf(userId: string, reason: string, keep?: string): Promise<number> {
    const live = await this.db.getRepository(SessionEntity).findBy({ userId, revokedAt: IsNull() });
    return this.end(
      live.map((s) => s.id).filter((id) => id !== keep),
      reason,
    );
  }

  private async end(ids: string[], reason: string): Promise<number> {
    if (!ids.length) return 0;
    const result = await this.db
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: new Date(), revokedReason: reason })
      .whereInIds(ids)
      .andWhere('revoked_at IS NULL')
      .execute();
    await this.revocations.revoke(ids, this.accessTtlSeconds);
    return result.affected ?? 0;
  }

  /** True when the session exists and has not been ended (the authoritative check, in the database). */
  async isLive(sessionId: string): Promise<boolean> {
    const session = await this.db.getRepository(SessionEntity).findOneBy({ id: sessionId });
    return !!session && !session.revokedAt && session.expiresAt > new Date();
  }
}
