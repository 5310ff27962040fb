import { describe, expect, it } from "vitest";
import type { PurchaseOrderRow } from "./ipc";
import {
  PO_STATUSES,
  STATUS_CHOICES,
  VENDOR_TYPE_CHOICES,
  canVerify,
  changeText,
  documentsText,
  filterOrders,
  findOrder,
  fold,
  groupThousands,
  isZero,
  logReportText,
  logText,
  logTone,
  moneyText,
  neighbourKey,
  ordersCountText,
  poKey,
  poStatusTone,
  projectLabel,
  statusChange,
  statusChoice,
  statusTitle,
  totalLines,
  totalsText,
  vendorTypeChange,
  vendorTypeChoice,
  vendorTypeLabel,
  verifyChange,
} from "./orders";

function po(over: Partial<PurchaseOrderRow> = {}): PurchaseOrderRow {
  return {
    project_number: "2416",
    project_name: "Whop Keynote",
    po_number: "23",
    vendor: "Jane Smith",
    vendor_type: "vendor",
    vendor_type_by_person: false,
    status: "Tax Form Needed",
    status_by_person: false,
    status_reason: "no W9 or W8 on file",
    documents: 3,
    invoices: 2,
    receipts: 0,
    tax_forms: 1,
    to_review: 1,
    flagged: 0,
    totals: [],
    log: null,
    folder_link: null,
    monday: null,
    ...over,
  };
}

describe("status", () => {
  it("gives each of the four statuses its own tone", () => {
    expect(poStatusTone("CC / PC")).toBe("card");
    expect(poStatusTone("Approved")).toBe("ok");
    expect(poStatusTone("Tax Form Needed")).toBe("missing");
    expect(poStatusTone("Needs Verification")).toBe("verify");
    expect(new Set(PO_STATUSES.map(poStatusTone)).size).toBe(4);
  });

  it("greys out a status it does not know, even one named like an Object method", () => {
    expect(poStatusTone("On Hold")).toBe("unknown");
    expect(poStatusTone("constructor")).toBe("unknown");
    expect(poStatusTone("approved")).toBe("unknown");
  });

  it("puts the reason in the tooltip", () => {
    expect(statusTitle(po())).toBe("Tax Form Needed: no W9 or W8 on file");
    expect(statusTitle(po({ status: "Approved", status_reason: " " }))).toBe("Approved");
  });

  it("lists By the rules first in the status select, sending an empty string", () => {
    expect(STATUS_CHOICES[0]).toEqual({ value: "", label: "By the rules" });
    expect(STATUS_CHOICES.slice(1).map((c) => c.value)).toEqual([...PO_STATUSES]);
  });

  it("shows a person's status in the select, else By the rules", () => {
    expect(statusChoice(po({ status: "Approved", status_by_person: true }))).toBe("Approved");
    expect(statusChoice(po({ status: "Approved", status_by_person: false }))).toBe("");
  });

  it("offers Verify tax form only while a form on file waits for it", () => {
    expect(canVerify(po({ status: "Needs Verification", tax_forms: 1 }))).toBe(true);
    expect(canVerify(po({ status: "Needs Verification", tax_forms: 0 }))).toBe(false);
    expect(canVerify(po({ status: "Approved", tax_forms: 1 }))).toBe(false);
    expect(canVerify(po({ status: "Tax Form Needed", tax_forms: 0 }))).toBe(false);
  });
});

describe("vendor type", () => {
  it("reads as words", () => {
    expect(vendorTypeLabel("vendor")).toBe("Vendor");
    expect(vendorTypeLabel("cc")).toBe("Card");
    expect(vendorTypeLabel("pc")).toBe("Petty cash");
    expect(vendorTypeLabel(null)).toBe("");
    expect(vendorTypeLabel("barter")).toBe("barter");
    expect(vendorTypeLabel("toString")).toBe("toString");
  });

  it("lists From the path first in the select", () => {
    expect(VENDOR_TYPE_CHOICES.map((c) => c.value)).toEqual(["", "vendor", "cc", "pc"]);
    expect(VENDOR_TYPE_CHOICES[0]!.label).toBe("From the path");
  });

  it("shows a person's type in the select, else From the path", () => {
    expect(vendorTypeChoice(po({ vendor_type: "cc", vendor_type_by_person: true }))).toBe("cc");
    expect(vendorTypeChoice(po({ vendor_type: "cc", vendor_type_by_person: false }))).toBe("");
    expect(vendorTypeChoice(po({ vendor_type: null, vendor_type_by_person: true }))).toBe("");
  });
});

