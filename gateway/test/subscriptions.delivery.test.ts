import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) {
  roomEvents(roomId: $roomId, afterSeq: $afterSeq) {
    __typename seq roomId
    ... on MessageAdded { message { id body seq author { id username displayName } } }
    ... on MessageEdited { message { id body editedAt } }
    ... on ReactionChanged { message { id reactions { emoji count reactedByMe } } }
    ... on MemberJoined { member { role user { username } } }
    ... on MemberLeft { member { user { id } } }
  }
}`;

describe('federated subscriptions: live delivery', () => {
  let stack: Stack;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob] = await Promise.all([registerUser(stack), registerUser(stack)]);
    const room = await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "live", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack.stop());

  const send = (user: TestUser, body: string, room = roomId) =>
    gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq } }`, { i: { roomId: room, body } }, { token: user.accessToken });
  const lastSeq = async (user: TestUser, room = roomId): Promise<number> =>
    (await gql(stack.gatewayUrl, `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: room }, { token: user.accessToken })).data!.room.lastSeq;

  it('delivers messages with fields from both subgraphs, exactly as a query would shape them', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    // Subscribing from the room's current seq: whether the send lands before or after the
    // subscription is live, the message arrives exactly once.
    const sub = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: await lastSeq(bob) });
    const sent = await send(alice, 'hello bob');
    expect(sent.errors).toBeUndefined();
    const [event] = await sub.waitFor(1);
    expect(event.errors).toBeUndefined();
    expect(event.data).toEqual({
      roomEvents: {
        __typename: 'MessageAdded',
        seq: sent.data!.sendMessage.seq,
        roomId,
        message: {
          id: sent.data!.sendMessage.id,
          body: 'hello bob',
          seq: sent.data!.sendMessage.seq,
          author: { id: alice.id, username: alice.username, displayName: `Display ${alice.username}` },
        },
      },
    });
    // The same selection as a query gives the same shape and values.
    const queried = await gql(
      stack.gatewayUrl,
      `query($id: ID!) { room(id: $id) { messages(last: 1) { edges { node { id body seq author { id username displayName } } } } } }`,
      { id: roomId },
      { token: bob.accessToken },
    );
    expect(queried.data!.room.messages.edges[0].node).toEqual((event.data as { roomEvents: { message: unknown } }).roomEvents.message);
    sub.dispose();
    await client.dispose();
  });

  it('keeps order over 500 messages from concurrent senders', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const from = await lastSeq(bob);
    const sub = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: from });
    const sent: number[] = [];
    for (let i = 0; i < 500; i += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, (_, j) => send(j % 2 ? alice : bob, `m${i + j}`)));
      sent.push(...batch.map((r) => r.data!.sendMessage.seq));
    }
    const events = await sub.waitFor(500, 60_000);
    const seqs = events.map((e) => e.data!.roomEvents.seq);
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => from + 1 + i));
    expect([...sent].sort((a, b) => a - b)).toEqual(seqs);
    expect(events.map((e) => e.data!.roomEvents.message.body).sort()).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`).sort());
    sub.dispose();
    await client.dispose();
  });

  it('delivers edits, reactions and membership changes, each with its own seq', async () => {
    const carol = await registerUser(stack);
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const from = await lastSeq(bob);
    const sub = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: from });
    const message = (await send(alice, 'typo')).data!.sendMessage;
    await gql(stack.gatewayUrl, `mutation($id: ID!) { editMessage(id: $id, body: "fixed") { id } }`, { id: message.id }, { token: alice.accessToken });
    await gql(stack.gatewayUrl, `mutation($id: ID!) { addReaction(messageId: $id, emoji: "👍") { id } }`, { id: message.id }, { token: bob.accessToken });
    await gql(stack.gatewayUrl, `mutation($r: ID!, $u: ID!) { inviteToRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: carol.id }, { token: alice.accessToken });
    await gql(stack.gatewayUrl, `mutation($r: ID!) { leaveRoom(roomId: $r) }`, { r: roomId }, { token: carol.accessToken });
    const events = await sub.waitFor(5);
    expect(events.map((e) => e.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(events.map((e) => e.data!.roomEvents)).toEqual([
      expect.objectContaining({ __typename: 'MessageAdded', seq: from + 1 }),
      expect.objectContaining({ __typename: 'MessageEdited', seq: from + 2, message: expect.objectContaining({ body: 'fixed', editedAt: expect.any(String) }) }),
      expect.objectContaining({
        __typename: 'ReactionChanged',
        seq: from + 3,
        message: { id: message.id, reactions: [{ emoji: '👍', count: 1, reactedByMe: true }] },
      }),
      expect.objectContaining({ __typename: 'MemberJoined', seq: from + 4, member: { role: 'MEMBER', user: { username: carol.username } } }),
      expect.objectContaining({ __typename: 'MemberLeft', seq: from + 5, member: { user: { id: carol.id } } }),
    ]);
    sub.dispose();
    await client.dispose();
  });

  it('computes viewer-specific fields for each subscriber', async () => {
    const aliceClient = wsClient(stack.gatewayUrl, alice.accessToken);
    const bobClient = wsClient(stack.gatewayUrl, bob.accessToken);
    const from = await lastSeq(bob);
    const query = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on ReactionChanged { message { reactions { emoji count reactedByMe } } } } }`;
    const aliceSub = new Collector(aliceClient, query, { roomId, afterSeq: from });
    const bobSub = new Collector(bobClient, query, { roomId, afterSeq: from });
    const message = (await send(alice, 'react to me')).data!.sendMessage;
    await gql(stack.gatewayUrl, `mutation($id: ID!) { addReaction(messageId: $id, emoji: "🎉") { id } }`, { id: message.id }, { token: bob.accessToken });
    const [aliceEvents, bobEvents] = await Promise.all([aliceSub.waitFor(2), bobSub.waitFor(2)]);
    expect(aliceEvents[1].data!.roomEvents.message.reactions).toEqual([{ emoji: '🎉', count: 1, reactedByMe: false }]);
    expect(bobEvents[1].data!.roomEvents.message.reactions).toEqual([{ emoji: '🎉', count: 1, reactedByMe: true }]);
    aliceSub.dispose();
    bobSub.dispose();
    await Promise.all([aliceClient.dispose(), bobClient.dispose()]);
  });

  it('reads each event as the store has it then, not as an earlier event of the same subscription saw it', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const query = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on ReactionChanged { message { reactions { emoji count } } } } }`;
    const sub = new Collector(client, query, { roomId, afterSeq: await lastSeq(bob) });
    const message = (await send(alice, 'react twice')).data!.sendMessage;
    await sub.waitFor(1);
    for (const emoji of ['👍', '🎉']) {
      // Counted before the mutation: its event may reach the socket before its answer reaches us.
      const before = sub.events.length;
      const reacted = await gql(stack.gatewayUrl, `mutation($id: ID!, $e: String!) { addReaction(messageId: $id, emoji: $e) { id } }`, { id: message.id, e: emoji }, { token: bob.accessToken });
      // A reaction refused (under load, say) publishes no event: say so rather than wait for one.
      expect(reacted.errors).toBeUndefined();
      await sub.waitFor(before + 1).catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(sub.events)}`);
      });
    }
    expect(sub.events.slice(1).map((e) => e.data!.roomEvents.message.reactions)).toEqual([
      [{ emoji: '👍', count: 1 }],
      [{ emoji: '👍', count: 1 }, { emoji: '🎉', count: 1 }],
    ]);
    sub.dispose();
    await client.dispose();
  });

  it('computes a viewer-independent event once for all its subscribers, and viewer-specific fields per subscriber', async () => {
    const authFetches = async (): Promise<number> => {
      const text = await (await fetch(stack.gatewayUrl.replace('/graphql', '/metrics'))).text();
      const line = text.split('\n').find((l) => l.startsWith('aether_subgraph_fetch_duration_seconds_count') && l.includes('subgraph="auth"'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    // A room of its own for each half, so that no other subscription's fetches are counted.
    const subscribe = async (query: string, subscribers: TestUser[]) => {
      const room = (await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "fetches", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken })).data!.createRoom.id;
      const clients = subscribers.map((u) => wsClient(stack.gatewayUrl, u.accessToken));
      const subs = clients.map((c) => new Collector(c, query, { roomId: room, afterSeq: 0 }));
      return { room, subs, close: () => Promise.all(clients.map((c) => c.dispose())) };
    };
    const members = [alice, bob, alice, bob, alice, bob];

    // displayName is the same for everyone: one entity fetch to auth serves all six subscribers.
    const shared = await subscribe(
      `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { author { displayName } } } } }`,
      members,
    );
    let before = await authFetches();
    await send(alice, 'shared', shared.room);
    await Promise.all(shared.subs.map((s) => s.waitFor(1)));
    expect(await authFetches()).toBe(before + 1);
    expect(new Set(shared.subs.map((s) => JSON.stringify(s.events))).size).toBe(1);
    expect(shared.subs[0].events[0].data!.roomEvents.message.author).toEqual({ displayName: `Display ${alice.username}` });
    await shared.close();

    // email depends on who asks (only its owner sees it): each viewer gets its own fetch and its own answer
    // (subscribers who are the same viewer share one).
    const own = await subscribe(
      `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { author { email displayName } } } } }`,
      members,
    );
    before = await authFetches();
    await send(alice, 'private', own.room);
    await Promise.all(own.subs.map((s) => s.waitFor(1)));
    expect(await authFetches()).toBe(before + new Set(members).size);
    own.subs.forEach((s, i) =>
      expect(s.events[0].data!.roomEvents.message.author).toEqual({
        email: members[i] === alice ? alice.email : null,
        displayName: `Display ${alice.username}`,
      }),
    );
    await own.close();
  });

  it('stops a member who is removed from the room, after their own MemberLeft', async () => {
    const dave = await registerUser(stack);
    await gql(stack.gatewayUrl, `mutation($r: ID!, $u: ID!) { inviteToRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: dave.id }, { token: alice.accessToken });
    const client = wsClient(stack.gatewayUrl, dave.accessToken);
    const from = await lastSeq(dave);
    const sub = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: from });
    await send(alice, 'before removal');
    await gql(stack.gatewayUrl, `mutation($r: ID!, $u: ID!) { removeFromRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: dave.id }, { token: alice.accessToken });
    await sub.waitForEnd();
    await send(alice, 'after removal');
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.completed).toBe(true);
    expect(sub.events.map((e) => e.data!.roomEvents.__typename)).toEqual(['MessageAdded', 'MemberLeft']);
    await client.dispose();
  });

  it('delivers typing indicators from other members, not stored and not echoed back', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const sub = new Collector(client, `subscription($r: ID!) { typing(roomId: $r) { roomId typing expiresAt user { id displayName } } }`, { r: roomId });
    // Typing events are ephemeral (no resume), so keep signalling until the subscription is live.
    const deadline = Date.now() + 10_000;
    while (!sub.events.length && Date.now() < deadline) {
      await gql(stack.gatewayUrl, `mutation($r: ID!) { setTyping(roomId: $r, typing: true) }`, { r: roomId }, { token: bob.accessToken });
      await gql(stack.gatewayUrl, `mutation($r: ID!) { setTyping(roomId: $r, typing: true) }`, { r: roomId }, { token: alice.accessToken });
      await new Promise((r) => setTimeout(r, 100));
    }
    const [event] = await sub.waitFor(1);
    expect(event.data!.typing).toEqual({
      roomId,
      typing: true,
      expiresAt: expect.any(String),
      user: { id: alice.id, displayName: `Display ${alice.username}` },
    });
    expect(sub.events.every((e) => e.data!.typing.user.id === alice.id)).toBe(true);
    expect(new Date(event.data!.typing.expiresAt).getTime()).toBeGreaterThan(Date.now());
    sub.dispose();
    await client.dispose();
  });

  it('runs queries and mutations sent over the socket like HTTP ones', async () => {
    const client = wsClient(stack.gatewayUrl, alice.accessToken);
    const me = new Collector(client, `{ me { id username } }`);
    await me.waitForEnd();
    expect(me.events).toEqual([{ data: { me: { id: alice.id, username: alice.username } } }]);
    const sent = new Collector(client, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { body author { id } } }`, { i: { roomId, body: 'over ws' } });
    await sent.waitForEnd();
    expect(sent.events).toEqual([{ data: { sendMessage: { body: 'over ws', author: { id: alice.id } } } }]);
    await client.dispose();
  });
});
