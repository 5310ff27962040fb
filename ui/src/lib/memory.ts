// Vendor memory in the window: how a suggestion from memory is worded beside its field (or
// the lines' account code), and the settings page's list: labels, order, filter, and the
// check of an edited value (the core checks again, as for a correction).

import type { MemoryEntry, MemoryField, Suggestion } from "./ipc";
import { accountLabel, validateField, type Validation } from "./validate";

/** The fields vendor memory learns, in the order the settings page shows them. */
export const MEMORY_FIELDS: readonly MemoryField[] = ["vendor_name", "description", "account_code"];

const FIELD_LABELS: Record<MemoryField, string> = {
  vendor_name: "Vendor name",
  description: "Description",
  account_code: "Account code",
};

export function memoryFieldLabel(field: MemoryField): string {
  return FIELD_LABELS[field] ?? field;
}

/** A remembered value as a person reads it: an account code with its name ("5300 US
 * Labor"), anything else as written. */
export function memoryValueText(field: MemoryField, value: string): string {
  return field === "account_code" ? accountLabel(value) : value;
}

/** "line 2", "lines 1–3", "lines 1, 3 and 5"; "" for none. */
export function linesText(positions: readonly number[]): string {
  const sorted = [...new Set(positions)].sort((a, b) => a - b);
  if (sorted.length === 0) return "";
  if (sorted.length === 1) return `line ${sorted[0]}`;
  const contiguous = sorted.every((p, i) => i === 0 || p === sorted[i - 1]! + 1);
  if (contiguous) return `lines ${sorted[0]}–${sorted[sorted.length - 1]}`;
  return `lines ${sorted.slice(0, -1).join(", ")} and ${sorted[sorted.length - 1]}`;
}

/** Where a suggestion comes from: "from Jane Smith's earlier document". */
export function suggestionSource(s: Pick<Suggestion, "vendor">): string {
  const vendor = s.vendor.trim();
  if (!vendor) return "from an earlier document";
  return `from ${vendor}${vendor.endsWith("s") ? "'" : "'s"} earlier document`;
}

/** The whole note: "Suggested from memory: Gaffer (from Jane Smith's earlier document)";
 * for an account code, which lines it is for. */
export function suggestionText(s: Suggestion): string {
  const value = memoryValueText(s.field, s.value);
  const lines = s.field === "account_code" ? linesText(s.lines) : "";
  const forLines = lines ? ` for ${lines}` : "";
  return `Suggested from memory: ${value}${forLines} (${suggestionSource(s)})`;
}

/** A tooltip for a suggestion: what it replaces and the document it was learned from. */
export function suggestionTitle(s: Suggestion): string {
  const parts: string[] = [];
  if (s.current) parts.push(`Replaces "${s.current}".`);
  if (s.from_path) parts.push(`Learned from ${s.from_path}.`);
  parts.push("Accept makes it your correction (undo takes it back); Dismiss hides it on this document.");
  return parts.join(" ");
}

/** The core's refusal when Accept or Dismiss was for a value memory no longer offers (edited
 * in the memory panel, or relearned since the document was shown). */
export const SUGGESTION_CHANGED = "the suggestion changed; look again";

/** What the note says after that refusal, once the document is shown afresh. */
export const SUGGESTION_CHANGED_TEXT = "The suggestion changed; look again.";

/** Whether an Accept or Dismiss was refused because the suggestion changed since it was
 * shown: the window then loads the document again instead of showing a plain error. */
export function suggestionChanged(error: string): boolean {
  return error.trim().toLowerCase().startsWith(SUGGESTION_CHANGED);
}

/** The suggestion for one field, if there is one. */
export function suggestionFor(
  suggestions: readonly Suggestion[] | null | undefined,
  field: MemoryField,
): Suggestion | null {
  return suggestions?.find((s) => s.field === field) ?? null;
}

/** A value typed on the settings page, checked as a correction of its field is (an account
 * code must be one of the list) and in the form the core stores. Empty is refused: a value
 * is forgotten with Forget, not by emptying it. */
export function checkMemoryValue(field: MemoryField, raw: string): Validation {
  if (raw.trim() === "") return { ok: false, message: "A remembered value cannot be empty: Forget it instead." };
  // Dates and currencies are not remembered: the locale does not matter here.
  return validateField(field, raw, "us");
}

/** The settings page's order: by vendor (case-insensitive), then field in MEMORY_FIELDS'
 * order, then the oldest first. */
export function sortMemory(entries: readonly MemoryEntry[]): MemoryEntry[] {
  const rank = (f: MemoryField) => MEMORY_FIELDS.indexOf(f);
  return [...entries].sort(
    (a, b) =>
      a.vendor.localeCompare(b.vendor, undefined, { sensitivity: "base" }) ||
      rank(a.field) - rank(b.field) ||
      a.id - b.id,
  );
}

/** The entries whose vendor, value, field or source document contain every typed word. */
export function filterMemory(entries: readonly MemoryEntry[], text: string): MemoryEntry[] {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const hay = [e.vendor, memoryValueText(e.field, e.value), memoryFieldLabel(e.field), e.learned_from_path ?? ""]
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The file name of the document a value was learned from ("…/2416_23_01 Jane Smith
 * Invoice.pdf" → "2416_23_01 Jane Smith Invoice.pdf"); "a document no longer stored" when
 * it is gone. */
export function learnedFromText(e: Pick<MemoryEntry, "learned_from_path">): string {
  const path = e.learned_from_path;
  if (!path) return "a document no longer stored";
  const parts = path.split(/[\\/]/).filter((p) => p !== "");
  return parts[parts.length - 1] ?? path;
}