describe("changes", () => {
  it("sends only the status, keeping the vendor type", () => {
    expect(statusChange(po(), "Approved")).toEqual({
      project_number: "2416",
      po_number: "23",
      status: "Approved",
      vendor_type: null,
      verify_tax_form: false,
    });
  });

  it("clears the status with an empty string (not null, which means leave it)", () => {
    expect(statusChange(po(), "").status).toBe("");
  });

  it("sends only the vendor type", () => {
    const c = vendorTypeChange(po({ po_number: "03" }), "cc");
    expect(c).toEqual({ project_number: "2416", po_number: "03", status: null, vendor_type: "cc", verify_tax_form: false });
    expect(vendorTypeChange(po(), "").vendor_type).toBe("");
  });

  it("verifies the tax form and touches nothing else", () => {
    expect(verifyChange(po())).toEqual({
      project_number: "2416",
      po_number: "23",
      status: null,
      vendor_type: null,
      verify_tax_form: true,
    });
  });

  it("says what a change did", () => {
    expect(changeText(statusChange(po(), "Approved"))).toBe("Status set to Approved by hand");
    expect(changeText(statusChange(po(), ""))).toBe("The rules decide the status again");
    expect(changeText(vendorTypeChange(po(), "pc"))).toBe("Vendor type set to Petty cash by hand");
    expect(changeText(vendorTypeChange(po(), ""))).toBe("The path decides the vendor type again");
    expect(changeText(verifyChange(po()))).toBe("Tax form verified");
  });
});

describe("amounts", () => {
  it("groups thousands exactly, without floating point", () => {
    expect(groupThousands("1234567.89")).toBe("1,234,567.89");
    expect(groupThousands("90071992547409.93")).toBe("90,071,992,547,409.93");
    expect(groupThousands("-1000.00")).toBe("-1,000.00");
    expect(groupThousands("999.99")).toBe("999.99");
    expect(groupThousands("n/a")).toBe("n/a");
  });

  it("writes the currency after the amount, and nothing when it is unknown", () => {
    expect(moneyText("1234.50", "USD")).toBe("1,234.50 USD");
    expect(moneyText("-12.00", "EUR")).toBe("-12.00 EUR");
    expect(moneyText("5.00", "")).toBe("5.00");
  });

  it("knows a zero", () => {
    expect(isZero("0.00")).toBe(true);
    expect(isZero("-0.00")).toBe(true);
    expect(isZero("")).toBe(true);
    expect(isZero("0.01")).toBe(false);
    expect(isZero("10.00")).toBe(false);
  });

  const totals = [
    { currency: "EUR", invoiced: "0.00", received: "80.10" },
    { currency: "USD", invoiced: "12345.50", received: "-20.00" },
    { currency: "", invoiced: "7.00", received: "0.00" },
  ];

  it("keeps one line per currency and never adds currencies together", () => {
    expect(totalLines(totals, "invoiced")).toEqual([
      { currency: "USD", text: "12,345.50 USD", negative: false },
      { currency: "", text: "7.00", negative: false },
    ]);
    expect(totalLines(totals, "received")).toEqual([
      { currency: "EUR", text: "80.10 EUR", negative: false },
      { currency: "USD", text: "-20.00 USD", negative: true },
    ]);
  });

  it("joins the lines for the table cell", () => {
    expect(totalsText(totals, "received")).toBe("80.10 EUR · -20.00 USD");
    expect(totalsText([], "invoiced")).toBe("");
    expect(totalsText([{ currency: "USD", invoiced: "0.00", received: "0.00" }], "invoiced")).toBe("");
  });
});

describe("names and counts", () => {
  it("names a PO as its folder does, and its project with the name", () => {
    expect(poKey(po({ po_number: "03" }))).toBe("2416_03");
    expect(projectLabel(po())).toBe("2416 - Whop Keynote");
    expect(projectLabel(po({ project_name: null }))).toBe("2416");
    expect(projectLabel(po({ project_name: "  " }))).toBe("2416");
  });

  it("counts the documents by kind", () => {
    expect(documentsText(po())).toBe("3 documents: 2 invoices, 0 receipts, 1 tax form");
    expect(documentsText(po({ documents: 1, invoices: 0, receipts: 1, tax_forms: 0 }))).toBe(
      "1 document: 0 invoices, 1 receipt, no tax form",
    );
    expect(documentsText(po({ documents: 0, invoices: 0, receipts: 0, tax_forms: 0 }))).toBe("0 documents");
  });

  it("counts the POs shown", () => {
    expect(ordersCountText(12, 12)).toBe("12 POs");
    expect(ordersCountText(1, 1)).toBe("1 PO");
    expect(ordersCountText(3, 1200)).toBe("3 of 1,200 POs");
  });
});

