// Filter-bar state and the facet menus. The bar holds plain strings ("" = All), which is what
// <select> elements bind to; the core takes an EventFilter with null for "any".

import type { EventFilter, EventKind, Facets } from "./ipc";
import { ALL_KINDS, kindLabel, projectLabel } from "./format";

export type FilterField = "project" | "po" | "vendor" | "document_type" | "kind";

export const FILTER_FIELDS: readonly FilterField[] = ["project", "po", "vendor", "document_type", "kind"];

export type FilterState = Record<FilterField, string>;

export type Option = { value: string; label: string };

export function emptyFilter(): FilterState {
  return { project: "", po: "", vendor: "", document_type: "", kind: "" };
}

function orNull(v: string): string | null {
  return v === "" ? null : v;
}

/** The filter bar's state as the core's EventFilter ("" -> null). */
export function toEventFilter(s: FilterState): EventFilter {
  return {
    project: orNull(s.project),
    po: orNull(s.po),
    vendor: orNull(s.vendor),
    document_type: orNull(s.document_type),
    kind: orNull(s.kind) as EventKind | null,
  };
}

/** The inverse of toEventFilter (null -> ""). */
export function fromEventFilter(f: EventFilter): FilterState {
  return {
    project: f.project ?? "",
    po: f.po ?? "",
    vendor: f.vendor ?? "",
    document_type: f.document_type ?? "",
    kind: f.kind ?? "",
  };
}

export function isFiltered(s: FilterState): boolean {
  return FILTER_FIELDS.some((k) => s[k] !== "");
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(collator.compare);
}

/** Project menu: "2416 – Whop Keynote", ordered by project number. */
export function projectOptions(facets: Facets | null): Option[] {
  if (!facets) return [];
  const byNumber = new Map<string, string | null>();
  for (const p of facets.projects) {
    if (!byNumber.has(p.number) || (byNumber.get(p.number) == null && p.name)) byNumber.set(p.number, p.name);
  }
  return [...byNumber.keys()]
    .sort(collator.compare)
    .map((n) => ({ value: n, label: projectLabel(n, byNumber.get(n)) }));
}

/** PO menu: values are "project_po" ("2416_23"), shown as written. */
export function poOptions(facets: Facets | null): Option[] {
  return facets ? sortedUnique(facets.pos).map((v) => ({ value: v, label: v })) : [];
}

export function vendorOptions(facets: Facets | null): Option[] {
  return facets ? sortedUnique(facets.vendors).map((v) => ({ value: v, label: v })) : [];
}

export function documentTypeOptions(facets: Facets | null): Option[] {
  return facets ? sortedUnique(facets.document_types).map((v) => ({ value: v, label: v })) : [];
}

/** Kind menu: the kinds that occur, in the canonical order, with readable labels. */
export function kindOptions(facets: Facets | null): Option[] {
  if (!facets) return [];
  const present = new Set<string>(facets.kinds);
  const known = ALL_KINDS.filter((k) => present.has(k));
  const unknown = [...present].filter((k) => !(ALL_KINDS as readonly string[]).includes(k)).sort();
  return [...known, ...unknown].map((k) => ({ value: k, label: kindLabel(k) }));
}

/**
 * Keeps a selected value in its menu even when the facets no longer list it (facets refresh
 * while the user has a filter on), so the <select> never silently shows "All" while the table
 * is still filtered.
 */
export function withSelected(options: Option[], selected: string, label: (v: string) => string = (v) => v): Option[] {
  if (selected === "" || options.some((o) => o.value === selected)) return options;
  return [{ value: selected, label: label(selected) }, ...options];
}

export type FilterMenus = Record<FilterField, Option[]>;

/** All five menus for the current facets and selection. */
export function filterMenus(facets: Facets | null, s: FilterState): FilterMenus {
  return {
    project: withSelected(projectOptions(facets), s.project),
    po: withSelected(poOptions(facets), s.po),
    vendor: withSelected(vendorOptions(facets), s.vendor),
    document_type: withSelected(documentTypeOptions(facets), s.document_type),
    kind: withSelected(kindOptions(facets), s.kind, kindLabel),
  };
}
