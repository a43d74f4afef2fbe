/**
 * The loop's ready queue: a FIFO of (target, argument) pairs.
 *
 * CPython keeps a deque of Handles. Here a slot pair lets the loop queue a
 * task step or a future's wake-up of a task without allocating a Handle for
 * it: the target is anything with a `_run(arg)` method (a Handle ignores the
 * argument).
 *
 * Like CPython's deque, it is a list of fixed-size blocks rather than one
 * ring buffer: a ring buffer that grows copies every pair it holds, and a
 * large buffer lives outside the young generation, where every store of a
 * young handle also pays the write barrier's remembered-set insertion. A
 * block is small enough to be allocated young, and one spare block is kept,
 * so that a queue that stays short allocates nothing.
 */

/**
 * Seam: Anything the ready queue can run: `_run(arg)` with the argument it
 * was queued with (a Future's done callbacks get the Future; a Handle
 * ignores it). `A` says what it is queued with.
 */
export interface Runnable<A = unknown> {
  _run(arg: A): void;
}

/** Pairs per block. */
const PAIRS = 512;
/** Slots per block: the pairs, then the link to the next block. */
const NEXT = PAIRS * 2;

type Block = unknown[];

function newBlock(): Block {
  const b: Block = new Array(NEXT + 1);
  b[NEXT] = null;
  return b;
}

/** @internal */
export class ReadyQueue {
  private first: Block = newBlock();
  private last: Block = this.first;
  /** The slot of the first pair in `first`. */
  private head = 0;
  /** The slot after the last pair in `last`. */
  private tail = 0;
  private spare: Block | null = null;
  /** The number of queued pairs. */
  length = 0;

  push(target: Runnable, arg: unknown): void {
    let b = this.last;
    let i = this.tail;
    if (i === NEXT) {
      const next = this.spare ?? newBlock();
      this.spare = null;
      b[NEXT] = next;
      this.last = next;
      b = next;
      i = 0;
    }
    b[i] = target;
    b[i + 1] = arg;
    this.tail = i + 2;
    this.length++;
  }

  /** Removes the first pair and runs it. The caller checks `length`. */
  runFirst(): void {
    let b = this.first;
    let h = this.head;
    if (h === NEXT) {
      const next = b[NEXT] as Block;
      b[NEXT] = null;
      this.spare = b;
      this.first = next;
      b = next;
      h = 0;
    }
    const target = b[h] as Runnable;
    const arg = b[h + 1];
    b[h] = undefined;
    b[h + 1] = undefined;
    this.length--;
    if (this.length === 0 && b === this.last) {
      // Empty: start over at the beginning of the block.
      this.head = 0;
      this.tail = 0;
    } else {
      this.head = h + 2;
    }
    target._run(arg);
  }

  /** The first queued target, without removing it (for debug reporting). */
  peekTarget(): Runnable | undefined {
    if (this.length === 0) return undefined;
    const h = this.head;
    return (h === NEXT ? (this.first[NEXT] as Block)[0] : this.first[h]) as Runnable;
  }

  clear(): void {
    this.first = newBlock();
    this.last = this.first;
    this.head = 0;
    this.tail = 0;
    this.spare = null;
    this.length = 0;
  }
}
