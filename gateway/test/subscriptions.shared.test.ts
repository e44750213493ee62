import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) {
  roomEvents(roomId: $roomId, afterSeq: $afterSeq) {
    __typename seq
    ... on MessageAdded { message { body author { id email displayName } } }
    ... on MemberLeft { member { user { id } } }
  }
}`;

/** Subscriptions open at messaging for `roomEvents`, as its /metrics says. */
async function upstreamSubscriptions(stack: Stack): Promise<number> {
  const text = await (await fetch(stack.messagingUrl.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('aether_subgraph_subscriptions_active') && l.includes('field="roomEvents"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Fetches the gateway has made to auth, as its /metrics says. */
async function authFetches(stack: Stack): Promise<number> {
  const text = await (await fetch(stack.gatewayUrl.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('aether_subgraph_fetch_duration_seconds_count') && l.includes('subgraph="auth"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('subscriptions: one shared upstream stream per room per gateway', () => {
  let stack: Stack;
  let users: TestUser[];
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack({ env: { WS_CONNECTIONS_PER_USER: '50', WS_SUBSCRIPTIONS_PER_CONNECTION: '100' } });
    users = await Promise.all([0, 1, 2, 3].map(() => registerUser(stack)));
    const room = await gql(
      stack.gatewayUrl,
      `mutation($m: [ID!]) { createRoom(input: { name: "crowd", memberIds: $m }) { id } }`,
      { m: users.slice(1).map((u) => u.id) },
      { token: users[0].accessToken },
    );
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack.stop());

  const send = (user: TestUser, body: string) =>
    gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body } }, { token: user.accessToken });
  const lastSeq = async (user: TestUser): Promise<number> =>
    (await gql(stack.gatewayUrl, `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: roomId }, { token: user.accessToken })).data!.room.lastSeq;

  it('serves 1,000 subscriptions to one room with one upstream subscription at messaging, each event delivered once to each', async () => {
    const from = await lastSeq(users[0]);
    // 4 members x 5 sockets x 50 subscriptions; half resume from the current seq, half live only.
    const clients = users.flatMap((u) => [0, 1, 2, 3, 4].map(() => ({ user: u, client: wsClient(stack.gatewayUrl, u.accessToken) })));
    const subs: { user: TestUser; sub: Collector }[] = [];
    // Opened a socket at a time, as clients arrive: the edge checks each operation's session with auth.
    for (const { user, client } of clients) {
      for (let i = 0; i < 50; i++) subs.push({ user, sub: new Collector(client, ROOM_EVENTS, { roomId, afterSeq: i % 2 ? from : null }) });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(subs).toHaveLength(1000);
    // Admission is per subscriber; give them all time to join before the first message.
    await eventually(async () => (await upstreamSubscriptions(stack)) >= 1, 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    await send(users[0], 'to a thousand');
    await Promise.all(subs.map(({ sub }) => sub.waitFor(1, 30_000)));
    await eventually(async () => (await upstreamSubscriptions(stack)) === 1);
    await send(users[1], 'and again');
    await Promise.all(subs.map(({ sub }) => sub.waitFor(2, 30_000)));
    await new Promise((r) => setTimeout(r, 300));
    expect(await upstreamSubscriptions(stack)).toBe(1);
    // Anything else than the two events (an error, an early end) shows here with its cause.
    const odd = subs.filter(({ sub }) => sub.events.length !== 2);
    expect(odd.map(({ sub }) => ({ error: JSON.stringify(sub.error), events: sub.events, completed: sub.completed })).slice(0, 3)).toEqual([]);
    for (const { user, sub } of subs) {
      expect(sub.events.map((e) => e.data!.roomEvents.seq)).toEqual([from + 1, from + 2]);
      // email is what a query by this subscriber returns: their own only.
      const [first, second] = sub.events.map((e) => e.data!.roomEvents.message.author.email);
      expect(first).toBe(user === users[0] ? users[0].email : null);
      expect(second).toBe(user === users[1] ? users[1].email : null);
    }
    await Promise.all(clients.map(({ client }) => client.dispose()));
    // The last subscriber gone, the shared stream closes after its linger.
    await eventually(async () => (await upstreamSubscriptions(stack)) === 0, 10_000);
  }, 120_000);

  it('ends a removed member at their own MemberLeft while the others on the same stream continue', async () => {
    const [owner, kept, removed] = users;
    const keptClient = wsClient(stack.gatewayUrl, kept.accessToken);
    const removedClient = wsClient(stack.gatewayUrl, removed.accessToken);
    const from = await lastSeq(owner);
    // With `email` (each viewer's own result) and without (one result for all, written by the stream's fan-out).
    const sharedSelection = ROOM_EVENTS.replace('author { id email displayName }', 'author { id displayName }');
    const keptSub = new Collector(keptClient, ROOM_EVENTS, { roomId, afterSeq: from });
    const keptShared = new Collector(keptClient, sharedSelection, { roomId, afterSeq: from });
    await send(owner, 'before removal');
    await Promise.all([keptSub.waitFor(1), keptShared.waitFor(1)]);
    // The stream is open and has had events: these two join it live, with no replay.
    const removedSub = new Collector(removedClient, ROOM_EVENTS, { roomId, afterSeq: from + 1 });
    const removedShared = new Collector(removedClient, sharedSelection, { roomId, afterSeq: from + 1 });
    await send(owner, 'while a member');
    await Promise.all([removedSub.waitFor(1), removedShared.waitFor(1)]);
    await gql(stack.gatewayUrl, `mutation($r: ID!, $u: ID!) { removeFromRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: removed.id }, { token: owner.accessToken });
    for (const sub of [removedSub, removedShared]) {
      await sub.waitForEnd().catch((e) => {
        throw new Error(`${e.message}: ${JSON.stringify(sub.events)} kept ${JSON.stringify(keptSub.events)}`);
      });
    }
    await send(owner, 'after removal');
    await Promise.all([keptSub.waitFor(4), keptShared.waitFor(4)]);
    await new Promise((r) => setTimeout(r, 300));
    for (const sub of [removedSub, removedShared]) {
      expect(sub.completed).toBe(true);
      expect(sub.events.map((e) => e.data!.roomEvents.seq)).toEqual([from + 2, from + 3]);
      expect(sub.events.map((e) => e.data!.roomEvents.__typename)).toEqual(['MessageAdded', 'MemberLeft']);
      expect(sub.events[1].data!.roomEvents.member.user.id).toBe(removed.id);
    }
    for (const sub of [keptSub, keptShared]) expect(sub.events.map((e) => e.data!.roomEvents.seq)).toEqual([from + 1, from + 2, from + 3, from + 4]);
    // Removed, they are refused a new subscription.
    const again = new Collector(removedClient, ROOM_EVENTS, { roomId, afterSeq: from });
    await again.waitFor(1);
    expect(again.events[0].errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await Promise.all([keptClient.dispose(), removedClient.dispose()]);
  });

  it('joins a resuming subscriber to a busy shared stream with no gap and no duplicate at the seam', async () => {
    const [owner, member] = users;
    const anchorClient = wsClient(stack.gatewayUrl, owner.accessToken);
    const anchor = new Collector(anchorClient, ROOM_EVENTS, { roomId, afterSeq: await lastSeq(owner) });
    await send(owner, 'warm up');
    await anchor.waitFor(1);
    const from = await lastSeq(owner);
    for (let i = 0; i < 30; i++) await send(owner, `missed ${i}`);
    const client = wsClient(stack.gatewayUrl, member.accessToken);
    const sending = (async () => {
      for (let i = 0; i < 30; i++) await send(owner, `during ${i}`);
    })();
    const late = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: from });
    await sending;
    await late.waitFor(60, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.events.map((e) => e.data!.roomEvents.seq)).toEqual(Array.from({ length: 60 }, (_, i) => from + 1 + i));
    await Promise.all([anchorClient.dispose(), client.dispose()]);
  });

  it('writes a viewer-independent result once serialized to every socket, as graphql-ws next frames a real client reads', async () => {
    const query = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { body author { displayName } } } } }`;
    const [owner, member] = users;
    const from = await lastSeq(owner);
    const clients = [owner, member, owner].map((u) => wsClient(stack.gatewayUrl, u.accessToken));
    const subs = clients.flatMap((c) => [0, 1].map(() => new Collector(c, query, { roomId, afterSeq: from })));
    await send(owner, 'one');
    await Promise.all(subs.map((s) => s.waitFor(1)));
    // A subscription the client completes gets no frame after it; the others go on.
    subs[0].dispose();
    await send(member, 'two');
    await Promise.all(subs.slice(1).map((s) => s.waitFor(2)));
    await new Promise((r) => setTimeout(r, 300));
    const expected = [
      { seq: from + 1, message: { body: 'one', author: { displayName: `Display ${owner.username}` } } },
      { seq: from + 2, message: { body: 'two', author: { displayName: `Display ${member.username}` } } },
    ];
    expect(subs[0].events.map((e) => e.data!.roomEvents)).toEqual(expected.slice(0, 1));
    for (const sub of subs.slice(1)) expect(sub.events).toEqual(expected.map((roomEvents) => ({ data: { roomEvents } })));
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('shares one upstream for a selection with reactedByMe, and gives each subscriber only their own view of it', async () => {
    // Three members (the fourth was removed above), ten subscriptions each (half resuming); two of them react, differently.
    const members = [users[0], users[1], users[3]];
    const query = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) {
      seq
      ... on MessageAdded { message { id body reactions { emoji reactedByMe } } }
      ... on ReactionChanged { message { id mine: reactions { emoji count reactedByMe } author { displayName } } }
    } }`;
    await eventually(async () => (await upstreamSubscriptions(stack)) === 0, 10_000);
    const from = await lastSeq(users[0]);
    const clients = members.map((u) => wsClient(stack.gatewayUrl, u.accessToken));
    const subs = members.flatMap((user, i) => Array.from({ length: 10 }, (_, j) => ({ user, sub: new Collector(clients[i], query, { roomId, afterSeq: j % 2 ? from : null }) })));
    await eventually(async () => (await upstreamSubscriptions(stack)) >= 1);
    await new Promise((r) => setTimeout(r, 1000));
    const sent = await send(users[0], 'react to this');
    const messageId = (
      await gql(stack.gatewayUrl, `query($id: ID!) { room(id: $id) { messages(last: 1) { edges { node { id } } } } }`, { id: roomId }, { token: users[0].accessToken })
    ).data!.room.messages.edges[0].node.id;
    expect(sent.data!.sendMessage.seq).toBe(from + 1);
    await Promise.all(subs.map(({ sub }) => sub.waitFor(1)));
    const react = async (user: TestUser, emoji: string, count: number) => {
      await gql(stack.gatewayUrl, `mutation($id: ID!, $e: String!) { addReaction(messageId: $id, emoji: $e) { id } }`, { id: messageId, e: emoji }, { token: user.accessToken });
      await Promise.all(subs.map(({ sub }) => sub.waitFor(count)));
    };
    const authBefore = await authFetches(stack);
    await react(users[1], '👍', 2);
    await react(users[3], '🎉', 3);
    expect(await upstreamSubscriptions(stack)).toBe(1);
    // `author { displayName }` is the same for every viewer: fetched once per event, not once per
    // viewer (3) or subscriber (30); only the reactions are fetched per viewer, from messaging.
    expect((await authFetches(stack)) - authBefore).toBeLessThanOrEqual(2);
    // What a query by each member returns for the message now.
    const views = new Map<TestUser, unknown>();
    for (const user of members) {
      const answer = await gql(
        stack.gatewayUrl,
        `query($id: ID!) { room(id: $id) { messages(last: 1) { edges { node { id mine: reactions { emoji count reactedByMe } author { displayName } } } } } }`,
        { id: roomId },
        { token: user.accessToken },
      );
      views.set(user, answer.data!.room.messages.edges[0].node);
    }
    for (const { user, sub } of subs) {
      expect(sub.events.map((e) => e.errors)).toEqual([undefined, undefined, undefined]);
      const [added, first, second] = sub.events.map((e) => e.data!.roomEvents);
      expect(added).toEqual({ seq: from + 1, message: { id: messageId, body: 'react to this', reactions: [] } });
      expect(first).toEqual({
        seq: from + 2,
        message: { id: messageId, mine: [{ emoji: '👍', count: 1, reactedByMe: user === users[1] }], author: { displayName: `Display ${users[0].username}` } },
      });
      expect(second).toEqual({ seq: from + 3, message: views.get(user) });
      expect(second.message.mine.map((r: { reactedByMe: boolean }) => r.reactedByMe)).toEqual([user === users[1], user === users[3]]);
    }
    await Promise.all(clients.map((c) => c.dispose()));
  });
});
