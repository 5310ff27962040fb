import { describe, expect, it } from "vitest";
import {
  oldPathShown,
  ALL_KINDS,
  countText,
  eventLabel,
  formatCount,
  formatTime,
  formatTimeFull,
  itemsNote,
  kindLabel,
  kindTone,
  projectLabel,
  relativePath,
  splitPath,
  stateLabel,
  vendorTypeTitle,
} from "./format";

describe("formatTime", () => {
  it("shows local month, day and time with seconds", () => {
    // Built from local components, so the expectation holds in any time zone.
    const at = new Date(2024, 10, 29, 16, 24, 5, 250).getTime();
    expect(formatTime(at)).toBe("Nov 29 16:24:05");
  });

  it("pads hours, minutes and seconds but not the day", () => {
    expect(formatTime(new Date(2025, 0, 3, 7, 4, 9).getTime())).toBe("Jan 3 07:04:09");
    expect(formatTime(new Date(2025, 11, 31, 0, 0, 0).getTime())).toBe("Dec 31 00:00:00");
  });

  it("gives the year and milliseconds in the full form", () => {
    expect(formatTimeFull(new Date(2024, 1, 29, 23, 59, 58, 7).getTime())).toBe("2024-02-29 23:59:58.007");
  });

  it("returns an empty string for an invalid time", () => {
    expect(formatTime(Number.NaN)).toBe("");
  });
});

describe("kinds", () => {
  it("labels every kind readably", () => {
    expect(kindLabel("file_added")).toBe("File added");
    expect(kindLabel("folder_moved")).toBe("Folder moved");
    expect(new Set(ALL_KINDS.map(kindLabel)).size).toBe(9);
  });

  it("labels an unknown kind from its name", () => {
    expect(kindLabel("file_copied")).toBe("File copied");
  });

  it("colours added green, deleted red, renamed/moved blue, modified grey", () => {
    expect(kindTone("file_added")).toBe("added");
    expect(kindTone("folder_added")).toBe("added");
    expect(kindTone("file_deleted")).toBe("deleted");
    expect(kindTone("folder_deleted")).toBe("deleted");
    expect(kindTone("file_renamed")).toBe("moved");
    expect(kindTone("folder_moved")).toBe("moved");
    expect(kindTone("file_modified")).toBe("modified");
  });

  it("adds the item count to folder events with descendants only", () => {
    expect(eventLabel({ kind: "folder_moved", descendants: 1204 })).toBe("Folder moved (1,204 items)");
    expect(eventLabel({ kind: "folder_deleted", descendants: 1 })).toBe("Folder deleted (1 item)");
    expect(eventLabel({ kind: "folder_added", descendants: 0 })).toBe("Folder added");
    expect(eventLabel({ kind: "file_moved", descendants: 3 })).toBe("File moved");
    expect(itemsNote({ kind: "folder_moved", descendants: 2 })).toBe("(2 items)");
    expect(itemsNote({ kind: "file_moved", descendants: 2 })).toBe("");
  });
});

describe("relativePath", () => {
  const root = "/home/ann/Dropbox/2024";

  it("strips the watched folder and the separator after it", () => {
    expect(relativePath(`${root}/2416 - Whop Keynote/a.pdf`, root)).toBe("2416 - Whop Keynote/a.pdf");
  });

  it("ignores a trailing separator on the folder", () => {
    expect(relativePath(`${root}/x.pdf`, `${root}/`)).toBe("x.pdf");
  });

  it("does not strip a sibling folder that shares a prefix", () => {
    expect(relativePath("/home/ann/Dropbox/20245/x.pdf", root)).toBe("/home/ann/Dropbox/20245/x.pdf");
  });

  it("leaves paths outside the folder, or with no folder, unchanged", () => {
    expect(relativePath("/elsewhere/x.pdf", root)).toBe("/elsewhere/x.pdf");
    expect(relativePath("/a/b.pdf", null)).toBe("/a/b.pdf");
  });

  it("handles Windows separators", () => {
    expect(relativePath("C:\\Box\\2416 - Whop\\x.pdf", "C:\\Box")).toBe("2416 - Whop\\x.pdf");
    expect(relativePath("C:\\Box\\x.pdf", "C:\\Box\\")).toBe("x.pdf");
  });

  it("gives an empty string for the folder itself and handles the root folder", () => {
    expect(relativePath(root, root)).toBe("");
    expect(relativePath("/x/y.pdf", "/")).toBe("x/y.pdf");
  });
});

describe("splitPath", () => {
  it("splits into the folder part and the last name, losing nothing", () => {
    expect(splitPath("2416 - Whop/1. Purchase Orders/x.pdf")).toEqual(["2416 - Whop/1. Purchase Orders/", "x.pdf"]);
    expect(splitPath("x.pdf")).toEqual(["", "x.pdf"]);
    expect(splitPath("/x.pdf")).toEqual(["/", "x.pdf"]);
    expect(splitPath("C:\\Box\\x.pdf")).toEqual(["C:\\Box\\", "x.pdf"]);
    expect(splitPath("a/b/")).toEqual(["a/", "b/"]);
    for (const p of ["a/b/c.pdf", "a/b/", "", "/"]) expect(splitPath(p).join("")).toBe(p);
  });
});

describe("counts", () => {
  it("groups thousands", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
  });

  it("shows the plain count when unfiltered", () => {
    expect(countText(1234, 1234, false)).toBe("1,234 events");
    expect(countText(1, 1, false)).toBe("1 event");
    expect(countText(0, null, false)).toBe("0 events");
  });

  it("shows part of the whole when filtered", () => {
    expect(countText(56, 1234, true)).toBe("56 of 1,234 events");
    expect(countText(0, 1, true)).toBe("0 of 1 event");
  });

  it("falls back to the plain count when the overall total is unknown", () => {
    expect(countText(56, null, true)).toBe("56 events");
  });
});

describe("misc labels", () => {
  it("labels states, vendor types and projects", () => {
    expect(stateLabel("watching")).toBe("Watching");
    expect(stateLabel("scanning")).toBe("Scanning");
    expect(vendorTypeTitle("cc")).toBe("Credit-card PO");
    expect(vendorTypeTitle(null)).toBe("");
    expect(projectLabel("2416", "Whop Keynote")).toBe("2416 – Whop Keynote");
    expect(projectLabel("2416", null)).toBe("2416");
  });
});

describe("oldPathShown", () => {
  it("shows only the old name for a rename in place", () => {
    expect(oldPathShown("/P/2416_23_01 Jane Smith Invoice.pdf", "/P/2416_23_02 Jane Smith Invoice.pdf")).toBe(
      "2416_23_01 Jane Smith Invoice.pdf",
    );
  });
  it("shows the old folder for a move that keeps the name", () => {
    expect(oldPathShown("/A/x.pdf", "/B/x.pdf")).toBe("/A/");
    expect(oldPathShown("2416 - W/1. POs/2416_24 Acme", "2417 - G/1. POs/2416_24 Acme")).toBe("2416 - W/1. POs/");
  });
  it("shows the whole old path for a move with a new name", () => {
    expect(oldPathShown("/A/x.pdf", "/B/y.pdf")).toBe("/A/x.pdf");
    expect(oldPathShown("x.pdf", "B/x.pdf")).toBe("x.pdf");
  });
});
