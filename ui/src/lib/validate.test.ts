import { describe, expect, it } from "vitest";
import {
  ACCOUNT_CODES,
  CURRENCY_CODES,
  MAX_TEXT_CHARS,
  accountLabel,
  centsText,
  daysInMonth,
  fieldKind,
  linesAddUp,
  toCents,
  validateField,
  type DateLocale,
  type Validation,
} from "./validate";

function ok(name: string, raw: string, locale: DateLocale = "us"): string {
  const r = validateField(name, raw, locale);
  if (!r.ok) throw new Error(`${name} ${JSON.stringify(raw)} was refused: ${r.message}`);
  return r.value;
}

function refused(name: string, raw: string, locale: DateLocale = "us"): string {
  const r: Validation = validateField(name, raw, locale);
  if (r.ok) throw new Error(`${name} ${JSON.stringify(raw)} was accepted as ${JSON.stringify(r.value)}`);
  return r.message;
}

describe("fieldKind", () => {
  it("knows the document fields and the line columns", () => {
    expect(fieldKind("invoice_date")).toBe("date");
    expect(fieldKind("due_date")).toBe("date");
    expect(fieldKind("date")).toBe("date");
    expect(fieldKind("total")).toBe("money");
    expect(fieldKind("amount")).toBe("money");
    expect(fieldKind("unit_price")).toBe("unit_price");
    expect(fieldKind("quantity")).toBe("quantity");
    expect(fieldKind("currency")).toBe("currency");
    expect(fieldKind("account_code")).toBe("account_code");
    expect(fieldKind("vendor_name")).toBe("text");
  });

  it("treats an unknown field as text, and is not fooled by Object's own keys", () => {
    expect(fieldKind("payment_terms")).toBe("text");
    expect(fieldKind("toString")).toBe("text");
    expect(fieldKind("__proto__")).toBe("text");
  });
});

describe("empty input", () => {
  it("clears any field", () => {
    for (const name of ["invoice_date", "total", "quantity", "unit_price", "currency", "account_code", "vendor_name", "x"]) {
      expect(validateField(name, "", "us")).toEqual({ ok: true, value: "" });
      expect(validateField(name, "   \t", "european")).toEqual({ ok: true, value: "" });
    }
  });
});

describe("dates", () => {
  it("takes ISO dates in either locale", () => {
    expect(ok("invoice_date", "2024-03-05", "us")).toBe("2024-03-05");
    expect(ok("invoice_date", "2024-03-05", "european")).toBe("2024-03-05");
    expect(ok("due_date", " 2024-3-5 ")).toBe("2024-03-05");
    expect(ok("date", "2024/03/05")).toBe("2024-03-05");
  });

  it("reads slashed dates month first in the US and day first in Europe", () => {
    expect(ok("invoice_date", "03/05/2024", "us")).toBe("2024-03-05");
    expect(ok("invoice_date", "03/05/2024", "european")).toBe("2024-05-03");
    expect(ok("invoice_date", "31.12.2024", "european")).toBe("2024-12-31");
    expect(ok("invoice_date", "12-31-2024", "us")).toBe("2024-12-31");
    expect(ok("invoice_date", "1/2/2025", "us")).toBe("2025-01-02");
  });

  it("reads two-digit years as this century, like the extractor", () => {
    expect(ok("invoice_date", "03/05/24", "us")).toBe("2024-03-05");
    expect(ok("invoice_date", "05.03.24", "european")).toBe("2024-03-05");
    expect(ok("invoice_date", "12/31/99", "us")).toBe("2099-12-31");
  });

  it("refuses a day that does not exist, with a sentence", () => {
    expect(refused("invoice_date", "2024-02-30")).toBe("February 2024 has 29 days, so there is no February 30.");
    expect(refused("invoice_date", "2023-02-29")).toBe("February 2023 has 28 days, so there is no February 29.");
    expect(refused("due_date", "04/31/2024", "us")).toContain("April 2024 has 30 days");
    expect(refused("due_date", "31/04/2024", "european")).toContain("April 2024 has 30 days");
    expect(refused("date", "2024-01-00")).toBe("There is no day 0 in January.");
  });

  it("knows leap years, centuries included", () => {
    expect(ok("invoice_date", "2024-02-29")).toBe("2024-02-29");
    expect(ok("invoice_date", "2000-02-29")).toBe("2000-02-29");
    expect(refused("invoice_date", "2100-02-29")).toContain("28 days");
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2024, 12)).toBe(31);
  });

  it("says which order it read when the month is impossible", () => {
    expect(refused("invoice_date", "31/12/2024", "us")).toBe(
      "31 is not a month: this date is read as month/day/year (MM/DD/YYYY).",
    );
    expect(refused("invoice_date", "12/31/2024", "european")).toBe(
      "31 is not a month: this date is read as day/month/year (DD/MM/YYYY).",
    );
    expect(refused("invoice_date", "2024-13-01")).toContain("year-month-day");
    expect(refused("invoice_date", "2024-00-01")).toContain("0 is not a month");
  });

  it("refuses years outside the core's range", () => {
    expect(refused("invoice_date", "1899-12-31")).toBe("The year 1899 is out of range (1900 to 2200).");
    expect(refused("invoice_date", "2201-01-01")).toContain("2201");
  });

  it("refuses what is not a date, showing the locale's form", () => {
    expect(refused("invoice_date", "March 5", "us")).toBe("Not a date: write it as 03/31/2024 or 2024-03-31.");
    expect(refused("invoice_date", "5.3", "european")).toBe("Not a date: write it as 31/03/2024 or 2024-03-31.");
    expect(refused("invoice_date", "03/05-2024")).toContain("Not a date");
    expect(refused("invoice_date", "03/05/202")).toContain("Not a date");
    expect(refused("invoice_date", "20240305")).toContain("Not a date");
  });
});

