// Property tests of StreamReader's buffer against a model (all the bytes fed, in order):
// whatever the chunking and the mix of read(n), readexactly(n), readline() and readuntil(),
// every byte comes out once, in order, and what a read returns never changes afterwards.

import { IncompleteReadError, StreamReader } from '@x/io';
import { type Coroutine, newEventLoop } from '@x/loop';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

type Op =
  | { kind: 'read' | 'exactly'; n: number }
  | { kind: 'line' }
  | { kind: 'until'; sep: string };

const chunkArb = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) =>
  // A small alphabet, so that separators occur.
  Buffer.from(a.map((b) => [0x61, 0x62, 0x0a, 0x0d][b % 4])),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), n: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('exactly' as const), n: fc.integer({ min: 1, max: 30 }) }),
  fc.constant({ kind: 'line' as const }),
  fc.record({ kind: fc.constant('until' as const), sep: fc.constantFrom('\r\n', 'ab', 'b\n') }),
);

function* drive(reader: StreamReader, ops: Op[]): Coroutine<[Buffer[], Buffer[]]> {
  const out: Buffer[] = [];
  const copies: Buffer[] = [];
  for (let i = 0; ; i++) {
    const op = ops[i % ops.length];
    let piece: Buffer;
    try {
      switch (op.kind) {
        case 'read':
          piece = yield* reader.read(op.n);
          break;
        case 'exactly':
          piece = yield* reader.readexactly(op.n);
          break;
        case 'line':
          piece = yield* reader.readline();
          break;
        case 'until':
          piece = yield* reader.readuntil(Buffer.from(op.sep));
          break;
      }
    } catch (e) {
      if (!(e instanceof IncompleteReadError)) throw e;
      piece = e.partial;
    }
    if (piece.length === 0 && reader.atEof()) return [out, copies];
    out.push(piece);
    copies.push(Buffer.from(piece)); // what it was when it was returned
  }
}

describe('StreamReader buffer (properties)', () => {
  test('every byte comes out once, in order; returned Buffers never change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(chunkArb, { minLength: 0, maxLength: 30 }),
        fc.array(opArb, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (chunks, ops, upfront) => {
          const loop = newEventLoop();
          try {
            const reader = new StreamReader({ loop, limit: 1 << 16 });
            const feeder = function* (): Coroutine<void> {
              for (const c of chunks) {
                reader.feedData(c);
                if (!upfront) yield undefined;
              }
              reader.feedEof();
            };
            const t = loop.createTask(drive(reader, ops));
            const f = loop.createTask(feeder());
            const [pieces, copies] = await loop.runUntilComplete(t);
            await loop.runUntilComplete(f);
            expect(Buffer.concat(pieces).equals(Buffer.concat(chunks))).toBe(true);
            // Nothing was written into returned memory afterwards.
            for (let i = 0; i < pieces.length; i++) expect(pieces[i].equals(copies[i])).toBe(true);
          } finally {
            loop.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
