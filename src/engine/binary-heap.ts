/** An item that knows its place in the heap, so it can be removed from the middle in O(log n). */
export interface HeapItem {
  heapIndex: number;
}

/**
 * A binary heap (the first item is the one `before` ranks ahead of all others) with O(log n) push,
 * pop and removal of any item. Small and ours because the npm heaps either lack removal by handle
 * (tinyqueue) or do it with a linear search (heap-js), and a cancelled queued task needs it.
 */
export class BinaryHeap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top) this.remove(top);
    return top;
  }

  /** Removes `item` if it is in this heap; false if it was not (already popped or removed). */
  remove(item: T): boolean {
    const index = item.heapIndex;
    if (this.#items[index] !== item) return false;
    const last = this.#items.pop()!;
    item.heapIndex = -1;
    if (last !== item) {
      this.#items[index] = last;
      last.heapIndex = index;
      this.#down(index);
      this.#up(last.heapIndex);
    }
    return true;
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(item, items[parent]!)) break;
      this.#place(items[parent]!, index);
      index = parent;
    }
    this.#place(item, index);
  }

  #down(index: number): void {
    const items = this.#items;
    const item = items[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.#before(items[right]!, items[left]!) ? right : left;
      if (!this.#before(items[child]!, item)) break;
      this.#place(items[child]!, index);
      index = child;
    }
    this.#place(item, index);
  }

  #place(item: T, index: number): void {
    this.#items[index] = item;
    item.heapIndex = index;
  }
}
