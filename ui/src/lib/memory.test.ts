import { describe, expect, it } from "vitest";
import {
  checkMemoryValue,
  filterMemory,
  learnedFromText,
  linesText,
  memoryFieldLabel,
  memoryValueText,
  sortMemory,
  suggestionChanged,
  suggestionFor,
  suggestionSource,
  suggestionText,
  suggestionTitle,
} from "./memory";
import type { MemoryEntry, Suggestion } from "./ipc";

const suggestion = (over: Partial<Suggestion> = {}): Suggestion => ({
  field: "description",
  value: "Gaffer",
  current: "Lighting",
  lines: [],
  vendor: "Jane Smith",
  from_document: 4,
  from_path: "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_01 Jane Smith Invoice.pdf",
  memory_id: 1,
  ...over,
});

const entry = (over: Partial<MemoryEntry> = {}): MemoryEntry => ({
  id: 1,
  vendor: "Jane Smith",
  field: "description",
  value: "Gaffer",
  learned_from: 4,
  learned_from_path: "/books/2416_23_01 Jane Smith Invoice.pdf",
  learned_by: "person",
  learned_ms: 1_700_000_000_000,
  edited_ms: null,
  ...over,
});

describe("suggestions from memory", () => {
  it("says what is suggested and whose earlier document taught it", () => {
    expect(suggestionText(suggestion())).toBe("Suggested from memory: Gaffer (from Jane Smith's earlier document)");
    expect(suggestionSource({ vendor: "Blue Sky Grips" })).toBe("from Blue Sky Grips' earlier document");
    expect(suggestionSource({ vendor: "  " })).toBe("from an earlier document");
  });

  it("names an account code and the lines it is for", () => {
    const s = suggestion({ field: "account_code", value: "5300", current: null, lines: [1, 2, 3] });
    expect(suggestionText(s)).toBe("Suggested from memory: 5300 US Labor for lines 1–3 (from Jane Smith's earlier document)");
    expect(suggestionText({ ...s, value: "6040", lines: [2] })).toBe(
      "Suggested from memory: 6040 for line 2 (from Jane Smith's earlier document)",
    );
  });

  it("lists lines as a range, or one by one", () => {
    expect(linesText([])).toBe("");
    expect(linesText([4])).toBe("line 4");
    expect(linesText([3, 1, 2])).toBe("lines 1–3");
    expect(linesText([1, 3, 5])).toBe("lines 1, 3 and 5");
    expect(linesText([2, 2, 5])).toBe("lines 2 and 5");
  });

  it("explains what accepting replaces and where it was learned", () => {
    const t = suggestionTitle(suggestion());
    expect(t).toContain('Replaces "Lighting".');
    expect(t).toContain("2416_23_01 Jane Smith Invoice.pdf");
    expect(suggestionTitle(suggestion({ current: null, from_path: null }))).not.toContain("Replaces");
  });

  it("finds the suggestion of a field", () => {
    const list = [suggestion(), suggestion({ field: "account_code", value: "5300", lines: [1] })];
    expect(suggestionFor(list, "account_code")?.value).toBe("5300");
    expect(suggestionFor(list, "vendor_name")).toBeNull();
    expect(suggestionFor(null, "description")).toBeNull();
  });
});

describe("a suggestion that changed since it was shown", () => {
  it("is told apart from other refusals by the core's words", () => {
    expect(suggestionChanged("the suggestion changed; look again")).toBe(true);
    expect(suggestionChanged("The suggestion changed; look again")).toBe(true);
    expect(suggestionChanged("document 3 has no suggestion from memory")).toBe(false);
    expect(suggestionChanged("database error: disk I/O error")).toBe(false);
    expect(suggestionChanged("")).toBe(false);
  });
});

describe("the vendor memory page", () => {
  it("labels fields and values", () => {
    expect(memoryFieldLabel("vendor_name")).toBe("Vendor name");
    expect(memoryValueText("account_code", "5200")).toBe("5200 Travel");
    expect(memoryValueText("description", "5200")).toBe("5200");
  });

  it("checks an edited value as a correction of its field", () => {
    expect(checkMemoryValue("account_code", "5300 US Labor")).toEqual({ ok: true, value: "5300" });
    expect(checkMemoryValue("account_code", "9999").ok).toBe(false);
    expect(checkMemoryValue("description", "  Gaffer ")).toEqual({ ok: true, value: "Gaffer" });
    expect(checkMemoryValue("vendor_name", "x".repeat(201)).ok).toBe(false);
    const empty = checkMemoryValue("vendor_name", "   ");
    expect(empty.ok).toBe(false);
    expect(!empty.ok && empty.message).toContain("Forget");
  });

  it("orders by vendor, then field, then age", () => {
    const rows = sortMemory([
      entry({ id: 3, vendor: "jane smith", field: "account_code", value: "5300" }),
      entry({ id: 2, vendor: "Courier Car Rental", field: "vendor_name" }),
      entry({ id: 1, vendor: "Jane Smith", field: "description" }),
      entry({ id: 4, vendor: "Jane Smith", field: "vendor_name" }),
    ]);
    expect(rows.map((r) => r.id)).toEqual([2, 4, 1, 3]);
  });

  it("filters by every typed word over vendor, value, field and document", () => {
    const rows = [
      entry({ id: 1 }),
      entry({ id: 2, vendor: "Courier Car Rental", field: "account_code", value: "6110", learned_from_path: null }),
    ];
    expect(filterMemory(rows, "").map((r) => r.id)).toEqual([1, 2]);
    expect(filterMemory(rows, "automobile").map((r) => r.id)).toEqual([2]);
    expect(filterMemory(rows, "jane gaffer").map((r) => r.id)).toEqual([1]);
    expect(filterMemory(rows, "account courier").map((r) => r.id)).toEqual([2]);
    expect(filterMemory(rows, "jane 6110")).toEqual([]);
  });

  it("names the document a value was learned from by its file name", () => {
    expect(learnedFromText(entry())).toBe("2416_23_01 Jane Smith Invoice.pdf");
    expect(learnedFromText({ learned_from_path: null })).toBe("a document no longer stored");
  });
});
