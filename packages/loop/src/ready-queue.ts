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
/**
 * A callback queued without its Handle: `CALL, callback, args, context`
 * (four slots); `callback` null once the Handle was cancelled, the Handle
 * itself once it was asked for its context (`adopt`).
 */
const CALL: unique symbol = Symbol('CALL');
/** The same with no arguments and the empty context: `CALL0, callback` (two slots). */
const CALL0: unique symbol = Symbol('CALL0');

/** Where the number of the block's first slot is kept (see `CallSite`). */
const BASE = NEXT + 1;
/**
 * Where a block keeps the contexts its calls ended with when they changed
 * them (`keepContext`): a Map from entry number, or null. A block with one
 * is never used again, so that the Map cannot grow past one block's entries
 * and lives as long as the Handles that point at the block.
 */
const KEPT = NEXT + 2;

type Block = unknown[];

function newBlock(): Block {
  const b: Block = new Array(NEXT + 3);
  b[NEXT] = null;
  b[BASE] = 0;
  b[KEPT] = null;
  return b;
}

/**
 * Seam: what runs a callback queued without its Handle (the loop): in the
 * given context, reporting an exception with a Handle made for the report.
 */
export interface CallRunner {
  _runCall(cb: unknown, args: unknown[] | null, ctx: unknown): void;
  /** A Handle standing for a queued call (debug reports of entries queued before debug mode). */
  _handleFor(
    cb: unknown,
    args: unknown[] | null,
    ctx: unknown,
    block: unknown[],
    pos: number,
  ): Runnable;
}

/**
 * What a Handle queued by `pushCall` keeps to find its entry: the block and
 * the entry's number. Numbers only grow, and a block gets a new base each
 * time it is used again, so a stale number (the entry ran, the block was
 * reused) matches nothing.
 */
export interface CallSite {
  _block: unknown[] | null;
  _pos: number;
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
  /** The base of the newest block use: every slot ever written has its own number. */
  private base = 0;
  /**
   * `pushCall` queued an entry since the numbers were last renewed: only
   * then must emptying the queue renew them (a queue of task steps empties
   * at every step of a lone task).
   */
  private numbered = false;
  /** The entry running now, if it was queued by `pushCall` (for `isRunning`). */
  runningBlock: Block | null = null;
  runningPos = -1;

  constructor(private readonly runner: CallRunner) {}

  /**
   * Queues `cb(...args)` in `ctx` without retaining `site` (a Handle): it
   * learns where its entry is. `plain`: no arguments, the empty context.
   */
  pushCall(
    cb: unknown,
    args: unknown[] | null,
    ctx: unknown,
    plain: boolean,
    site: CallSite,
  ): void {
    let b = this.last;
    let i = this.tail;
    if (plain) {
      if (i > NEXT - 2) {
        if (i < NEXT) b[i] = SKIP;
        b = this.nextBlock(b);
        i = 0;
      }
      b[i] = CALL0;
      b[i + 1] = cb;
      this.tail = i + 2;
    } else {
      if (i > NEXT - 4) {
        if (i < NEXT) b[i] = SKIP;
        b = this.nextBlock(b);
        i = 0;
      }
      b[i] = CALL;
      b[i + 1] = cb;
      b[i + 2] = args;
      b[i + 3] = ctx;
      this.tail = i + 4;
    }
    site._block = b;
    site._pos = (b[BASE] as number) + i;
    this.numbered = true;
    this.length++;
  }

  /** The slot of `site`'s entry if it is still queued, else -1. */
  private slotOf(site: CallSite): number {
    const b = site._block as Block;
    const i = site._pos - (b[BASE] as number);
    if (i < 0 || i >= NEXT) return -1;
    const x = b[i];
    return x === CALL || x === CALL0 ? i : -1;
  }

  /**
   * Drops the callback of `site`'s entry if it is still queued (it will not
   * run); returns whether it was.
   */
  cancelCall(site: CallSite): boolean {
    const i = this.slotOf(site);
    if (i < 0) return false;
    const b = site._block as Block;
    b[i + 1] = null;
    if (b[i] === CALL) b[i + 2] = b[i + 3] = null;
    return true;
  }

  /**
   * If `site`'s entry is still queued, puts `site` itself (a Runnable) in
   * place of its callback, to run as a retained Handle does; returns whether
   * it did.
   */
  adopt(site: CallSite & Runnable): boolean {
    const i = this.slotOf(site);
    if (i < 0) return false;
    (site._block as Block)[i + 1] = site;
    return true;
  }

  /**
   * Keeps `ctx` as the context the running call ended with, for its Handle's
   * `getContext()` (`keptContext`).
   */
  keepContext(ctx: unknown): void {
    const b = this.runningBlock as Block;
    let kept = b[KEPT] as Map<number, unknown> | null;
    if (kept === null) {
      kept = new Map();
      b[KEPT] = kept;
      if (this.spare === b) this.spare = null;
    }
    kept.set(this.runningPos, ctx);
  }

