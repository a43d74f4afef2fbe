// getaddrinfo / getnameinfo (asyncio's loop.getaddrinfo / loop.getnameinfo), on the system
// resolver. Only loopback names and addresses, and a name under .invalid for the failure.

import { gaierror, getaddrinfo, getnameinfo } from '@x/io';
import type { Coroutine } from '@x/loop';
import { describe, expect, test } from 'vitest';
import { runLoop } from './net-helpers.js';

describe('getaddrinfo / getnameinfo', () => {
  test('an IP literal is returned without a lookup; null is the loopback addresses', async () => {
    await runLoop(function* () {
      expect(yield* getaddrinfo('127.0.0.1', 80)).toEqual([
        { family: 'IPv4', address: '127.0.0.1', port: 80 },
      ]);
      expect(yield* getaddrinfo('::1', '8080')).toEqual([
        { family: 'IPv6', address: '::1', port: 8080 },
      ]);
      expect(yield* getaddrinfo(null, 1, { family: 'IPv4' })).toEqual([
        { family: 'IPv4', address: '127.0.0.1', port: 1 },
      ]);
    });
  });

  test("'localhost' resolves through the system resolver to loopback addresses", async () => {
    await runLoop(function* () {
      const infos = yield* getaddrinfo('localhost', 443);
      expect(infos.length).toBeGreaterThan(0);
      for (const i of infos) {
        expect(['127.0.0.1', '::1']).toContain(i.address);
        expect(i.port).toBe(443);
      }
      const v4 = yield* getaddrinfo('localhost', 443, { family: 'IPv4' });
      expect(v4.every((i) => i.family === 'IPv4')).toBe(true);
    });
  });

  test('a name under .invalid is gaierror, errno -2 as glibc/Python', async () => {
    await runLoop(function* () {
      try {
        yield* getaddrinfo('nothing-here.invalid', 80);
        throw new Error('resolved');
      } catch (e) {
        expect(e).toBeInstanceOf(gaierror);
        expect((e as gaierror).errno).toBe(-2);
        expect((e as Error).message).toBe('[Errno -2] Name or service not known');
      }
    });
  });

  test('bad input: a service name, a bad family, a wrong type, a port out of range', async () => {
    await runLoop(function* () {
      const cases: Array<[() => Coroutine<unknown>, abstract new (...a: never[]) => unknown]> = [
        [() => getaddrinfo('127.0.0.1', 'http'), gaierror],
        [() => getaddrinfo('127.0.0.1', 80, { family: 'IPv5' as 'IPv4' }), TypeError],
        [() => getaddrinfo(42 as unknown as string, 80), TypeError],
        [() => getaddrinfo('127.0.0.1', 65536), RangeError],
        [() => getnameinfo(['127.0.0.1', -1]), RangeError],
        [() => getnameinfo('127.0.0.1' as unknown as [string, number]), TypeError],
      ];
      for (const [make, cls] of cases) {
        try {
          yield* make();
          throw new Error('accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(cls);
        }
      }
    });
  });

  test('getnameinfo gives [host, service]', async () => {
    await runLoop(function* () {
      const [host, service] = yield* getnameinfo(['127.0.0.1', 22]);
      expect(typeof host).toBe('string');
      expect(host.length).toBeGreaterThan(0);
      expect(service).toBe('ssh');
    });
  });
});
