import { describe, expect, it } from "vitest";
import type { MondayBoard, MondayPoRow, MondayStatus } from "./ipc";
import {
  boardIdFrom,
  boardIdProblem,
  buttonLabel,
  columnsFor,
  DEFAULT_API_URL,
  emptyMapping,
  formFromConfig,
  guessMapping,
  problemsByField,
  stateText,
  stateTone,
  statusSentence,
  toSave,
  unmapped,
} from "./monday";

const field = (key: string, on_subitem: boolean, types: string[], required = true) => ({
  key,
  label: key,
  on_subitem,
  accepted_types: types,
  required,
});

const board: MondayBoard = {
  board_id: "1234567890",
  name: "Purchase Orders",
  columns: [
    { id: "name", title: "Name", kind: "name" },
    { id: "text_project", title: "Project", kind: "text" },
    { id: "text_po", title: "PO Number", kind: "text" },
    { id: "color_status", title: "Status", kind: "status" },
    { id: "link_folder", title: "Dropbox Folder", kind: "link" },
  ],
  subitem_columns: [
    { id: "text_file", title: "File #", kind: "text" },
    { id: "numeric_qty", title: "Qty", kind: "numbers" },
    { id: "color_line", title: "Status", kind: "status" },
  ],
  has_subitems: true,
  groups: [{ id: "g", title: "2416 - Whop Keynote" }],
  fields: [
    field("project", false, ["text", "long_text"]),
    field("po_number", false, ["text", "long_text"]),
    field("status", false, ["status", "color"]),
    field("folder_link", false, ["link"]),
    field("contact_link", false, ["link"], false),
    field("file_number", true, ["text", "long_text"]),
    field("quantity", true, ["numbers"]),
    field("line_status", true, ["status", "color"]),
  ],
};

const row = (over: Partial<MondayPoRow>): MondayPoRow => ({
  project_number: "2416",
  po_number: "07",
  state: "synced",
  synced_ms: null,
  message: null,
  tries: 0,
  item_id: null,
  ...over,
});

describe("the settings form", () => {
  it("starts from the saved settings with an empty token box and the default URL", () => {
    const f = formFromConfig(null);
    expect(f.apiUrl).toBe(DEFAULT_API_URL);
    expect(f.token).toBe("");
    const g = formFromConfig({
      api_url: "http://127.0.0.1:9/v2",
      board_id: "42",
      mapping: { ...emptyMapping(), project: "text_project" },
      enabled: true,
      has_token: true,
      token_warning: null,
      reconnect: null,
    });
    expect(g).toMatchObject({ apiUrl: "http://127.0.0.1:9/v2", boardId: "42", enabled: true, token: "" });
    expect(g.mapping.project).toBe("text_project");
  });

  it("sends a typed token once and keeps the stored one when the box is empty", () => {
    const f = { ...formFromConfig(null), apiUrl: "https://api.monday.com/v2/", boardId: " 42 ", token: " tok " };
    const s = toSave(f);
    expect(s.token).toBe("tok");
    expect(s.config.api_url).toBe("https://api.monday.com/v2");
    expect(s.config.board_id).toBe("42");
    expect(toSave({ ...f, token: "  " }).token).toBeNull();
  });

  it("takes a board's address for its id and checks it", () => {
    expect(boardIdFrom("https://acme.monday.com/boards/1234567890/views/1")).toBe("1234567890");
    expect(boardIdFrom(" 987 ")).toBe("987");
    expect(boardIdProblem("")).toMatch(/board's id/);
    expect(boardIdProblem("12ab")).toMatch(/only digits/);
    expect(boardIdProblem("12")).toBeNull();
  });
});

describe("the mapping", () => {
  it("offers each field the columns of a type it accepts, on its board", () => {
    const qty = board.fields.find((f) => f.key === "quantity")!;
    expect(columnsFor(qty, board).map((c) => c.id)).toEqual(["numeric_qty"]);
    const project = board.fields.find((f) => f.key === "project")!;
    expect(columnsFor(project, board).map((c) => c.id)).toEqual(["text_project", "text_po"]);
    expect(columnsFor(project, null)).toEqual([]);
  });

  it("guesses columns from their titles, each column once, and keeps a person's choice", () => {
    const m = guessMapping(board, { ...emptyMapping(), status: "color_status" });
    expect(m.project).toBe("text_project");
    expect(m.po_number).toBe("text_po");
    expect(m.folder_link).toBe("link_folder");
    expect(m.file_number).toBe("text_file");
    expect(m.quantity).toBe("numeric_qty");
    expect(m.line_status).toBe("color_line");
    // The only link column went to the folder link.
    expect(m.contact_link).toBe("");
    expect(unmapped(board, m)).toEqual([]);
    expect(unmapped(board, emptyMapping()).map((f) => f.key)).toContain("quantity");
  });

  it("groups problems by field, the board's apart", () => {
    const by = problemsByField([
      { field: "quantity", message: "Quantity: wrong type" },
      { field: null, message: "Board: other board" },
      { field: "quantity", message: "Quantity: shared" },
    ]);
    expect(by.get("quantity")).toEqual(["Quantity: wrong type", "Quantity: shared"]);
    expect(by.get("board")).toEqual(["Board: other board"]);
  });
});

describe("a PO's state", () => {
  it("reads as synced with its time, pending, retrying or failed with the reason", () => {
    expect(stateText(row({ synced_ms: new Date(2026, 0, 5, 9, 3, 7).getTime() }))).toBe("Synced Jan 5 09:03:07");
    expect(stateText(row({ state: "pending" }))).toBe("Pending");
    expect(stateText(row({ state: "retrying", message: "monday.com is unavailable" }))).toBe(
      "Retrying: monday.com is unavailable",
    );
    expect(stateText(row({ state: "failed", message: "no group" }))).toBe("Failed: no group");
    expect(stateText(null)).toBe("");
    expect(stateTone(row({ state: "failed" }))).toBe("error");
    expect(stateTone(undefined)).toBe("none");
  });

  it("sums the sync up for the header and the panel", () => {
    const s: MondayStatus = {
      configured: true,
      enabled: true,
      running: false,
      reconnect: null,
      last_error: null,
      last_pass_ms: null,
      rows: [row({}), row({ state: "failed" }), row({ state: "pending" })],
    };
    expect(buttonLabel(s)).toBe("Monday: 1 failed");
    expect(buttonLabel({ ...s, reconnect: "refused" })).toBe("Monday: reconnect");
    expect(buttonLabel({ ...s, enabled: false })).toBe("Monday: off");
    expect(buttonLabel(null)).toBe("Monday.com");
    expect(statusSentence(s)).toBe("Syncing on changes: 1 synced, 1 pending, 1 failed.");
    expect(statusSentence({ ...s, configured: false })).toMatch(/Not set up/);
  });
});
