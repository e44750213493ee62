import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { gql, type GraphQLResponse, type Stack, type TestUser } from '../../../test/harness';

/** The operations these tests send, as a client app would write them. */
export const MESSAGE_FIELDS = `id roomId seq body clientMessageId createdAt editedAt deletedAt author { id username }`;

const CREATE_ROOM = `mutation($input: CreateRoomInput!) { createRoom(input: $input) { id kind name lastSeq } }`;
const OPEN_DIRECT = `mutation($userId: ID!) { openDirectRoom(userId: $userId) { id kind name } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
const INVITE = `mutation($roomId: ID!, $userId: ID!) { inviteToRoom(roomId: $roomId, userId: $userId) { id members { user { id } role } } }`;

/** Throws with the errors when `res` has any, else returns `data[field]`. */
export function must<T = any>(res: GraphQLResponse, field: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (res.errors?.length || !res.data) throw new Error(`${field} failed: ${JSON.stringify(res.errors)}`);
  return res.data[field];
}

/** One signed-in user talking to the gateway. */
export function clientFor(stack: Stack, user: TestUser) {
  const request = (query: string, variables: Record<string, unknown> = {}) =>
    gql(stack.gatewayUrl, query, variables, { token: user.accessToken });
  return {
    user,
    request,
    createRoom: async (name: string, memberIds: string[] = []) =>
      must<{ id: string; kind: string; name: string; lastSeq: number }>(await request(CREATE_ROOM, { input: { name, memberIds } }), 'createRoom'),
    openDirectRoom: (userId: string) => request(OPEN_DIRECT, { userId }),
    invite: (roomId: string, userId: string) => request(INVITE, { roomId, userId }),
    send: (roomId: string, body: string, extra: { clientMessageId?: string; replyToId?: string } = {}) =>
      request(SEND, { input: { roomId, body, ...extra } }),
    sendOk: async (roomId: string, body: string, extra: { clientMessageId?: string; replyToId?: string } = {}) =>
      must<{ id: string; seq: number; body: string }>(await request(SEND, { input: { roomId, body, ...extra } }), 'sendMessage'),
    /**
     * Sends as a chat app should: with a clientMessageId, and again with the same one while the
     * answer is the retryable SERVICE_UNAVAILABLE (the first try may have been stored all the same).
     */
    sendRetrying: async (roomId: string, body: string) => {
      const clientMessageId = randomUUID();
      for (let attempt = 1; ; attempt++) {
        const res = await request(SEND, { input: { roomId, body, clientMessageId } });
        const retryable = res.errors?.length && res.errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
        if (!retryable || attempt === 20) return must<{ id: string; seq: number; body: string }>(res, 'sendMessage');
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    },
  };
}

export type MessagingClient = ReturnType<typeof clientFor>;

/** Runs `fn` with a connection to the stack's own database (auth's and messaging's tables). */
export async function withDatabase<T>(stack: Stack, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** Gives a user global roles directly in auth's table, then signs in again so the new token carries them. */
export async function promote(stack: Stack, user: TestUser, roles: string[]): Promise<TestUser> {
  await withDatabase(stack, (db) => db.query(`UPDATE users SET roles = $2 WHERE id = $1`, [user.id, roles]));
  const res = await gql(stack.gatewayUrl, `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`, {
    input: { login: user.username, password: user.password },
  });
  const { accessToken, refreshToken } = must(res, 'login');
  return { ...user, accessToken, refreshToken };
}

/** Bans a user the way an auth operator would: auth's GetUsers then reports them as banned. */
export async function ban(stack: Stack, user: TestUser): Promise<void> {
  await withDatabase(stack, (db) => db.query(`UPDATE users SET banned_at = now() WHERE id = $1`, [user.id]));
}

/** Runs `count` calls of `fn` with at most `width` in flight at once: concurrency without exhausting 2 cores. */
export async function inBatches<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}
