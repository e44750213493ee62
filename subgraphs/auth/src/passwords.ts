import bcrypt from 'bcrypt';

/** bcrypt reads no further than this; registration refuses longer passwords. */
export const MAX_PASSWORD_BYTES = 72;

/** bcrypt hashing with a configurable cost (12 by default; tests may lower it, production never). */
export class Passwords {
  /** A hash of the configured cost that no password matches, for logins of unknown accounts. */
  private readonly standIn: Promise<string>;

  constructor(private readonly cost: number) {
    // Made now, so the first unknown-account login does not pay an extra hash and stand out.
    this.standIn = bcrypt.hash(`stand-in ${Math.random()}`, cost);
    this.standIn.catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verify(password: string, hash: string): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash);
    // bcrypt ignores bytes past 72, so a longer guess would match on its prefix alone.
    return matches && Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
  }

  /**
   * Spends the same time as `verify` on a hash of the same cost, and fails: a login for an
   * unknown account must not answer faster than a wrong password would.
   */
  async verifyNothing(password: string): Promise<false> {
    await bcrypt.compare(password, await this.standIn);
    return false;
  }
}
