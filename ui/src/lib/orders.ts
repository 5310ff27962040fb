// The PO view's pure logic: how a PO's status and vendor type read (labels, badge colours,
// what was set by hand), its invoiced and received totals per currency, the filter box, the
// choices of the side panel and the change each one sends to the core.

import type { PoChange, PurchaseOrderRow } from "./ipc";
import { formatCount } from "./format";

/** `table[key]` when the key is the table's own ("constructor" from a newer core must not
 * find Object's methods). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** The PO statuses of domain.md, as the core writes them (and the old board showed them). */
export const PO_STATUSES = ["CC / PC", "Approved", "Tax Form Needed", "Needs Verification"] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

/** Colour family of a status: a card or petty-cash PO needs nothing (neutral), an approved
 * one is done (green), a verification waits for a person (amber), a missing tax form blocks
 * paying the vendor (red). A status a newer core invents is grey. */
export type PoStatusTone = "card" | "ok" | "verify" | "missing" | "unknown";

const STATUS_TONES: Record<PoStatus, PoStatusTone> = {
  "CC / PC": "card",
  Approved: "ok",
  "Tax Form Needed": "missing",
  "Needs Verification": "verify",
};

export function poStatusTone(status: string): PoStatusTone {
  return own(STATUS_TONES, status) ?? "unknown";
}

/** The badge's tooltip: why the PO has its status (the core's reason already says "set by
 * hand" for an override). */
export function statusTitle(po: Pick<PurchaseOrderRow, "status" | "status_reason">): string {
  const reason = po.status_reason.trim();
  return reason ? `${po.status}: ${reason}` : po.status;
}

/** Vendor types as the core names them. */
export const VENDOR_TYPES = ["vendor", "cc", "pc"] as const;
export type VendorType = (typeof VENDOR_TYPES)[number];

const VENDOR_TYPE_LABELS: Record<VendorType, string> = {
  vendor: "Vendor",
  cc: "Card",
  pc: "Petty cash",
};

/** "Vendor", "Card", "Petty cash"; "" when unknown; a type a newer core sends as written. */
export function vendorTypeLabel(t: string | null | undefined): string {
  if (!t) return "";
  return own(VENDOR_TYPE_LABELS, t) ?? t;
}

export type Choice = { value: string; label: string };

/** The side panel's status select. "" clears a person's status: the rules decide again. */
export const STATUS_CHOICES: readonly Choice[] = [
  { value: "", label: "By the rules" },
  ...PO_STATUSES.map((s) => ({ value: s, label: s })),
];

/** The side panel's vendor type select. "" clears a person's type: the path decides again. */
export const VENDOR_TYPE_CHOICES: readonly Choice[] = [
  { value: "", label: "From the path" },
  ...VENDOR_TYPES.map((t) => ({ value: t, label: vendorTypeLabel(t) })),
];

/** What the status select shows: the person's status, or "" (by the rules). */
export function statusChoice(po: Pick<PurchaseOrderRow, "status" | "status_by_person">): string {
  return po.status_by_person ? po.status : "";
}

/** What the vendor type select shows: the person's type, or "" (from the path). */
export function vendorTypeChoice(po: Pick<PurchaseOrderRow, "vendor_type" | "vendor_type_by_person">): string {
  return po.vendor_type_by_person ? (po.vendor_type ?? "") : "";
}

type PoId = Pick<PurchaseOrderRow, "project_number" | "po_number">;

/** A PO's identity in the view: "2416_23" (as the folder names it). */
export function poKey(po: PoId): string {
  return `${po.project_number}_${po.po_number}`;
}

/** "2416 - Whop Keynote"; the number alone when the name is not known. */
export function projectLabel(po: Pick<PurchaseOrderRow, "project_number" | "project_name">): string {
  const name = po.project_name?.trim();
  return name ? `${po.project_number} - ${name}` : po.project_number;
}

function change(po: PoId, parts: Partial<Pick<PoChange, "status" | "vendor_type" | "verify_tax_form">>): PoChange {
  return {
    project_number: po.project_number,
    po_number: po.po_number,
    status: parts.status ?? null,
    vendor_type: parts.vendor_type ?? null,
    verify_tax_form: parts.verify_tax_form ?? false,
  };
}

/** Sets the status by hand; "" goes back to the rules. Nothing else changes. */
export function statusChange(po: PoId, status: string): PoChange {
  return change(po, { status });
}

/** Sets the vendor type by hand; "" goes back to what the path says. */
export function vendorTypeChange(po: PoId, vendorType: string): PoChange {
  return change(po, { vendor_type: vendorType });
}

/** A person verified the tax form on file. */
export function verifyChange(po: PoId): PoChange {
  return change(po, { verify_tax_form: true });
}

/** "Verify tax form" is offered when the PO waits for exactly that: a form is on file and
 * its status is Needs Verification. */
export function canVerify(po: Pick<PurchaseOrderRow, "status" | "tax_forms">): boolean {
  return po.status === "Needs Verification" && po.tax_forms > 0;
}

// ---------------------------------------------------------------------------------------
// Amounts

/** "1234.5" -> "1,234.5": thousands separators for a plain decimal, kept exact (no float);
 * anything else as written. */
