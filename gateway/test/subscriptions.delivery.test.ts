import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) {
  roomEvents(roomId: $roomId, afterSeq: $afterSeq) {
    __typename seq roomId
    ... on MessageAdded { message { id body seq author { id username displayName } } }
    ... on MemberJoined { member { role user { username } } }
  }
}`;

describe('federated subscriptions: live delivery', () => {
  let stack: Stack;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    alice = await registerUser(stack);
    bob = await registerUser(stack);
    const room = await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "live", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack.stop());

  const send = (user: TestUser, body: string) =>
    gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq } }`, { i: { roomId, body } }, { token: user.accessToken });

  it('delivers messages with fields from both subgraphs, exactly as a query would shape them', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const sub = new Collector(client, ROOM_EVENTS, { roomId });
    await new Promise((r) => setTimeout(r, 300));
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
    sub.dispose();
    await client.dispose();
  });

  it('keeps order over 500 messages', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const sub = new Collector(client, ROOM_EVENTS, { roomId });
    await new Promise((r) => setTimeout(r, 300));
    const sent: number[] = [];
    for (let i = 0; i < 500; i += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, (_, j) => send(alice, `m${i + j}`)));
      sent.push(...batch.map((r) => r.data!.sendMessage.seq));
    }
    const events = await sub.waitFor(500, 60_000);
    const seqs = events.map((e) => e.data!.roomEvents.seq);
    expect(seqs).toEqual([...sent].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(500);
    sub.dispose();
    await client.dispose();
  });
});
