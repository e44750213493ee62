import { NotFoundError, type AuthClient, type UserSummary } from '@aether/common';

/**
 * Users as auth knows them, asked over gRPC in batches. Answers are remembered briefly so a
 * busy direct room does not ask auth on every message.
 */
export class UserDirectory {
  private readonly cache = new Map<string, { user: UserSummary | null; until: number }>();

  constructor(
    private readonly auth: AuthClient,
    private readonly ttlMs = 10_000,
  ) {}

  async lookup(ids: readonly string[]): Promise<Map<string, UserSummary | null>> {
    const now = Date.now();
    const result = new Map<string, UserSummary | null>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) result.set(id, hit.user);
      else missing.push(id);
    }
    if (missing.length) {
      const { users } = await this.auth.getUsers(missing);
      const found = new Map(users.map((u) => [u.id, u]));
      if (this.cache.size > 50_000) this.cache.clear();
      for (const id of missing) {
        const user = found.get(id) ?? null;
        this.cache.set(id, { user, until: now + this.ttlMs });
        result.set(id, user);
      }
    }
    return result;
  }

  /** Refuses (NOT_FOUND) when any of `ids` is unknown to auth or banned. */
  async requireActive(ids: readonly string[]): Promise<void> {
    const users = await this.lookup(ids);
    const bad = [...users].filter(([, u]) => !u || u.banned).map(([id]) => id);
    if (bad.length) throw new NotFoundError(`No such user: ${bad.join(', ')}`);
  }
}