export function groupThousands(amount: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount.trim());
  if (!m) return amount.trim();
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${m[3] ?? ""}`;
}

/** "1,234.50 USD"; "-12.00 EUR" for a refund; the amount alone when the documents did not
 * say the currency. */
export function moneyText(amount: string, currency: string): string {
  const c = currency.trim();
  const a = groupThousands(amount);
  return c ? `${a} ${c}` : a;
}

/** True for "0", "0.00", "-0.00", "". */
export function isZero(amount: string): boolean {
  return !/[1-9]/.test(amount);
}

export type TotalLine = { currency: string; text: string; negative: boolean };

/**
 * One side of a PO's totals (what was invoiced, or received on receipts), one line per
 * currency in the core's order, leaving out currencies with nothing on that side. Amounts in
 * different currencies are never added together.
 */
export function totalLines(totals: PurchaseOrderRow["totals"], side: "invoiced" | "received"): TotalLine[] {
  return totals
    .filter((t) => !isZero(t[side]))
    .map((t) => ({
      currency: t.currency,
      text: moneyText(t[side], t.currency),
      negative: t[side].trim().startsWith("-"),
    }));
}

/** The table cell: "1,234.50 USD · 80.00 EUR"; "" when nothing. */
export function totalsText(totals: PurchaseOrderRow["totals"], side: "invoiced" | "received"): string {
  return totalLines(totals, side)
    .map((l) => l.text)
    .join(" · ");
}

// ---------------------------------------------------------------------------------------
// Counts and the list

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "3 documents: 2 invoices, 1 receipt, no tax form". */
export function documentsText(po: Pick<PurchaseOrderRow, "documents" | "invoices" | "receipts" | "tax_forms">): string {
  const head = plural(po.documents, "document", "documents");
  if (po.documents === 0) return head;
  const forms = po.tax_forms === 0 ? "no tax form" : plural(po.tax_forms, "tax form", "tax forms");
  return `${head}: ${plural(po.invoices, "invoice", "invoices")}, ${plural(po.receipts, "receipt", "receipts")}, ${forms}`;
}

/** "12 POs", "1 PO", "3 of 12 POs" while the filter box hides some. */
export function ordersCountText(shown: number, overall: number): string {
  const word = (n: number) => (n === 1 ? "PO" : "POs");
  return shown === overall ? `${formatCount(overall)} ${word(overall)}` : `${formatCount(shown)} of ${formatCount(overall)} ${word(overall)}`;
}

/** Lower case, accents dropped: "Müller" and "muller" are found alike. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** What the filter box looks in: project number and name, PO number (also as "2416_23"),
 * vendor. */
function haystack(po: PurchaseOrderRow): string {
  return fold([po.project_number, po.project_name ?? "", po.po_number, poKey(po), po.vendor ?? ""].join("\u0000"));
}

/**
 * The POs the filter box lets through, in the core's order (project, then PO). Every word
 * typed must occur somewhere in the project (number or name), the PO number or the vendor;
 * a blank box lets all through.
 */
export function filterOrders(rows: readonly PurchaseOrderRow[], text: string): PurchaseOrderRow[] {
  const words = fold(text).split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return [...rows];
  return rows.filter((po) => {
    const h = haystack(po);
    return words.every((w) => h.includes(w));
  });
}

/** The PO with this key in a (refetched) list, or null when it is gone. */
export function findOrder(rows: readonly PurchaseOrderRow[], key: string | null): PurchaseOrderRow | null {
  if (key === null) return null;
  return rows.find((po) => poKey(po) === key) ?? null;
}

/** The PO after (+1) or before (-1) `key` in the list, for arrow-key moves; null at an end. */
export function neighbourKey(rows: readonly PoId[], key: string, step: 1 | -1): string | null {
  const i = rows.findIndex((po) => poKey(po) === key);
  if (i < 0) return rows[0] ? poKey(rows[0]) : null;
  const next = rows[i + step];
  return next ? poKey(next) : null;
}

/** What a change did, in words, for the panel's notice. */
export function changeText(c: PoChange): string {
  const parts: string[] = [];
  if (c.status !== null && c.status !== undefined) {
    parts.push(c.status === "" ? "The rules decide the status again" : `Status set to ${c.status} by hand`);
  }
  if (c.vendor_type !== null && c.vendor_type !== undefined) {
    parts.push(
      c.vendor_type === "" ? "The path decides the vendor type again" : `Vendor type set to ${vendorTypeLabel(c.vendor_type)} by hand`,
    );
  }
  if (c.verify_tax_form) parts.push("Tax form verified");
  return parts.join("; ");
}

/** How a PO's comparison with its PO log reads, and its tone: RTP (the lines match the
 * actualized amount), PO Log Mismatch (both amounts), Pending (one side missing), Paid. */
export function logText(log: { status: string; actualized: string | null; lines: string | null } | null): string {
  if (!log) return "";
  if (log.status === "PO Log Mismatch") {
    return `PO Log Mismatch: lines ${log.lines ?? "—"}, log ${log.actualized ?? "—"}`;
  }
  if (log.status === "Pending") {
    return log.actualized === null ? "Pending: not in the PO log" : "Pending: no invoice lines yet";
  }
  return log.status;
}

export function logTone(status: string | null | undefined): "good" | "bad" | "wait" | "done" | "none" {
  switch (status) {
    case "RTP":
      return "good";
    case "PO Log Mismatch":
      return "bad";
    case "Pending":
      return "wait";
    case "Paid":
      return "done";
    default:
      return "none";
  }
}

/** What reading a PO log by hand found, in one sentence. */
export function logReportText(r: { path: string; rows: number; problems: string[]; reconciliation: unknown[] }): string {
  const name = r.path.split(/[\\/]/).pop() ?? r.path;
  const rows = `${r.rows} ${r.rows === 1 ? "row" : "rows"}`;
  const pos = `${r.reconciliation.length} ${r.reconciliation.length === 1 ? "PO" : "POs"} compared`;
  const problems =
    r.problems.length === 0 ? "" : `; ${r.problems.length} malformed ${r.problems.length === 1 ? "row" : "rows"} left out`;
  return `${name}: ${rows} read, ${pos}${problems}.`;
}
