import { EventQueue, OVERFLOW } from '../../src/events/queue';

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push((await iterator.next()).value);
  return out;
}

describe('event queue', () => {
  it('hands out pushed events in order, to a reader that waits and to one that comes later', async () => {
    const queue = new EventQueue<number>();
    const iterator = queue[Symbol.asyncIterator]();
    const waiting = iterator.next();
    queue.push(1);
    expect(await waiting).toEqual({ value: 1, done: false });
    queue.push(2);
    queue.push(3);
    expect(await take(iterator, 2)).toEqual([2, 3]);
  });

  it('drops what it holds past capacity and hands out OVERFLOW once, then the later events', async () => {
    const queue = new EventQueue<number>(3);
    for (let i = 1; i <= 4; i++) queue.push(i);
    queue.push(5);
    const iterator = queue[Symbol.asyncIterator]();
    expect(await take(iterator, 2)).toEqual([OVERFLOW, 5]);
  });

  it('ends a waiting reader, ignores pushes after the end, and ends when the reader returns', async () => {
    const queue = new EventQueue<number>();
    const iterator = queue[Symbol.asyncIterator]();
    const waiting = iterator.next();
    queue.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });

    const other = new EventQueue<number>();
    other.push(1);
    const reader = other[Symbol.asyncIterator]();
    await reader.return!();
    other.push(2);
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });
});
