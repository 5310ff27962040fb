// The export panel's pure logic: the choices (preset, shape, date style) and their words,
// the date style a locale writes, what will be exported (the filter's documents or a
// selection), the request sent to the core, and the sentences that report what happened.

import type { DocumentQuery, ExportDates, ExportPreset, ExportRequest, ExportResult, ExportShape } from "./ipc";
import { formatCount } from "./format";

export type Option<T extends string> = { value: T; label: string; help: string };

export const PRESETS: readonly Option<ExportPreset>[] = [
  { value: "generic", label: "Generic — every field", help: "Every field of every document, for a spreadsheet or another tool." },
  {
    value: "xero",
    label: "Xero bills",
    help: "The columns of Xero's bill import. Every document needs its vendor; tax forms and PO logs are left out.",
  },
  {
    value: "qbo",
    label: "QuickBooks Online bills",
    help: "The columns of QuickBooks Online's bill import. Tax forms and PO logs are left out.",
  },
];

export const SHAPES: readonly Option<ExportShape>[] = [
  { value: "documents", label: "One row per document", help: "A row for each document with its totals." },
  { value: "lines", label: "One row per line item", help: "A row for each line item, the document's fields repeated on each." },
];

export const DATE_STYLES: readonly Option<ExportDates>[] = [
  { value: "iso", label: "ISO (2024-11-29)", help: "Year first: read the same everywhere." },
  { value: "us", label: "US (11/29/2024)", help: "MM/DD/YYYY, as US spreadsheets expect." },
  { value: "european", label: "European (29/11/2024)", help: "DD/MM/YYYY, as most of Europe writes dates." },
];

/** The help line of a choice; "" for a value not listed. */
export function helpFor<T extends string>(options: readonly Option<T>[], value: T): string {
  return options.find((o) => o.value === value)?.help ?? "";
}

/**
 * The date style a locale writes ("en-US" -> us, "en-GB" and "de-DE" -> european, "sv-SE"
 * and "ja-JP" -> iso), from the order in which the locale itself puts day, month and year.
 * ISO when the locale is missing or unknown to the browser.
 */
export function datesForLocale(locale: string | null | undefined): ExportDates {
  if (!locale) return "iso";
  let order: string[];
  try {
    order = new Intl.DateTimeFormat(locale, { year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date(2001, 1, 3))
      .map((p) => p.type)
      .filter((t) => t === "year" || t === "month" || t === "day");
  } catch {
    return "iso";
  }
  switch (order[0]) {
    case "month":
      return "us";
    case "day":
      return "european";
    default:
      return "iso";
  }
}

/** What the panel's form holds. */
export type ExportForm = {
  preset: ExportPreset;
  shape: ExportShape;
  dates: ExportDates;
  /** A byte-order mark, so that Excel reads the file as UTF-8. */
  bom: boolean;
  /** Mark the exported documents Exported (undoable). */
  markExported: boolean;
};

/** The form as it opens: generic, one row per document, dates as the locale writes them,
 * no BOM, exported documents marked. */
export function defaultForm(locale: string | null | undefined): ExportForm {
  return { preset: "generic", shape: "documents", dates: datesForLocale(locale), bom: false, markExported: true };
}

/**
 * The core's request. The path is left empty: the shell asks where with the save dialog.
 * `ids` narrows the export to a selection within the filter; null (or no id) exports what
 * the filter shows.
 */
export function buildRequest(form: ExportForm, query: DocumentQuery, ids: readonly number[] | null): ExportRequest {
  return {
    path: "",
    preset: form.preset,
    shape: form.shape,
    bom: form.bom,
    dates: form.dates,
    query,
    ids: ids && ids.length > 0 ? [...ids] : null,
    mark_exported: form.markExported,
  };
}

/** The query narrows the list (any filter or search); false when it lists every document. */
export function queryFiltered(query: DocumentQuery): boolean {
  const q = query as Record<string, unknown>;
  return ["status", "text", "review", "project", "po", "vendor_type", "document_type", "flagged"].some((k) => {
    const v = q[k];
    if (v === null || v === undefined) return false;
    return typeof v === "string" ? v.trim() !== "" : true;
  });
}

function docs(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "document" : "documents"}`;
}

/**
 * What will be exported, to follow "Export": "the 3 selected documents", "the 12 documents
 * the filter shows", "all 40 documents"; without the count yet, "the documents the filter
 * shows".
 */
export function scopeText(ids: readonly number[] | null, total: number | null, filtered: boolean): string {
  if (ids && ids.length > 0) return ids.length === 1 ? "the selected document" : `the ${formatCount(ids.length)} selected documents`;
  if (total === null) return filtered ? "the documents the filter shows" : "every document";
  if (total === 1) return filtered ? "the 1 document the filter shows" : "the 1 document";
  return filtered ? `the ${docs(total)} the filter shows` : `all ${docs(total)}`;
}

/** Nothing to export: the filter shows no document and nothing is selected. */
export function nothingToExport(ids: readonly number[] | null, total: number | null): boolean {
  return !(ids && ids.length > 0) && total === 0;
}

/** The sentences under a finished export: what was written where, what the preset left
 * out, what was marked. */
export function resultSentences(r: ExportResult, form: Pick<ExportForm, "shape">): string[] {
  const rows = `${formatCount(r.rows)} ${r.rows === 1 ? "row" : "rows"}`;
  const out = [
    form.shape === "lines" || r.rows !== r.documents
      ? `Exported ${docs(r.documents)} as ${rows}.`
      : `Exported ${docs(r.documents)}.`,
  ];
  if (r.skipped > 0) {
    out.push(
      r.skipped === 1
        ? "1 document was left out: it is not a bill (a tax form or a PO log)."
        : `${formatCount(r.skipped)} documents were left out: they are not bills (tax forms or PO logs).`,
    );
  }
  if (r.marked > 0) out.push(`${docs(r.marked)} marked Exported.`);
  return out;
}

/** An export can be undone when it marked documents (undo puts them back). */
export function canUndo(r: ExportResult): boolean {
  return r.export_id !== null && r.export_id !== undefined && r.marked > 0;
}

/** After "Undo export". */
export function undoneText(n: number): string {
  if (n === 0) return "Nothing to undo: no document was still marked by this export.";
  return `${docs(n)} back in the state ${n === 1 ? "it" : "they"} had before the export. The file stays where it was written.`;
}

/** When the person closed the save dialog. */
export const CANCELLED_TEXT = "Nothing was exported: the save dialog was closed.";

/** The core refused or failed; the file is written atomically, so nothing half-written is
 * left behind. */
export function failureText(message: string): string {
  const m = message.trim().replace(/\.$/, "");
  return `Nothing was exported: ${m || "the export failed"}.`;
}
