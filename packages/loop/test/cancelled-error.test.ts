/**
 * What a `CancelledError` is, inside and outside debug mode: outside it is
 * made without V8's Error constructor (no frames were captured there
 * anyway), and must still look like the error it stands for.
 */
import { types } from 'node:util';
import { BaseException, CancelledError, newEventLoop } from '@x/loop';
import { describe, expect, test } from 'vitest';

describe('CancelledError', () => {
  test('outside debug mode: class, name, message, own properties and a stack of no frames', () => {
    const e = new CancelledError('stop');
    expect(e).toBeInstanceOf(CancelledError);
    expect(e).toBeInstanceOf(BaseException);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CancelledError');
    expect(e.message).toBe('stop');
    expect(String(e)).toBe('CancelledError: stop');
    expect(Object.keys(e)).toEqual(['name']);
    expect(Object.getOwnPropertyDescriptor(e, 'message')).toEqual({
      value: 'stop',
      writable: true,
      enumerable: false,
      configurable: true,
    });
    expect(e.stack).toBe('CancelledError: stop');
    e.stack = 'replaced';
    expect(e.stack).toBe('replaced');
    expect(new CancelledError('other').stack).toBe('CancelledError: other');

    const bare = new CancelledError();
    expect(Object.hasOwn(bare, 'message')).toBe(false);
    expect(bare.message).toBe('');
    expect(bare.stack).toBe('CancelledError');
    expect(new CancelledError('').stack).toBe('CancelledError');
  });

  test('in debug mode: a native error with the stack where it was made', async () => {
    const loop = newEventLoop();
    loop.setDebug(true);
    const made = loop.createFuture<CancelledError>();
    loop.callSoon(() => made.setResult(new CancelledError('in debug mode')));
    try {
      const e = await loop.runUntilComplete(made);
      expect(types.isNativeError(e)).toBe(true);
      expect(e.name).toBe('CancelledError');
      expect(e.stack).toMatch(/^CancelledError: in debug mode\n\s+at /);
    } finally {
      loop.close();
    }
  });

  test('a subclass is a native error of its own name, with no frames outside debug mode', () => {
    class Stopped extends CancelledError {}
    const e = new Stopped('why');
    expect(e).toBeInstanceOf(Stopped);
    expect(e).toBeInstanceOf(CancelledError);
    expect(types.isNativeError(e)).toBe(true);
    expect(e.name).toBe('Stopped');
    expect(e.stack).toBe('Stopped: why');
  });
});
