import { describe, expect, it } from "vitest";
import {
  DEFAULT_ZOOM,
  MAX_ZOOM,
  MIN_BOX_PERCENT,
  MIN_ZOOM,
  boxRect,
  boxStyle,
  fitWidthZoom,
  nextZoom,
  pageOf,
  zoomSteps,
  zoomText,
  renderWidth,
  fieldTarget,
  MAX_RENDER_WIDTH,
  RENDER_STEP,
} from "./highlight";

describe("boxStyle", () => {
  it("places a box in percent of the page", () => {
    expect(boxStyle([0.1, 0.2, 0.4, 0.25])).toBe("left: 10%; top: 20%; width: 30%; height: 5%");
  });

  it("writes no float noise", () => {
    // 0.7 - 0.1 is 0.6 plus a hair in floating point.
    expect(boxStyle([0.1, 0.1, 0.7, 0.3])).toBe("left: 10%; top: 10%; width: 60%; height: 20%");
    expect(boxStyle([0.123456, 0, 0.5, 1])).toBe("left: 12.346%; top: 0%; width: 37.654%; height: 100%");
  });

  it("puts corners given the wrong way round right", () => {
    expect(boxStyle([0.4, 0.25, 0.1, 0.2])).toBe(boxStyle([0.1, 0.2, 0.4, 0.25]));
  });

  it("clamps a box that runs off the page", () => {
    expect(boxRect([-0.2, 0.9, 0.3, 1.4])).toEqual({ left: 0, top: 90, width: 30, height: 10 });
    expect(boxRect([-1, -1, 2, 2])).toEqual({ left: 0, top: 0, width: 100, height: 100 });
  });

  it("grows a tiny box around its centre so that it stays visible", () => {
    const r = boxRect([0.5, 0.5, 0.501, 0.502])!;
    expect(r.width).toBe(MIN_BOX_PERCENT);
    expect(r.height).toBe(MIN_BOX_PERCENT);
    expect(r.left + r.width / 2).toBeCloseTo(50.05, 6);
    expect(r.top + r.height / 2).toBeCloseTo(50.1, 6);
    // A point is a box too.
    expect(boxRect([0.3, 0.3, 0.3, 0.3])).toMatchObject({ width: MIN_BOX_PERCENT, height: MIN_BOX_PERCENT });
  });

  it("keeps a grown box on the page at its edges", () => {
    expect(boxRect([0, 0, 0, 0])).toEqual({ left: 0, top: 0, width: 1, height: 1 });
    expect(boxRect([1, 1, 1, 1])).toEqual({ left: 99, top: 99, width: 1, height: 1 });
    expect(boxRect([1.5, 0.5, 2, 0.6])).toMatchObject({ left: 99, width: 1 });
  });

  it("is null without a usable box", () => {
    expect(boxStyle(null)).toBeNull();
    expect(boxStyle(undefined)).toBeNull();
    expect(boxStyle([])).toBeNull();
    expect(boxStyle([0.1, 0.2, 0.3])).toBeNull();
    expect(boxStyle([0.1, 0.2, 0.3, 0.4, 0.5])).toBeNull();
    expect(boxStyle([0.1, null, 0.3, 0.4])).toBeNull();
    expect(boxStyle([0.1, Number.NaN, 0.3, 0.4])).toBeNull();
    expect(boxStyle([0.1, 0.2, Number.POSITIVE_INFINITY, 0.4])).toBeNull();
  });
});

describe("pageOf", () => {
  it("reads a page number as a 0-based index", () => {
    expect(pageOf("page 1")).toBe(0);
    expect(pageOf("page 2")).toBe(1);
    expect(pageOf("Page 12")).toBe(11);
    expect(pageOf("page 3 of 4")).toBe(2);
    expect(pageOf("  PAGE 2  ")).toBe(1);
    expect(pageOf("pages 2-3")).toBe(1);
  });

  it("is null without a page", () => {
    expect(pageOf(null)).toBeNull();
    expect(pageOf(undefined)).toBeNull();
    expect(pageOf("")).toBeNull();
    expect(pageOf("file name")).toBeNull();
    expect(pageOf("page")).toBeNull();
    expect(pageOf("page 0")).toBeNull();
    expect(pageOf("homepage2")).toBeNull();
  });
});