describe("money", () => {
  it("reads US amounts", () => {
    expect(ok("total", "1,234.50", "us")).toBe("1234.50");
    expect(ok("total", "1234.5", "us")).toBe("1234.50");
    expect(ok("total", "1,234,567.89", "us")).toBe("1234567.89");
    expect(ok("subtotal", "12", "us")).toBe("12.00");
    expect(ok("tax", "0", "us")).toBe("0.00");
    expect(ok("total", ".5", "us")).toBe("0.50");
    expect(ok("total", "5.", "us")).toBe("5.00");
    expect(ok("total", "007.10", "us")).toBe("7.10");
  });

  it("reads European amounts", () => {
    expect(ok("total", "1.234,50", "european")).toBe("1234.50");
    expect(ok("total", "1 234,50", "european")).toBe("1234.50");
    expect(ok("total", "1\u202f234,50", "european")).toBe("1234.50");
    expect(ok("total", "1'234.50", "european")).toBe("1234.50");
    expect(ok("total", "12,5", "european")).toBe("12.50");
    expect(ok("total", "1.234.567", "european")).toBe("1234567.00");
  });

  it("lets the locale decide only a lone separator before three digits", () => {
    expect(ok("total", "1,234", "us")).toBe("1234.00");
    expect(ok("total", "1.234", "european")).toBe("1234.00");
    // Followed by two digits a separator can only be a decimal point, whatever the locale.
    expect(ok("total", "12,50", "us")).toBe("12.50");
    expect(ok("total", "12.50", "european")).toBe("12.50");
    // Both separators: the last one is the decimal point.
    expect(ok("total", "1.234,50", "us")).toBe("1234.50");
    expect(ok("total", "1,234.50", "european")).toBe("1234.50");
  });

  it("reads negatives written with a minus, in parentheses or with a trailing minus", () => {
    expect(ok("total", "-12")).toBe("-12.00");
    expect(ok("total", "−12.35")).toBe("-12.35");
    expect(ok("total", "(12.00)")).toBe("-12.00");
    expect(ok("total", "( 1,234.50 )")).toBe("-1234.50");
    expect(ok("total", "12.00-")).toBe("-12.00");
    expect(ok("total", "+12")).toBe("12.00");
  });

  it("never writes a negative zero", () => {
    expect(ok("total", "-0")).toBe("0.00");
    expect(ok("total", "(0.00)")).toBe("0.00");
  });

  it("strips currency symbols and codes", () => {
    expect(ok("total", "$1,234.50")).toBe("1234.50");
    expect(ok("total", "-$12")).toBe("-12.00");
    expect(ok("total", "$-12")).toBe("-12.00");
    expect(ok("total", "($12.00)")).toBe("-12.00");
    expect(ok("total", "US$ 99")).toBe("99.00");
    expect(ok("total", "1.234,50 €", "european")).toBe("1234.50");
    expect(ok("total", "€1.234,50", "european")).toBe("1234.50");
    expect(ok("total", "£ 5")).toBe("5.00");
    expect(ok("total", "EUR 12,50", "european")).toBe("12.50");
    expect(ok("total", "12.50 usd")).toBe("12.50");
    expect(ok("total", "CHF1'000.00")).toBe("1000.00");
  });

  it("refuses a fraction of a cent, but not zeros that change nothing", () => {
    expect(refused("total", "12.345")).toBe("An amount has at most 2 decimals (whole cents); this one has 3.");
    expect(ok("total", "12.340")).toBe("12.34");
    expect(ok("amount", "12.5000")).toBe("12.50");
    // In Europe "1,234" is one point two three four: too many decimals for money.
    expect(refused("total", "1,234", "european")).toContain("at most 2 decimals");
  });

  it("refuses what is not an amount", () => {
    expect(refused("total", "abc")).toBe("Not an amount: write it as 1,234.50 (negative: -12.00 or (12.00)).");
    expect(refused("total", "abc", "european")).toContain("1.234,50");
    expect(refused("total", "12a")).toContain("Not an amount");
    expect(refused("total", "-")).toContain("Not an amount");
    expect(refused("total", ".")).toContain("Not an amount");
    expect(refused("total", "$")).toContain("Not an amount");
    expect(refused("total", "1,23,456.00")).toContain("Not an amount");
    expect(refused("total", "1,234,56")).toContain("Not an amount");
    expect(refused("total", "1.234.567,8.9")).toContain("Not an amount");
    expect(refused("total", "12 34")).toContain("Not an amount");
    expect(refused("total", "1e5")).toContain("Not an amount");
    expect(refused("total", "XYZ 12")).toContain("Not an amount");
  });

  it("refuses two signs", () => {
    expect(refused("total", "(-12)")).toBe("Write a negative amount with a minus or in parentheses, not both.");
  });

  it("refuses an absurdly large amount instead of losing precision", () => {
    expect(ok("total", "999,999,999,999.99")).toBe("999999999999.99");
    expect(refused("total", "9999999999999")).toContain("13 digits");
  });
});

