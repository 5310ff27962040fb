// The page cache behind the virtualised event table.
//
// The table never holds the whole feed: it asks for the rows it is about to show, and this
// cache turns that row range into pages of `pageSize` rows fetched by offset, keeps the pages
// it has per filter, fetches each missing page once, at most `maxInFlight` at a time, newest
// request first, and forgets pages far from the view. When the feed changes, `invalidate()`
// marks everything stale: stale rows stay on screen until their page is fetched again, so the
// table does not flash empty, but only the pages in view are refetched.

import type { EventFilter, EventPage, EventRow, Result } from "./ipc";

export const PAGE_SIZE = 200;

export type FetchPage = (
  filter: EventFilter,
  offset: number,
  limit: number,
) => Promise<Result<EventPage, string>>;

/** Page indexes that hold rows `first..last` (inclusive). Empty for an empty range. */
export function pagesForRange(first: number, last: number, pageSize: number = PAGE_SIZE): number[] {
  if (!(pageSize > 0)) throw new RangeError("pageSize must be positive");
  const lo = Math.max(0, Math.floor(first));
  const hi = Math.floor(last);
  if (hi < lo) return [];
  const out: number[] = [];
  for (let p = Math.floor(lo / pageSize); p <= Math.floor(hi / pageSize); p++) out.push(p);
  return out;
}

/** A stable key for a filter: the same filter always gives the same key, whatever the field order. */
export function filterKey(f: EventFilter): string {
  return JSON.stringify([f.project, f.po, f.vendor, f.document_type, f.kind]);
}

type Page = { rows: EventRow[]; gen: number };

type KeyCache = {
  filter: EventFilter;
  pages: Map<number, Page>;
  /** Rows matching the filter, from the latest page response; null until one arrives. */
  total: number | null;
  /** Generation the total was read at. */
  totalGen: number;
  /** Page -> generation of the request in flight. */
  inFlight: Map<number, number>;
  /** Page -> generation at which its fetch failed (not retried within that generation). */
  failed: Map<number, number>;
  error: string | null;
};

export type PageCacheOptions = {
  pageSize?: number;
  /** Pages kept per filter; pages farthest from the view are dropped first. */
  maxPages?: number;
  /** Filters whose pages are kept besides the current one. */
  maxFilters?: number;
  maxInFlight?: number;
  /** Called whenever something the table shows may have changed. */
  onChange?: () => void;
  /**
   * Called when a fresh response for the current filter reports a different total than the
   * one known before (rows are newest first, so a growth of d means d new rows at the top).
   */
  onTotalChange?: (previous: number, next: number) => void;
};

export class PageCache {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly maxFilters: number;
  private readonly maxInFlight: number;
  private readonly onChange: () => void;
  private readonly onTotalChange: (previous: number, next: number) => void;

  private gen = 0;
  private key: string;
  private current: KeyCache;
  private readonly caches = new Map<string, KeyCache>();
  /** Last row range the view asked for (inclusive), or null before the first ask. */
  private range: [number, number] | null = null;

  constructor(
    private readonly fetchPage: FetchPage,
    filter: EventFilter,
    opts: PageCacheOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? PAGE_SIZE;
    this.maxPages = Math.max(1, opts.maxPages ?? 64);
    this.maxFilters = Math.max(0, opts.maxFilters ?? 8);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    this.onChange = opts.onChange ?? (() => {});
    this.onTotalChange = opts.onTotalChange ?? (() => {});
    this.key = filterKey(filter);
    this.current = this.newKeyCache(filter);
    this.caches.set(this.key, this.current);
  }

  private newKeyCache(filter: EventFilter): KeyCache {
    return {
      filter: { ...filter },
      pages: new Map(),
      total: null,
      totalGen: -1,
      inFlight: new Map(),
      failed: new Map(),
      error: null,
    };
  }

  /** The filter the cache currently serves. */
  get filter(): EventFilter {
    return { ...this.current.filter };
  }

  /** Rows matching the current filter, or null while unknown. */
  get total(): number | null {
    return this.current.total;
  }

  /** The last fetch error for the current filter, cleared by the next success. */
  get error(): string | null {
    return this.current.error;
  }

  /** True while any page of the current filter is being fetched. */
  get loading(): boolean {
    return this.current.inFlight.size > 0;
  }

  /** True when the current total is from before the latest invalidate(). */
  get stale(): boolean {
    return this.current.totalGen < this.gen;
  }

  /** Number of cached pages for the current filter (for tests and diagnostics). */
  get cachedPages(): number {
    return this.current.pages.size;
  }

  /** The row at `index` under the current filter, if its page is cached (possibly stale). */
  row(index: number): EventRow | undefined {
    if (index < 0) return undefined;
    const page = this.current.pages.get(Math.floor(index / this.pageSize));
    return page?.rows[index % this.pageSize];
  }

  /**
   * Switches to another filter and fetches its first page unless cached. Its cached pages
   * show at once. Returns false when the filter did not change.
   */
  setFilter(filter: EventFilter): boolean {
    const key = filterKey(filter);
    if (key === this.key) return false;
    let kc = this.caches.get(key);
    if (kc) {
      this.caches.delete(key); // re-insert: most recently used last
    } else {
      kc = this.newKeyCache(filter);
    }
    this.caches.set(key, kc);
    this.key = key;
    this.current = kc;
    // Keep the current filter plus `maxFilters` others.
    while (this.caches.size > this.maxFilters + 1) {
      const oldest = this.caches.keys().next().value as string;
      if (oldest === this.key) break;
      this.caches.delete(oldest);
    }
    // A new filter shows from the top: start with its first page (a no-op when cached).
    this.range = [0, 0];
    this.pump();
    this.onChange();
    return true;
  }

