import { describe, expect, it } from "vitest";
import type { EventFilter, EventPage, EventRow, Result } from "./ipc";
import { PageCache, filterKey, pagesForRange, type FetchPage } from "./pages";

const ANY: EventFilter = { project: null, po: null, vendor: null, document_type: null, kind: null };

function row(seq: number, project: string | null = null): EventRow {
  return {
    seq,
    at_ms: 1_700_000_000_000 + seq,
    kind: "file_added",
    path: `/box/f${seq}.pdf`,
    old_path: null,
    descendants: 0,
    project_number: project,
    project_name: null,
    po_number: null,
    vendor_name: null,
    vendor_type: null,
    document_type: null,
    file_number: null,
    problems: [],
  };
}

/**
 * A fake core: `count` events with seq 1..count, served newest first; a project filter keeps
 * every other event. Requests stay pending until resolved, so tests control the timing.
 */
class FakeCore {
  count: number;
  calls: { filter: EventFilter; offset: number; limit: number }[] = [];
  pending: { resolve: () => void; fail: (msg: string) => void; offset: number; filter: EventFilter }[] = [];
  constructor(count: number) {
    this.count = count;
  }
  rowsFor(filter: EventFilter): EventRow[] {
    const all: EventRow[] = [];
    for (let seq = this.count; seq >= 1; seq--) {
      const r = row(seq, seq % 2 === 0 ? "2416" : "2417");
      if (filter.project === null || r.project_number === filter.project) all.push(r);
    }
    return all;
  }
  fetch: FetchPage = (filter, offset, limit) => {
    this.calls.push({ filter, offset, limit });
    return new Promise<Result<EventPage, string>>((resolve) => {
      this.pending.push({
        offset,
        filter,
        // Answers with the data as it is when resolved, like a real query would.
        resolve: () => {
          const all = this.rowsFor(filter);
          resolve({ status: "ok", data: { total: all.length, rows: all.slice(offset, offset + limit) } });
        },
        fail: (msg) => resolve({ status: "error", error: msg }),
      });
    });
  };
  async resolveAll(): Promise<void> {
    for (let rounds = 0; this.pending.length > 0; rounds++) {
      // A cache that refetches what it just got would never settle: fail instead of hanging.
      if (rounds > 50) throw new Error("runaway fetch loop");
      const batch = this.pending.splice(0);
      for (const p of batch) p.resolve();
      await flush();
    }
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function make(core: FakeCore, opts: ConstructorParameters<typeof PageCache>[2] = {}) {
  let changes = 0;
  const totals: [number, number][] = [];
  const cache = new PageCache(core.fetch, ANY, {
    pageSize: 200,
    onChange: () => changes++,
    onTotalChange: (a, b) => totals.push([a, b]),
    ...opts,
  });
  return { cache, totals, changes: () => changes };
}

describe("pagesForRange", () => {
  it("maps an inclusive row range to page indexes", () => {
    expect(pagesForRange(0, 0, 200)).toEqual([0]);
    expect(pagesForRange(0, 199, 200)).toEqual([0]);
    expect(pagesForRange(190, 210, 200)).toEqual([0, 1]);
    expect(pagesForRange(50_000, 50_030, 200)).toEqual([250]);
    expect(pagesForRange(399, 400, 200)).toEqual([1, 2]);
  });

  it("is empty for an empty range and clamps negatives", () => {
    expect(pagesForRange(5, 4, 200)).toEqual([]);
    expect(pagesForRange(-30, 10, 200)).toEqual([0]);
  });
});

describe("filterKey", () => {
  it("is the same for equal filters regardless of field order", () => {
    const a: EventFilter = { project: "2416", po: null, vendor: "X", document_type: null, kind: null };
    const b = { kind: null, document_type: null, vendor: "X", po: null, project: "2416" } as EventFilter;
    expect(filterKey(a)).toBe(filterKey(b));
  });

  it("tells null from a value and fields apart", () => {
    expect(filterKey(ANY)).not.toBe(filterKey({ ...ANY, project: "" }));
    expect(filterKey({ ...ANY, po: "1" })).not.toBe(filterKey({ ...ANY, vendor: "1" }));
  });
});

describe("PageCache", () => {
  it("fetches page 0 first to learn the total, whatever the range", async () => {
    const core = new FakeCore(100_000);
    const { cache } = make(core);
    expect(cache.total).toBeNull();
    cache.ensureRange(0, -1);
    expect(core.calls).toEqual([{ filter: ANY, offset: 0, limit: 200 }]);
    await core.resolveAll();
    expect(cache.total).toBe(100_000);
    expect(cache.row(0)?.seq).toBe(100_000);
    expect(cache.row(199)?.seq).toBe(99_801);
    expect(cache.row(200)).toBeUndefined();
  });

  it("fetches only the pages a deep visible range needs, never the whole feed", async () => {
    const core = new FakeCore(100_000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    await core.resolveAll();
    core.calls = [];
    cache.ensureRange(50_010, 50_040);
    expect(core.calls.map((c) => c.offset)).toEqual([50_000]);
    await core.resolveAll();
    expect(cache.row(50_010)?.seq).toBe(100_000 - 50_010);
    expect(cache.cachedPages).toBe(2);
  });

  it("does not refetch a page that is in flight or cached", async () => {
    const core = new FakeCore(1000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    cache.ensureRange(0, 30);
    expect(core.calls.length).toBe(1);
    await core.resolveAll();
    cache.ensureRange(10, 40);
    cache.ensureRange(150, 250);
    expect(core.calls.map((c) => c.offset)).toEqual([0, 200]);
  });

  it("clips the range to the known total", async () => {
    const core = new FakeCore(250);
    const { cache } = make(core);
    cache.ensureRange(0, 10);
    await core.resolveAll();
    cache.ensureRange(180, 5000);
    expect(core.calls.map((c) => c.offset)).toEqual([0, 200]);
  });

  it("limits requests in flight and prefers the latest range", async () => {
    const core = new FakeCore(100_000);
    const { cache } = make(core, { maxInFlight: 2 });
    cache.ensureRange(0, 10);
    await core.resolveAll();
    core.calls = [];
    // Fast scroll: the view passes many pages before the first answers arrive.
    cache.ensureRange(1_000, 1_500); // pages 5..7
    expect(core.calls.map((c) => c.offset)).toEqual([1_000, 1_200]);
    cache.ensureRange(90_000, 90_030); // page 450; no free slot yet
    expect(core.calls.length).toBe(2);
    await core.resolveAll();
    // Page 7, scrolled past, is never fetched; page 450 is.
    expect(core.calls.map((c) => c.offset)).toEqual([1_000, 1_200, 90_000]);
    expect(cache.row(90_000)?.seq).toBe(10_000);
  });

  it("keeps pages per filter and serves a previous filter from cache", async () => {
    const core = new FakeCore(1000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    await core.resolveAll();
    expect(cache.total).toBe(1000);

    const f2416 = { ...ANY, project: "2416" };
    expect(cache.setFilter(f2416)).toBe(true);
    expect(cache.total).toBeNull();
    expect(cache.row(0)).toBeUndefined();
    // A new filter starts from its first page at once.
    expect(core.calls.at(-1)).toEqual({ filter: f2416, offset: 0, limit: 200 });
    const calls = core.calls.length;
    cache.ensureRange(0, 30);
    expect(core.calls.length).toBe(calls);
    await core.resolveAll();
    expect(cache.total).toBe(500);
    expect(cache.row(0)?.project_number).toBe("2416");

    const before = core.calls.length;
    cache.setFilter({ ...ANY });
    cache.ensureRange(0, 30);
    expect(core.calls.length).toBe(before);
    expect(cache.total).toBe(1000);
    expect(cache.row(0)?.seq).toBe(1000);
    expect(cache.setFilter({ ...ANY })).toBe(false);
  });

  it("ignores an answer for a filter that is no longer shown", async () => {
    const core = new FakeCore(1000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    cache.setFilter({ ...ANY, project: "2417" });
    expect(core.pending.map((p) => p.filter.project)).toEqual([null, "2417"]);
    core.pending.shift()!.resolve();
    await flush();
    // The unfiltered answer landed in the unfiltered cache, not in the 2417 view.
    expect(cache.row(0)).toBeUndefined();
    expect(cache.total).toBeNull();
    await core.resolveAll();
    expect(cache.row(0)?.project_number).toBe("2417");
    expect(cache.total).toBe(500);
    cache.setFilter(ANY);
    expect(cache.row(0)?.seq).toBe(1000);
  });

  it("on invalidate keeps stale rows in view until refetched, drops the rest", async () => {
    const core = new FakeCore(10_000);
    const { cache, totals } = make(core);
    cache.ensureRange(0, 30);
    await core.resolveAll();
    cache.ensureRange(5_000, 5_030);
    await core.resolveAll();
    cache.ensureRange(0, 30);
    expect(cache.cachedPages).toBe(2);
    core.calls = [];

    core.count = 10_003; // three new events at the top
    cache.invalidate();
    expect(cache.cachedPages).toBe(1);
    expect(cache.stale).toBe(true);
    expect(cache.row(0)?.seq).toBe(10_000); // stale but shown
    expect(core.calls.map((c) => c.offset)).toEqual([0]);
    await core.resolveAll();
    expect(cache.stale).toBe(false);
    expect(cache.total).toBe(10_003);
    expect(cache.row(0)?.seq).toBe(10_003);
    expect(totals).toEqual([[10_000, 10_003]]);
  });

  it("drops other filters' pages on invalidate", async () => {
    const core = new FakeCore(1000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    await core.resolveAll();
    cache.setFilter({ ...ANY, project: "2416" });
    cache.ensureRange(0, 30);
    await core.resolveAll();
    cache.invalidate();
    await core.resolveAll();
    const before = core.calls.length;
    cache.setFilter(ANY);
    cache.ensureRange(0, 30);
    expect(core.calls.length).toBe(before + 1);
  });

  it("discards an answer that was requested before an invalidate", async () => {
    const core = new FakeCore(1000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    const early = core.pending.splice(0);
    core.count = 1005;
    cache.invalidate();
    // Old request answers with old-looking data after the invalidate: must not be kept.
    core.count = 1000;
    early[0]!.resolve();
    await flush();
    expect(cache.total).toBeNull();
    core.count = 1005;
    await core.resolveAll();
    expect(cache.total).toBe(1005);
    expect(cache.row(0)?.seq).toBe(1005);
  });

  it("reports errors without retrying in a loop; invalidate retries", async () => {
    const core = new FakeCore(1000);
    const { cache } = make(core);
    cache.ensureRange(0, 30);
    core.pending.splice(0)[0]!.fail("database is locked");
    await flush();
    expect(cache.error).toBe("database is locked");
    expect(cache.loading).toBe(false);
    cache.ensureRange(0, 30);
    expect(core.calls.length).toBe(1);
    cache.invalidate();
    expect(core.calls.length).toBe(2);
    await core.resolveAll();
    expect(cache.error).toBeNull();
    expect(cache.total).toBe(1000);
  });

  it("turns a rejected fetch into an error", async () => {
    const { cache } = make(new FakeCore(0), {});
    const failing = new PageCache(() => Promise.reject(new Error("boom")), ANY);
    failing.ensureRange(0, 0);
    await flush();
    expect(failing.error).toContain("boom");
    expect(cache.error).toBeNull();
  });

  it("bounds the number of cached pages, dropping the farthest", async () => {
    const core = new FakeCore(100_000);
    const { cache } = make(core, { maxPages: 3 });
    for (const start of [0, 1_000, 2_000, 3_000, 4_000]) {
      cache.ensureRange(start, start + 20);
      await core.resolveAll();
    }
    expect(cache.cachedPages).toBe(3);
    expect(cache.row(4_000)).toBeDefined();
    expect(cache.row(0)).toBeUndefined();
  });

  it("notifies on changes", async () => {
    const core = new FakeCore(10);
    const { cache, changes } = make(core);
    cache.ensureRange(0, 5);
    const n = changes();
    await core.resolveAll();
    expect(changes()).toBeGreaterThan(n);
  });

  it("forgets everything on reset", async () => {
    const core = new FakeCore(10);
    const { cache } = make(core);
    cache.ensureRange(0, 5);
    await core.resolveAll();
    const before = core.calls.length;
    cache.reset();
    expect(cache.total).toBeNull();
    expect(cache.row(0)).toBeUndefined();
    // and asks for the first page of the new data straight away
    expect(core.calls.length).toBe(before + 1);
  });
});
