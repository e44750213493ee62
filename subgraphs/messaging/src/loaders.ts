import DataLoader from 'dataloader';
import type { KeysetPage, MemberRecord, MessagePage, MessageRecord, MessagingStore, PageRequest, ReactionCount, RoomRecord } from './store/store';
import { REACTIONS_PER_MESSAGE } from './pages';

/** A parent's page of a list: parents asking for the same page are read in one statement. */
interface PageKey {
  parent: string;
  page: KeysetPage;
}

const pageKey = (key: PageKey) => `${key.parent}\u0000${key.page.limit}\u0000${key.page.after?.at.getTime() ?? ''}\u0000${key.page.after?.id ?? ''}`;

/** Splits keys by the page they ask for, loads each group with one call, and answers in key order. */
async function byPage<T>(keys: readonly PageKey[], load: (parents: string[], page: KeysetPage) => Promise<T[][]>): Promise<T[][]> {
  const groups = new Map<string, { page: KeysetPage; at: number[] }>();
  keys.forEach((key, i) => {
    const group = pageKey({ parent: '', page: key.page });
    const entry = groups.get(group) ?? groups.set(group, { page: key.page, at: [] }).get(group)!;
    entry.at.push(i);
  });
  const results: T[][] = new Array(keys.length);
  await Promise.all(
    [...groups.values()].map(async ({ page, at }) => {
      const lists = await load(at.map((i) => keys[i].parent), page);
      at.forEach((i, j) => (results[i] = lists[j]));
    }),
  );
  return results;
}

/**
 * The per-request loaders of the messaging subgraph. Whatever an operation nests (rooms of
 * members of rooms), each level is one statement for all its parents, so an operation the
 * gateway admits is a bounded number of statements. When the caller has gone (the gateway gave
 * up on the request), no further statement is started.
 */
export function createLoaders(store: MessagingStore, viewerId: string | undefined, signal?: AbortSignal) {
  const guarded =
    <K, V>(load: (keys: readonly K[]) => Promise<V[]>) =>
    (keys: readonly K[]): Promise<V[]> => {
      signal?.throwIfAborted();
      return load(keys);
    };
  return {
    /** The viewer's membership per room. */
    membership: new DataLoader<string, MemberRecord | null>(
      guarded(async (roomIds) => (viewerId ? store.membershipsOf(viewerId, roomIds) : roomIds.map(() => null))),
    ),
    roomsById: new DataLoader<string, RoomRecord | null>(guarded((ids) => store.getRooms(ids))),
    messages: new DataLoader<string, MessageRecord | null>(guarded((ids) => store.getMessages(ids))),
    reactions: new DataLoader<string, ReactionCount[]>(
      guarded(async (ids) => {
        const all = await store.reactions(ids, viewerId, REACTIONS_PER_MESSAGE);
        const byMessage = new Map<string, ReactionCount[]>(ids.map((id) => [id, []]));
        for (const r of all) byMessage.get(r.messageId)?.push(r);
        return ids.map((id) => byMessage.get(id)!);
      }),
    ),
    /** A page of the rooms a user shares with the viewer (their own rooms for the viewer). */
    rooms: new DataLoader<PageKey, RoomRecord[], string>(
      guarded((keys) => byPage(keys, (userIds, page) => store.roomPages(userIds, viewerId!, page))),
      { cacheKeyFn: pageKey },
    ),
    /** A page of a room's messages; rooms of one list ask for the same page. */
    messagePages: new DataLoader<{ roomId: string; page: PageRequest }, MessagePage, string>(
      guarded(async (keys) => {
        const groups = new Map<string, { page: PageRequest; at: number[] }>();
        keys.forEach((key, i) => {
          const id = JSON.stringify(key.page);
          const entry = groups.get(id) ?? groups.set(id, { page: key.page, at: [] }).get(id)!;
          entry.at.push(i);
        });
        const results: MessagePage[] = new Array(keys.length);
        await Promise.all(
          [...groups.values()].map(async ({ page, at }) => {
            const pages = await store.pageMessagesOfRooms(at.map((i) => keys[i].roomId), page);
            at.forEach((i, j) => (results[i] = pages[j]));
          }),
        );
        return results;
      }),
      { cacheKeyFn: (key) => `${key.roomId}\u0000${JSON.stringify(key.page)}` },
    ),
    /** The viewer's unread count per room, after their read marker there. */
    unreadCounts: new DataLoader<{ roomId: string; afterSeq: number }, number, string>(
      guarded((keys) => store.unreadCounts(viewerId!, keys)),
      { cacheKeyFn: (key) => `${key.roomId}\u0000${key.afterSeq}` },
    ),
    /** A page of a room's members. */
    members: new DataLoader<PageKey, MemberRecord[], string>(
      guarded((keys) => byPage(keys, (roomIds, page) => store.memberPages(roomIds, page))),
      { cacheKeyFn: pageKey },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Forgets everything a context's loaders read. A subscription keeps one context for all its
 * events, and each event must be read as the store has it now, not as an earlier event saw it.
 */
export function forgetLoaded(context: object): void {
  for (const value of Object.values(context)) if (value instanceof DataLoader) value.clearAll();
}
