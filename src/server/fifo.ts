// Queues: a connection's pending requests, and the server's quiet connections, longest-quiet first.

/** A first-in first-out queue with O(1) shift (Array#shift copies the whole array once it is large). */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the consumed front once it is most of the array: amortised O(1).
    if (this.head === this.items.length) {
      this.clear();
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Empties the queue in place: a queue that empties after every request allocates nothing. */
  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}

/** A place in one LinkedQueue, held by its item, so the item can leave from anywhere in O(1). */
export class QueueLink<T> {
  prev: QueueLink<T> | null = null;
  next: QueueLink<T> | null = null;
  queue: LinkedQueue<T> | null = null;

  constructor(readonly item: T) {}
}

/** A first-in first-out queue whose items can also leave from the middle in O(1) (a Set scans its holes). */
export class LinkedQueue<T> {
  private head: QueueLink<T> | null = null;
  private tail: QueueLink<T> | null = null;
  size = 0;

  /** The item that has waited longest. */
  first(): T | undefined {
    return this.head?.item;
  }

  /** Puts `link` at the back, taking it out of any queue it was in. */
  push(link: QueueLink<T>): void {
    link.queue?.remove(link);
    link.queue = this;
    link.prev = this.tail;
    if (this.tail) this.tail.next = link;
    else this.head = link;
    this.tail = link;
    this.size++;
  }

  remove(link: QueueLink<T>): void {
    if (link.queue !== this) return;
    if (link.prev) link.prev.next = link.next;
    else this.head = link.next;
    if (link.next) link.next.prev = link.prev;
    else this.tail = link.prev;
    link.prev = link.next = link.queue = null;
    this.size--;
  }
}