describe("the filter box", () => {
  const rows = [
    po({ project_number: "2416", project_name: "Whop Keynote", po_number: "03", vendor: "Credit Card 1138", vendor_type: "cc" }),
    po({ project_number: "2416", project_name: "Whop Keynote", po_number: "23", vendor: "Jane Smith" }),
    po({ project_number: "2501", project_name: "Müller Launch", po_number: "07", vendor: "Courier Car Rental, Inc." }),
    po({ project_number: "2502", project_name: null, po_number: "01", vendor: null }),
  ];
  const keys = (r: PurchaseOrderRow[]) => r.map(poKey);

  it("lets everything through when blank, in the given order", () => {
    expect(keys(filterOrders(rows, ""))).toEqual(["2416_03", "2416_23", "2501_07", "2502_01"]);
    expect(keys(filterOrders(rows, "   "))).toEqual(["2416_03", "2416_23", "2501_07", "2502_01"]);
  });

  it("finds by project number or name, vendor, and PO as the folder names it", () => {
    expect(keys(filterOrders(rows, "2416"))).toEqual(["2416_03", "2416_23"]);
    expect(keys(filterOrders(rows, "keynote"))).toEqual(["2416_03", "2416_23"]);
    expect(keys(filterOrders(rows, "jane"))).toEqual(["2416_23"]);
    expect(keys(filterOrders(rows, "2501_07"))).toEqual(["2501_07"]);
    expect(keys(filterOrders(rows, "car rental, inc"))).toEqual(["2501_07"]);
  });

  it("needs every word, and ignores case and accents", () => {
    expect(keys(filterOrders(rows, "keynote smith"))).toEqual(["2416_23"]);
    expect(keys(filterOrders(rows, "MULLER"))).toEqual(["2501_07"]);
    expect(keys(filterOrders(rows, "müller"))).toEqual(["2501_07"]);
    expect(keys(filterOrders(rows, "keynote nobody"))).toEqual([]);
    expect(fold("Ärger É")).toBe("arger e");
  });

  it("finds a PO again after a refetch, and walks the list", () => {
    expect(findOrder(rows, "2501_07")?.vendor).toBe("Courier Car Rental, Inc.");
    expect(findOrder(rows, "9999_01")).toBeNull();
    expect(findOrder(rows, null)).toBeNull();
    expect(neighbourKey(rows, "2416_23", 1)).toBe("2501_07");
    expect(neighbourKey(rows, "2416_23", -1)).toBe("2416_03");
    expect(neighbourKey(rows, "2502_01", 1)).toBeNull();
    expect(neighbourKey(rows, "gone", 1)).toBe("2416_03");
    expect(neighbourKey([], "gone", 1)).toBeNull();
  });
});

describe("the PO log comparison", () => {
  it("says both amounts of a mismatch, and why a PO is pending", () => {
    expect(logText({ status: "PO Log Mismatch", actualized: "3000.00", lines: "407.34" })).toBe(
      "PO Log Mismatch: lines 407.34, log 3000.00",
    );
    expect(logText({ status: "Pending", actualized: null, lines: "10.00" })).toBe("Pending: not in the PO log");
    expect(logText({ status: "Pending", actualized: "10.00", lines: null })).toBe("Pending: no invoice lines yet");
    expect(logText({ status: "RTP", actualized: "1.00", lines: "1.00" })).toBe("RTP");
    expect(logText(null)).toBe("");
  });

  it("gives each status its tone", () => {
    expect(logTone("RTP")).toBe("good");
    expect(logTone("PO Log Mismatch")).toBe("bad");
    expect(logTone("Pending")).toBe("wait");
    expect(logTone("Paid")).toBe("done");
    expect(logTone(undefined)).toBe("none");
  });

  it("sums up a log read by hand", () => {
    expect(
      logReportText({ path: "/a/PO_LOG_2416-2024-06-01_09-30-00.txt", rows: 3, problems: ["line 3: x"], reconciliation: [1, 2] }),
    ).toBe("PO_LOG_2416-2024-06-01_09-30-00.txt: 3 rows read, 2 POs compared; 1 malformed row left out.");
    expect(logReportText({ path: "C:\\x\\PO_LOG_1-2024-01-01_00-00-00.txt", rows: 1, problems: [], reconciliation: [1] })).toBe(
      "PO_LOG_1-2024-01-01_00-00-00.txt: 1 row read, 1 PO compared.",
    );
  });
});