  /**
   * The view shows (or is about to show) rows `first..last`, inclusive. Fetches the pages
   * among them that are missing or stale. Before the total is known, page 0 is fetched
   * whatever the range, since the view cannot know how many rows there are.
   */
  ensureRange(first: number, last: number): void {
    const kc = this.current;
    let lo = Math.max(0, Math.floor(first));
    let hi = Math.floor(last);
    if (kc.total !== null) hi = Math.min(hi, kc.total - 1);
    if (kc.total === null || (hi < lo && this.stale)) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
    }
    this.range = hi >= lo ? [lo, hi] : null;
    this.pump();
  }

  /**
   * The feed changed: everything cached is now stale. Other filters' pages are dropped; the
   * current filter keeps only the pages in view (shown until refetched), which are fetched
   * again at once.
   */
  invalidate(): void {
    this.gen++;
    for (const key of [...this.caches.keys()]) if (key !== this.key) this.caches.delete(key);
    const kc = this.current;
    const keep = new Set(this.range ? pagesForRange(this.range[0], this.range[1], this.pageSize) : [0]);
    for (const p of [...kc.pages.keys()]) if (!keep.has(p)) kc.pages.delete(p);
    kc.failed.clear();
    kc.error = null;
    if (this.range === null) this.range = [0, 0];
    this.pump();
    this.onChange();
  }

  /** Drops everything (another folder is being watched) and fetches the first page again. */
  reset(): void {
    this.gen++;
    this.caches.clear();
    this.current = this.newKeyCache(this.current.filter);
    this.caches.set(this.key, this.current);
    this.range = [0, 0];
    this.pump();
    this.onChange();
  }

  private needsFetch(kc: KeyCache, page: number): boolean {
    const have = kc.pages.get(page);
    if (have && have.gen >= this.gen) return false;
    const flying = kc.inFlight.get(page);
    if (flying !== undefined && flying >= this.gen) return false;
    const failedAt = kc.failed.get(page);
    if (failedAt !== undefined && failedAt >= this.gen) return false;
    return true;
  }

  /** Starts fetches for the wanted pages, nearest to the top of the view first, up to the limit. */
  private pump(): void {
    const kc = this.current;
    if (!this.range) return;
    const wanted = pagesForRange(this.range[0], this.range[1], this.pageSize);
    for (const page of wanted) {
      if (this.countInFlight() >= this.maxInFlight) break;
      if (this.needsFetch(kc, page)) this.start(kc, this.key, page);
    }
  }

  private countInFlight(): number {
    let n = 0;
    for (const kc of this.caches.values()) n += kc.inFlight.size;
    return n;
  }

  private start(kc: KeyCache, key: string, page: number): void {
    const gen = this.gen;
    kc.inFlight.set(page, gen);
    const offset = page * this.pageSize;
    let settled: Promise<Result<EventPage, string>>;
    try {
      settled = this.fetchPage({ ...kc.filter }, offset, this.pageSize);
    } catch (e) {
      settled = Promise.resolve({ status: "error", error: String(e) });
    }
    settled
      .catch((e: unknown): Result<EventPage, string> => ({ status: "error", error: String(e) }))
      .then((res) => this.settle(kc, key, page, gen, res));
  }

  private settle(kc: KeyCache, key: string, page: number, gen: number, res: Result<EventPage, string>): void {
    if (kc.inFlight.get(page) === gen) kc.inFlight.delete(page);
    const live = this.caches.get(key) === kc;
    if (live && gen === this.gen) {
      if (res.status === "ok") {
        kc.pages.set(page, { rows: res.data.rows, gen });
        kc.failed.delete(page);
        kc.error = null;
        const previous = kc.total;
        kc.total = res.data.total;
        kc.totalGen = gen;
        // The table may have shrunk below pages we hold (cannot happen with an append-only
        // feed, but a new folder may have fewer rows): drop what lies past the end.
        const lastPage = Math.floor(Math.max(0, res.data.total - 1) / this.pageSize);
        for (const p of [...kc.pages.keys()]) if (p > lastPage) kc.pages.delete(p);
        this.evict(kc);
        if (kc === this.current && previous !== null && previous !== res.data.total) {
          this.onTotalChange(previous, res.data.total);
        }
      } else {
        kc.failed.set(page, gen);
        kc.error = res.error;
      }
      if (kc === this.current) this.onChange();
    }
    this.pump();
  }

  /** Keeps at most maxPages pages, dropping those farthest from the view. */
  private evict(kc: KeyCache): void {
    if (kc.pages.size <= this.maxPages) return;
    const centre = this.range && kc === this.current ? Math.floor((this.range[0] + this.range[1]) / 2 / this.pageSize) : 0;
    const byDistance = [...kc.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of byDistance) {
      if (kc.pages.size <= this.maxPages) break;
      kc.pages.delete(p);
    }
  }
}
