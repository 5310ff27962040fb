// The Monday.com sync's logic for the window: the settings form (the token box is never
// filled: the core never sends a token back), which of the board's columns each field may
// take (by column type), the mapping's problems per field, a first guess of the mapping
// from column titles, and how a PO's sync state reads in the PO view. The core checks
// everything again; this only says early what it will say.

import type {
  MondayBoard,
  MondayColumn,
  MondayConfig,
  MondayField,
  MondayMapping,
  MondayPoRow,
  MondayProblem,
  MondayStatus,
} from "./ipc";
import { formatTime } from "./format";

export const DEFAULT_API_URL = "https://api.monday.com/v2";

/** The group rule, as the panel explains it. */
export const GROUP_RULE =
  'Items go into the group whose title starts with the project number (e.g. "2416 - Whop Keynote"). Add a group for each project to the board.';

export type MondayKey = keyof MondayMapping;

export function emptyMapping(): MondayMapping {
  return {
    project: "",
    po_number: "",
    description: "",
    status: "",
    tax_form_link: "",
    folder_link: "",
    contact_link: "",
    line_status: "",
    file_number: "",
    line_description: "",
    quantity: "",
    rate: "",
    date: "",
    due_date: "",
    account_code: "",
    file_link: "",
  };
}

/** The settings as typed; `token` is what is in the token box now ("" keeps the stored one). */
export type MondayForm = {
  apiUrl: string;
  boardId: string;
  mapping: MondayMapping;
  enabled: boolean;
  token: string;
};

export function formFromConfig(c: MondayConfig | null | undefined): MondayForm {
  return {
    apiUrl: c?.api_url || DEFAULT_API_URL,
    boardId: c?.board_id ?? "",
    mapping: { ...emptyMapping(), ...(c?.mapping ?? {}) },
    enabled: c?.enabled ?? false,
    token: "",
  };
}

/** What Save sends: the settings, and the token (null keeps the stored one). */
export function toSave(f: MondayForm): { config: MondayConfig; token: string | null } {
  const mapping = emptyMapping();
  for (const k of Object.keys(mapping) as MondayKey[]) mapping[k] = (f.mapping[k] ?? "").trim();
  let url = f.apiUrl.trim();
  while (url.endsWith("/")) url = url.slice(0, -1);
  const token = f.token.trim();
  return {
    config: {
      api_url: url,
      board_id: f.boardId.trim(),
      mapping,
      enabled: f.enabled,
      has_token: false,
      token_warning: null,
      reconnect: null,
    },
    token: token === "" ? null : token,
  };
}

/** A board id is the digits after /boards/ in its address; a pasted address is accepted. */
export function boardIdFrom(text: string): string {
  const t = text.trim();
  const m = /\/boards\/(\d+)/.exec(t);
  return m?.[1] ?? t;
}

export function boardIdProblem(text: string): string | null {
  const id = text.trim();
  if (id === "") return "Give the board's id (the digits after /boards/ in its address).";
  if (!/^\d+$/.test(id)) return "A board id is only digits, e.g. 1234567890.";
  return null;
}

/** The columns a field may take: of a type it accepts, on the right board. */
export function columnsFor(field: MondayField, board: MondayBoard | null): MondayColumn[] {
  if (!board) return [];
  const columns = field.on_subitem ? board.subitem_columns : board.columns;
  return columns.filter((c) => field.accepted_types.includes(c.kind));
}

/** Problems by field key; the board's own under "board". */
export function problemsByField(problems: MondayProblem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const key = p.field ?? "board";
    out.set(key, [...(out.get(key) ?? []), p.message]);
  }
  return out;
}

const TITLE_WORDS: Record<MondayKey, string[]> = {
  project: ["project"],
  po_number: ["po number", "po #", "po"],
  description: ["description", "notes"],
  status: ["status", "po status"],
  tax_form_link: ["tax form", "w9", "tax"],
  folder_link: ["folder", "dropbox"],
  contact_link: ["contact"],
  line_status: ["status"],
  file_number: ["file #", "file number", "file no"],
  line_description: ["description"],
  quantity: ["qty", "quantity"],
  rate: ["rate", "unit price", "price"],
  date: ["date"],
  due_date: ["due date", "due"],
  account_code: ["account", "account code"],
  file_link: ["file", "document", "link"],
};

/** Fills the empty fields with the one compatible column whose title names the field; a
 * person checks the guess (each column is taken once). */
export function guessMapping(board: MondayBoard, current: MondayMapping): MondayMapping {
  const next = { ...current };
  const taken = new Set(Object.values(next).filter((v) => v !== ""));
  for (const field of board.fields) {
    const key = field.key as MondayKey;
    if (next[key]) continue;
    const words = TITLE_WORDS[key] ?? [];
    const candidates = columnsFor(field, board).filter((c) => !taken.has(c.id));
    const hit =
      words.map((w) => candidates.find((c) => c.title.trim().toLowerCase() === w)).find(Boolean) ??
      words.map((w) => candidates.find((c) => c.title.toLowerCase().includes(w))).find(Boolean);
    if (hit) {
      next[key] = hit.id;
      taken.add(hit.id);
    }
  }
  return next;
}

/** The fields still without a column (the contact link may stay empty). */
export function unmapped(board: MondayBoard, m: MondayMapping): MondayField[] {
  return board.fields.filter((f) => f.required && !m[f.key as MondayKey]);
}

/** How a PO's sync state reads in the PO view. */
export function stateText(row: MondayPoRow | null | undefined): string {
  if (!row) return "";
  switch (row.state) {
    case "synced":
      return row.synced_ms != null ? `Synced ${formatTime(row.synced_ms)}` : "Synced";
    case "pending":
      return "Pending";
    case "retrying":
      return row.message ? `Retrying: ${row.message}` : "Retrying";
    case "failed":
      return row.message ? `Failed: ${row.message}` : "Failed";
  }
}

export function stateTone(row: MondayPoRow | null | undefined): "ok" | "wait" | "warn" | "error" | "none" {
  if (!row) return "none";
  return ({ synced: "ok", pending: "wait", retrying: "warn", failed: "error" } as const)[row.state];
}

/** The header button: "Monday: off", "Monday: reconnect", "Monday: 3 failed", "Monday". */
export function buttonLabel(s: MondayStatus | null | undefined): string {
  if (!s || !s.configured) return "Monday.com";
  if (s.reconnect) return "Monday: reconnect";
  if (!s.enabled) return "Monday: off";
  const failed = s.rows.filter((r) => r.state === "failed").length;
  if (failed > 0) return `Monday: ${failed} failed`;
  if (s.running) return "Monday: syncing…";
  return "Monday: on";
}

/** The panel's status sentence. */
export function statusSentence(s: MondayStatus | null | undefined): string {
  if (!s) return "Reading the settings…";
  if (s.reconnect) return `Reconnect Monday.com: ${s.reconnect}`;
  if (!s.configured) return "Not set up: save a token and a board.";
  if (!s.enabled) return "Set up, not syncing: enable the sync.";
  const count = (st: MondayPoRow["state"]) => s.rows.filter((r) => r.state === st).length;
  const parts = [`${count("synced")} synced`];
  if (count("pending")) parts.push(`${count("pending")} pending`);
  if (count("retrying")) parts.push(`${count("retrying")} retrying`);
  if (count("failed")) parts.push(`${count("failed")} failed`);
  return `${s.running ? "Syncing" : "Syncing on changes"}: ${parts.join(", ")}.`;
}
