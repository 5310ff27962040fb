import { describe, expect, it } from "vitest";
import type { DocumentQuery, ExportResult } from "./ipc";
import {
  CANCELLED_TEXT,
  DATE_STYLES,
  PRESETS,
  SHAPES,
  buildRequest,
  canUndo,
  datesForLocale,
  defaultForm,
  failureText,
  helpFor,
  nothingToExport,
  queryFiltered,
  resultSentences,
  scopeText,
  undoneText,
} from "./exporting";

const everything = { status: null, text: null } as DocumentQuery;
const approvedOf2416 = { status: null, text: null, review: "approved", project: "2416" } as DocumentQuery;

function result(over: Partial<ExportResult> = {}): ExportResult {
  return { export_id: 7, path: "/home/b/bills.csv", documents: 12, rows: 12, skipped: 0, marked: 12, ...over };
}

describe("dates", () => {
  it("follows the order the locale writes a date in", () => {
    expect(datesForLocale("en-US")).toBe("us");
    expect(datesForLocale("en-GB")).toBe("european");
    expect(datesForLocale("de-DE")).toBe("european");
    expect(datesForLocale("fr")).toBe("european");
    expect(datesForLocale("sv-SE")).toBe("iso");
    expect(datesForLocale("ja-JP")).toBe("iso");
  });

  it("falls back to ISO without a usable locale", () => {
    expect(datesForLocale(undefined)).toBe("iso");
    expect(datesForLocale("")).toBe("iso");
    expect(datesForLocale("not a locale!")).toBe("iso");
  });

  it("offers the three styles with an example each", () => {
    expect(DATE_STYLES.map((d) => d.value)).toEqual(["iso", "us", "european"]);
    expect(DATE_STYLES.map((d) => d.label)).toEqual(["ISO (2024-11-29)", "US (11/29/2024)", "European (29/11/2024)"]);
  });
});

describe("the form", () => {
  it("opens on the generic preset, a row per document, marking what it exports", () => {
    expect(defaultForm("en-US")).toEqual({ preset: "generic", shape: "documents", dates: "us", bom: false, markExported: true });
    expect(defaultForm("de-DE").dates).toBe("european");
  });

  it("lists the presets and shapes the core knows", () => {
    expect(PRESETS.map((p) => p.value)).toEqual(["generic", "xero", "qbo"]);
    expect(SHAPES.map((s) => s.value)).toEqual(["documents", "lines"]);
    expect(helpFor(PRESETS, "xero")).toMatch(/vendor/);
    expect(helpFor(SHAPES, "lines")).toMatch(/line item/);
  });
});

describe("the request", () => {
  it("carries the form, the filter's query, and an empty path for the save dialog", () => {
    const form = { preset: "xero", shape: "lines", dates: "european", bom: true, markExported: false } as const;
    expect(buildRequest(form, approvedOf2416, null)).toEqual({
      path: "",
      preset: "xero",
      shape: "lines",
      bom: true,
      dates: "european",
      query: approvedOf2416,
      ids: null,
      mark_exported: false,
    });
  });

  it("narrows to the selection, and treats an empty selection as none", () => {
    const form = defaultForm("en-US");
    const ids = [3, 1, 2];
    const r = buildRequest(form, everything, ids);
    expect(r.ids).toEqual([3, 1, 2]);
    expect(r.ids).not.toBe(ids);
    expect(r.mark_exported).toBe(true);
    expect(buildRequest(form, everything, []).ids).toBeNull();
  });

  it("knows whether the query filters", () => {
    expect(queryFiltered(everything)).toBe(false);
    expect(queryFiltered({ ...everything, text: "  " } as DocumentQuery)).toBe(false);
    expect(queryFiltered(approvedOf2416)).toBe(true);
    expect(queryFiltered({ ...everything, flagged: false } as DocumentQuery)).toBe(true);
  });
});

describe("what will be exported", () => {
  it("names a selection", () => {
    expect(scopeText([4, 5, 6], 40, true)).toBe("the 3 selected documents");
    expect(scopeText([4], null, false)).toBe("the selected document");
  });

  it("names what the filter shows", () => {
    expect(scopeText(null, 12, true)).toBe("the 12 documents the filter shows");
    expect(scopeText(null, 1, true)).toBe("the 1 document the filter shows");
    expect(scopeText([], 1200, true)).toBe("the 1,200 documents the filter shows");
    expect(scopeText(null, null, true)).toBe("the documents the filter shows");
  });

  it("names every document when nothing filters", () => {
    expect(scopeText(null, 40, false)).toBe("all 40 documents");
    expect(scopeText(null, null, false)).toBe("every document");
  });

  it("has nothing to export when the filter shows none", () => {
    expect(nothingToExport(null, 0)).toBe(true);
    expect(nothingToExport([], 0)).toBe(true);
    expect(nothingToExport([1], 0)).toBe(false);
    expect(nothingToExport(null, null)).toBe(false);
    expect(nothingToExport(null, 3)).toBe(false);
  });
});

describe("the result", () => {
  it("says what was exported and marked", () => {
    expect(resultSentences(result(), { shape: "documents" })).toEqual(["Exported 12 documents.", "12 documents marked Exported."]);
  });

  it("gives the rows of a line-item export", () => {
    expect(resultSentences(result({ documents: 3, rows: 17, marked: 0 }), { shape: "lines" })).toEqual([
      "Exported 3 documents as 17 rows.",
    ]);
    expect(resultSentences(result({ documents: 1, rows: 1, marked: 1 }), { shape: "lines" })).toEqual([
      "Exported 1 document as 1 row.",
      "1 document marked Exported.",
    ]);
  });

  it("says how many documents that are not bills the preset left out", () => {
    expect(resultSentences(result({ documents: 10, rows: 10, skipped: 2, marked: 10 }), { shape: "documents" })).toEqual([
      "Exported 10 documents.",
      "2 documents were left out: they are not bills (tax forms or PO logs).",
      "10 documents marked Exported.",
    ]);
    expect(resultSentences(result({ skipped: 1, marked: 0 }), { shape: "documents" })[1]).toBe(
      "1 document was left out: it is not a bill (a tax form or a PO log).",
    );
  });

  it("offers undo only when the export marked documents", () => {
    expect(canUndo(result())).toBe(true);
    expect(canUndo(result({ marked: 0 }))).toBe(false);
    expect(canUndo(result({ export_id: null }))).toBe(false);
  });

  it("reports an undo", () => {
    expect(undoneText(12)).toBe("12 documents back in the state they had before the export. The file stays where it was written.");
    expect(undoneText(1)).toBe("1 document back in the state it had before the export. The file stays where it was written.");
    expect(undoneText(0)).toMatch(/^Nothing to undo/);
  });

  it("reports a cancelled dialog and a refusal in words", () => {
    expect(CANCELLED_TEXT).toBe("Nothing was exported: the save dialog was closed.");
    expect(failureText("a Xero bill needs the vendor: 2416_23_01 Jane Smith Invoice.pdf has none.")).toBe(
      "Nothing was exported: a Xero bill needs the vendor: 2416_23_01 Jane Smith Invoice.pdf has none.",
    );
    expect(failureText("  ")).toBe("Nothing was exported: the export failed.");
  });
});
