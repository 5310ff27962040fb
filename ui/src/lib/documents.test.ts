import { describe, expect, it } from "vitest";
import {
  amountText,
  changedFields,
  changeText,
  confidenceClass,
  confidenceText,
  countParts,
  countsText,
  countsTotal,
  documentsCountText,
  editToSave,
  fetchRows,
  fieldLabel,
  fieldsInOrder,
  FIELD_ORDER,
  groupDigits,
  historyNewestFirst,
  isDocumentFilterActive,
  MAX_PER_CALL,
  neighbour,
  provenanceLabel,
  pruneSelection,
  readByLabel,
  linesSource,
  revertText,
  selectionState,
  statusDetail,
  statusLabel,
  statusText,
  statusTone,
  toDocumentQuery,
  toggleAll,
} from "./documents";
import type { DocumentDetail, DocumentQuery, DocumentRow, FieldRow } from "./ipc";

function row(id: number, over: Partial<DocumentRow> = {}): DocumentRow {
  return {
    id,
    path: `/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_0${id} Jane Smith Invoice.pdf`,
    status: "done",
    error: null,
    progress: null,
    document_type: "INVOICE",
    extracted_by: "e-invoice",
    vendor_name: "Lieferant GmbH",
    invoice_number: "471102",
    invoice_date: "2018-03-05",
    total: "529.87",
    currency: "EUR",
    deleted: false,
    updated_ms: 1,
    ...over,
  };
}

function field(name: string, value: string | null, over: Partial<FieldRow> = {}): FieldRow {
  return {
    name,
    value,
    extracted_value: value,
    confidence: 1,
    provenance: "e-invoice",
    location: null,
    bbox: null,
    pinned: false,
    ...over,
  };
}

function detail(id: number, fields: FieldRow[]): DocumentDetail {
  return {
    document: row(id),
    content_hash: null,
    problems: [],
    llm_tokens: null,
    attempts: 1,
    fields,
    lines: [],
    history: [],
  };
}

describe("status", () => {
  it("labels each status, an unknown one as written", () => {
    expect(statusLabel("queued")).toBe("Queued");
    expect(statusLabel("extracting")).toBe("Reading");
    expect(statusLabel("done")).toBe("Done");
    expect(statusLabel("failed")).toBe("Failed");
    expect(statusLabel("paused")).toBe("paused");
  });

  it("colours failed red and done green", () => {
    expect(statusTone("failed")).toBe("error");
    expect(statusTone("done")).toBe("ok");
    expect(statusTone("extracting")).toBe("busy");
    expect(statusTone("queued")).toBe("waiting");
  });

  it("says what a running extraction does and why a document failed", () => {
    expect(statusDetail({ status: "extracting", progress: "waiting for a core", error: null })).toBe("waiting for a core");
    expect(statusDetail({ status: "extracting", progress: null, error: null })).toBeNull();
    expect(statusDetail({ status: "failed", progress: null, error: "the file is not a PDF" })).toBe("the file is not a PDF");
    expect(statusDetail({ status: "failed", progress: null, error: "  " })).toBe("no reason was recorded");
    expect(statusDetail({ status: "queued", progress: null, error: "Dropbox is busy" })).toBe("will try again: Dropbox is busy");
    expect(statusDetail({ status: "queued", progress: null, error: null })).toBeNull();
    expect(statusDetail({ status: "done", progress: "reading", error: "old" })).toBeNull();
  });

  it("joins badge and detail for a tooltip", () => {
    expect(statusText({ status: "failed", progress: null, error: "damaged" })).toBe("Failed: damaged");
    expect(statusText({ status: "done", progress: null, error: null })).toBe("Done");
  });
});

describe("counts", () => {
  const counts = { queued: 3, extracting: 1, done: 1200, failed: 2 };

  it("reads like the header says it, in pipeline order", () => {
    expect(countsText(counts)).toBe("3 queued · 1 reading · 1,200 done · 2 failed");
    expect(countParts(counts).map((p) => p.status)).toEqual(["queued", "extracting", "done", "failed"]);
  });

  it("leaves out the empty states, and says nothing without documents", () => {
    expect(countsText({ queued: 0, extracting: 0, done: 5, failed: 1 })).toBe("5 done · 1 failed");
    expect(countsText({ queued: 0, extracting: 0, done: 0, failed: 0 })).toBe("");
    expect(countsText(null)).toBe("");
    expect(countParts(undefined)).toEqual([]);
  });

  it("adds up every state", () => {
    expect(countsTotal(counts)).toBe(1206);
    expect(countsTotal(null)).toBe(0);
  });

  it("counts the list, filtered or not", () => {
    expect(documentsCountText(1, 1, false)).toBe("1 document");
    expect(documentsCountText(1234, 1234, false)).toBe("1,234 documents");
    expect(documentsCountText(2, 26, true)).toBe("2 of 26 documents");
    expect(documentsCountText(0, null, true)).toBe("0 documents");
  });
});

