import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { coalesce, debounce, throttle } from "./timing";

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

describe("coalesce", () => {
  it("runs once more after the run in flight, however many calls came meanwhile", async () => {
    vi.useRealTimers();
    const started: number[] = [];
    const release: (() => void)[] = [];
    const run = coalesce(
      () =>
        new Promise<void>((resolve) => {
          started.push(started.length);
          release.push(resolve);
        }),
    );
    const first = run();
    run();
    run();
    const last = run();
    expect(started.length).toBe(1);
    release[0]!();
    await new Promise((r) => setTimeout(r, 0));
    expect(started.length).toBe(2);
    release[1]!();
    await Promise.all([first, last]);
    expect(started.length).toBe(2);
    // Idle again: the next call starts a run at once.
    void run();
    expect(started.length).toBe(3);
    release[2]!();
  });

  it("keeps going after a failed run", async () => {
    vi.useRealTimers();
    let n = 0;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const run = coalesce(async () => {
      n++;
      if (n === 1) throw new Error("boom");
    });
    await run();
    await run();
    expect(n).toBe(2);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });
});
