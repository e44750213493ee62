import bcrypt from 'bcrypt';

/** bcrypt hashing with a configurable cost (12 by default; tests may lower it, production never). */
export class Passwords {
  private dummyHash?: Promise<string>;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /**
   * Spends the same time as `verify` on a hash of the same cost, and fails: a login for an
   * unknown account must not answer faster than a wrong password would.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('not-a-real-password', this.cost);
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }
}
