import WebSocket from 'ws';
import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) {
  roomEvents(roomId: $roomId, afterSeq: $afterSeq) { __typename seq ... on MessageAdded { message { body author { username } } } }
}`;

describe('subscriptions: resume after a disconnect', () => {
  let stack: Stack;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack({ env: { WS_MAX_BUFFERED_BYTES: String(64 * 1024), LIMIT_ALIASES: '100' } });
    [alice, bob] = await Promise.all([registerUser(stack), registerUser(stack)]);
    const room = await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "resume", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack.stop());

  const send = (body: string) =>
    gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body } }, { token: alice.accessToken });
  const lastSeq = async (): Promise<number> =>
    (await gql(stack.gatewayUrl, `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: roomId }, { token: bob.accessToken })).data!.room.lastSeq;

  it('replays exactly the missed events, then continues live with no gap and no duplicate at the seam', async () => {
    const start = await lastSeq();
    const first = wsClient(stack.gatewayUrl, bob.accessToken);
    const before = new Collector(first, ROOM_EVENTS, { roomId, afterSeq: start });
    for (let i = 0; i < 10; i++) await send(`before ${i}`);
    const seen = (await before.waitFor(10)).map((e) => e.data!.roomEvents.seq);
    await first.dispose();

    // Missed while away.
    for (let i = 0; i < 30; i++) await send(`missed ${i}`);
    const resumeFrom = seen.at(-1)!;

    // Resume while more messages keep arriving, so live ones race the replay.
    const second = wsClient(stack.gatewayUrl, bob.accessToken);
    const after = new Collector(second, ROOM_EVENTS, { roomId, afterSeq: resumeFrom });
    const racing = (async () => {
      for (let i = 0; i < 30; i++) await send(`during ${i}`);
    })();
    await racing;
    const events = await after.waitFor(60);
    await new Promise((r) => setTimeout(r, 300));
    const seqs = after.events.map((e) => e.data!.roomEvents.seq);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => resumeFrom + 1 + i));
    expect(events.slice(0, 30).map((e) => e.data!.roomEvents.message.body)).toEqual(Array.from({ length: 30 }, (_, i) => `missed ${i}`));
    expect(events.slice(30).map((e) => e.data!.roomEvents.message.body)).toEqual(Array.from({ length: 30 }, (_, i) => `during ${i}`));
    expect(events[0].data!.roomEvents.message.author).toEqual({ username: alice.username });
    await second.dispose();
  });

  it('resuming from the current seq replays nothing', async () => {
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const sub = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: await lastSeq() });
    await new Promise((r) => setTimeout(r, 500));
    expect(sub.events).toEqual([]);
    const { seq } = (await send('next')).data!.sendMessage;
    expect((await sub.waitFor(1)).map((e) => e.data!.roomEvents.seq)).toEqual([seq]);
    await client.dispose();
  });

  it('delivers a subscription whose selection reuses (nested) fragments, which the planner keeps in the upstream operation', async () => {
    const from = await lastSeq();
    const query = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { ...Event } }
      fragment Event on RoomEvent { seq ... on MessageAdded { message { ...Msg } } ... on MessageEdited { message { ...Msg } } }
      fragment Msg on Message { id body author { ...Who } }
      fragment Who on User { username }`;
    await send('fragment 1');
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const events = new Collector(client, query, { roomId, afterSeq: from });
    await send('fragment 2');
    const received = await events.waitFor(2);
    expect(received.map((e) => e.errors ?? e.data!.roomEvents)).toEqual([
      { seq: from + 1, message: { id: expect.any(String), body: 'fragment 1', author: { username: alice.username } } },
      { seq: from + 2, message: { id: expect.any(String), body: 'fragment 2', author: { username: alice.username } } },
    ]);
    await client.dispose();
  });

  it('closes a client that does not read (1008) instead of buffering without bound; it then resumes losing nothing', async () => {
    const from = await lastSeq();
    // Every event is ~160 kB (40 aliases of a 4,000-character body), so a client that stops
    // reading fills the kernel's socket buffers within a few dozen events.
    const aliases = Array.from({ length: 40 }, (_, i) => `b${i}: message { body }`).join(' ');
    const query = `subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on MessageAdded { ${aliases} } } }`;
    const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${bob.accessToken}` } }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { r: roomId, a: from } } }));
    await new Promise((r) => setTimeout(r, 200));
    socket.pause();
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    const big = 'x'.repeat(3990);
    for (let i = 0; i < 120; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => send(`${big}${String(i + j).padStart(4, '0')}`)));
    // The gateway is still healthy and serving others meanwhile.
    expect((await gql(stack.gatewayUrl, '{ me { id } }', {}, { token: alice.accessToken })).data).toEqual({ me: { id: alice.id } });

    let received = 0;
    let lastReceived = from;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'next') return;
      received++;
      lastReceived = message.payload.data.roomEvents.seq;
    });
    socket.resume();
    // 1008 when the client reads up to the close frame within the gateway's grace period; a
    // client still stalled after it is dropped (1006). Either way the gateway let go of it.
    expect([1008, 1006]).toContain(await closed);
    expect(received).toBeLessThan(120);
    // Counted once, for the slow-consumer alert.
    const metrics = await (await fetch(new URL('/metrics', stack.gatewayUrl))).text();
    expect(metrics).toMatch(/^aether_websocket_slow_consumer_closes_total\{service="gateway"\} 1$/m);

    // The client resumes from what it got and receives the rest, once each.
    const client = wsClient(stack.gatewayUrl, bob.accessToken);
    const rest = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: lastReceived });
    const events = await rest.waitFor(from + 120 - lastReceived);
    expect(events.map((e) => e.data!.roomEvents.seq)).toEqual(Array.from({ length: from + 120 - lastReceived }, (_, i) => lastReceived + 1 + i));
    await client.dispose();
  });
});
