import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { SlowLink } from '../../test/slow-link';
import { Collector, wsClient } from '../../test/ws-client';

/**
 * Auth behind a slow link (150 ms a request): while one viewer's fetch is on the way, the next
 * events of a burst queue up behind it at the gateway, whatever the speed of the machine.
 */
const LINK_DELAY_MS = 150;

/** Operations auth has answered so far (POST requests in its own /metrics): one per HTTP request, batched or not. */
async function authRequests(stack: Stack): Promise<number> {
  const text = await (await fetch(new URL('/metrics', stack.authUrl))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('aether_http_requests_total{') && line.includes('method="POST"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const EMAIL_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) {
  roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { body author { displayName email } } } }
}`;

describe('subscriptions: viewer-specific selections in a burst', () => {
  let stack: Stack;
  let alice: TestUser;
  let bob: TestUser;

  let link: SlowLink | undefined;

  beforeAll(async () => {
    stack = await startStack({
      // More connections to auth than execution slots, so the pool is not what bounds the fetches.
      env: { SUBGRAPH_CONNECTIONS: '200' },
      gatewayRoute: async (subgraph, url) => {
        if (subgraph !== 'auth') return url;
        link = await SlowLink.to(url, LINK_DELAY_MS);
        return link.url;
      },
    });
    [alice, bob] = await Promise.all([registerUser(stack), registerUser(stack)]);
  });
  afterAll(async () => {
    await stack.stop();
    link?.close();
  });

  it("batches one viewer's entity fetches for the events waiting behind each other, each subscriber still seeing only its own view", async () => {
    const roomId = (await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "burst", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken })).data!.createRoom.id;
    const from = (await gql(stack.gatewayUrl, `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: roomId }, { token: alice.accessToken })).data!.room.lastSeq;
    // Two viewers, two subscriptions each (same-viewer subscribers share their executions).
    const viewers = [alice, bob, alice, bob];
    const clients = viewers.map((u) => wsClient(stack.gatewayUrl, u.accessToken));
    const subs = clients.map((c) => new Collector(c, EMAIL_EVENTS, { roomId, afterSeq: from }));
    // Live before the burst: a first message reaches every subscriber.
    await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body: 'first' } }, { token: alice.accessToken });
    await Promise.all(subs.map((s) => s.waitFor(1)));

    const before = await authRequests(stack);
    const burst = 40;
    await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body: `m${i}` } }, { token: (i % 2 ? bob : alice).accessToken }),
      ),
    );
    await Promise.all(subs.map((s) => s.waitFor(1 + burst)));
    // Unbatched, each viewer costs one request per event: 2 x 40. Batched, a viewer's events that
    // queued behind its fetch in flight go out together: a few requests per viewer.
    expect(await authRequests(stack)).toBeLessThan(before + burst / 2);

    for (const [i, sub] of subs.entries()) {
      const events = sub.events.map((e) => e.data!.roomEvents);
      expect(events).toHaveLength(1 + burst);
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      for (const event of events) {
        const sender = event.message.body === 'first' || Number(event.message.body.slice(1)) % 2 === 0 ? alice : bob;
        // email only where a query by this subscriber shows it: on their own messages.
        expect(event.message.author).toEqual({ displayName: `Display ${sender.username}`, email: sender === viewers[i] ? sender.email : null });
      }
    }
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('runs at most 64 per-viewer executions at once when a hundred viewers resume together, each replay still exact', async () => {
    const viewers = [alice, ...(await Promise.all(Array.from({ length: 99 }, () => registerUser(stack))))];
    const roomId = (
      await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "resume", memberIds: $m }) { id } }`, { m: viewers.slice(1).map((v) => v.id) }, { token: alice.accessToken })
    ).data!.createRoom.id;
    const from = (await gql(stack.gatewayUrl, `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: roomId }, { token: alice.accessToken })).data!.room.lastSeq;
    for (const body of ['missed 1', 'missed 2']) {
      await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body } }, { token: alice.accessToken });
    }
    // Each viewer's replay of the two missed messages needs its own fetch of `email` from auth;
    // held a second each on the link, unbounded they would all be on it at once.
    link!.delayMs = 1_000;
    link!.peak = 0;
    try {
      const clients = viewers.map((v) => wsClient(stack.gatewayUrl, v.accessToken));
      const subs = clients.map((c) => new Collector(c, EMAIL_EVENTS, { roomId, afterSeq: from }));
      await Promise.all(subs.map((s) => s.waitFor(2, 60_000)));
      expect(link!.peak).toBeLessThanOrEqual(64);
      for (const [i, sub] of subs.entries()) {
        expect(sub.events.map((e) => e.data!.roomEvents.message)).toEqual(
          ['missed 1', 'missed 2'].map((body) => ({ body, author: { displayName: `Display ${alice.username}`, email: i === 0 ? alice.email : null } })),
        );
      }
      await Promise.all(clients.map((c) => c.dispose()));
    } finally {
      link!.delayMs = LINK_DELAY_MS;
    }
  }, 120_000);
});
