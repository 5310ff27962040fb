// The review flow's pure logic: a document's review state and the moves between states,
// which fields need a person's eye (unsure, missing though required, or named by a failed
// check), walking to the next such field, and stepping through the review queue.

import { formatCount } from "./format";

/** `table[key]` when the key is the table's own: "constructor" or "toString" from a newer
 * core must not find Object's methods. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Where a document is in review. Exported documents can be taken back (undo export). */
export type ReviewState = "to_review" | "approved" | "exported" | "rejected";

/** Every state, in the order of the flow (and of the dashboard's counts). */
export const REVIEW_STATES: readonly ReviewState[] = ["to_review", "approved", "exported", "rejected"];

const STATE_LABELS: Record<ReviewState, string> = {
  to_review: "To review",
  approved: "Approved",
  exported: "Exported",
  rejected: "Rejected",
};

/** "To review", "Approved", "Exported", "Rejected"; an unknown state (a newer core) as
 * written. */
export function reviewStateLabel(state: ReviewState | string): string {
  return own(STATE_LABELS, state) ?? String(state);
}

export function isReviewState(s: string): s is ReviewState {
  return own(STATE_LABELS, s) !== undefined;
}

/** The moves a person may make, from each state, in the order buttons show them: the core's
 * `ReviewState::may_become`. Exported is set only by an export (which records what it
 * wrote, for its undo); by hand an exported document can go back to approved or to review. */
const TRANSITIONS: Record<ReviewState, readonly ReviewState[]> = {
  to_review: ["approved", "rejected"],
  approved: ["to_review", "rejected"],
  rejected: ["to_review"],
  exported: ["approved", "to_review"],
};

/** The states a document in `from` may move to. None for an unknown state. */
export function transitionsFrom(from: ReviewState | string): readonly ReviewState[] {
  return isReviewState(from) ? TRANSITIONS[from] : [];
}

export function canTransition(from: ReviewState | string, to: ReviewState | string): boolean {
  return transitionsFrom(from).includes(to as ReviewState);
}

/** What the button for a move says: "Approve", "Reject", "Back to review", "Export",
 * "Undo export". Null for a move the flow does not allow. */
export function transitionLabel(from: ReviewState | string, to: ReviewState | string): string | null {
  if (!canTransition(from, to)) return null;
  switch (to as ReviewState) {
    case "approved":
      return from === "exported" ? "Back to approved" : "Approve";
    case "rejected":
      return "Reject";
    case "to_review":
      return "Back to review";
    case "exported":
      return "Export";
  }
}

/** Counts per state for the dashboard, in flow order; states the core did not count are 0. */
export function stateCounts(counts: Partial<Record<string, number>> | null | undefined): { state: ReviewState; label: string; n: number }[] {
  return REVIEW_STATES.map((state) => ({ state, label: STATE_LABELS[state], n: counts?.[state] ?? 0 }));
}

// ---------------------------------------------------------------------------------------
// Attention

/** Below this, an extracted value is worth a look. */
export const LOW_CONFIDENCE = 0.7;

/** How sure the extractor was, as the colour of the field's dot. The same bar as
 * needsAttention: what is "low" here is what `n` jumps to. */
export type ConfidenceLevel = "high" | "medium" | "low";

/** >= 0.9 high, >= 0.7 medium, else low; null when there is no confidence (a person's value,
 * an empty field). */
export function confidenceLevel(c: number | null | undefined): ConfidenceLevel | null {
  if (c === null || c === undefined || Number.isNaN(c)) return null;
  if (c >= 0.9) return "high";
  if (c >= LOW_CONFIDENCE) return "medium";
  return "low";
}

/** Fields a document of each type must have (the type as the core writes it, any case).
 * Other types (tax forms) need nothing beyond being there. */
export const REQUIRED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  INVOICE: ["vendor_name", "invoice_number", "invoice_date", "total", "currency"],
  RECEIPT: ["total", "invoice_date", "vendor_name"],
};

export function requiredFields(documentType: string | null | undefined): readonly string[] {
  return own(REQUIRED_FIELDS, (documentType ?? "").trim().toUpperCase()) ?? [];
}

/** The fields each failed check is about: subtotal + tax != total puts all three in doubt;
 * lines that do not add up put the total in doubt (a line is corrected in the lines table). */
