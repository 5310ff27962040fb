import { describe, expect, it } from "vitest";
import { COLUMNS, gridTemplate } from "./columns";

describe("columns", () => {
  it("keeps the data-col ids the end-to-end tests rely on, in display order", () => {
    expect(COLUMNS.map((c) => c.id)).toEqual([
      "time",
      "kind",
      "path",
      "old_path",
      "project",
      "po",
      "vendor",
      "vendor_type",
      "document_type",
      "file_number",
      "problems",
    ]);
  });

  it("builds one grid track per column", () => {
    const t = gridTemplate();
    // One track per column (minmax(...) holds a space, so count tracks by their widths).
    expect(t).toBe(COLUMNS.map((c) => c.width).join(" "));
    expect(COLUMNS.find((c) => c.id === "path")?.width).toMatch(/^minmax\(/);
    expect(gridTemplate([{ id: "time", header: "Time", width: "1fr" }])).toBe("1fr");
  });
});