describe("quantities and unit prices", () => {
  it("keeps a quantity's decimals, without trailing zeros", () => {
    expect(ok("quantity", "5")).toBe("5");
    expect(ok("quantity", "5.00")).toBe("5");
    expect(ok("quantity", "2.5")).toBe("2.5");
    expect(ok("quantity", "0.1250")).toBe("0.125");
    expect(ok("quantity", "1.2345")).toBe("1.2345");
    expect(ok("quantity", "2,5", "european")).toBe("2.5");
    expect(ok("quantity", "1,500", "us")).toBe("1500");
    expect(ok("quantity", "-1")).toBe("-1");
  });

  it("refuses more than four decimals in a quantity", () => {
    expect(refused("quantity", "1.23456")).toBe("A quantity has at most 4 decimals; this one has 5.");
  });

  it("writes a unit price with at least two decimals and at most four", () => {
    expect(ok("unit_price", "600")).toBe("600.00");
    expect(ok("unit_price", "0.125")).toBe("0.125");
    expect(ok("unit_price", "1.234,5", "european")).toBe("1234.50");
    expect(refused("unit_price", "0.12345")).toContain("A unit price has at most 4 decimals");
  });
});

describe("currency", () => {
  it("upper-cases a known code", () => {
    expect(ok("currency", "eur")).toBe("EUR");
    expect(ok("currency", " Usd ")).toBe("USD");
    expect(ok("currency", "CHF")).toBe("CHF");
  });

  it("takes the symbols that name one currency", () => {
    expect(ok("currency", "€")).toBe("EUR");
    expect(ok("currency", "$")).toBe("USD");
    expect(ok("currency", "us$")).toBe("USD");
    expect(ok("currency", "£")).toBe("GBP");
  });

  it("refuses unknown, withdrawn and non-currency codes", () => {
    expect(refused("currency", "XYZ")).toBe("XYZ is not the ISO 4217 code of a currency in use.");
    expect(refused("currency", "hrk")).toContain("HRK");
    expect(refused("currency", "XAU")).toContain("not the ISO 4217");
    expect(refused("currency", "XXX")).toContain("not the ISO 4217");
  });

  it("refuses what is not a code, and ambiguous symbols", () => {
    const hint = "Write the currency as its three-letter code (USD, EUR, GBP), or €, $ or £.";
    expect(refused("currency", "¥")).toBe(hint);
    expect(refused("currency", "EURO")).toBe(hint);
    expect(refused("currency", "E1")).toBe(hint);
  });

  it("holds a real list: sorted, unique, three capitals, with the usual ones", () => {
    expect([...CURRENCY_CODES].sort()).toEqual(CURRENCY_CODES);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    expect(CURRENCY_CODES.every((c) => /^[A-Z]{3}$/.test(c))).toBe(true);
    for (const c of ["USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "MXN", "SEK", "ZWG"]) {
      expect(CURRENCY_CODES).toContain(c);
    }
    expect(CURRENCY_CODES.length).toBeGreaterThan(150);
  });
});

describe("account codes", () => {
  it("lists the domain's chart in its order", () => {
    expect(ACCOUNT_CODES.map((a) => a.code)).toEqual(["5000", "5300", "5330", "5200", "6040", "6110", "6320"]);
    expect(ACCOUNT_CODES.find((a) => a.code === "5300")?.name).toBe("US Labor");
  });

  it("accepts a code, the picker's label, or the name", () => {
    expect(ok("account_code", "5300")).toBe("5300");
    expect(ok("account_code", "6040")).toBe("6040");
    expect(ok("account_code", "5300 US Labor")).toBe("5300");
    expect(ok("account_code", "5200 - travel")).toBe("5200");
    expect(ok("account_code", "automobile expense")).toBe("6110");
  });

  it("refuses a code that is not in the chart, or a label that contradicts its code", () => {
    expect(refused("account_code", "9999")).toBe(
      "9999 is not one of the account codes: 5000, 5300, 5330, 5200, 6040, 6110, 6320.",
    );
    expect(refused("account_code", "5300 Travel")).toContain("not one of");
    expect(refused("account_code", "Labor")).toContain("not one of");
  });

  it("labels a code with its name", () => {
    expect(accountLabel("5330")).toBe("5330 Foreign Contractor");
    expect(accountLabel("6040")).toBe("6040");
    expect(accountLabel("1234")).toBe("1234");
    expect(accountLabel(null)).toBe("");
  });
});

describe("text", () => {
  it("trims", () => {
    expect(ok("vendor_name", "  Courier Car Rental, Inc.  ")).toBe("Courier Car Rental, Inc.");
    expect(ok("invoice_number", "INV-0042")).toBe("INV-0042");
    expect(ok("po_number", " 23")).toBe("23");
    expect(ok("description", "Gaffer")).toBe("Gaffer");
  });

  it("allows 200 characters, counted as characters", () => {
    expect(ok("description", "x".repeat(MAX_TEXT_CHARS))).toHaveLength(200);
    // 200 emoji are 400 UTF-16 units but 200 characters.
    expect([...ok("description", "🎬".repeat(200))]).toHaveLength(200);
    expect(refused("vendor_name", "x".repeat(201))).toBe("At most 200 characters; this is 201.");
  });
});

describe("cents", () => {
  it("reads stored decimals exactly", () => {
    expect(toCents("1234.50")).toBe(123450n);
    expect(toCents("-12.3")).toBe(-1230n);
    expect(toCents("7")).toBe(700n);
    expect(toCents(".5")).toBe(50n);
    expect(toCents("0.1")! + toCents("0.2")!).toBe(30n);
  });

  it("rounds half away from zero like the core", () => {
    expect(toCents("0.125")).toBe(13n);
    expect(toCents("-0.125")).toBe(-13n);
    expect(toCents("0.124")).toBe(12n);
  });

  it("refuses what is not a plain decimal", () => {
    expect(toCents("1,234.50")).toBeNull();
    expect(toCents("")).toBeNull();
    expect(toCents("-")).toBeNull();
    expect(toCents(null)).toBeNull();
    expect(toCents("abc")).toBeNull();
  });

  it("writes cents as the core does", () => {
    expect(centsText(123450n)).toBe("1234.50");
    expect(centsText(-5n)).toBe("-0.05");
    expect(centsText(0n)).toBe("0.00");
    expect(centsText(90071992547409930n)).toBe("900719925474099.30");
  });
});

describe("linesAddUp", () => {
  const lines = (...amounts: (string | null)[]) => amounts.map((amount) => ({ amount }));

  it("is ok when the lines make the total", () => {
    expect(linesAddUp(lines("3000.00", "240.50"), "3240.50")).toEqual({
      ok: true,
      difference: "0.00",
      sum: "3240.50",
      withTax: false,
    });
  });

  it("is ok when the lines leave the tax to the tax field", () => {
    expect(linesAddUp(lines("3000.00"), "3240.50", "240.50")).toEqual({
      ok: true,
      difference: "0.00",
      sum: "3000.00",
      withTax: true,
    });
    // Tax given, but the lines include it already.
    expect(linesAddUp(lines("3000.00", "240.50"), "3240.50", "240.50")).toMatchObject({ ok: true, withTax: false });
  });

  it("adds in cents, where floats would be off", () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floating point.
    expect(linesAddUp(lines("0.10", "0.20"), "0.30").difference).toBe("0.00");
    const many = lines(...Array.from({ length: 1000 }, () => "0.01"));
    expect(linesAddUp(many, "10.00")).toMatchObject({ ok: true, difference: "0.00" });
  });

  it("allows no rounding, like the store's flag", () => {
    expect(linesAddUp(lines("33.33", "33.33", "33.33"), "100.00")).toMatchObject({ ok: false, difference: "-0.01" });
    expect(linesAddUp(lines("33.33", "33.33"), "66.65")).toMatchObject({ ok: false, difference: "0.01" });
  });

  it("says how far off the lines are, lines minus total", () => {
    expect(linesAddUp(lines("2900.00"), "3240.50")).toEqual({
      ok: false,
      difference: "-340.50",
      sum: "2900.00",
      withTax: false,
    });
    expect(linesAddUp(lines("100.00", "5.00"), "100.00").difference).toBe("5.00");
  });

  it("shows the smaller difference when off both ways", () => {
    // With tax: 2900 + 240.50 is 100 short; without: 340.50 short.
    expect(linesAddUp(lines("2900.00"), "3240.50", "240.50")).toEqual({
      ok: false,
      difference: "-100.00",
      sum: "2900.00",
      withTax: true,
    });
    // Lines that include the tax and are a cent over: the plain comparison is closer.
    expect(linesAddUp(lines("3000.00", "240.51"), "3240.50", "240.50")).toMatchObject({
      ok: false,
      difference: "0.01",
      withTax: false,
    });
  });

  it("handles refunds and credit lines", () => {
    expect(linesAddUp(lines("-12.35"), "-12.35").ok).toBe(true);
    expect(linesAddUp(lines("100.00", "-20.00"), "80.00").ok).toBe(true);
  });

  it("counts lines without an amount as nothing", () => {
    expect(linesAddUp([{ amount: "50.00" }, { amount: null }, { amount: " " }, {}], "50.00").ok).toBe(true);
  });

  it("has nothing to check without amounts or without a total", () => {
    expect(linesAddUp([], "50.00")).toEqual({ ok: true, difference: null, sum: null, withTax: false });
    expect(linesAddUp(lines(null), "50.00")).toEqual({ ok: true, difference: null, sum: null, withTax: false });
    expect(linesAddUp(lines("50.00"), null)).toEqual({ ok: true, difference: null, sum: "50.00", withTax: false });
    expect(linesAddUp(lines("50.00"), "")).toMatchObject({ ok: true, difference: null });
  });

  it("ignores a tax it cannot read", () => {
    expect(linesAddUp(lines("50.00"), "60.00", "ten")).toMatchObject({ ok: false, difference: "-10.00", withTax: false });
  });

  it("fails without a difference when a line's amount cannot be read", () => {
    expect(linesAddUp(lines("50.00", "fifty"), "100.00")).toEqual({ ok: false, difference: null, sum: null, withTax: false });
  });
});