describe("confidence", () => {
  it("is green from 0.8, amber from 0.5, red below, none without a value", () => {
    expect(confidenceClass(1)).toBe("high");
    expect(confidenceClass(0.8)).toBe("high");
    expect(confidenceClass(0.79)).toBe("mid");
    expect(confidenceClass(0.5)).toBe("mid");
    expect(confidenceClass(0.49)).toBe("low");
    expect(confidenceClass(0)).toBe("low");
    expect(confidenceClass(null)).toBe("none");
    expect(confidenceClass(undefined)).toBe("none");
    expect(confidenceClass(Number.NaN)).toBe("none");
  });

  it("reads as a rounded, clamped percentage", () => {
    expect(confidenceText(0.916)).toBe("92%");
    expect(confidenceText(1.2)).toBe("100%");
    expect(confidenceText(-1)).toBe("0%");
    expect(confidenceText(null)).toBe("");
  });
});

describe("fields", () => {
  it("labels the known fields and capitalises others", () => {
    expect(fieldLabel("invoice_number")).toBe("Invoice number");
    expect(fieldLabel("po_number")).toBe("PO number");
    expect(fieldLabel("iban_code")).toBe("Iban code");
  });

  it("lists every known field in order, absent ones empty, then unknown ones", () => {
    const shown = fieldsInOrder([
      field("total", "529.87"),
      field("extra_note", "x"),
      field("vendor_name", "Lieferant GmbH"),
    ]);
    expect(shown.map((f) => f.name)).toEqual([...FIELD_ORDER, "extra_note"]);
    expect(shown[0]).toMatchObject({ name: "vendor_name", value: "Lieferant GmbH", absent: false });
    const due = shown.find((f) => f.name === "due_date")!;
    expect(due).toMatchObject({ value: null, confidence: null, pinned: false, absent: true });
  });

  it("names where a value came from", () => {
    expect(provenanceLabel("offline")).toBe("text rules");
    expect(provenanceLabel("llm")).toBe("model");
    expect(provenanceLabel("file name")).toBe("file name");
    expect(provenanceLabel("something new")).toBe("something new");
    expect(provenanceLabel(null)).toBe("");
    expect(readByLabel("ocr")).toBe("OCR");
    expect(readByLabel("e-invoice")).toBe("e-invoice");
    expect(readByLabel("text+llm")).toBe("text + model");
    expect(readByLabel("ocr+llm")).toBe("OCR + model");
    expect(readByLabel(null)).toBe("");
    expect(linesSource([{ provenance: "llm" }, { provenance: "llm" }])).toBe("model");
    expect(linesSource([{ provenance: "llm" }, { provenance: "offline" }])).toBeNull();
    expect(linesSource([])).toBeNull();
  });
});

describe("amounts", () => {
  it("groups digits exactly and appends the currency", () => {
    expect(groupDigits("1234567.891")).toBe("1,234,567.891");
    expect(groupDigits("-1000")).toBe("-1,000");
    expect(groupDigits("999")).toBe("999");
    expect(groupDigits("1.234,50")).toBe("1.234,50");
    expect(amountText("529.87", "EUR")).toBe("529.87 EUR");
    expect(amountText("1234.50", null)).toBe("1,234.50");
    expect(amountText(null, "EUR")).toBe("");
    expect(amountText(" ", "EUR")).toBe("");
  });
});

