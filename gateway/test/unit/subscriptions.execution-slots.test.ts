import { ExecutionSlots } from '../../src/subscriptions/execution-slots';

describe('ExecutionSlots: a bound on executions running at once', () => {
  it('runs at most `limit` at once, the rest in the order they came, and frees a slot whatever the outcome', async () => {
    const slots = new ExecutionSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const work = (i: number, fail = false) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        if (fail) throw new Error(`work ${i} failed`);
        return i;
      });
    const results = [work(0, true), work(1), work(2), work(3)].map((p) => p.catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(slots.waiting).toBe(2);
    while (started.length < 4 || gates.length) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(results)).toEqual(['work 0 failed', 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
    expect(slots.waiting).toBe(0);
    // Every slot is free again: two run at once straight away.
    const again = [slots.run(async () => 'a'), slots.run(async () => 'b')];
    expect(slots.waiting).toBe(0);
    expect(await Promise.all(again)).toEqual(['a', 'b']);
  });
});
