// The Documents view's pure logic: how a document's place in the extraction queue reads
// (status, progress, reason), the header's counts, the fields in the order a bookkeeper reads
// them with their confidence and provenance, what changed, the list's query and selection,
// and loading the list in pages.

import type {
  DocumentCounts,
  DocumentDetail,
  DocumentPage,
  DocumentQuery,
  DocumentRow,
  DocumentStatus,
  FieldChange,
  FieldRow,
  Result,
} from "./ipc";
import { formatCount } from "./format";
import { REVIEW_STATES, reviewStateLabel, type ReviewState } from "./review";
import { validateField, type DateLocale, type LinesCheck, type Validation } from "./validate";

/** Every status, in the order of the pipeline (and of the header's counts). */
export const STATUSES: readonly DocumentStatus[] = ["queued", "extracting", "done", "failed"];

const STATUS_LABELS: Record<DocumentStatus, string> = {
  queued: "Queued",
  extracting: "Reading",
  done: "Done",
  failed: "Failed",
};

/** The badge's word: "Queued", "Reading", "Done", "Failed" (an unknown status as written). */
export function statusLabel(status: DocumentStatus | string): string {
  return STATUS_LABELS[status as DocumentStatus] ?? String(status);
}

/** Colour family of a status: grey while waiting, blue while reading, green when read, red
 * when it could not be read. */
export type StatusTone = "waiting" | "busy" | "ok" | "error";

export function statusTone(status: DocumentStatus | string): StatusTone {
  switch (status) {
    case "extracting":
      return "busy";
    case "done":
      return "ok";
    case "failed":
      return "error";
    default:
      return "waiting";
  }
}

type StatusFields = Pick<DocumentRow, "status" | "error" | "progress">;

/**
 * What the row says beside its badge: what a running extraction is doing ("fetching",
 * "waiting for a core"), why a document failed, or why a queued one will be tried again.
 * Null when there is nothing to add.
 */
export function statusDetail(row: StatusFields): string | null {
  const error = row.error?.trim() || null;
  switch (row.status) {
    case "extracting":
      return row.progress?.trim() || null;
    case "failed":
      return error ?? "no reason was recorded";
    case "queued":
      return error ? `will try again: ${error}` : null;
    default:
      return null;
  }
}

/** The badge and its detail as one line, for a tooltip or a screen reader. */
export function statusText(row: StatusFields): string {
  const detail = statusDetail(row);
  return detail ? `${statusLabel(row.status)}: ${detail}` : statusLabel(row.status);
}

const COUNT_WORDS: Record<DocumentStatus, string> = {
  queued: "queued",
  extracting: "reading",
  done: "done",
  failed: "failed",
};

export type CountPart = { status: DocumentStatus; n: number; text: string };

/** The header's counts, in pipeline order, leaving out the empty ones:
 * [{status: "queued", n: 3, text: "3 queued"}, …]. */
export function countParts(counts: DocumentCounts | null | undefined): CountPart[] {
  if (!counts) return [];
  return STATUSES.filter((s) => counts[s] > 0).map((s) => ({
    status: s,
    n: counts[s],
    text: `${formatCount(counts[s])} ${COUNT_WORDS[s]}`,
  }));
}

/** "3 queued · 1 reading · 20 done · 2 failed"; "" when there are no documents. */
export function countsText(counts: DocumentCounts | null | undefined): string {
  return countParts(counts)
    .map((p) => p.text)
    .join(" · ");
}

/** All documents, whatever their state. */
export function countsTotal(counts: DocumentCounts | null | undefined): number {
  return counts ? STATUSES.reduce((n, s) => n + counts[s], 0) : 0;
}

/** "26 documents", "1 document", or "2 of 26 documents" when a filter is applied. */
export function documentsCountText(shown: number, overall: number | null, filtered: boolean): string {
  const word = (n: number) => (n === 1 ? "document" : "documents");
  if (filtered && overall !== null) return `${formatCount(shown)} of ${formatCount(overall)} ${word(overall)}`;
  return `${formatCount(shown)} ${word(shown)}`;
}

/** 0.916 -> "92%"; "" without a confidence. Clamped to 0..100. */
export function confidenceText(c: number | null | undefined): string {
  if (c === null || c === undefined || Number.isNaN(c)) return "";
  return `${Math.round(Math.min(1, Math.max(0, c)) * 100)}%`;
}

