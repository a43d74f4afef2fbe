// Property tests of the socket transport over a real connection on 127.0.0.1: whatever the
// writes' sizes and the pauses and resumptions of reading on the receiving side, every byte
// arrives once, in order, with no dataReceived while paused, and EOF comes last.

import { createConnection, createServer, Protocol, type Transport } from '@x/io';
import { type Future, getRunningLoop } from '@x/loop';
import { sleep } from '@x/tasks';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runLoop, until } from './net-helpers.js';

class Receiver extends Protocol {
  t!: Transport;
  got: Buffer[] = [];
  events: string[] = [];
  violations = 0;
  done: Future<void> = getRunningLoop().createFuture<void>();
  override connectionMade(t: Transport): void {
    this.t = t;
  }
  override dataReceived(d: Buffer): void {
    if (!this.t.isReading()) this.violations++;
    this.got.push(d);
  }
  override eofReceived(): void {
    this.events.push('eof');
  }
  override connectionLost(): void {
    this.events.push('lost');
    this.done.setResult(undefined);
  }
}

describe('socket transport (properties, real sockets)', { timeout: 120_000 }, () => {
  test('bytes arrive once and in order through pauses and resumptions of reading', async () => {
    await runLoop(function* () {
      let current: Receiver | null = null;
      const server = yield* createServer(
        () => {
          current = new Receiver();
          return current;
        },
        '127.0.0.1',
        0,
      );
      const port = server.sockets[0].port as number;
      const runs = fc.sample(
        fc.record({
          writes: fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 12 }),
          pauses: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }),
        }),
        { numRuns: 25, seed: 42 },
      );
      for (const { writes, pauses } of runs) {
        current = null;
        const [tr] = yield* createConnection(() => new Protocol(), '127.0.0.1', port);
        yield* until(() => current !== null, 'the server side');
        const rx = current as unknown as Receiver;
        const sent: Buffer[] = [];
        let seq = 0;
        for (let i = 0; i < writes.length; i++) {
          const chunk = Buffer.alloc(writes[i]);
          for (let j = 0; j < chunk.length; j++) chunk[j] = (seq++ * 7) & 0xff;
          sent.push(chunk);
          tr.write(chunk);
          const p = pauses[i % pauses.length];
          if (p === 1) rx.t.pauseReading();
          if (p === 2) rx.t.resumeReading();
          if (p === 3) yield* sleep(0.002);
        }
        tr.writeEof();
        yield* sleep(0.01);
        rx.t.resumeReading();
        yield* rx.done;
        expect(rx.violations).toBe(0);
        expect(Buffer.concat(rx.got).equals(Buffer.concat(sent))).toBe(true);
        expect(rx.events).toEqual(['eof', 'lost']);
        tr.close();
      }
      server.close();
      yield* server.waitClosed();
    });
  });
});
