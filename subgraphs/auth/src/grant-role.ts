/**
 * `npm run grant-role -w @aether/auth -- <username or email> [ADMIN|MODERATOR]`: gives an
 * existing account a role straight in the database. It is how an operator makes the first
 * admin (nobody can grant ADMIN through the API before an admin exists); later admins are
 * made with the `grantRole` mutation. Reads DATABASE_URL like the service does.
 */
import { ConfigError, loadConfig } from '@aether/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { authConfigSchema } from './config';
import { createAuthDataSource } from './store/data-source';
import { ROLES, UserEntity, type Role, type UserRecord } from './store/entities';

/** Adds `role` to the account whose username or email is `login` (any case); null when there is none. */
export async function grantRoleByLogin(db: DataSource, login: string, role: Role): Promise<UserRecord | null> {
  const users = db.getRepository(UserEntity);
  const user = await users
    .createQueryBuilder('u')
    .where('lower(u.email) = lower(:login) OR lower(u.username) = lower(:login)', { login: login.trim() })
    .getOne();
  if (!user) return null;
  const roles = new Set([...user.roles, role]);
  user.roles = ROLES.filter((r) => roles.has(r));
  return users.save(user);
}

const argsSchema = z.tuple([z.string().min(1, 'Give a username or email'), z.enum(['ADMIN', 'MODERATOR']).default('ADMIN')]);

async function main(argv: string[]): Promise<number> {
  const args = argsSchema.safeParse([argv[0], argv[1]]);
  if (!args.success) {
    process.stderr.write('usage: grant-role <username or email> [ADMIN|MODERATOR]\n');
    return 2;
  }
  const [login, role] = args.data;
  const config = loadConfig('auth', authConfigSchema.pick({ DATABASE_URL: true }));
  const db = createAuthDataSource(config.DATABASE_URL);
  await db.initialize();
  try {
    const user = await grantRoleByLogin(db, login, role);
    if (!user) {
      process.stderr.write(`no account with username or email "${login}"\n`);
      return 1;
    }
    process.stdout.write(
      `${user.username} (${user.id}) now has roles ${user.roles.join(', ')}; ` +
        'tokens issued from now on carry them (sign in again or refresh).\n',
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `grant-role failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
