/**
 * asyncio's write flow control (`transports._FlowControlMixin`): a write
 * transport tells its protocol `pauseWriting()` when its buffer goes over the
 * high-water mark and `resumeWriting()` when it falls to the low-water mark.
 * The pipe, datagram (and any other write) transports of this package extend
 * it, so there is one implementation of the rule.
 */
import { type EventLoop, isInterrupt, ValueError } from '@x/loop';
import type { BaseProtocol } from './protocols.js';

/** Mirrors `_FlowControlMixin`: the water marks and the pause/resume calls. */
export abstract class FlowControl {
  /** @internal */ _loop: EventLoop;
  /** @internal */ _protocol: BaseProtocol;
  /** @internal */ _protocolPaused = false;
  /** @internal */ _highWater = 64 * 1024;
  /** @internal */ _lowWater = 16 * 1024;

  constructor(loop: EventLoop, protocol: BaseProtocol) {
    this._loop = loop;
    this._protocol = protocol;
  }

  /** Bytes written but not yet handed to the OS. */
  abstract getWriteBufferSize(): number;

  /** Mirrors `get_write_buffer_limits()`: `[low, high]`. */
  getWriteBufferLimits(): [number, number] {
    return [this._lowWater, this._highWater];
  }

  /**
   * Mirrors `set_write_buffer_limits(high=None, low=None)`: high defaults to
   * 64 KiB (or 4 × low), low to high / 4.
   */
  setWriteBufferLimits(high?: number | null, low?: number | null): void {
    setLimits(this, high, low);
    this._maybePauseProtocol();
  }

  /** @internal Called after the buffer grew, synchronously inside `write()`, as in CPython. */
  _maybePauseProtocol(): void {
    if (this.getWriteBufferSize() <= this._highWater || this._protocolPaused) return;
    this._protocolPaused = true;
    try {
      this._protocol.pauseWriting();
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      this._loop.callExceptionHandler({
        message: 'protocol.pause_writing() failed',
        exception: exc,
        transport: this,
        protocol: this._protocol,
      });
    }
  }

  /** @internal Called (from a loop callback) after the buffer shrank. */
  _maybeResumeProtocol(): void {
    if (!this._protocolPaused || this.getWriteBufferSize() > this._lowWater) return;
    this._protocolPaused = false;
    try {
      this._protocol.resumeWriting();
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      this._loop.callExceptionHandler({
        message: 'protocol.resume_writing() failed',
        exception: exc,
        transport: this,
        protocol: this._protocol,
      });
    }
  }
}

function checkMark(name: string, v: unknown): void {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new TypeError(`${name} must be a number of bytes, not ${String(v)}`);
  }
}

/** Mirrors `_set_write_buffer_limits`, with its ValueError. */
function setLimits(t: FlowControl, high?: number | null, low?: number | null): void {
  if (high === undefined || high === null) {
    if (low === undefined || low === null) high = 64 * 1024;
    else {
      checkMark('low', low);
      high = 4 * low;
    }
  }
  checkMark('high', high);
  if (low === undefined || low === null) low = Math.floor(high / 4);
  checkMark('low', low);
  if (!(high >= low && low >= 0)) {
    throw new ValueError(`high (${high}) must be >= low (${low}) must be >= 0`);
  }
  t._highWater = high;
  t._lowWater = low;
}
