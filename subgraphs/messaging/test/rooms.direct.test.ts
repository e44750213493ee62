import { registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, withDatabase, type MessagingClient } from './messaging-client';

const PAIRS = 8;
const OPENS_PER_USER = 6;

describe('direct rooms: one per pair, even under concurrent opens', () => {
  let stack: Stack;
  let pairs: [MessagingClient, MessagingClient][];

  beforeAll(async () => {
    stack = await startStack();
    const users = await Promise.all(Array.from({ length: PAIRS * 2 }, () => registerUser(stack)));
    pairs = Array.from({ length: PAIRS }, (_, i) => [clientFor(stack, users[2 * i]), clientFor(stack, users[2 * i + 1])]);
  });
  afterAll(() => stack.stop());

  it('gives both users of every pair the same single room when they all open it at the same moment', async () => {
    // Every open of every pair in flight at once: both sides of a pair race each other and themselves.
    const opens = pairs.flatMap(([a, b], pair) =>
      Array.from({ length: OPENS_PER_USER }, () => [
        a.openDirectRoom(b.user.id).then((res) => ({ pair, id: must(res, 'openDirectRoom').id as string })),
        b.openDirectRoom(a.user.id).then((res) => ({ pair, id: must(res, 'openDirectRoom').id as string })),
      ]).flat(),
    );
    const results = await Promise.all(opens);
    expect(results).toHaveLength(PAIRS * OPENS_PER_USER * 2);

    const idsByPair = pairs.map((_, pair) => new Set(results.filter((r) => r.pair === pair).map((r) => r.id)));
    for (const ids of idsByPair) expect(ids.size).toBe(1);
    const roomIds = idsByPair.map((ids) => [...ids][0]);
    expect(new Set(roomIds).size).toBe(PAIRS);

    for (const [[a, b], pair] of pairs.map((p, i) => [p, i] as const)) {
      for (const user of [a, b]) {
        const mine = must(await user.request(`{ myRooms { id kind members { user { id } } } }`), 'myRooms');
        expect(mine).toHaveLength(1);
        expect(mine[0].id).toBe(roomIds[pair]);
        expect(mine[0].members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([a.user.id, b.user.id].sort());
      }
    }
    // Nothing half-made behind the API either: exactly one stored room and two memberships per pair.
    const stored = await withDatabase(stack, (db) =>
      db.query(`SELECT r.id, count(m.user_id)::int AS members FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id GROUP BY r.id`),
    );
    expect(stored.rows.map((r) => r.id).sort()).toEqual([...roomIds].sort());
    expect(stored.rows.every((r) => r.members === 2)).toBe(true);
  });

  it('keeps giving the same room afterwards, and a different one for a different pair', async () => {
    const [[a, b], [c]] = pairs;
    const first = must(await a.openDirectRoom(b.user.id), 'openDirectRoom').id;
    expect(must(await b.openDirectRoom(a.user.id), 'openDirectRoom').id).toBe(first);
    const other = must(await a.openDirectRoom(c.user.id), 'openDirectRoom').id;
    expect(other).not.toBe(first);
    expect(must(await c.openDirectRoom(a.user.id), 'openDirectRoom').id).toBe(other);
  });
});
