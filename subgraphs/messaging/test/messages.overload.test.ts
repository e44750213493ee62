import { registerUser, startStack, type Stack } from '../../../test/harness';
import { SlowLink } from '../../../test/slow-link';
import { clientFor, type MessagingClient } from './messaging-client';

const SENDS = 200;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq body clientMessageId } }`;
type Sent = { id: string; seq: number; body: string; clientMessageId: string };

// A gateway whose patience (SUBGRAPH_TIMEOUT_MS, 150 ms) is below the time messaging takes to
// answer a burst into one room: what a loaded machine does to the default 10 s. The burst goes
// through a link that holds each request 1.5 s before messaging gets it (and stores it): undici
// checks a header timeout on a timer of about a second's resolution, so 150 ms means up to about
// 1.15 s, and the gateway gives up on every one of them on any machine. The retries go straight through.
describe('sends when messaging answers later than the gateway waits', () => {
  let stack: Stack;
  let senders: MessagingClient[];
  let link: SlowLink | undefined;

  beforeAll(async () => {
    stack = await startStack({
      env: { SUBGRAPH_TIMEOUT_MS: '150' },
      gatewayRoute: async (subgraph, url) => {
        if (subgraph !== 'messaging') return url;
        link = await SlowLink.to(url);
        return link.url;
      },
    });
    const users = await Promise.all([1, 2, 3, 4].map(() => registerUser(stack)));
    senders = users.map((u) => clientFor(stack, u));
  });
  afterAll(async () => {
    await stack.stop();
    link?.close();
  });

  it('refuses with the retryable SERVICE_UNAVAILABLE, and retries with the same clientMessageId store each message once, gap-free', async () => {
    const [owner] = senders;
    const room = await owner.createRoom('burst', senders.slice(1).map((s) => s.user.id));
    const inputs = Array.from({ length: SENDS }, (_, i) => ({ roomId: room.id, body: `message ${i}`, clientMessageId: `burst-${i}` }));
    link!.delayMs = 1_500;
    const first = await Promise.all(inputs.map((input, i) => senders[i % senders.length].request(SEND, { input })));
    link!.delayMs = 0;

    const refused = first.filter((res) => res.errors?.length);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) {
      expect(res.errors).toEqual([
        expect.objectContaining({
          message: 'Service temporarily unavailable, try again',
          extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 1 }),
        }),
      ]);
      expect(JSON.stringify(res.errors)).not.toMatch(/messaging|timed out|stack/i);
    }

    // The link still holds the burst it took; messaging stores all of it once the link lets go.
    // Wait for that before the retries, as the retryAfter asks, so they race none of it.
    const drainedBy = Date.now() + 10_000;
    while (link!.unanswered > 0 && Date.now() < drainedBy) await new Promise((r) => setTimeout(r, 20));
    expect(link!.unanswered).toBe(0);

    // One at a time, as a client's outbox drains: a send refused again (a loaded machine can take
    // longer than 150 ms for one) is refused the same retryable way and is sent again, as clients do.
    const answered: Sent[] = [];
    let refusedAgain = 0;
    for (const [i, input] of inputs.entries()) {
      let res = await senders[i % senders.length].request(SEND, { input });
      for (let attempt = 1; res.errors && attempt < 5; attempt++) {
        expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable: true }) })]);
        refusedAgain++;
        res = await senders[i % senders.length].request(SEND, { input });
      }
      expect(res.errors).toBeUndefined();
      answered.push(res.data!.sendMessage);
    }
    expect(refusedAgain).toBeLessThan(SENDS / 4);
    expect(answered.map((m) => m.body)).toEqual(inputs.map((input) => input.body));
    expect(answered.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: SENDS }, (_, i) => i + 1));
    for (const [i, res] of first.entries()) {
      if (!res.errors) expect(res.data!.sendMessage).toEqual(answered[i]);
    }
    const lastSeq = await owner.request(`query($id: ID!) { room(id: $id) { lastSeq } }`, { id: room.id });
    expect(lastSeq.data!.room.lastSeq).toBe(SENDS);
  });

  it('logs the subgraph that timed out for the operator', () => {
    expect(stack.logs.lines.some((l) => /"subgraph messaging timed out after 150 ms"/.test(l))).toBe(true);
  });
});
