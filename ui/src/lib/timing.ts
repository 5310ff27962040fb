// Small timing helpers for live updates (no polling: these only space out work that events
// trigger).

export type Scheduled = (() => void) & { cancel(): void; flush(): void };

/**
 * Runs `fn` once, `ms` after the last call. With `maxWait`, a steady stream of calls (a long
 * scan) still runs it at least every `maxWait` ms instead of never.
 */
export function debounce(fn: () => void, ms: number, maxWait?: number): Scheduled {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstCall: number | null = null;
  const run = () => {
    timer = null;
    firstCall = null;
    fn();
  };
  const d = (() => {
    const now = Date.now();
    if (firstCall === null) firstCall = now;
    if (timer !== null) clearTimeout(timer);
    const wait = maxWait === undefined ? ms : Math.max(0, Math.min(ms, firstCall + maxWait - now));
    timer = setTimeout(run, wait);
  }) as Scheduled;
  d.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    firstCall = null;
  };
  d.flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      run();
    }
  };
  return d;
}

/**
 * Runs `fn` at once on the first call, then at most once per `ms` while calls keep coming,
 * with a final run after the last call (so the latest state is always picked up).
 */
export function throttle(fn: () => void, ms: number): Scheduled {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  const tick = () => {
    if (pending) {
      pending = false;
      fn();
      timer = setTimeout(tick, ms);
    } else {
      timer = null;
    }
  };
  const t = (() => {
    if (timer === null) {
      fn();
      timer = setTimeout(tick, ms);
    } else {
      pending = true;
    }
  }) as Scheduled;
  t.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = false;
  };
  t.flush = () => {
    if (pending) {
      pending = false;
      fn();
    }
  };
  return t;
}

/**
 * Wraps an async `task` so that at most one run is in flight: a call while it runs asks for
 * one more run after it (any number of such calls fold into that one). Unlike dropping
 * stale answers, a steady stream of calls cannot starve the caller of results, and the last
 * call is always followed by a complete run. The returned promise settles when the runs the
 * call caused are over.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    try {
      do {
        again = false;
        try {
          await task();
        } catch (e) {
          console.error("refresh failed:", e);
        }
      } while (again);
    } finally {
      running = null;
    }
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}
