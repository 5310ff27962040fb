import { describe, expect, it } from "vitest";
import {
  amountText,
  changedFields,
  changeText,
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
  emptyDocumentFilter,
  clearedDocumentFilter,
  ariaSort,
  toggleSort,
  projectPo,
  reviewFilterOptions,
  labelWithCount,
  flagLabel,
  openFlags,
  flagsInOrder,
  historyValue,
  historyChangeText,
  historyLabel,
  undoneText,
  dateLocaleFor,
  fieldEdit,
  draftFromLines,
  addLine,
  removeLine,
  moveLine,
  setCell,
  cellValue,
  checkDraft,
  draftChanged,
  draftAmounts,
  linesCheckText,
  LINE_COLUMNS,
} from "./documents";
import { linesAddUp } from "./validate";
import type { DocumentDetail, DocumentQuery, DocumentRow, FieldRow } from "./ipc";

function row(id: number, over: Partial<DocumentRow> = {}): DocumentRow {
  const base: DocumentRow = {
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
    review: "to_review",
    project_number: "2416",
    po_number: "23",
    vendor_type: "vendor",
    name_type: "INVOICE",
    file_number: "01",
    open_flags: 0,
    share_link: null,
    share_error: null,
  };
  return { ...base, ...over } as DocumentRow;
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
    lines_by_person: false,
    flags: [],
    project_name: "Whop Keynote",
    po_vendor: "Jane Smith",
    name_vendor: "Jane Smith",
    name_problems: [],
    can_undo: false,
    suggestions: [],
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
  const review = { to_review: 0, approved: 0, exported: 0, rejected: 0, flagged: 0 };
  const counts = { queued: 3, extracting: 1, done: 1200, failed: 2, ...review };

  it("reads like the header says it, in pipeline order", () => {
    expect(countsText(counts)).toBe("3 queued · 1 reading · 1,200 done · 2 failed");
    expect(countParts(counts).map((p) => p.status)).toEqual(["queued", "extracting", "done", "failed"]);
  });

  it("leaves out the empty states, and says nothing without documents", () => {
    expect(countsText({ queued: 0, extracting: 0, done: 5, failed: 1, ...review })).toBe("5 done · 1 failed");
    expect(countsText({ queued: 0, extracting: 0, done: 0, failed: 0, ...review })).toBe("");
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
      { name: "total", old_value: null, new_value: "1", who: "e-invoice", at_ms: 10, undone: false },
      { name: "total", old_value: "1", new_value: "2", who: "person", at_ms: 30, undone: false },
      { name: "tax", old_value: null, new_value: "3", who: "e-invoice", at_ms: 10, undone: false },
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
    const f = emptyDocumentFilter();
    expect(toDocumentQuery({ ...f, text: "  ", project: " ", po: "" })).toEqual({
      status: null,
      text: null,
      review: null,
      project: null,
      po: null,
      vendor_type: null,
      document_type: null,
      flagged: null,
      order: "newest",
      descending: false,
    });
    expect(
      toDocumentQuery({ ...f, status: "failed", text: " whop ", review: "to_review", flagged: true, project: " 2416 ", po: "23", order: "total", descending: true }),
    ).toEqual({
      status: "failed",
      text: "whop",
      review: "to_review",
      project: "2416",
      po: "23",
      vendor_type: null,
      document_type: null,
      flagged: true,
      order: "total",
      descending: true,
    });
    expect(isDocumentFilterActive({ ...f, text: " " })).toBe(false);
    expect(isDocumentFilterActive({ ...f, text: "a" })).toBe(true);
    expect(isDocumentFilterActive({ ...f, status: "done" })).toBe(true);
    expect(isDocumentFilterActive({ ...f, review: "approved" })).toBe(true);
    expect(isDocumentFilterActive({ ...f, flagged: true })).toBe(true);
    expect(isDocumentFilterActive({ ...f, project: "2416" })).toBe(true);
    expect(isDocumentFilterActive({ ...f, po: " 23" })).toBe(true);
    // The order is not a filter: nothing is left out.
    expect(isDocumentFilterActive({ ...f, order: "vendor", descending: true })).toBe(false);
  });

  it("clears what leaves documents out and keeps the order", () => {
    const f = { ...emptyDocumentFilter(), text: "x", review: "approved" as const, order: "vendor" as const, descending: true };
    expect(clearedDocumentFilter(f)).toEqual({ ...emptyDocumentFilter(), order: "vendor", descending: true });
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

describe("sorting", () => {
  const newest = { order: "newest" as const, descending: false };

  it("says which way each column runs", () => {
    expect(ariaSort(newest, "changed")).toBe("descending");
    expect(ariaSort({ order: "newest", descending: true }, "changed")).toBe("ascending");
    expect(ariaSort({ order: "oldest", descending: false }, "changed")).toBe("ascending");
    expect(ariaSort({ order: "oldest", descending: true }, "changed")).toBe("descending");
    expect(ariaSort(newest, "vendor")).toBe("none");
    expect(ariaSort({ order: "vendor", descending: false }, "vendor")).toBe("ascending");
    expect(ariaSort({ order: "vendor", descending: true }, "vendor")).toBe("descending");
    expect(ariaSort({ order: "vendor", descending: true }, "changed")).toBe("none");
    expect(ariaSort({ order: "total", descending: true }, "vendor")).toBe("none");
  });

  it("turns a column round on a second click, and starts a new one the useful way", () => {
    expect(toggleSort(newest, "changed")).toEqual({ order: "oldest", descending: false });
    expect(toggleSort({ order: "oldest", descending: false }, "changed")).toEqual({ order: "newest", descending: false });
    expect(toggleSort({ order: "vendor", descending: false }, "changed")).toEqual({ order: "newest", descending: false });
    expect(toggleSort(newest, "vendor")).toEqual({ order: "vendor", descending: false });
    expect(toggleSort(newest, "path")).toEqual({ order: "path", descending: false });
    expect(toggleSort(newest, "total")).toEqual({ order: "total", descending: true });
    expect(toggleSort(newest, "invoice_date")).toEqual({ order: "invoice_date", descending: true });
    expect(toggleSort({ order: "vendor", descending: false }, "vendor")).toEqual({ order: "vendor", descending: true });
    expect(toggleSort({ order: "total", descending: true }, "total")).toEqual({ order: "total", descending: false });
  });
});

describe("list columns and review filter", () => {
  it("writes project and PO as the folders do", () => {
    expect(projectPo({ project_number: "2416", po_number: "23" })).toBe("2416_23");
    expect(projectPo({ project_number: "2416", po_number: null })).toBe("2416");
    expect(projectPo({ project_number: null, po_number: "03" })).toBe("_03");
    expect(projectPo({ project_number: null, po_number: null })).toBe("");
  });

  it("lists the review states with their counts", () => {
    const counts = { queued: 0, extracting: 0, done: 5, failed: 0, to_review: 3, approved: 1, exported: 1200, rejected: 0, flagged: 2 };
    expect(reviewFilterOptions(counts)).toEqual([
      { state: "to_review", label: "To review", n: 3 },
      { state: "approved", label: "Approved", n: 1 },
      { state: "exported", label: "Exported", n: 1200 },
      { state: "rejected", label: "Rejected", n: 0 },
    ]);
    expect(reviewFilterOptions(null).map((o) => o.n)).toEqual([null, null, null, null]);
    expect(labelWithCount("Exported", 1200)).toBe("Exported (1,200)");
    expect(labelWithCount("Exported", null)).toBe("Exported");
  });
});

describe("flags and history", () => {
  const flag = (id: number, kind: string, dismissed = false) => ({ id, kind, dismissed });

  it("names each kind of flag", () => {
    expect(flagLabel("duplicate")).toBe("Duplicate");
    expect(flagLabel("lines_sum")).toBe("Lines do not add up");
    expect(flagLabel("totals")).toBe("Subtotal + tax ≠ total");
    expect(flagLabel("no_tax_form")).toBe("No W9 or W8 on file");
    expect(flagLabel("something_new")).toBe("Something new");
    expect(flagLabel("constructor")).toBe("Constructor");
  });

  it("keeps open flags apart from dismissed ones", () => {
    const flags = [flag(1, "totals", true), flag(2, "duplicate"), flag(3, "lines_sum")];
    expect(openFlags(flags).map((f) => f.id)).toEqual([2, 3]);
    expect(flagsInOrder(flags).map((f) => f.id)).toEqual([2, 3, 1]);
  });

  it("shows review states by their label in the history", () => {
    expect(historyValue("review", "to_review")).toBe("To review");
    expect(historyValue("total", "to_review")).toBe("to_review");
    expect(historyValue("review", null)).toBeNull();
    expect(historyChangeText({ name: "review", old_value: "to_review", new_value: "approved" })).toBe("To review → Approved");
    expect(historyChangeText({ name: "line 2", old_value: null, new_value: "Gaffer 2 x 600 = 1200.00" })).toBe(
      "(empty) → Gaffer 2 x 600 = 1200.00",
    );
    expect(historyLabel("review")).toBe("Review");
    expect(historyLabel("line 2")).toBe("Line 2");
    expect(historyLabel("invoice_date")).toBe("Invoice date");
  });

  it("says what an undo took back", () => {
    expect(undoneText("total")).toBe("Undid: total");
    expect(undoneText("invoice_date")).toBe("Undid: invoice date");
    expect(undoneText("line items")).toBe("Undid: line items");
    expect(undoneText("review")).toBe("Undid: review state");
  });
});

describe("typing a correction", () => {
  it("reads dates month first in American English only", () => {
    expect(dateLocaleFor("en-US")).toBe("us");
    expect(dateLocaleFor("en-us")).toBe("us");
    expect(dateLocaleFor("en-GB")).toBe("european");
    expect(dateLocaleFor("de-DE")).toBe("european");
    expect(dateLocaleFor("")).toBe("european");
    expect(dateLocaleFor(undefined)).toBe("european");
  });

  it("saves what the core stores, refuses with the reason, and leaves an untouched field", () => {
    const total = { name: "total", value: "529.87" };
    expect(fieldEdit(total, " 529.87 ", "european")).toEqual({ kind: "unchanged" });
    expect(fieldEdit(total, "999,99", "european")).toEqual({ kind: "save", value: "999.99" });
    expect(fieldEdit(total, "529,870", "european")).toEqual({ kind: "unchanged" });
    const bad = fieldEdit(total, "12.345", "us");
    expect(bad.kind).toBe("invalid");
    const date = { name: "invoice_date", value: "2024-03-31" };
    expect(fieldEdit(date, "04/01/2024", "us")).toEqual({ kind: "save", value: "2024-04-01" });
    expect(fieldEdit(date, "04/01/2024", "european")).toEqual({ kind: "save", value: "2024-01-04" });
    expect(fieldEdit(date, "31/02/2024", "european")).toMatchObject({ kind: "invalid" });
    // Clearing a value is a correction too.
    expect(fieldEdit(total, "  ", "us")).toEqual({ kind: "save", value: "" });
    expect(fieldEdit({ name: "due_date", value: null }, "", "us")).toEqual({ kind: "unchanged" });
  });
});

describe("editing line items", () => {
  const stored = [
    { description: "Gaffer", date: null, quantity: "5", unit_price: "600.00", amount: "3000.00", account_code: "5300" },
    { description: "Kit rental", date: "2024-03-02", quantity: "1", unit_price: "0.125", amount: "0.13", account_code: null },
  ];

  it("starts from the stored lines, unchanged", () => {
    const d = draftFromLines(stored);
    expect(d.map((l) => l.key)).toEqual([1, 2]);
    expect(d[0]!.cells.amount).toEqual({ text: "3000.00", stored: "3000.00" });
    expect(d[1]!.cells.account_code).toEqual({ text: "", stored: null });
    expect(draftChanged(d, stored)).toBe(false);
    expect(checkDraft(d, "european").lines).toEqual(stored);
  });

  it("saves a cell left as stored as stored, even where the locale would read it otherwise", () => {
    const d = draftFromLines(stored);
    // "0.125" typed in Europe is 125 (a dot groups thousands there); stored, it stays 0.125.
    expect(cellValue(d[1]!.cells.unit_price, "unit_price", "european")).toEqual({ ok: true, value: "0.125" });
    expect(cellValue({ text: "0.125", stored: null }, "unit_price", "european")).toEqual({ ok: true, value: "125.00" });
  });

  it("validates retyped cells and names the invalid ones", () => {
    let d = draftFromLines(stored);
    d = setCell(d, 0, "amount", "3.000,50");
    d = setCell(d, 1, "date", "31/02/2024");
    d = setCell(d, 1, "account_code", "9999");
    expect(draftChanged(d, stored)).toBe(true);
    const c = checkDraft(d, "european");
    expect(c.lines).toBeNull();
    expect(c.invalid).toBe(2);
    expect(Object.keys(c.errors[0]!)).toEqual([]);
    expect(Object.keys(c.errors[1]!).sort()).toEqual(["account_code", "date"]);
    d = setCell(d, 1, "date", "");
    d = setCell(d, 1, "account_code", "5000 Cost of Goods Sold");
    const ok = checkDraft(d, "european");
    expect(ok.invalid).toBe(0);
    expect(ok.lines![0]!.amount).toBe("3000.50");
    expect(ok.lines![1]!.date).toBeNull();
    expect(ok.lines![1]!.account_code).toBe("5000");
  });

  it("adds, removes and moves lines, keeping each line's identity", () => {
    let d = draftFromLines(stored);
    d = addLine(d);
    expect(d.map((l) => l.key)).toEqual([1, 2, 3]);
    expect(LINE_COLUMNS.every((c) => d[2]!.cells[c].text === "" && d[2]!.cells[c].stored === null)).toBe(true);
    expect(draftChanged(d, stored)).toBe(true);
    d = moveLine(d, 2, -1);
    expect(d.map((l) => l.key)).toEqual([1, 3, 2]);
    expect(moveLine(d, 0, -1).map((l) => l.key)).toEqual([1, 3, 2]);
    expect(moveLine(d, 2, 1).map((l) => l.key)).toEqual([1, 3, 2]);
    d = removeLine(d, 1);
    expect(d.map((l) => l.key)).toEqual([1, 2]);
    expect(draftChanged(d, stored)).toBe(false);
    // A new line after a removal never reuses a key still in use.
    expect(addLine(removeLine(d, 0)).map((l) => l.key)).toEqual([2, 3]);
    // Moving two lines round is a change even with the same values.
    expect(draftChanged(moveLine(d, 0, 1), stored)).toBe(true);
    // An empty new line is saved as a line of nulls.
    expect(checkDraft(addLine([]), "us").lines).toEqual([
      { description: null, date: null, quantity: null, unit_price: null, amount: null, account_code: null },
    ]);
  });

  it("checks as typed whether the lines add up", () => {
    let d = draftFromLines(stored);
    expect(linesAddUp(draftAmounts(d, "us"), "3000.13").ok).toBe(true);
    d = setCell(d, 1, "amount", "0,03");
    const short = linesAddUp(draftAmounts(d, "european"), "3000.13");
    expect(short.difference).toBe("-0.10");
    expect(linesCheckText(short, "EUR")).toBe("Lines differ from the total by 0.10 EUR (short)");
    d = setCell(d, 1, "amount", "abc");
    expect(linesCheckText(linesAddUp(draftAmounts(d, "us"), "3000.13"), "EUR")).toBe(
      "A line's amount is not a number: the lines cannot be added up",
    );
  });

  it("words the check", () => {
    expect(linesCheckText({ ok: true, difference: "0.00", sum: "10.00", withTax: false }, "USD")).toBe("Lines add up to the total");
    expect(linesCheckText({ ok: true, difference: "0.00", sum: "10.00", withTax: true }, null)).toBe("Lines + tax add up to the total");
    expect(linesCheckText({ ok: false, difference: "1234.50", sum: "2234.50", withTax: true }, null)).toBe(
      "Lines + tax differ from the total by 1,234.50 (over)",
    );
    expect(linesCheckText({ ok: true, difference: null, sum: null, withTax: false }, "USD")).toBeNull();
  });
});