/** The fields a document has, in the order the core lists them (FIELD_NAMES in the api). */
export const FIELD_ORDER = [
  "vendor_name",
  "invoice_number",
  "invoice_date",
  "due_date",
  "currency",
  "subtotal",
  "tax",
  "total",
  "po_number",
  "description",
] as const;

export type FieldName = (typeof FIELD_ORDER)[number];

const FIELD_LABELS: Record<FieldName, string> = {
  vendor_name: "Vendor",
  invoice_number: "Invoice number",
  invoice_date: "Invoice date",
  due_date: "Due date",
  currency: "Currency",
  subtotal: "Subtotal",
  tax: "Tax",
  total: "Total",
  po_number: "PO number",
  description: "Description",
};

/** "invoice_number" -> "Invoice number"; an unknown name gets its words capitalised. */
export function fieldLabel(name: string): string {
  if (Object.prototype.hasOwnProperty.call(FIELD_LABELS, name)) return FIELD_LABELS[name as FieldName];
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A field as the detail panel shows it: `absent` when extraction did not find it (it is
 * still shown, empty, so a person can fill it in). */
export type FieldView = FieldRow & { absent: boolean };

/** Every known field in FIELD_ORDER (absent ones empty), then any other field the core sent,
 * in its order. */
export function fieldsInOrder(fields: readonly FieldRow[]): FieldView[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const known: FieldView[] = FIELD_ORDER.map((name) => {
    const f = byName.get(name);
    return f
      ? { ...f, absent: false }
      : {
          name,
          value: null,
          extracted_value: null,
          confidence: null,
          provenance: "",
          location: null,
          bbox: null,
          pinned: false,
          absent: true,
        };
  });
  const order = new Set<string>(FIELD_ORDER);
  const others = fields.filter((f) => !order.has(f.name)).map((f) => ({ ...f, absent: false }));
  return [...known, ...others];
}

const SOURCE_LABELS: Record<string, string> = {
  offline: "text rules",
  llm: "model",
  "e-invoice": "e-invoice",
  "file name": "file name",
  person: "person",
  text: "text",
  ocr: "OCR",
};

/** Where a value came from, as the chip says it: "e-invoice", "text rules", "model", "OCR",
 * "file name", "person". */
export function provenanceLabel(p: string | null | undefined): string {
  if (!p) return "";
  return SOURCE_LABELS[p] ?? p;
}

/** How the document was read (the list's "Read by" column): "text", "OCR", "e-invoice";
 * a reading the model joined reads "text + model" (the core says "text+llm"). */
export function readByLabel(by: string | null | undefined): string {
  if (!by) return "";
  return by
    .split("+")
    .map((part) => provenanceLabel(part.trim()))
    .filter((part) => part !== "")
    .join(" + ");
}

/** Where the line items came from, when they all came from one place ("model"); null when
 * mixed or unknown. */
export function linesSource(lines: readonly { provenance: string }[]): string | null {
  const sources = new Set(lines.map((l) => l.provenance).filter((p) => p));
  return sources.size === 1 ? provenanceLabel([...sources][0]) : null;
}

/** "1234.5" -> "1,234.5": thousands separators for a plain decimal, kept exact (no float
 * rounding); anything else as written. */
export function groupDigits(amount: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount.trim());
  if (!m) return amount;
  const int = m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${m[1]}${int}${m[3] ?? ""}`;
}

/** "1,234.50 EUR"; the amount alone without a currency; "" without an amount. */
export function amountText(total: string | null | undefined, currency: string | null | undefined): string {
  const t = total?.trim();
  if (!t) return "";
  const c = currency?.trim();
  return c ? `${groupDigits(t)} ${c}` : groupDigits(t);
}

/** The history, newest first; of changes made in the same millisecond, the later recorded
 * comes first. */
export function historyNewestFirst(history: readonly FieldChange[]): FieldChange[] {
  return history
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.at_ms - a.c.at_ms || b.i - a.i)
    .map((x) => x.c);
}

/** "529.87 → 999.99"; a missing side reads "(empty)". */
export function changeText(change: Pick<FieldChange, "old_value" | "new_value">): string {
  const side = (v: string | null | undefined) => (v === null || v === undefined || v === "" ? "(empty)" : v);
  return `${side(change.old_value)} → ${side(change.new_value)}`;
}

/** What "Revert to extracted" brings back, said on the button. */
export function revertText(field: Pick<FieldRow, "extracted_value">): string {
  const v = field.extracted_value;
  return v === null || v === undefined || v === "" ? "Revert to extracted (empty)" : `Revert to extracted (${v})`;
}

/** The value an edit saves (trimmed, as the core stores it), or null when it would change
 * nothing, so Enter on an untouched field does not pin it. */
export function editToSave(field: Pick<FieldRow, "value">, input: string): string | null {
  const next = input.trim();
  return next === (field.value ?? "").trim() ? null : next;
}

/** What an edit of a field would do: nothing (as it was), refuse (with the reason, shown
 * as the person types), or save a value in the form the core stores ("31/03/2024" is saved
 * as "2024-03-31"). The value in force is never read again: it is already stored. */
export type FieldEdit = { kind: "unchanged" } | { kind: "invalid"; message: string } | { kind: "save"; value: string };

export function fieldEdit(field: Pick<FieldRow, "name" | "value">, input: string, locale: DateLocale): FieldEdit {
  const current = (field.value ?? "").trim();
  if (input.trim() === current) return { kind: "unchanged" };
  const v = validateField(field.name, input, locale);
  if (!v.ok) return { kind: "invalid", message: v.message };
  return v.value === current ? { kind: "unchanged" } : { kind: "save", value: v.value };
}

/** Names of the fields whose value in force differs between two reads of the same document
 * (what a re-extraction or a correction changed). Nothing for another document. */
export function changedFields(before: DocumentDetail | null, after: DocumentDetail | null): string[] {
  if (!before || !after || before.document.id !== after.document.id) return [];
  const old = new Map(before.fields.map((f) => [f.name, f.value ?? null]));
  const now = new Map(after.fields.map((f) => [f.name, f.value ?? null]));
  const names = new Set([...old.keys(), ...now.keys()]);
  return [...names].filter((n) => (old.get(n) ?? null) !== (now.get(n) ?? null));
}

/** How the list is ordered (the core's DocumentOrder). */
export type DocumentOrder = NonNullable<DocumentQuery["order"]>;

/** The list's filter as typed: a status and a review state ("" = any), only flagged
 * documents, a project and a PO (as typed), the search text (full text: path, vendor,
 * invoice number, the document's words), and the order. */
export type DocumentFilterState = {
  status: DocumentStatus | "";
  text: string;
  review: ReviewState | "";
  flagged: boolean;
  project: string;
  po: string;
  order: DocumentOrder;
  descending: boolean;
};

export function emptyDocumentFilter(): DocumentFilterState {
  return { status: "", text: "", review: "", flagged: false, project: "", po: "", order: "newest", descending: false };
}

/** Whether the filter leaves documents out (the order does not). */
export function isDocumentFilterActive(f: DocumentFilterState): boolean {
  return (
    f.status !== "" ||
    f.text.trim() !== "" ||
    f.review !== "" ||
    f.flagged ||
    f.project.trim() !== "" ||
    f.po.trim() !== ""
  );
}

/** The filter without what leaves documents out: the order stays as chosen. */
export function clearedDocumentFilter(f: DocumentFilterState): DocumentFilterState {
  return { ...emptyDocumentFilter(), order: f.order, descending: f.descending };
}

/** The core's query for a filter: blanks become null (any). */
export function toDocumentQuery(f: DocumentFilterState): DocumentQuery {
  const blank = (v: string) => (v.trim() === "" ? null : v.trim());
  return {
    status: f.status === "" ? null : f.status,
    text: blank(f.text),
    review: f.review === "" ? null : f.review,
    project: blank(f.project),
    po: blank(f.po),
    vendor_type: null,
    document_type: null,
    flagged: f.flagged ? true : null,
    order: f.order,
    descending: f.descending,
  };
}

/** The columns the list sorts by; "changed" is newest / oldest. */
export type SortColumn = "changed" | "path" | "vendor" | "invoice_date" | "total";

/** Which way a column's values run on screen, for `aria-sort`; "none" when the list is
 * not sorted by it. Newest first is "descending" (time runs backwards down the list). */
export function ariaSort(f: Pick<DocumentFilterState, "order" | "descending">, column: SortColumn): "ascending" | "descending" | "none" {
  if (column === "changed") {
    if (f.order !== "newest" && f.order !== "oldest") return "none";
    // The core reads "newest, descending" as oldest first, and "oldest, descending" as newest.
    const newestFirst = (f.order === "newest") !== f.descending;
    return newestFirst ? "descending" : "ascending";
  }
  if (f.order !== column) return "none";
  return f.descending ? "descending" : "ascending";
}

/** The order after a click on a column header: the same column turns round; another starts
 * A to Z for names and paths, newest and largest first for dates, totals and changes. */
export function toggleSort(
  f: Pick<DocumentFilterState, "order" | "descending">,
  column: SortColumn,
): { order: DocumentOrder; descending: boolean } {
  const now = ariaSort(f, column);
  if (column === "changed") {
    return now === "descending" ? { order: "oldest", descending: false } : { order: "newest", descending: false };
  }
  if (now !== "none") return { order: column, descending: now === "ascending" };
  return { order: column, descending: column === "invoice_date" || column === "total" };
}

/** The PO a document's name gives, as the folders write it: "2416_23"; the project alone
 * when the name has no PO; "" when neither. */
export function projectPo(row: Pick<DocumentRow, "project_number" | "po_number">): string {
  const project = row.project_number?.trim() ?? "";
  const po = row.po_number?.trim() ?? "";
  if (project && po) return `${project}_${po}`;
  return project || (po ? `_${po}` : "");
}

/** The review filter's choices with their counts from the status: "To review (12)". */
export function reviewFilterOptions(
  counts: DocumentCounts | null | undefined,
): { state: ReviewState; label: string; n: number | null }[] {
  return REVIEW_STATES.map((state) => ({
    state,
    label: reviewStateLabel(state),
    n: counts ? (counts[state as keyof DocumentCounts] ?? 0) : null,
  }));
}

/** "To review (1,204)"; the label alone when the count is unknown. */
export function labelWithCount(label: string, n: number | null): string {
  return n === null ? label : `${label} (${formatCount(n)})`;
}

/** The selection, keeping only the documents still listed (a filter or a refetch may have
 * dropped some: an action must not touch rows the user cannot see). */
export function pruneSelection(selected: ReadonlySet<number>, rows: readonly Pick<DocumentRow, "id">[]): Set<number> {
  const listed = new Set(rows.map((r) => r.id));
  return new Set([...selected].filter((id) => listed.has(id)));
}

/** The select-all box: checked when every listed row is selected, mixed when some are. */
export function selectionState(
  selected: ReadonlySet<number>,
  rows: readonly Pick<DocumentRow, "id">[],
): "none" | "some" | "all" {
  const n = rows.filter((r) => selected.has(r.id)).length;
  if (n === 0) return "none";
  return n === rows.length ? "all" : "some";
}

/** What the select-all box does: select every listed row, or clear when all were. */
export function toggleAll(selected: ReadonlySet<number>, rows: readonly Pick<DocumentRow, "id">[]): Set<number> {
  return selectionState(selected, rows) === "all" ? new Set() : new Set(rows.map((r) => r.id));
}

/** Rows the list loads at a time ("Show more" adds this many). */
export const PAGE_ROWS = 200;
/** The most rows the core returns in one call. */
export const MAX_PER_CALL = 1000;

export type FetchPage = (query: DocumentQuery, offset: number, limit: number) => Promise<Result<DocumentPage>>;

/**
 * The first `count` rows matching `query`, in calls of at most MAX_PER_CALL rows, and the
 * total. Stops early when the core has no more; the first error is returned as is.
 */
export async function fetchRows(fetchPage: FetchPage, query: DocumentQuery, count: number): Promise<Result<DocumentPage>> {
  const want = Math.max(1, Math.floor(count));
  const rows: DocumentRow[] = [];
  let total = 0;
  do {
    const limit = Math.min(MAX_PER_CALL, want - rows.length);
    const r = await fetchPage(query, rows.length, limit);
    if (r.status === "error") return r;
    total = r.data.total;
    rows.push(...r.data.rows);
    if (r.data.rows.length < limit) break;
  } while (rows.length < want && rows.length < total);
  return { status: "ok", data: { total, rows } };
}

/** The row after (+1) or before (-1) `id` in the list, for arrow-key moves; null at an end. */
export function neighbour(rows: readonly Pick<DocumentRow, "id">[], id: number, step: 1 | -1): number | null {
  const i = rows.findIndex((r) => r.id === id);
  if (i < 0) return rows[0]?.id ?? null;
  return rows[i + step]?.id ?? null;
}

// ---------------------------------------------------------------------------------------
// The document view: flags, history, the name, the lines

const FLAG_LABELS: Record<string, string> = {
  duplicate: "Duplicate",
  lines_sum: "Lines do not add up",
  totals: "Subtotal + tax ≠ total",
  name_mismatch: "Name differs from its folders",
  no_tax_form: "No W9 or W8 on file",
  unparsed_name: "Name did not parse",
  failed: "Extraction failed",
};

/** A flag's kind in words: "Duplicate", "Lines do not add up"; an unknown kind (a newer
 * core) with its words capitalised. */
export function flagLabel(kind: string): string {
  if (Object.prototype.hasOwnProperty.call(FLAG_LABELS, kind)) return FLAG_LABELS[kind]!;
  return fieldLabel(kind);
}

/** The flags still open (not dismissed): the ones that count for attention and the badge. */
export function openFlags<F extends { dismissed: boolean }>(flags: readonly F[]): F[] {
  return flags.filter((f) => !f.dismissed);
}

/** Open flags first, then dismissed ones, each group in the core's order. */
export function flagsInOrder<F extends { dismissed: boolean }>(flags: readonly F[]): F[] {
  return [...flags.filter((f) => !f.dismissed), ...flags.filter((f) => f.dismissed)];
}

/** A history row's value as the reader wants it: review states by their label ("Approved"),
 * everything else as recorded. */
export function historyValue(name: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return name === "review" ? reviewStateLabel(value) : value;
}

/** "529.87 → 999.99", "To review → Approved"; a missing side reads "(empty)". */
export function historyChangeText(change: Pick<FieldChange, "name" | "old_value" | "new_value">): string {
  return changeText({
    old_value: historyValue(change.name, change.old_value),
    new_value: historyValue(change.name, change.new_value),
  });
}

/** A history row's subject: "Total", "Line 2", "Review". */
export function historyLabel(name: string): string {
  return name === "review" ? "Review" : fieldLabel(name);
}

/** What "Undid: …" names after an undo: the core says "total", "line items" or "review". */
export function undoneText(what: string): string {
  if (what === "review") return "Undid: review state";
  if (what === "line items") return "Undid: line items";
  return `Undid: ${fieldLabel(what).toLowerCase()}`;
}

/** How dates typed with slashes are read: month first for American English, day first
 * everywhere else (the app's users are in the US and in Europe). */
export function dateLocaleFor(language: string | null | undefined): DateLocale {
  return (language ?? "").trim().toLowerCase() === "en-us" ? "us" : "european";
}

// ---------------------------------------------------------------------------------------
// Line items as a person edits them

/** The columns of a line a person edits, in the table's order. */
export const LINE_COLUMNS = ["description", "date", "quantity", "unit_price", "amount", "account_code"] as const;
export type LineColumn = (typeof LINE_COLUMNS)[number];

const LINE_COLUMN_LABELS: Record<LineColumn, string> = {
  description: "Description",
  date: "Date",
  quantity: "Qty",
  unit_price: "Unit price",
  amount: "Amount",
  account_code: "Account",
};

export function lineColumnLabel(c: LineColumn): string {
  return LINE_COLUMN_LABELS[c];
}

/** One cell being edited: what is typed, and the stored value it started from. A cell left
 * as it was is saved as stored, never read again: "0.125" stored is a unit price, but typed
 * in Europe it would read as 125. */
export type LineCell = { text: string; stored: string | null };

/** A line being edited. `key` is the row's identity while lines move (positions change). */
export type LineDraft = { key: number; cells: Record<LineColumn, LineCell> };

/** What a line holds, as set_lines takes it (null for an empty cell). */
export type LineValues = Record<LineColumn, string | null>;

type StoredLine = Partial<Record<LineColumn, string | null>>;

function cellsOf(line: StoredLine | null): Record<LineColumn, LineCell> {
  const out = {} as Record<LineColumn, LineCell>;
  for (const c of LINE_COLUMNS) {
    const v = line?.[c] ?? null;
    out[c] = { text: v ?? "", stored: v };
  }
  return out;
}

/** The draft of the lines as stored, keys 1..n. */
export function draftFromLines(lines: readonly StoredLine[]): LineDraft[] {
  return lines.map((l, i) => ({ key: i + 1, cells: cellsOf(l) }));
}

/** An empty line, added at the end with a key no other line has. */
export function addLine(draft: readonly LineDraft[]): LineDraft[] {
  const key = draft.reduce((m, l) => Math.max(m, l.key), 0) + 1;
  return [...draft, { key, cells: cellsOf(null) }];
}

export function removeLine(draft: readonly LineDraft[], index: number): LineDraft[] {
  return draft.filter((_, i) => i !== index);
}

/** The line at `index` one place up (-1) or down (+1); unchanged at either end. */
export function moveLine(draft: readonly LineDraft[], index: number, step: 1 | -1): LineDraft[] {
  const to = index + step;
  if (index < 0 || index >= draft.length || to < 0 || to >= draft.length) return [...draft];
  const out = [...draft];
  [out[index], out[to]] = [out[to]!, out[index]!];
  return out;
}

/** The draft with one cell retyped. */
export function setCell(draft: readonly LineDraft[], index: number, column: LineColumn, text: string): LineDraft[] {
  return draft.map((l, i) => (i === index ? { ...l, cells: { ...l.cells, [column]: { ...l.cells[column], text } } } : l));
}

/** One cell's value to save, or why it cannot be saved. A cell as stored is its stored
 * value; a cell emptied is null. */
export function cellValue(cell: LineCell, column: LineColumn, locale: DateLocale): Validation {
  if (cell.stored !== null && cell.text === cell.stored) return { ok: true, value: cell.stored };
  return validateField(column, cell.text, locale);
}

export type DraftCheck = {
  /** The lines to save; null while a cell is invalid. */
  lines: LineValues[] | null;
  /** Per line, the message of each invalid cell. */
  errors: Partial<Record<LineColumn, string>>[];
  /** How many cells are invalid. */
  invalid: number;
};

/** Every cell validated: the lines to save, or the messages to show. */
export function checkDraft(draft: readonly LineDraft[], locale: DateLocale): DraftCheck {
  let invalid = 0;
  const lines: LineValues[] = [];
  const errors = draft.map((l) => {
    const errs: Partial<Record<LineColumn, string>> = {};
    const values = {} as LineValues;
    for (const c of LINE_COLUMNS) {
      const v = cellValue(l.cells[c], c, locale);
      if (v.ok) values[c] = v.value === "" ? null : v.value;
      else {
        errs[c] = v.message;
        invalid++;
      }
    }
    lines.push(values);
    return errs;
  });
  return { lines: invalid === 0 ? lines : null, errors, invalid };
}

/** Whether the draft differs from the stored lines (added, removed, moved or retyped). */
export function draftChanged(draft: readonly LineDraft[], stored: readonly StoredLine[]): boolean {
  if (draft.length !== stored.length) return true;
  return draft.some((l, i) => l.key !== i + 1 || LINE_COLUMNS.some((c) => l.cells[c].text !== (stored[i]?.[c] ?? "")));
}

/** The amounts of the draft as they would be saved, for the live "add up" check: an amount
 * not (yet) valid is passed as typed, so the check says it cannot add up. */
export function draftAmounts(draft: readonly LineDraft[], locale: DateLocale): { amount: string | null }[] {
  return draft.map((l) => {
    const v = cellValue(l.cells.amount, "amount", locale);
    return { amount: v.ok ? v.value : l.cells.amount.text };
  });
}

/** The live indicator's words for a lines check: "Lines add up", "Lines + tax add up to
 * the total", "Lines differ from the total by 0.10 EUR (short)"; null when there is
 * nothing to compare (no amounts, no total). */
export function linesCheckText(check: LinesCheck, currency: string | null | undefined): string | null {
  const cur = currency?.trim() ? ` ${currency.trim()}` : "";
  if (!check.ok && check.difference === null) return "A line's amount is not a number: the lines cannot be added up";
  if (check.difference === null) return null;
  const what = check.withTax ? "Lines + tax" : "Lines";
  if (check.ok) return check.withTax ? "Lines + tax add up to the total" : "Lines add up to the total";
  const negative = check.difference.startsWith("-");
  const abs = negative ? check.difference.slice(1) : check.difference;
  return `${what} differ from the total by ${groupDigits(abs)}${cur} (${negative ? "short" : "over"})`;
}
