// Validation as a person types a correction: each field and line-item column turns what was
// typed into the form the core stores (ISO dates, plain decimal amounts, ISO 4217 codes, an
// account code from the chart), or says in a sentence why it cannot. Also the check that the
// line items add up, done on integer cents: money never goes through floating point here.

/** How dates written with slashes or dots are read: month first (US) or day first. */
export type DateLocale = "us" | "european";

export type Validation = { ok: true; value: string } | { ok: false; message: string };

/** What kind of value a field or line column holds, which decides how it is read. */
export type FieldKind = "date" | "money" | "unit_price" | "quantity" | "currency" | "account_code" | "text";

// Document fields and line columns share one namespace: a line's columns are named as in
// LineRow (date, quantity, unit_price, amount, description, account_code).
const KINDS: Record<string, FieldKind> = {
  invoice_date: "date",
  due_date: "date",
  date: "date",
  subtotal: "money",
  tax: "money",
  total: "money",
  amount: "money",
  unit_price: "unit_price",
  quantity: "quantity",
  currency: "currency",
  account_code: "account_code",
  vendor_name: "text",
  invoice_number: "text",
  description: "text",
  po_number: "text",
};

/** The kind of a field or line column; a name the UI does not know is text (the core may
 * send fields a newer version added, and they must stay editable). */
export function fieldKind(name: string): FieldKind {
  return Object.prototype.hasOwnProperty.call(KINDS, name) ? KINDS[name]! : "text";
}

/** The longest text value a person may enter. */
export const MAX_TEXT_CHARS = 200;
/** Decimals a quantity or a unit price may have (a unit price of 0.125 is real; a total is
 * always whole cents). */
export const MAX_RATE_DECIMALS = 4;
/** Digits before the decimal point: anything longer is a typo, not an invoice, and this keeps
 * every amount exact as cents. */
const MAX_INT_DIGITS = 12;

/**
 * `raw` as typed, validated for field `name`, in the form the core stores:
 * dates as YYYY-MM-DD, money as "-1234.50", quantities as "2.5", currencies as "EUR", account
 * codes as "5300", text trimmed. An empty (or blank) input is valid everywhere and means
 * "clear the value": the result is "".
 */
export function validateField(name: string, raw: string, locale: DateLocale): Validation {
  const text = raw.trim();
  if (text === "") return { ok: true, value: "" };
  switch (fieldKind(name)) {
    case "date":
      return parseDate(text, locale);
    case "money":
      return parseAmount(text, locale, "money");
    case "unit_price":
      return parseAmount(text, locale, "unit_price");
    case "quantity":
      return parseAmount(text, locale, "quantity");
    case "currency":
      return parseCurrency(text);
    case "account_code":
      return parseAccountCode(text);
    case "text":
      return checkText(text);
  }
}

// ---------------------------------------------------------------------------------------
// Dates

const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Years the core accepts (the extractor's range): anything else is a typo. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in month `m` (1..12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function dateExample(locale: DateLocale): string {
  return locale === "us" ? "03/31/2024" : "31/03/2024";
}

function parseDate(text: string, locale: DateLocale): Validation {
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  const local = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$/.exec(text);
  if (iso) {
    y = Number(iso[1]);
    m = Number(iso[2]);
    d = Number(iso[3]);
  } else if (local) {
    const first = Number(local[1]);
    const second = Number(local[3]);
    [m, d] = locale === "us" ? [first, second] : [second, first];
    // Two-digit years are this century, as the extractor reads them: an invoice from 1999
    // is far rarer than a mistyped one.
    y = local[4]!.length === 2 ? 2000 + Number(local[4]) : Number(local[4]);
  } else {
    return { ok: false, message: `Not a date: write it as ${dateExample(locale)} or 2024-03-31.` };
  }
  if (m < 1 || m > 12) {
    const order = iso
      ? "year-month-day (YYYY-MM-DD)"
      : locale === "us"
        ? "month/day/year (MM/DD/YYYY)"
        : "day/month/year (DD/MM/YYYY)";
    return { ok: false, message: `${m} is not a month: this date is read as ${order}.` };
  }
  if (y < MIN_YEAR || y > MAX_YEAR) {
    return { ok: false, message: `The year ${y} is out of range (${MIN_YEAR} to ${MAX_YEAR}).` };
  }
  const days = daysInMonth(y, m);
  const month = MONTH_NAMES[m - 1]!;
  if (d < 1) return { ok: false, message: `There is no day 0 in ${month}.` };
  if (d > days) {
    return { ok: false, message: `${month} ${y} has ${days} days, so there is no ${month} ${d}.` };
  }
  return { ok: true, value: `${y}-${pad2(m)}-${pad2(d)}` };
}

