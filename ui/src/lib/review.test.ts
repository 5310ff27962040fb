import { describe, expect, it } from "vitest";
import {
  REVIEW_STATES,
  afterDecision,
  attentionCount,
  attentionReasons,
  canTransition,
  confidenceLevel,
  flaggedFields,
  isReviewState,
  needsAttention,
  neighbour,
  nextAttention,
  queuePosition,
  requiredFields,
  reviewStateLabel,
  stateCounts,
  transitionLabel,
  transitionsFrom,
  type AttentionField,
  type ReviewState,
} from "./review";

function field(name: string, value: string | null, over: Partial<AttentionField> = {}): AttentionField {
  return { name, value, confidence: 0.95, provenance: "offline", pinned: false, ...over };
}

describe("review states", () => {
  it("labels every state", () => {
    expect(REVIEW_STATES.map(reviewStateLabel)).toEqual(["To review", "Approved", "Exported", "Rejected"]);
    expect(reviewStateLabel("archived")).toBe("archived");
    expect(isReviewState("approved")).toBe(true);
    expect(isReviewState("constructor")).toBe(false);
  });

  it("allows exactly the flow's moves", () => {
    const allowed: [ReviewState, ReviewState][] = [
      ["to_review", "approved"],
      ["to_review", "rejected"],
      ["approved", "to_review"],
      ["approved", "rejected"],
      ["rejected", "to_review"],
      ["exported", "approved"],
      ["exported", "to_review"],
    ];
    for (const from of REVIEW_STATES) {
      for (const to of REVIEW_STATES) {
        const want = allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(want);
      }
    }
  });

  it("never allows staying put or skipping approval", () => {
    for (const s of REVIEW_STATES) expect(canTransition(s, s)).toBe(false);
    expect(canTransition("to_review", "exported")).toBe(false);
    expect(canTransition("rejected", "approved")).toBe(false);
    expect(canTransition("approved", "exported")).toBe(false);
  });

  it("knows no moves for an unknown state", () => {
    expect(transitionsFrom("archived")).toEqual([]);
    expect(canTransition("archived", "approved")).toBe(false);
    expect(canTransition("to_review", "archived")).toBe(false);
  });

  it("names each move's button", () => {
    expect(transitionLabel("to_review", "approved")).toBe("Approve");
    expect(transitionLabel("to_review", "rejected")).toBe("Reject");
    expect(transitionLabel("approved", "to_review")).toBe("Back to review");
    expect(transitionLabel("rejected", "to_review")).toBe("Back to review");
    expect(transitionLabel("approved", "exported")).toBeNull();
    expect(transitionLabel("exported", "approved")).toBe("Back to approved");
    expect(transitionLabel("exported", "to_review")).toBe("Back to review");
    expect(transitionLabel("to_review", "exported")).toBeNull();
  });

  it("counts per state in flow order, missing ones as zero", () => {
    expect(stateCounts({ approved: 3, to_review: 12 })).toEqual([
      { state: "to_review", label: "To review", n: 12 },
      { state: "approved", label: "Approved", n: 3 },
      { state: "exported", label: "Exported", n: 0 },
      { state: "rejected", label: "Rejected", n: 0 },
    ]);
    expect(stateCounts(null).every((c) => c.n === 0)).toBe(true);
  });
});

describe("confidenceLevel", () => {
  it("is high from 0.9, medium from 0.7, else low", () => {
    expect(confidenceLevel(1)).toBe("high");
    expect(confidenceLevel(0.9)).toBe("high");
    expect(confidenceLevel(0.8999)).toBe("medium");
    expect(confidenceLevel(0.7)).toBe("medium");
    expect(confidenceLevel(0.6999)).toBe("low");
    expect(confidenceLevel(0)).toBe("low");
  });

  it("is null without a confidence", () => {
    expect(confidenceLevel(null)).toBeNull();
    expect(confidenceLevel(undefined)).toBeNull();
    expect(confidenceLevel(Number.NaN)).toBeNull();
  });
});