  /** The context `site`'s call ended with if it changed it, else undefined. */
  keptContext(site: CallSite): unknown {
    const kept = (site._block as Block)[KEPT] as Map<number, unknown> | null;
    return kept === null ? undefined : kept.get(site._pos);
  }

  /** Whether `site`'s entry is the one running now. */
  isRunning(site: CallSite): boolean {
    return site._block === this.runningBlock && site._pos === this.runningPos;
  }

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
    next[BASE] = this.base += NEXT;
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
      b = this.dropFirst(b, h);
      h = 0;
      x = b[0];
    }
    if (typeof x !== 'symbol') {
      // A target queued alone (a task's next step): the most common entry.
      b[h] = undefined;
      // `taken(b, h + 1)` written out: small and hot, a function of its own was compiled by
      // V8 on its own first, delaying the compiled loop that inlines it (a lone task: W4).
      if (--this.length === 0 && b === this.last) {
        this.head = this.tail = 0;
        if (this.numbered) this.renumber(b);
      } else this.head = h + 1;
      (x as Runnable)._run(undefined);
    } else if (x === PAIR) {
      const target = b[h + 1] as Runnable;
      const arg = b[h + 2];
      b[h] = b[h + 1] = b[h + 2] = undefined;
      this.taken(b, h + 3);
      target._run(arg);
    } else {
      this.runCall(b, h, x);
    }
  }

  /**
   * The first block `b` is used up from slot `h` on: it becomes the spare
   * (unless a Map of kept contexts pins it) and the next is first. Apart
   * from `runFirst` (once per 1,024 slots) to keep `runFirst` small enough
   * for V8 to inline it, with the task step it runs, into the loop's slice.
   */
  private dropFirst(b: Block, h: number): Block {
    const next = b[NEXT] as Block;
    b.fill(undefined, h, NEXT);
    b[NEXT] = null;
    if (b[KEPT] === null) this.spare = b;
    this.first = next;
    return next;
  }

  /** `runFirst` for an entry queued by `pushCall`, at slot `h` of `b`. */
  private runCall(b: Block, h: number, x: unknown): void {
    const cb = b[h + 1];
    const pos = (b[BASE] as number) + h;
    let args: unknown[] | null = null;
    let ctx: unknown;
    b[h] = b[h + 1] = undefined;
    if (x === CALL) {
      args = b[h + 2] as unknown[] | null;
      ctx = b[h + 3];
      b[h + 2] = b[h + 3] = undefined;
      this.taken(b, h + 4);
    } else {
      this.taken(b, h + 2);
    }
    if (typeof cb !== 'function') {
      // Null: cancelled. Else the Handle itself, put there by `adopt`.
      if (cb !== null) (cb as Runnable)._run(undefined);
      return;
    }
    this.runningBlock = b;
    this.runningPos = pos;
    try {
      this.runner._runCall(cb, args, ctx);
    } finally {
      this.runningBlock = null;
      this.runningPos = -1;
    }
  }

  /** An entry of `b` was taken, up to slot `h`. */
  private taken(b: Block, h: number): void {
    if (--this.length === 0 && b === this.last) {
      // Empty (the queue of a lone task empties at every step): start over
      // at the beginning of the block.
      this.head = this.tail = 0;
      if (this.numbered) this.renumber(b);
    } else this.head = h;
  }

  /**
   * The queue is empty and starts over at the beginning of block `b`, after
   * `pushCall` gave out entry numbers: new numbers for the block (a stale
   * number must match nothing), or a fresh block if a Map of kept contexts
   * pins it (only a `pushCall` entry keeps one, so `numbered` is set then).
   */
  private renumber(b: Block): void {
    if (b[KEPT] !== null) this.replaceLast();
    else b[BASE] = this.base += NEXT;
    this.numbered = false;
  }

  /** The only block is pinned by a Map of kept contexts: a fresh one takes its place. */
  private replaceLast(): void {
    const fresh = newBlock();
    fresh[BASE] = this.base += NEXT;
    this.first = this.last = fresh;
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
    if (x === CALL || x === CALL0) {
      const cb = b[h + 1];
      if (typeof cb !== 'function' && cb !== null) return cb as Runnable; // adopted
      const ctx = x === CALL ? b[h + 3] : undefined;
      return this.runner._handleFor(
        cb,
        x === CALL ? (b[h + 2] as unknown[] | null) : null,
        ctx,
        b,
        (b[BASE] as number) + h,
      );
    }
    return (x === PAIR ? b[h + 1] : x) as Runnable;
  }

  clear(): void {
    this.first = newBlock();
    this.first[BASE] = this.base += NEXT;
    this.last = this.first;
    this.head = 0;
    this.tail = 0;
    this.spare = null;
    this.length = 0;
  }
}
