/**
 * A queue between a pub/sub listener (push) and one subscriber (async iteration). It never
 * grows past `capacity`: when a subscriber falls that far behind, the queue drops what it holds
 * and hands out `OVERFLOW` once, and the subscriber re-reads from the store instead, so a slow
 * reader costs bounded memory and still loses nothing.
 */
export const OVERFLOW = Symbol('overflow');

export class EventQueue<T> implements AsyncIterable<T | typeof OVERFLOW> {
  private items: (T | typeof OVERFLOW)[] = [];
  private waiting?: (result: IteratorResult<T | typeof OVERFLOW>) => void;
  private ended = false;

  constructor(private readonly capacity = 10_000) {}

  push(item: T | typeof OVERFLOW): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) this.items = [OVERFLOW];
    else this.items.push(item);
  }

  end(): void {
    this.ended = true;
    this.items = [];
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<T | typeof OVERFLOW> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