// ---------------------------------------------------------------------------------------
// Amounts

/** A number as read: its sign, whole digits (no leading zeros, "0" for none) and decimal
 * digits (as typed). */
type Decimal = { negative: boolean; int: string; frac: string };

// Symbols stripped from either end of an amount. "$" alone is USD, but an amount field does
// not pick the currency: the symbol is only dropped.
const SYMBOL_PREFIX = /^(?:US\$|CA\$|AU\$|NZ\$|HK\$|[A-Z]\$|[$€£¥₹₩₪₺₽₴₦₱฿]|kr\.?|Fr\.)\s*/i;
const SYMBOL_SUFFIX = /\s*(?:[$€£¥₹₩₪₺₽₴₦₱฿]|kr\.?|zł|Kč|Ft)$/i;
const CODE_PREFIX = /^([A-Za-z]{3})(?=[\s\d(+\-−.,])\s*/;
const CODE_SUFFIX = /(?<=[\d\s.,)])\s*([A-Za-z]{3})$/;
const MINUS = /^[-−–]/;
// Spaces (also no-break and thin) and apostrophes group thousands in France and Switzerland.
const GROUP_CHARS = /[\s\u00a0\u2009\u202f'’]/;

function stripCurrency(s: string): string {
  let out = s;
  for (;;) {
    const before = out;
    out = out.replace(SYMBOL_PREFIX, "").replace(SYMBOL_SUFFIX, "");
    const pre = CODE_PREFIX.exec(out);
    if (pre && CURRENCY_SET.has(pre[1]!.toUpperCase())) out = out.slice(pre[0].length);
    const post = CODE_SUFFIX.exec(out);
    if (post && CURRENCY_SET.has(post[1]!.toUpperCase())) out = out.slice(0, post.index);
    out = out.trim();
    if (out === before) return out;
  }
}

function notAnAmount(locale: DateLocale): { ok: false; message: string } {
  const example = locale === "us" ? "1,234.50" : "1.234,50";
  return { ok: false, message: `Not an amount: write it as ${example} (negative: -12.00 or (12.00)).` };
}

/** Reads "1,234.50", "1.234,50", "1 234,50", "-12", "(12.00)", "$12", "12,50 €", "EUR 12".
 * The locale decides what a lone separator means only when the text cannot decide: "1,234"
 * is 1234 in the US and 1.234 in Europe, but "12,50" and "12.5" can only be decimals. */
function readDecimal(text: string, locale: DateLocale): { ok: true; n: Decimal } | { ok: false; message: string } {
  let s = text.trim();
  let negative = false;
  let signs = 0;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    signs++;
    s = paren[1]!.trim();
  }
  s = stripCurrency(s);
  if (MINUS.test(s)) {
    negative = true;
    signs++;
    s = s.slice(1);
  } else if (s.startsWith("+")) {
    s = s.slice(1);
  } else if (/[-−]$/.test(s)) {
    // Accounting exports write a credit as "12.00-".
    negative = true;
    signs++;
    s = s.slice(0, -1);
  }
  if (signs > 1) return { ok: false, message: "Write a negative amount with a minus or in parentheses, not both." };
  s = stripCurrency(s);
  if (!/\d/.test(s) || !/^[\d.,\s\u00a0\u2009\u202f'’]+$/.test(s)) return notAnAmount(locale);

  const dots = s.split(".").length - 1;
  const commas = s.split(",").length - 1;
  let decimalSep: "." | "," | null = null;
  if (dots > 0 && commas > 0) {
    decimalSep = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
    if ((decimalSep === "." ? dots : commas) > 1) return notAnAmount(locale);
  } else if (dots + commas === 1) {
    const sep = dots === 1 ? "." : ",";
    const localDecimal = locale === "us" ? "." : ",";
    const after = s.slice(s.indexOf(sep) + 1);
    // The locale's grouping separator followed by exactly three digits groups thousands;
    // followed by anything else it can only be a decimal point.
    decimalSep = sep === localDecimal || !/^\d{3}$/.test(after) ? sep : null;
  }
  // Several of one separator and none of the other: they group thousands ("1.234.567").

  const cut = decimalSep === null ? -1 : s.lastIndexOf(decimalSep);
  const intText = cut < 0 ? s : s.slice(0, cut);
  const frac = cut < 0 ? "" : s.slice(cut + 1);
  if (!/^\d*$/.test(frac)) return notAnAmount(locale);
  const groups = intText.split(/[.,\s\u00a0\u2009\u202f'’]/);
  if (groups.length > 1) {
    // Grouped digits: 1 to 3 first, then threes ("1,234,567"); anything else is a typo.
    const [head, ...rest] = groups;
    if (!/^\d{1,3}$/.test(head!) || !rest.every((g) => /^\d{3}$/.test(g))) return notAnAmount(locale);
  } else if (GROUP_CHARS.test(intText)) {
    return notAnAmount(locale);
  }
  const digits = groups.join("");
  if (digits === "" && frac === "") return notAnAmount(locale);
  const int = digits.replace(/^0+(?=\d)/, "") || "0";
  if (int.length > MAX_INT_DIGITS) {
    return { ok: false, message: `That amount has ${int.length} digits before the decimal point: at most ${MAX_INT_DIGITS}.` };
  }
  return { ok: true, n: { negative, int, frac } };
}

function parseAmount(text: string, locale: DateLocale, kind: "money" | "unit_price" | "quantity"): Validation {
  const r = readDecimal(text, locale);
  if (!r.ok) return r;
  const { negative, int } = r.n;
  // Zeros at the end change nothing ("12.500" is 12.50), so they are not "too many decimals".
  const frac = r.n.frac.replace(/0+$/, "");
  const maxDecimals = kind === "money" ? 2 : MAX_RATE_DECIMALS;
  if (frac.length > maxDecimals) {
    const what = kind === "money" ? "An amount" : kind === "quantity" ? "A quantity" : "A unit price";
    const why = kind === "money" ? " (whole cents)" : "";
    return { ok: false, message: `${what} has at most ${maxDecimals} decimals${why}; this one has ${frac.length}.` };
  }
  const shown = kind === "quantity" ? frac : frac.padEnd(2, "0");
  const zero = int === "0" && /^0*$/.test(frac);
  const sign = negative && !zero ? "-" : "";
  return { ok: true, value: shown === "" ? `${sign}${int}` : `${sign}${int}.${shown}` };
}

/**
 * A stored decimal ("1234.5", "-0.125", "12") as integer cents, rounded half away from zero
 * like the core; null when it is not a plain decimal. Stored values only: typed input goes
 * through validateField first.
 */
export function toCents(value: string | null | undefined): bigint | null {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec((value ?? "").trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const frac = (m[3] ?? "").padEnd(3, "0");
  let cents = BigInt(m[2] || "0") * 100n + BigInt(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) cents += 1n;
  return m[1] === "-" ? -cents : cents;
}

/** Integer cents as the core writes money: -123456n -> "-1234.56". */
export function centsText(cents: bigint): string {
  const abs = cents < 0n ? -cents : cents;
  const sign = cents < 0n ? "-" : "";
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

export type LinesCheck = {
  /** True when the lines add up, or when there is nothing to compare. */
  ok: boolean;
  /** What the lines (with the tax field when `withTax`) come to minus the total: "-0.10"
   * means 10 cents short. Null when nothing was compared. */
  difference: string | null;
  /** The lines' sum; null without lines with an amount, or with an unreadable amount. */
  sum: string | null;
  /** The lines leave the tax to the tax field: they were compared with the total after
   * adding it. */
  withTax: boolean;
};

/**
 * Whether the line items add up to the total, to the cent: either the lines include the tax
 * (as a line of its own), or the lines plus the tax field make the total. The same rule as
 * the store's `lines_sum` flag, so the window's live check and the flag agree. Lines without
 * an amount (a heading, a note) count for nothing; an amount that is not a number fails the
 * check with no difference, since no sum can be trusted. With no amounts on any line, or no
 * total, there is nothing to check and the result is ok.
 */
export function linesAddUp(
  lines: readonly { amount?: string | null }[],
  total: string | null | undefined,
  tax?: string | null,
): LinesCheck {
  let sum = 0n;
  let counted = 0;
  for (const line of lines) {
    const a = (line.amount ?? "").trim();
    if (a === "") continue;
    const c = toCents(a);
    if (c === null) return { ok: false, difference: null, sum: null, withTax: false };
    sum += c;
    counted++;
  }
  if (counted === 0) return { ok: true, difference: null, sum: null, withTax: false };
  const totalCents = toCents(total);
  if (totalCents === null) return { ok: true, difference: null, sum: centsText(sum), withTax: false };
  const taxCents = toCents(tax);
  const plain = sum - totalCents;
  const withTax = taxCents === null ? null : sum + taxCents - totalCents;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  // Off either way: the difference shown is the smaller one, the likelier reading.
  const useTax = withTax !== null && plain !== 0n && abs(withTax) < abs(plain);
  const difference = useTax ? withTax! : plain;
  return { ok: difference === 0n, difference: centsText(difference), sum: centsText(sum), withTax: useTax };
}

// ---------------------------------------------------------------------------------------
// Currency

/**
 * ISO 4217 codes of currencies in use: Debian's iso-codes 4.15 list, plus ZWG (2024) and
 * XCG (2025), less HRK (replaced by the euro in 2023), the fund codes (BOV, CHE, CHW, CLF,
 * COU, MXV, USN, UYI, UYW), precious metals, bond-market units, XDR, XSU, XUA, XTS and XXX:
 * nobody sends an invoice in those.
 */
export const CURRENCY_CODES: readonly string[] = [
  "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
  "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
  "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
  "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
  "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
  "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
  "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
  "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
  "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
  "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
  "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
  "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER",
  "ZAR", "ZMW", "ZWG", "ZWL",
];

const CURRENCY_SET: ReadonlySet<string> = new Set(CURRENCY_CODES);

/** Symbols that name one currency for this app's users. "¥" (yen or yuan) and "kr" (four
 * crowns) do not, so they are refused with a hint. */
const CURRENCY_SYMBOLS: Record<string, string> = { "€": "EUR", $: "USD", US$: "USD", "£": "GBP" };

function parseCurrency(text: string): Validation {
  const symbol = CURRENCY_SYMBOLS[text.toUpperCase()];
  if (symbol) return { ok: true, value: symbol };
  const code = text.toUpperCase();
  if (/^[A-Z]{3}$/.test(code)) {
    if (CURRENCY_SET.has(code)) return { ok: true, value: code };
    return { ok: false, message: `${code} is not the ISO 4217 code of a currency in use.` };
  }
  return { ok: false, message: "Write the currency as its three-letter code (USD, EUR, GBP), or €, $ or £." };
}

// ---------------------------------------------------------------------------------------
// Account codes

export type AccountCode = { code: string; name: string };

/** The chart of accounts the domain uses (domain.md), in its order. 6040 has no name on
 * record, so none is made up: its name is empty. */
export const ACCOUNT_CODES: readonly AccountCode[] = [
  { code: "5000", name: "Cost of Goods Sold" },
  { code: "5300", name: "US Labor" },
  { code: "5330", name: "Foreign Contractor" },
  { code: "5200", name: "Travel" },
  { code: "6040", name: "" },
  { code: "6110", name: "Automobile Expense" },
  { code: "6320", name: "Insurance" },
];

/** "5300 US Labor", "6040"; an unknown code as written. */
export function accountLabel(code: string | null | undefined): string {
  if (!code) return "";
  const a = ACCOUNT_CODES.find((x) => x.code === code);
  return a && a.name ? `${a.code} ${a.name}` : code;
}

function parseAccountCode(text: string): Validation {
  // The picker's label ("5300 US Labor", "5300 - US Labor") and the name alone are accepted.
  const lead = /^(\d{4})(?:\s*[-–:]?\s*(.*))?$/.exec(text);
  const folded = text.toLowerCase();
  const found = lead
    ? ACCOUNT_CODES.find((a) => a.code === lead[1] && (!lead[2] || lead[2].toLowerCase() === a.name.toLowerCase()))
    : ACCOUNT_CODES.find((a) => a.name !== "" && a.name.toLowerCase() === folded);
  if (found) return { ok: true, value: found.code };
  const list = ACCOUNT_CODES.map((a) => a.code).join(", ");
  return { ok: false, message: `${text} is not one of the account codes: ${list}.` };
}

// ---------------------------------------------------------------------------------------
// Text

function checkText(text: string): Validation {
  // Characters, not UTF-16 units: "Müller" is six whatever the encoding.
  const n = [...text].length;
  if (n > MAX_TEXT_CHARS) {
    return { ok: false, message: `At most ${MAX_TEXT_CHARS} characters; this is ${n}.` };
  }
  return { ok: true, value: text };
}
