/**
 * The loop's ready queue: a FIFO of targets, each with an optional argument.
 *
 * CPython keeps a deque of Handles. Here an entry lets the loop queue a
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

/** Slots per block, then the link to the next block. */
const NEXT = 1024;

/**
 * Marks an entry with an argument: `PAIR, target, arg` (three slots). An
 * entry without one (a Handle, a task's next step) is just its target: one
 * slot. Most entries have none, and W1's million pending callbacks then cost
 * one slot each instead of two.
 */
const PAIR: unique symbol = Symbol('PAIR');
/** Fills the rest of a block that has no room for a pair. */
const SKIP: unique symbol = Symbol('SKIP');

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
  /** The slot of the first entry in `first`. */
  private head = 0;
  /** The slot after the last entry in `last`. */
  private tail = 0;
  private spare: Block | null = null;
  /** The number of queued entries. */
  length = 0;

  push(target: Runnable, arg: unknown): void {
    let b = this.last;
    let i = this.tail;
    if (arg === undefined) {
      if (i === NEXT) {
        b = this.nextBlock(b);
        i = 0;
      }
      b[i] = target;
      this.tail = i + 1;
    } else {
      if (i > NEXT - 3) {
        if (i < NEXT) b[i] = SKIP;
        b = this.nextBlock(b);
        i = 0;
      }
      b[i] = PAIR;
      b[i + 1] = target;
      b[i + 2] = arg;
      this.tail = i + 3;
    }
    this.length++;
  }

  private nextBlock(b: Block): Block {
    const next = this.spare ?? newBlock();
    this.spare = null;
    b[NEXT] = next;
    this.last = next;
    return next;
  }

  /** Removes the first entry and runs it. The caller checks `length`. */
  runFirst(): void {
    let b = this.first;
    let h = this.head;
    let x = h === NEXT ? SKIP : b[h];
    if (x === SKIP) {
      const next = b[NEXT] as Block;
      b.fill(undefined, h, NEXT);
      b[NEXT] = null;
      this.spare = b;
      this.first = next;
      b = next;
      h = 0;
      x = b[0];
    }
    let target: Runnable;
    let arg: unknown;
    if (x === PAIR) {
      target = b[h + 1] as Runnable;
      arg = b[h + 2];
      b[h] = b[h + 1] = b[h + 2] = undefined;
      h += 3;
    } else {
      target = x as Runnable;
      arg = undefined;
      b[h] = undefined;
      h += 1;
    }
    this.length--;
    if (this.length === 0 && b === this.last) {
      // Empty: start over at the beginning of the block.
      this.head = 0;
      this.tail = 0;
    } else {
      this.head = h;
    }
    target._run(arg);
  }

  /** The first queued target, without removing it (for debug reporting). */
  peekTarget(): Runnable | undefined {
    if (this.length === 0) return undefined;
    let b = this.first;
    let h = this.head;
    if (h === NEXT || b[h] === SKIP) {
      b = b[NEXT] as Block;
      h = 0;
    }
    const x = b[h];
    return (x === PAIR ? b[h + 1] : x) as Runnable;
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
