import { describe, expect, it } from "vitest";
import type { Facets } from "./ipc";
import {
  emptyFilter,
  filterMenus,
  fromEventFilter,
  isFiltered,
  kindOptions,
  poOptions,
  projectOptions,
  toEventFilter,
  vendorOptions,
  withSelected,
} from "./filters";

const facets: Facets = {
  projects: [
    { number: "2417", name: "Nike Spring" },
    { number: "2416", name: "Whop Keynote" },
    { number: "901", name: null },
  ],
  pos: ["2416_23", "2416_03", "2417_01", "2416_03"],
  vendors: ["jane smith", "Atlantis Fresh Market", "Courier Car Rental, Inc."],
  document_types: ["RECEIPT", "INVOICE", "W9"],
  kinds: ["folder_moved", "file_deleted", "file_added"],
};

describe("filter state <-> EventFilter", () => {
  it("maps All (empty) to null and values through", () => {
    expect(toEventFilter(emptyFilter())).toEqual({
      project: null,
      po: null,
      vendor: null,
      document_type: null,
      kind: null,
    });
    const s = { ...emptyFilter(), project: "2416", po: "2416_23", kind: "file_added" };
    expect(toEventFilter(s)).toEqual({
      project: "2416",
      po: "2416_23",
      vendor: null,
      document_type: null,
      kind: "file_added",
    });
  });

  it("round-trips", () => {
    const s = { project: "2416", po: "2416_23", vendor: "Jane Smith", document_type: "INVOICE", kind: "file_moved" };
    expect(fromEventFilter(toEventFilter(s))).toEqual(s);
  });

  it("knows when any filter is on", () => {
    expect(isFiltered(emptyFilter())).toBe(false);
    expect(isFiltered({ ...emptyFilter(), vendor: "Jane Smith" })).toBe(true);
  });
});

describe("menus", () => {
  it("labels projects with number and name, numerically ordered", () => {
    expect(projectOptions(facets)).toEqual([
      { value: "901", label: "901" },
      { value: "2416", label: "2416 – Whop Keynote" },
      { value: "2417", label: "2417 – Nike Spring" },
    ]);
  });

  it("keeps PO values in project_po form, deduplicated and ordered", () => {
    expect(poOptions(facets).map((o) => o.value)).toEqual(["2416_03", "2416_23", "2417_01"]);
  });

  it("orders vendors case-insensitively", () => {
    expect(vendorOptions(facets).map((o) => o.label)).toEqual([
      "Atlantis Fresh Market",
      "Courier Car Rental, Inc.",
      "jane smith",
    ]);
  });

  it("lists kinds in canonical order with readable labels", () => {
    expect(kindOptions(facets)).toEqual([
      { value: "file_added", label: "File added" },
      { value: "file_deleted", label: "File deleted" },
      { value: "folder_moved", label: "Folder moved" },
    ]);
  });

  it("gives empty menus before facets load", () => {
    expect(projectOptions(null)).toEqual([]);
    expect(kindOptions(null)).toEqual([]);
  });

  it("keeps a selected value that the facets no longer list", () => {
    const opts = [{ value: "a", label: "A" }];
    expect(withSelected(opts, "")).toBe(opts);
    expect(withSelected(opts, "a")).toBe(opts);
    expect(withSelected(opts, "gone")).toEqual([{ value: "gone", label: "gone" }, ...opts]);
    const menus = filterMenus(facets, { ...emptyFilter(), kind: "folder_renamed" });
    expect(menus.kind[0]).toEqual({ value: "folder_renamed", label: "Folder renamed" });
  });
});
