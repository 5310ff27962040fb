import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { debounce, throttle } from "./timing";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("debounce", () => {
  it("runs once after the last call", () => {
    const fn = vi.fn();
    const d = debounce(fn, 500);
    d();
    vi.advanceTimersByTime(400);
    d();
    vi.advanceTimersByTime(400);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("can be cancelled or flushed", () => {
    const fn = vi.fn();
    const d = debounce(fn, 500);
    d();
    d.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    d();
    d.flush();
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe("debounce with maxWait", () => {
  it("still runs during a steady stream of calls", () => {
    const fn = vi.fn();
    const d = debounce(fn, 500, 2000);
    for (let i = 0; i < 50; i++) {
      d();
      vi.advanceTimersByTime(100);
    }
    // 5 s of calls every 100 ms: a plain debounce would not have run at all.
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(fn.mock.calls.length).toBeLessThanOrEqual(3);
    const n = fn.mock.calls.length;
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(n + 1);
  });
});

describe("throttle", () => {
  it("runs at once, then at most once per interval, then once more after the burst", () => {
    const fn = vi.fn();
    const t = throttle(fn, 250);
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(50);
      t();
    }
    // 500 ms of calls: the leading run plus one per elapsed interval.
    expect(fn).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(4);
    // Quiet again: the next call runs immediately.
    t();
    expect(fn).toHaveBeenCalledTimes(5);
  });

  it("does not run a trailing call when there was only one call", () => {
    const fn = vi.fn();
    const t = throttle(fn, 250);
    t();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
