// Where a field came from on the page: the highlight box over the page image (the core's box
// is in fractions of the page, origin top left, so percentages place it at any zoom), which
// page a field's location names, and the zoom steps of the page view.

/** The smallest highlight, in percent of the page: a box one character wide (or a
 * degenerate point) is still visible and clickable. */
export const MIN_BOX_PERCENT = 1;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A percentage for CSS, without float noise: 12.3456789 -> "12.346%". */
function pct(v: number): string {
  return `${Number(v.toFixed(3))}%`;
}

export type BoxRect = { left: number; top: number; width: number; height: number };

/**
 * The highlight's place in percent of the page, for a box [left, top, right, bottom] in
 * fractions of the page. Corners given the wrong way round are put right, the box is clamped
 * to the page, and a box smaller than MIN_BOX_PERCENT grows around its centre (staying on the
 * page). Null without a box, or when a coordinate is missing or not a number.
 */
export function boxRect(bbox: readonly (number | null)[] | null | undefined): BoxRect | null {
  if (!bbox || bbox.length !== 4) return null;
  const [a, b, c, d] = bbox;
  if (![a, b, c, d].every((v) => typeof v === "number" && Number.isFinite(v))) return null;
  const x0 = clamp(Math.min(a!, c!) * 100, 0, 100);
  const x1 = clamp(Math.max(a!, c!) * 100, 0, 100);
  const y0 = clamp(Math.min(b!, d!) * 100, 0, 100);
  const y1 = clamp(Math.max(b!, d!) * 100, 0, 100);
  const [left, width] = grow(x0, x1);
  const [top, height] = grow(y0, y1);
  return { left, top, width, height };
}

/** Start and size of one side, at least MIN_BOX_PERCENT, kept inside 0..100. */
function grow(lo: number, hi: number): [number, number] {
  if (hi - lo >= MIN_BOX_PERCENT) return [lo, hi - lo];
  const start = clamp((lo + hi) / 2 - MIN_BOX_PERCENT / 2, 0, 100 - MIN_BOX_PERCENT);
  return [start, MIN_BOX_PERCENT];
}

/** The highlight as an inline style: "left: 10%; top: 20.5%; width: 30%; height: 2%"; null
 * when there is nothing to highlight. */
export function boxStyle(bbox: readonly (number | null)[] | null | undefined): string | null {
  const r = boxRect(bbox);
  if (!r) return null;
  return `left: ${pct(r.left)}; top: ${pct(r.top)}; width: ${pct(r.width)}; height: ${pct(r.height)}`;
}

/** The page a location names, 0-based: "page 2" -> 1, "Page 3 of 4" -> 2. Null without a
 * page number (or for "page 0", which no document has). */
export function pageOf(location: string | null | undefined): number | null {
  const m = /\bpages?\s*(\d+)/i.exec(location ?? "");
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? n - 1 : null;
}

/** Zoom levels of the page view, in percent. */
export const zoomSteps: readonly number[] = [50, 67, 75, 90, 100, 110, 125, 150, 175, 200, 250, 300];

export const MIN_ZOOM = zoomSteps[0]!;
export const MAX_ZOOM = zoomSteps[zoomSteps.length - 1]!;
export const DEFAULT_ZOOM = 100;

/**
 * The next zoom level in direction `dir` (+1 in, -1 out) from `current`: the nearest step
 * beyond it, so a zoom between steps (fit to width gave 137%) moves to 150% or 125%. Stays at
 * the end it reached; a zoom outside 50..300 comes back to the nearest end.
 */
export function nextZoom(current: number, dir: 1 | -1): number {
  if (!Number.isFinite(current)) return DEFAULT_ZOOM;
  // A hair of tolerance so that 99.99999 (a computed zoom) counts as 100.
  const eps = 1e-6;
  if (dir === 1) return zoomSteps.find((s) => s > current + eps) ?? MAX_ZOOM;
  for (let i = zoomSteps.length - 1; i >= 0; i--) {
    if (zoomSteps[i]! < current - eps) return zoomSteps[i]!;
  }
  return MIN_ZOOM;
}

/** A zoom for the label: 137.4 -> "137%". */
export function zoomText(zoom: number): string {
  return `${Math.round(zoom)}%`;
}

/**
 * The zoom at which a page `pageWidth` wide (at 100%) fills `viewWidth`, kept within
 * 50..300; 100 when a width is unknown.
 */
export function fitWidthZoom(pageWidth: number, viewWidth: number): number {
  if (!(pageWidth > 0) || !(viewWidth > 0)) return DEFAULT_ZOOM;
  return clamp((viewWidth / pageWidth) * 100, MIN_ZOOM, MAX_ZOOM);
}

/** The widest page the core renders, in pixels. */
export const MAX_RENDER_WIDTH = 2400;
/** Rendered widths are multiples of this: a pane resized by a few pixels shows the image it
 * has (scaled a hair) instead of asking the core for another. */
export const RENDER_STEP = 200;

/**
 * The width in pixels to ask the core for, for a page shown `shownWidth` CSS pixels wide on a
 * screen with `dpr` device pixels per CSS pixel: rounded up to RENDER_STEP, at least one step,
 * at most MAX_RENDER_WIDTH. A bad ratio counts as 1.
 */
export function renderWidth(shownWidth: number, dpr: number): number {
  const ratio = Number.isFinite(dpr) && dpr > 0 ? dpr : 1;
  const want = Number.isFinite(shownWidth) && shownWidth > 0 ? shownWidth * ratio : RENDER_STEP;
  return Math.min(MAX_RENDER_WIDTH, Math.max(RENDER_STEP, Math.ceil(want / RENDER_STEP) * RENDER_STEP));
}

/** The page a field is on and its box, for the page view; null when the field says no page.
 * A field without a page number but with a box is on the first page. */
export function fieldTarget(
  field: { location?: string | null; bbox?: readonly (number | null)[] | null } | null | undefined,
): { page: number; style: string | null } | null {
  if (!field) return null;
  const page = pageOf(field.location);
  const style = boxStyle(field.bbox);
  if (page === null && style === null) return null;
  return { page: page ?? 0, style };
}
