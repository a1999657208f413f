// The idle watch behind auto-lock, on fake timers: it fires after the idle time without input, input
// pushes it back, and stopping it ends it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from './autoLock';

const MINUTE = 60_000;

describe('watchIdle', () => {
  let target: EventTarget;
  beforeEach(() => {
    vi.useFakeTimers();
    target = new EventTarget();
  });
  afterEach(() => vi.useRealTimers());

  it('fires once the idle time passes without input, and only once', () => {
    const onIdle = vi.fn();
    watchIdle(target, 15 * MINUTE, onIdle);
    vi.advanceTimersByTime(15 * MINUTE - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('counts from the last input: typing, clicking, moving the mouse or scrolling', () => {
    for (const name of ['keydown', 'pointerdown', 'pointermove', 'wheel']) {
      const onIdle = vi.fn();
      const stop = watchIdle(target, 5 * MINUTE, onIdle);
      vi.advanceTimersByTime(4 * MINUTE);
      target.dispatchEvent(new Event(name));
      vi.advanceTimersByTime(4 * MINUTE);
      expect(onIdle, name).not.toHaveBeenCalled();
      vi.advanceTimersByTime(MINUTE);
      expect(onIdle, name).toHaveBeenCalledTimes(1);
      stop();
    }
  });

  it('ignores events that are not input', () => {
    const onIdle = vi.fn();
    watchIdle(target, MINUTE, onIdle);
    vi.advanceTimersByTime(MINUTE / 2);
    target.dispatchEvent(new Event('message'));
    vi.advanceTimersByTime(MINUTE / 2);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does nothing once stopped', () => {
    const onIdle = vi.fn();
    const stop = watchIdle(target, MINUTE, onIdle);
    stop();
    vi.advanceTimersByTime(10 * MINUTE);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