describe("history and edits", () => {
  it("puts the newest change first, later-recorded first within a millisecond", () => {
    const h = [
      { name: "total", old_value: null, new_value: "1", who: "e-invoice", at_ms: 10 },
      { name: "total", old_value: "1", new_value: "2", who: "person", at_ms: 30 },
      { name: "tax", old_value: null, new_value: "3", who: "e-invoice", at_ms: 10 },
    ];
    expect(historyNewestFirst(h).map((c) => c.new_value)).toEqual(["2", "3", "1"]);
    expect(h[0]!.new_value).toBe("1"); // not sorted in place
  });

  it("says what changed", () => {
    expect(changeText({ old_value: "529.87", new_value: "999.99" })).toBe("529.87 → 999.99");
    expect(changeText({ old_value: null, new_value: "EUR" })).toBe("(empty) → EUR");
    expect(changeText({ old_value: "x", new_value: "" })).toBe("x → (empty)");
  });

  it("says what a revert brings back", () => {
    expect(revertText({ extracted_value: "529.87" })).toBe("Revert to extracted (529.87)");
    expect(revertText({ extracted_value: null })).toBe("Revert to extracted (empty)");
  });

  it("saves only a value that differs, trimmed", () => {
    expect(editToSave({ value: "529.87" }, " 999.99 ")).toBe("999.99");
    expect(editToSave({ value: "529.87" }, "529.87 ")).toBeNull();
    expect(editToSave({ value: null }, "")).toBeNull();
    expect(editToSave({ value: null }, "EUR")).toBe("EUR");
    expect(editToSave({ value: "EUR" }, "")).toBe("");
  });

  it("finds the fields whose value changed between two reads of one document", () => {
    const before = detail(1, [field("total", "529.87"), field("tax", "56.87")]);
    const after = detail(1, [field("total", "999.99"), field("tax", "56.87"), field("currency", "EUR")]);
    expect(changedFields(before, after).sort()).toEqual(["currency", "total"]);
    expect(changedFields(before, detail(2, []))).toEqual([]);
    expect(changedFields(null, after)).toEqual([]);
  });
});

describe("filter and selection", () => {
  it("turns blanks into 'any'", () => {
    expect(toDocumentQuery({ status: "", text: "  " })).toEqual({ status: null, text: null });
    expect(toDocumentQuery({ status: "failed", text: " whop " })).toEqual({ status: "failed", text: "whop" });
    expect(isDocumentFilterActive({ status: "", text: " " })).toBe(false);
    expect(isDocumentFilterActive({ status: "", text: "a" })).toBe(true);
    expect(isDocumentFilterActive({ status: "done", text: "" })).toBe(true);
  });

  it("keeps only listed rows selected", () => {
    expect([...pruneSelection(new Set([1, 2, 9]), [row(1), row(2), row(3)])]).toEqual([1, 2]);
  });

  it("tells the select-all box its state and toggles it", () => {
    const rows = [row(1), row(2)];
    expect(selectionState(new Set(), rows)).toBe("none");
    expect(selectionState(new Set([2]), rows)).toBe("some");
    expect(selectionState(new Set([1, 2, 7]), rows)).toBe("all");
    expect(selectionState(new Set(), [])).toBe("none");
    expect([...toggleAll(new Set([2]), rows)]).toEqual([1, 2]);
    expect([...toggleAll(new Set([1, 2]), rows)]).toEqual([]);
  });

  it("moves between rows with the arrow keys", () => {
    const rows = [row(4), row(5), row(6)];
    expect(neighbour(rows, 5, 1)).toBe(6);
    expect(neighbour(rows, 5, -1)).toBe(4);
    expect(neighbour(rows, 6, 1)).toBeNull();
    expect(neighbour(rows, 99, 1)).toBe(4);
    expect(neighbour([], 1, 1)).toBeNull();
  });
});

describe("fetchRows", () => {
  const all = Array.from({ length: 2500 }, (_, i) => row(i + 1));
  const query: DocumentQuery = { status: null, text: null };

  function fake() {
    const calls: [number, number][] = [];
    const page = async (_q: DocumentQuery, offset: number, limit: number) => {
      calls.push([offset, limit]);
      return {
        status: "ok" as const,
        data: { total: all.length, rows: all.slice(offset, offset + Math.min(limit, MAX_PER_CALL)) },
      };
    };
    return { calls, page };
  }

  it("loads the first rows in one call", async () => {
    const { calls, page } = fake();
    const r = await fetchRows(page, query, 200);
    expect(calls).toEqual([[0, 200]]);
    expect(r.status === "ok" && r.data.rows.length).toBe(200);
    expect(r.status === "ok" && r.data.total).toBe(2500);
  });

  it("splits a long list into calls the core accepts", async () => {
    const { calls, page } = fake();
    const r = await fetchRows(page, query, 2200);
    expect(calls).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 200],
    ]);
    expect(r.status === "ok" && r.data.rows.map((x) => x.id).slice(-1)).toEqual([2200]);
  });

  it("stops when the core has no more", async () => {
    const { calls, page } = fake();
    const r = await fetchRows(page, query, 4000);
    expect(calls.length).toBe(3);
    expect(r.status === "ok" && r.data.rows.length).toBe(2500);
  });

  it("returns the first error", async () => {
    const r = await fetchRows(async () => ({ status: "error", error: "database is locked" }), query, 200);
    expect(r).toEqual({ status: "error", error: "database is locked" });
  });
});