describe("needsAttention", () => {
  it("flags an extracted value read with low confidence", () => {
    expect(needsAttention(field("total", "12.00", { confidence: 0.69 }), [])).toBe(true);
    expect(needsAttention(field("total", "12.00", { confidence: 0.7 }), [])).toBe(false);
    expect(needsAttention(field("total", "12.00", { confidence: null }), [])).toBe(false);
  });

  it("trusts a person's value however unsure the reading was", () => {
    expect(needsAttention(field("total", "12.00", { confidence: 0.2, pinned: true }), [])).toBe(false);
    expect(needsAttention(field("total", "12.00", { confidence: 0.2, provenance: "person" }), [])).toBe(false);
  });

  it("flags an empty field the document type requires", () => {
    for (const name of ["vendor_name", "invoice_number", "invoice_date", "total", "currency"]) {
      expect(needsAttention(field(name, null), [], "INVOICE"), name).toBe(true);
      expect(needsAttention(field(name, "  "), [], "invoice"), name).toBe(true);
    }
    expect(needsAttention(field("due_date", null), [], "INVOICE")).toBe(false);
    expect(needsAttention(field("invoice_number", null), [], "RECEIPT")).toBe(false);
    expect(needsAttention(field("currency", null), [], "RECEIPT")).toBe(false);
    for (const name of ["total", "invoice_date", "vendor_name"]) {
      expect(needsAttention(field(name, null), [], "RECEIPT"), name).toBe(true);
    }
    expect(needsAttention(field("total", null), [], "W9")).toBe(false);
    expect(needsAttention(field("total", null), [])).toBe(false);
  });

  it("flags a required field a person cleared: required is required", () => {
    expect(needsAttention(field("total", "", { pinned: true, provenance: "person" }), [], "INVOICE")).toBe(true);
  });

  it("does not call an empty field unsure", () => {
    expect(needsAttention(field("due_date", null, { confidence: 0 }), [], "INVOICE")).toBe(false);
  });

  it("flags the fields a failed check names", () => {
    const totals = [{ kind: "totals" }];
    expect(needsAttention(field("subtotal", "100.00"), totals)).toBe(true);
    expect(needsAttention(field("tax", "19.00"), totals)).toBe(true);
    expect(needsAttention(field("total", "120.00"), totals)).toBe(true);
    expect(needsAttention(field("vendor_name", "ACME"), totals)).toBe(false);

    const lines = [{ kind: "lines_sum" }];
    expect(needsAttention(field("total", "120.00"), lines)).toBe(true);
    expect(needsAttention(field("subtotal", "100.00"), lines)).toBe(false);
  });

  it("flags the field a flag names itself, and ignores flags about the document", () => {
    expect(needsAttention(field("po_number", "23"), [{ kind: "path_mismatch", field: "po_number" }])).toBe(true);
    expect(needsAttention(field("vendor_name", "ACME"), [{ kind: "duplicate" }, { kind: "no_tax_form", field: null }])).toBe(false);
  });

  it("gives its reasons in words", () => {
    expect(attentionReasons(field("total", "1.00", { confidence: 0.1 }), [{ kind: "totals" }])).toEqual([
      "low confidence",
      "a check failed",
    ]);
    expect(attentionReasons(field("total", null), [], "RECEIPT")).toEqual(["required but empty"]);
    expect(attentionReasons(field("total", "1.00"), [])).toEqual([]);
  });

  it("collects flagged fields", () => {
    expect([...flaggedFields([{ kind: "lines_sum" }, { kind: "x", field: "currency" }])].sort()).toEqual(["currency", "total"]);
    expect(flaggedFields([{ kind: "constructor" }]).size).toBe(0);
  });

  it("looks up required fields by type in any case", () => {
    expect(requiredFields(" receipt ")).toEqual(["total", "invoice_date", "vendor_name"]);
    expect(requiredFields(null)).toEqual([]);
    expect(requiredFields("toString")).toEqual([]);
    expect(requiredFields("constructor")).toEqual([]);
  });
});

describe("nextAttention", () => {
  const fields = [
    field("vendor_name", "ACME"),
    field("invoice_number", null),
    field("invoice_date", "2024-03-05"),
    field("currency", "EUR", { confidence: 0.4 }),
    field("total", "120.00"),
  ];

  it("starts at the first field needing attention", () => {
    expect(nextAttention(fields, [], null, "INVOICE")).toBe("invoice_number");
  });

  it("goes on after the given field, in display order", () => {
    expect(nextAttention(fields, [], "invoice_number", "INVOICE")).toBe("currency");
    expect(nextAttention(fields, [], "vendor_name", "INVOICE")).toBe("invoice_number");
  });

  it("wraps around from the end", () => {
    expect(nextAttention(fields, [], "currency", "INVOICE")).toBe("invoice_number");
    expect(nextAttention(fields, [{ kind: "lines_sum" }], "total", "INVOICE")).toBe("invoice_number");
    expect(nextAttention(fields, [{ kind: "lines_sum" }], "currency", "INVOICE")).toBe("total");
  });

  it("comes back to the only one", () => {
    expect(nextAttention(fields, [], "currency", "RECEIPT")).toBe("currency");
  });

  it("starts at the top from a field that is not listed", () => {
    expect(nextAttention(fields, [], "po_number", "INVOICE")).toBe("invoice_number");
  });

  it("is null when nothing needs attention", () => {
    const fine = [field("vendor_name", "ACME"), field("total", "1.00")];
    expect(nextAttention(fine, [], null, "RECEIPT")).toBeNull();
    expect(nextAttention(fine, [], "total", "RECEIPT")).toBeNull();
    expect(nextAttention([], [], null)).toBeNull();
  });

  it("counts the fields needing attention", () => {
    expect(attentionCount(fields, [], "INVOICE")).toBe(2);
    expect(attentionCount(fields, [{ kind: "totals" }], "INVOICE")).toBe(3);
  });
});

describe("the queue", () => {
  const ids = [4, 8, 15, 16];

  it("steps to the next and previous document", () => {
    expect(neighbour(ids, 8, 1)).toBe(15);
    expect(neighbour(ids, 8, -1)).toBe(4);
  });

  it("stops at the ends", () => {
    expect(neighbour(ids, 16, 1)).toBeNull();
    expect(neighbour(ids, 4, -1)).toBeNull();
  });

  it("starts from an end when the current document left the queue", () => {
    expect(neighbour(ids, 99, 1)).toBe(4);
    expect(neighbour(ids, 99, -1)).toBe(16);
    expect(neighbour([], 1, 1)).toBeNull();
  });

  it("moves on after a decision, backwards from the last, nowhere from the only", () => {
    expect(afterDecision(ids, 8)).toBe(15);
    expect(afterDecision(ids, 16)).toBe(15);
    expect(afterDecision([7], 7)).toBeNull();
    expect(afterDecision(ids, 99)).toBe(4);
    expect(afterDecision([], 1)).toBeNull();
  });

  it("says where in the queue a document is", () => {
    expect(queuePosition(ids, 15)).toBe("3 of 4");
    expect(queuePosition(Array.from({ length: 1200 }, (_, i) => i), 1099)).toBe("1,100 of 1,200");
    expect(queuePosition(ids, 99)).toBe("");
  });
});
