// Pure formatting helpers for the dashboard: times, event kinds, paths, counts.

import type { EventKind, EventRow, SourceState } from "./ipc";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local time as "Nov 29 16:24:05". */
export function formatTime(atMs: number): string {
  const d = new Date(atMs);
  if (Number.isNaN(d.getTime())) return "";
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Full local date and time with the year, for a tooltip: "2024-11-29 16:24:05.123". */
export function formatTimeFull(atMs: number): string {
  const d = new Date(atMs);
  if (Number.isNaN(d.getTime())) return "";
  const ms = String(d.getMilliseconds()).padStart(3, "0");
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms}`;
}

/** Every kind, in the order menus list them. */
export const ALL_KINDS: readonly EventKind[] = [
  "file_added",
  "file_modified",
  "file_renamed",
  "file_moved",
  "file_deleted",
  "folder_added",
  "folder_renamed",
  "folder_moved",
  "folder_deleted",
];

const KIND_LABELS: Record<EventKind, string> = {
  file_added: "File added",
  file_deleted: "File deleted",
  file_renamed: "File renamed",
  file_moved: "File moved",
  file_modified: "File modified",
  folder_added: "Folder added",
  folder_deleted: "Folder deleted",
  folder_renamed: "Folder renamed",
  folder_moved: "Folder moved",
};

/** A readable label for a kind; an unknown kind (newer core) is shown as written. */
export function kindLabel(kind: EventKind | string): string {
  if (Object.prototype.hasOwnProperty.call(KIND_LABELS, kind)) return KIND_LABELS[kind as EventKind];
  const words = String(kind).replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Colour family of a kind: added green, deleted red, renamed/moved blue, modified grey. */
export type KindTone = "added" | "deleted" | "moved" | "modified";

export function kindTone(kind: EventKind | string): KindTone {
  if (kind.endsWith("_added")) return "added";
  if (kind.endsWith("_deleted")) return "deleted";
  if (kind.endsWith("_renamed") || kind.endsWith("_moved")) return "moved";
  return "modified";
}

export function isFolderKind(kind: EventKind | string): boolean {
  return kind.startsWith("folder_");
}

export function isRenameOrMove(kind: EventKind | string): boolean {
  return kind.endsWith("_renamed") || kind.endsWith("_moved");
}

const NUMBER = new Intl.NumberFormat("en-US");

/** 1234 -> "1,234". */
export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/** "(1,204 items)" for folder events that carried descendants, else "". */
export function itemsNote(row: Pick<EventRow, "kind" | "descendants">): string {
  if (!isFolderKind(row.kind) || !(row.descendants > 0)) return "";
  const n = row.descendants;
  return `(${formatCount(n)} ${n === 1 ? "item" : "items"})`;
}

/** "File added"; "Folder moved (1,204 items)" for folder events that carried descendants. */
export function eventLabel(row: Pick<EventRow, "kind" | "descendants">): string {
  const note = itemsNote(row);
  return note ? `${kindLabel(row.kind)} ${note}` : kindLabel(row.kind);
}

function isSep(c: string | undefined): boolean {
  return c === "/" || c === "\\";
}

/**
 * The part of `path` below the watched `folder`, without a leading separator:
 * ("/home/ann/Box/2416 - Whop/x.pdf", "/home/ann/Box") -> "2416 - Whop/x.pdf".
 * Paths outside the folder (or with no folder) come back unchanged. Separators may be "/" or
 * "\\"; a trailing separator on the folder is ignored; the match stops at a separator, so
 * "/data/Box2/x" is not inside "/data/Box".
 */
export function relativePath(path: string, folder: string | null | undefined): string {
  if (!folder) return path;
  let root = folder;
  while (root.length > 1 && isSep(root[root.length - 1])) root = root.slice(0, -1);
  const norm = (s: string) => s.replace(/\\/g, "/");
  const p = norm(path);
  const r = norm(root);
  if (r === "/") return p.startsWith("/") ? path.slice(1) : path;
  if (p === r) return "";
  if (p.startsWith(r) && p[r.length] === "/") {
    let rest = path.slice(root.length);
    while (isSep(rest[0])) rest = rest.slice(1);
    return rest;
  }
  return path;
}

/**
 * Splits a displayed path into its folder part (with the trailing separator) and its last
 * name, so the table can shorten the folder part and keep the name visible:
 * "2416 - Whop/1. Purchase Orders/x.pdf" -> ["2416 - Whop/1. Purchase Orders/", "x.pdf"].
 */
export function splitPath(path: string): [dir: string, name: string] {
  let end = path.length;
  while (end > 1 && isSep(path[end - 1])) end--;
  const trimmed = path.slice(0, end);
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (cut < 0) return ["", path];
  return [path.slice(0, cut + 1), path.slice(cut + 1)];
}

/** "1,234 events", "1 event", or "56 of 1,234 events" when a filter is applied. */
export function countText(shown: number, overall: number | null, filtered: boolean): string {
  if (filtered && overall !== null) {
    return `${formatCount(shown)} of ${formatCount(overall)} ${overall === 1 ? "event" : "events"}`;
  }
  return `${formatCount(shown)} ${shown === 1 ? "event" : "events"}`;
}

const STATE_LABELS: Record<SourceState, string> = {
  idle: "Idle",
  scanning: "Scanning",
  watching: "Watching",
  error: "Error",
};

export function stateLabel(state: SourceState | string): string {
  return STATE_LABELS[state as SourceState] ?? kindLabel(state);
}

const VENDOR_TYPE_TITLES: Record<string, string> = {
  vendor: "Vendor PO",
  cc: "Credit-card PO",
  pc: "Petty cash",
};

/** Tooltip for the Type column ("vendor", "cc", "pc"). */
export function vendorTypeTitle(t: string | null): string {
  if (!t) return "";
  return VENDOR_TYPE_TITLES[t] ?? t;
}

/** "2416 – Whop Keynote", or the number alone when the name is unknown. */
export function projectLabel(number: string, name: string | null | undefined): string {
  return name ? `${number} – ${name}` : number;
}

/**
 * What the Old path column shows: the part that changed, which the clipped cell would
 * otherwise cut off. For a rename (same folder) the old name; for a move that keeps the name
 * the old folder (with its trailing "/"); for a move with a new name the whole old path.
 */
export function oldPathShown(oldPath: string, newPath: string): string {
  const [oldDir, oldName] = splitPath(oldPath);
  const [newDir, newName] = splitPath(newPath);
  if (oldDir === newDir) return oldName;
  if (oldName === newName && oldDir !== "") return oldDir;
  return oldPath;
}