describe("zoom", () => {
  it("steps from 50% to 300%, rising", () => {
    expect(zoomSteps[0]).toBe(50);
    expect(zoomSteps[zoomSteps.length - 1]).toBe(300);
    expect(zoomSteps).toContain(DEFAULT_ZOOM);
    for (let i = 1; i < zoomSteps.length; i++) expect(zoomSteps[i]!).toBeGreaterThan(zoomSteps[i - 1]!);
  });

  it("moves one step in and out", () => {
    expect(nextZoom(100, 1)).toBe(110);
    expect(nextZoom(100, -1)).toBe(90);
    expect(nextZoom(250, 1)).toBe(300);
    expect(nextZoom(67, -1)).toBe(50);
  });

  it("walks every step and back", () => {
    let z = MIN_ZOOM;
    const up = [z];
    while (z < MAX_ZOOM) up.push((z = nextZoom(z, 1)));
    expect(up).toEqual([...zoomSteps]);
    const down = [z];
    while (z > MIN_ZOOM) down.push((z = nextZoom(z, -1)));
    expect(down).toEqual([...zoomSteps].reverse());
  });

  it("stays at the ends", () => {
    expect(nextZoom(300, 1)).toBe(300);
    expect(nextZoom(50, -1)).toBe(50);
  });

  it("moves from between steps to the nearest step that way", () => {
    expect(nextZoom(137, 1)).toBe(150);
    expect(nextZoom(137, -1)).toBe(125);
    expect(nextZoom(99.9999999, 1)).toBe(110);
    expect(nextZoom(100.0000001, -1)).toBe(90);
  });

  it("comes back within range from outside it", () => {
    expect(nextZoom(20, 1)).toBe(50);
    expect(nextZoom(20, -1)).toBe(50);
    expect(nextZoom(500, -1)).toBe(300);
    expect(nextZoom(500, 1)).toBe(300);
    expect(nextZoom(Number.NaN, 1)).toBe(DEFAULT_ZOOM);
  });

  it("labels a zoom", () => {
    expect(zoomText(137.4)).toBe("137%");
    expect(zoomText(100)).toBe("100%");
  });

  it("fits a page to the view's width, within range", () => {
    expect(fitWidthZoom(800, 1000)).toBe(125);
    expect(fitWidthZoom(800, 100)).toBe(MIN_ZOOM);
    expect(fitWidthZoom(100, 1000)).toBe(MAX_ZOOM);
    expect(fitWidthZoom(0, 1000)).toBe(DEFAULT_ZOOM);
    expect(fitWidthZoom(800, Number.NaN)).toBe(DEFAULT_ZOOM);
  });
});

describe("renderWidth", () => {
  it("asks for the shown width in device pixels, in steps, within the core's limit", () => {
    expect(renderWidth(600, 1)).toBe(600);
    expect(renderWidth(601, 1)).toBe(800);
    expect(renderWidth(600, 2)).toBe(1200);
    expect(renderWidth(700, 1.25)).toBe(1000);
    expect(renderWidth(3000, 2)).toBe(MAX_RENDER_WIDTH);
    expect(renderWidth(10, 1)).toBe(RENDER_STEP);
    expect(renderWidth(0, 1)).toBe(RENDER_STEP);
    expect(renderWidth(Number.NaN, 1)).toBe(RENDER_STEP);
    expect(renderWidth(500, 0)).toBe(600);
    expect(renderWidth(500, Number.NaN)).toBe(600);
  });
});

describe("fieldTarget", () => {
  it("finds the page and the box of a field", () => {
    expect(fieldTarget({ location: "page 2", bbox: [0.1, 0.2, 0.4, 0.25] })).toEqual({
      page: 1,
      style: "left: 10%; top: 20%; width: 30%; height: 5%",
    });
    expect(fieldTarget({ location: "page 3", bbox: null })).toEqual({ page: 2, style: null });
    expect(fieldTarget({ location: null, bbox: [0.1, 0.2, 0.4, 0.25] })?.page).toBe(0);
    expect(fieldTarget({ location: "file name", bbox: null })).toBeNull();
    expect(fieldTarget(null)).toBeNull();
  });
});
