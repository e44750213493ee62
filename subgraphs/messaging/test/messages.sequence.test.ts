import { registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, type MessagingClient } from './messaging-client';

const SENDS = 200;
const PAGE = `query($id: ID!, $after: String) { room(id: $id) { lastSeq messages(first: 100, after: $after) {
  edges { cursor node { id seq body } } pageInfo { hasNextPage endCursor } } } }`;

async function history(client: MessagingClient, roomId: string) {
  const all: { id: string; seq: number; body: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const room: any = must(await client.request(PAGE, { id: roomId, after }), 'room'); // eslint-disable-line @typescript-eslint/no-explicit-any
    all.push(...room.messages.edges.map((e: { node: { id: string; seq: number; body: string } }) => e.node));
    if (!room.messages.pageInfo.hasNextPage) return { lastSeq: room.lastSeq as number, messages: all };
    after = room.messages.pageInfo.endCursor;
  }
}

describe('sequence numbers under concurrent sends', () => {
  let stack: Stack;
  let senders: MessagingClient[];

  beforeAll(async () => {
    stack = await startStack();
    const users = await Promise.all([1, 2, 3, 4].map(() => registerUser(stack)));
    senders = users.map((u) => clientFor(stack, u));
  });
  afterAll(() => stack.stop());

  it(`gives ${SENDS} concurrent sends into one room ${SENDS} distinct, gap-free seqs, stored exactly as answered`, async () => {
    const [owner] = senders;
    const room = await owner.createRoom('busy', senders.slice(1).map((s) => s.user.id));
    const sent = await Promise.all(
      Array.from({ length: SENDS }, (_, i) => senders[i % senders.length].sendRetrying(room.id, `message ${i}`)),
    );
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: SENDS }, (_, i) => i + 1));
    expect(new Set(sent.map((m) => m.id)).size).toBe(SENDS);

    const stored = await history(owner, room.id);
    expect(stored.lastSeq).toBe(SENDS);
    const answered = new Map(sent.map((m) => [m.seq, m]));
    expect(stored.messages).toEqual(seqs.map((seq) => ({ id: answered.get(seq)!.id, seq, body: answered.get(seq)!.body })));
  });

  it('keeps one sequence per room: concurrent sends into two rooms each count from 1', async () => {
    const [a, b] = senders;
    const [first, second] = await Promise.all([a.createRoom('one', [b.user.id]), a.createRoom('two', [b.user.id])]);
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => [a, b][i % 2].sendRetrying(i < 20 ? first.id : second.id, `m${i}`)),
    );
    for (const room of [first, second]) {
      const seqs = sent.filter((_, i) => (i < 20 ? first : second) === room).map((m) => m.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });
});
