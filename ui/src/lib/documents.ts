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

/** How sure the extractor was, as a colour: green from 0.8, amber from 0.5, red below; none
 * when no confidence was given (a person's value, an absent field). */
export type ConfidenceClass = "high" | "mid" | "low" | "none";

export function confidenceClass(c: number | null | undefined): ConfidenceClass {
  if (c === null || c === undefined || Number.isNaN(c)) return "none";
  if (c >= 0.8) return "high";
  if (c >= 0.5) return "mid";
  return "low";
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

/** Names of the fields whose value in force differs between two reads of the same document
 * (what a re-extraction or a correction changed). Nothing for another document. */
export function changedFields(before: DocumentDetail | null, after: DocumentDetail | null): string[] {
  if (!before || !after || before.document.id !== after.document.id) return [];
  const old = new Map(before.fields.map((f) => [f.name, f.value ?? null]));
  const now = new Map(after.fields.map((f) => [f.name, f.value ?? null]));
  const names = new Set([...old.keys(), ...now.keys()]);
  return [...names].filter((n) => (old.get(n) ?? null) !== (now.get(n) ?? null));
}

/** The list's filter as typed: a status ("" = any) and a search text. */
export type DocumentFilterState = { status: DocumentStatus | ""; text: string };

export function emptyDocumentFilter(): DocumentFilterState {
  return { status: "", text: "" };
}

export function isDocumentFilterActive(f: DocumentFilterState): boolean {
  return f.status !== "" || f.text.trim() !== "";
}

/** The core's query for a filter: blanks become null (any). */
export function toDocumentQuery(f: DocumentFilterState): DocumentQuery {
  const text = f.text.trim();
  return { status: f.status === "" ? null : f.status, text: text === "" ? null : text };
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