export const FLAG_FIELDS: Readonly<Record<string, readonly string[]>> = {
  totals: ["subtotal", "tax", "total"],
  lines_sum: ["total"],
};

export type AttentionField = {
  name: string;
  value?: string | null;
  confidence: number | null;
  provenance?: string | null;
  pinned: boolean;
};

/** A flag as far as attention goes: its kind, and the field it names, if any. */
export type AttentionFlag = { kind: string; field?: string | null };

/** The fields a set of flags points at. */
export function flaggedFields(flags: readonly AttentionFlag[]): Set<string> {
  const out = new Set<string>();
  for (const f of flags) {
    if (f.field) out.add(f.field);
    for (const name of own(FLAG_FIELDS, f.kind) ?? []) out.add(name);
  }
  return out;
}

/** Why a field needs a look, in words for its tooltip; empty when it does not. */
export function attentionReasons(
  field: AttentionField,
  flags: readonly AttentionFlag[],
  documentType?: string | null,
): string[] {
  const reasons: string[] = [];
  const empty = (field.value ?? "").trim() === "";
  // A person's value is their decision: it is not "unsure", however unsure the reading was.
  const byPerson = field.pinned || field.provenance === "person";
  if (!empty && !byPerson && field.confidence !== null && field.confidence < LOW_CONFIDENCE) {
    reasons.push("low confidence");
  }
  if (empty && requiredFields(documentType).includes(field.name)) reasons.push("required but empty");
  if (flaggedFields(flags).has(field.name)) reasons.push("a check failed");
  return reasons;
}

/**
 * Whether a field needs a person's eye: an extracted value read with confidence below 0.7
 * (not one a person set), a field the document type requires left empty, or a field a failed
 * check names. `flags` are the document's open (not dismissed) flags.
 */
export function needsAttention(field: AttentionField, flags: readonly AttentionFlag[], documentType?: string | null): boolean {
  return attentionReasons(field, flags, documentType).length > 0;
}

/**
 * The next field needing attention after `fromName`, in the order given (the display order),
 * wrapping around: from the last field it goes on at the first, and when `fromName` is the
 * only one it is the answer again. From null (or a name not listed) the walk starts at the
 * first field. Null when no field needs attention.
 */
export function nextAttention(
  fields: readonly AttentionField[],
  flags: readonly AttentionFlag[],
  fromName: string | null,
  documentType?: string | null,
): string | null {
  const n = fields.length;
  const at = fromName === null ? -1 : fields.findIndex((f) => f.name === fromName);
  for (let k = 1; k <= n; k++) {
    const f = fields[(((at + k) % n) + n) % n]!;
    if (needsAttention(f, flags, documentType)) return f.name;
  }
  return null;
}

/** How many fields need attention (the queue row's badge). */
export function attentionCount(
  fields: readonly AttentionField[],
  flags: readonly AttentionFlag[],
  documentType?: string | null,
): number {
  return fields.filter((f) => needsAttention(f, flags, documentType)).length;
}

// ---------------------------------------------------------------------------------------
// The queue

/**
 * The document after (+1) or before (-1) `current` in the queue; null at either end (the
 * queue does not wrap: reaching the end is news). When `current` is no longer listed, the
 * walk starts from the first (+1) or the last (-1) document. Null for an empty queue.
 */
export function neighbour(ids: readonly number[], current: number, step: 1 | -1): number | null {
  if (ids.length === 0) return null;
  const i = ids.indexOf(current);
  if (i < 0) return step === 1 ? ids[0]! : ids[ids.length - 1]!;
  return ids[i + step] ?? null;
}

/** The document to show once `current` has been decided on (approved, rejected) and leaves
 * the queue: the next one, or the previous when it was the last; null when it was the only
 * one. Call with the queue as it was before `current` left. */
export function afterDecision(ids: readonly number[], current: number): number | null {
  const i = ids.indexOf(current);
  if (i < 0) return ids[0] ?? null;
  return ids[i + 1] ?? ids[i - 1] ?? null;
}

/** "3 of 1,026" for the queue's position; "" when `current` is not in it. */
export function queuePosition(ids: readonly number[], current: number): string {
  const i = ids.indexOf(current);
  return i < 0 ? "" : `${formatCount(i + 1)} of ${formatCount(ids.length)}`;
}
