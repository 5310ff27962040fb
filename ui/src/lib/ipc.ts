// The one door between the UI and the Rust core. Everything else imports commands, events and
// IPC types from here, never from ../bindings directly, so the generated bindings can be
// swapped without touching the rest of the UI.
//
// Outside the Tauri webview (a plain browser on `vite preview`) there is no IPC bridge:
// every call then resolves to an error result and listeners are no-ops, so the page can
// render an error state instead of crashing. No data is ever faked.

import { open } from "@tauri-apps/plugin-dialog";
import { commands, events } from "../bindings";
import type { EventKind, SourceState } from "../bindings";

export type { EventKind, SourceState };

// The UI's view of the IPC types is derived from the command and event signatures rather than
// imported by name: tauri-specta may export a type in several variants (e.g. `EventRow` as
// `EventRow_Serialize | EventRow_Deserialize`), and what matters here is what a command
// returns (the serialized form) and what it accepts.
type AnyCommand = (...args: never[]) => Promise<{ status: "ok"; data: unknown } | { status: "error"; error: unknown }>;
type OkData<F extends AnyCommand> = Extract<Awaited<ReturnType<F>>, { status: "ok" }>["data"];
type Payload<E extends { listen: (cb: never) => unknown }> = Parameters<Parameters<E["listen"]>[0]>[0] extends {
  payload: infer P;
}
  ? P
  : never;

/** What the header shows. */
export type AppStatus = OkData<typeof commands.status>;
/** One page of events, newest first, with the number of events matching the filter. */
export type EventPage = OkData<typeof commands.eventsPage>;
export type EventRow = EventPage["rows"][number];
export type Facets = OkData<typeof commands.eventFacets>;
export type ProjectFacet = Facets["projects"][number];
/** Which events to show; null means any. */
export type EventFilter = Parameters<typeof commands.eventsPage>[0];
export type FeedChanged = Payload<typeof events.feedChanged>;
export type StatusChanged = Payload<typeof events.statusChanged>;
/** The Dropbox connection and its feed, as the status reports it. */
export type DropboxStatus = AppStatus["dropbox"];
export type DropboxState = DropboxStatus["state"];
/** How to reach Dropbox and what to follow (saved by the core; no secret in it). */
export type DropboxConfig = DropboxStatus["config"];
/** What connecting started: the authorize page, and whether the app finishes by itself. */
export type ConnectStart = OkData<typeof commands.dropboxConnect>;

/** Which documents the list shows (null = any): extraction status, review state, flagged,
 * project, PO, full-text words; and their order. */
export type DocumentQuery = Parameters<typeof commands.documentsPage>[0];
/** One page of documents (most recently changed first) and how many match the query. */
export type DocumentPage = OkData<typeof commands.documentsPage>;
export type DocumentRow = DocumentPage["rows"][number];
export type DocumentStatus = DocumentRow["status"];
/** How many documents of the followed source are in each state. */
export type DocumentCounts = AppStatus["documents"];
/** One document: its fields, line items, problems and the history of every change. */
export type DocumentDetail = NonNullable<OkData<typeof commands.document>>;
export type FieldRow = DocumentDetail["fields"][number];
export type LineRow = DocumentDetail["lines"][number];
export type FieldChange = DocumentDetail["history"][number];
/** Something the core flagged on a document, with its reason (and whether a person
 * dismissed it, with their note). */
export type FlagRow = DocumentDetail["flags"][number];
/** Where a document is in review. */
export type ReviewState = DocumentRow["review"];
/** A line item as a person saves it (set_lines takes the whole list, in order). */
export type LineInput = Parameters<typeof commands.setLines>[1][number];
/** One page of a document rendered for the document view (a PNG data URL). */
export type PageImage = OkData<typeof commands.pageImage>;
/** The optional LLM extractor's settings: server, model, mode; whether a key is stored (the
 * key itself never comes back from the core). Off while `base_url` is empty. */
export type LlmConfig = OkData<typeof commands.llmConfig>;
export type LlmMode = LlmConfig["mode"];
/** A row of the PO view: project, vendor, vendor type and status (each perhaps set by a
 * person), the documents filed under it, and its totals per currency. */
export type PurchaseOrderRow = OkData<typeof commands.purchaseOrders>[number];
/** A person's say over a PO: a null field is left as it is, "" hands it back to the rules. */
export type PoChange = Parameters<typeof commands.changePo>[0];
/** What to export (the list's query, or a selection within it), how, and where ("" asks
 * with the save dialog). */
export type ExportRequest = Parameters<typeof commands.exportCsv>[0];
export type ExportPreset = NonNullable<ExportRequest["preset"]>;
export type ExportShape = NonNullable<ExportRequest["shape"]>;
export type ExportDates = NonNullable<ExportRequest["dates"]>;
/** What an export wrote: documents, rows, documents the preset left out (tax forms, PO logs), documents marked. */
export type ExportResult = NonNullable<OkData<typeof commands.exportCsv>>;
/** What reading a PO log by hand found: rows read, malformed rows by line, and each PO
 * compared with its invoice lines. */
export type PoLogReport = OkData<typeof commands.openPoLog>;
/** One PO against its project's newest PO log (RTP, PO Log Mismatch, Pending, Paid). */
export type PoReconciliation = PoLogReport["reconciliation"][number];

/** A value vendor memory offers on a document (accept or dismiss), never in its values. */
export type Suggestion = DocumentDetail["suggestions"][number];
/** What vendor memory learns: vendor_name, description, account_code. */
export type MemoryField = Suggestion["field"];
/** One remembered value, as the settings page lists it. */
export type MemoryEntry = OkData<typeof commands.vendorMemory>[number];
/** Share links made, pending and failed in the followed source. */
export type ShareLinkStatus = OkData<typeof commands.shareLinkStatus>;

/** The Monday.com sync's settings: API URL, board, column mapping, enabled; whether a token
 * is stored (the token itself never comes back), and "reconnect" when it was refused. */
export type MondayConfig = OkData<typeof commands.mondayConfig>;
export type MondayMapping = MondayConfig["mapping"];
/** The board's columns, subitem columns and groups, and the mapping form's fields. */
export type MondayBoard = OkData<typeof commands.mondayBoard>;
export type MondayColumn = MondayBoard["columns"][number];
export type MondayField = MondayBoard["fields"][number];
/** One problem of the mapping (field null: the board itself). */
export type MondayProblem = OkData<typeof commands.validateMondayMapping>[number];
/** The sync as a whole and each PO's state. */
export type MondayStatus = OkData<typeof commands.mondayStatus>;
export type MondayPoRow = MondayStatus["rows"][number];
export type MondaySyncState = MondayPoRow["state"];

/** Same shape as the bindings' command results (declared here so the UI does not depend on
 * whether a given tauri-specta release exports a `Result` type). */
export type Result<T, E = string> = { status: "ok"; data: T } | { status: "error"; error: E };

export type Unlisten = () => void;

export const NO_TAURI_MESSAGE =
  "Not connected to the Boxkeeper core: this page is running outside the desktop app, so there is no IPC bridge (window.__TAURI_INTERNALS__ is missing).";

/** True inside the Tauri webview, where the IPC bridge object is injected before any script. */
export function hasTauri(): boolean {
  return (
    typeof window !== "undefined" &&
    (window as unknown as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ != null
  );
}

/** Turns anything a command may reject with into a readable message. */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message || e.name;
  if (e && typeof e === "object") {
    const m = (e as { message?: unknown }).message;
    if (typeof m === "string") return m;
    try {
      return JSON.stringify(e);
    } catch {
      /* fall through */
    }
  }
  return String(e);
}

async function call<T>(run: () => Promise<Result<T, string>>): Promise<Result<T, string>> {
  if (!hasTauri()) return { status: "error", error: NO_TAURI_MESSAGE };
  try {
    const r = await run();
    if (r.status === "error") return { status: "error", error: errorText(r.error) };
    return r;
  } catch (e) {
    // The generated wrapper rethrows JS `Error`s (IPC failures, bad arguments): fold them in.
    return { status: "error", error: errorText(e) };
  }
}

export const api = {
  eventsPage(filter: EventFilter, offset: number, limit: number): Promise<Result<EventPage>> {
    return call(() => commands.eventsPage(filter, offset, limit));
  },
  eventFacets(): Promise<Result<Facets>> {
    return call(() => commands.eventFacets());
  },
  status(): Promise<Result<AppStatus>> {
    return call(() => commands.status());
  },
  chooseFolder(path: string): Promise<Result<AppStatus>> {
    return call(() => commands.chooseFolder(path));
  },
  reloadRules(): Promise<Result<AppStatus>> {
    return call(() => commands.reloadRules());
  },
  /** Saves the settings, starts OAuth and opens the authorize page in the system browser. */
  dropboxConnect(config: DropboxConfig): Promise<Result<ConnectStart>> {
    return call(() => commands.dropboxConnect(config));
  },
  /** Finishes connecting with the code Dropbox showed (or the whole redirect address). */
  dropboxPasteCode(code: string): Promise<Result<null>> {
    return call(() => commands.dropboxPasteCode(code));
  },
  /** Makes the connected Dropbox the followed source again. */
  dropboxFollow(): Promise<Result<null>> {
    return call(() => commands.dropboxFollow());
  },
  /** Revokes and forgets the connection; recorded events stay. */
  dropboxDisconnect(): Promise<Result<null>> {
    return call(() => commands.dropboxDisconnect());
  },
  dropboxCancelConnect(): Promise<Result<null>> {
    return call(() => commands.dropboxCancelConnect());
  },
  documentsPage(query: DocumentQuery, offset: number, limit: number): Promise<Result<DocumentPage>> {
    return call(() => commands.documentsPage(query, offset, limit));
  },
  /** One document's detail; null when it is not (or no longer) stored. */
  document(id: number): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.document(id));
  },
  /** Queues the documents to be read again; resolves to how many were queued. A person's
   * values stay. */
  reextract(ids: number[]): Promise<Result<number>> {
    return call(() => commands.reextract(ids));
  },
  /** A person's value for a field: no later extraction overwrites it. Returns the document. */
  correctField(id: number, name: string, value: string): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.correctField(id, name, value));
  },
  /** Drops a person's value: the extracted one is in force again. Returns the document. */
  revertField(id: number, name: string): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.revertField(id, name));
  },
  /** Moves documents to a review state; resolves to how many moved. A move the flow does
   * not allow is refused with the core's reason. */
  setReview(ids: number[], state: ReviewState): Promise<Result<number>> {
    return call(() => commands.setReview(ids, state));
  },
  /** A person's line items (all of them, in order): they replace the lines and are kept
   * over re-extraction. Returns the document. */
  setLines(id: number, lines: LineInput[]): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.setLines(id, lines));
  },
  /** Puts back the line items the last extraction read. Returns the document. */
  revertLines(id: number): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.revertLines(id));
  },
  /** Undoes the document's last change by a person (durable); resolves to what was undone
   * ("total", "line items", "review"), or null when there was nothing. */
  undo(id: number): Promise<Result<string | null>> {
    return call(() => commands.undo(id));
  },
  /** Dismisses a flag with a note; a null note restores it. Returns the document. */
  dismissFlag(flag: number, note: string | null): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.dismissFlag(flag, note));
  },
  /** The ids the list's query selects, in its order: the review queue. */
  documentIds(query: DocumentQuery): Promise<Result<number[]>> {
    return call(() => commands.documentIds(query));
  },
  /** Page `page` (0-based) of a document rendered `width` pixels wide. */
  pageImage(id: number, page: number, width: number): Promise<Result<PageImage>> {
    return call(() => commands.pageImage(id, page, width));
  },
  /** The LLM settings (never the key: only whether one is stored, and where). */
  llmConfig(): Promise<Result<LlmConfig>> {
    return call(() => commands.llmConfig());
  },
  /** Saves the LLM settings. `key`: null keeps the stored key, "" removes it, anything else
   * replaces it. An empty base URL turns the LLM off. Resolves to the settings as saved. */
  saveLlmConfig(config: LlmConfig, key: string | null): Promise<Result<LlmConfig>> {
    return call(() => commands.saveLlmConfig(config, key));
  },
  /** Every PO of the followed source, by project then PO. */
  purchaseOrders(): Promise<Result<PurchaseOrderRow[]>> {
    return call(() => commands.purchaseOrders());
  },
  /** Reads a PO log chosen by hand and compares it with the invoices. */
  openPoLog(path: string): Promise<Result<PoLogReport>> {
    return call(() => commands.openPoLog(path));
  },
  /** Sets a PO's status or vendor type by hand, or verifies its tax form; resolves to every
   * PO as they are now. */
  changePo(change: PoChange): Promise<Result<PurchaseOrderRow[]>> {
    return call(() => commands.changePo(change));
  },
  /** Writes the CSV file (atomically). With an empty path the shell asks where; null means
   * the person closed the save dialog. */
  exportCsv(request: ExportRequest): Promise<Result<ExportResult | null>> {
    return call(() => commands.exportCsv(request));
  },
  /** Puts an export's documents back in the review state they had; resolves to how many. */
  undoExport(exportId: number): Promise<Result<number>> {
    return call(() => commands.undoExport(exportId));
  },
  /** Everything vendor memory remembers. */
  vendorMemory(): Promise<Result<MemoryEntry[]>> {
    return call(() => commands.vendorMemory());
  },
  /** A new value for a remembered entry (checked by the core as a correction is); resolves
   * to the memory as it is now. */
  setMemoryValue(id: number, value: string): Promise<Result<MemoryEntry[]>> {
    return call(() => commands.setMemoryValue(id, value));
  },
  /** Forgets a remembered value (its suggestions go with it); resolves to what is left. */
  forgetMemory(id: number): Promise<Result<MemoryEntry[]>> {
    return call(() => commands.forgetMemory(id));
  },
  /** Accepts a document's suggestion from memory as a person's correction. `value` is the
   * suggestion as shown: when memory offers another now, the core refuses ("the suggestion
   * changed; look again") and nothing is done. */
  acceptSuggestion(id: number, field: MemoryField, value: string): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.acceptSuggestion(id, field, value));
  },
  /** Dismisses a document's suggestion from memory (on this document, for good); `value` is
   * checked as for acceptSuggestion. */
  dismissSuggestion(id: number, field: MemoryField, value: string): Promise<Result<DocumentDetail | null>> {
    return call(() => commands.dismissSuggestion(id, field, value));
  },
  /** Share links made, pending and failed. */
  mondayConfig(): Promise<Result<MondayConfig>> {
    return call(() => commands.mondayConfig());
  },
  /** Saves the settings; `token` replaces the stored one when given ("" removes it). */
  saveMondayConfig(config: MondayConfig, token: string | null): Promise<Result<MondayConfig>> {
    return call(() => commands.saveMondayConfig(config, token));
  },
  mondayBoard(boardId: string): Promise<Result<MondayBoard>> {
    return call(() => commands.mondayBoard(boardId));
  },
  validateMondayMapping(boardId: string, mapping: MondayMapping): Promise<Result<MondayProblem[]>> {
    return call(() => commands.validateMondayMapping(boardId, mapping));
  },
  mondayStatus(): Promise<Result<MondayStatus>> {
    return call(() => commands.mondayStatus());
  },
  /** Wakes the sync: progress arrives as monday-changed notices. */
  mondaySyncNow(): Promise<Result<null>> {
    return call(() => commands.mondaySyncNow());
  },
  /** Sends failed POs again: one (project and PO given) or all. */
  retryMonday(project: string | null, po: string | null): Promise<Result<number>> {
    return call(() => commands.retryMonday(project, po));
  },
  shareLinkStatus(): Promise<Result<ShareLinkStatus>> {
    return call(() => commands.shareLinkStatus());
  },
  /** Tries the failed share links again; resolves to how many were queued again. */
  retryShareLinks(): Promise<Result<number>> {
    return call(() => commands.retryShareLinks());
  },
};

async function listenSafely(
  subscribe: () => Promise<() => void>,
): Promise<Unlisten> {
  if (!hasTauri()) return () => {};
  try {
    return await subscribe();
  } catch (e) {
    console.error("event subscription failed:", errorText(e));
    return () => {};
  }
}

/** Subscribes to the core's "new events were recorded" notice. */
export function onFeedChanged(cb: (payload: FeedChanged) => void): Promise<Unlisten> {
  return listenSafely(() => events.feedChanged.listen((e) => cb(e.payload)));
}

/** Subscribes to changes of the watched folder, its state and the rules. */
export function onStatusChanged(cb: (payload: StatusChanged) => void): Promise<Unlisten> {
  return listenSafely(() => events.statusChanged.listen((e) => cb(e.payload)));
}

/** Subscribes to "documents were queued, read, failed or corrected" (no payload; often while
 * the queue runs, so callers throttle what they refetch). */
export function onDocumentsChanged(cb: () => void): Promise<Unlisten> {
  return listenSafely(() => events.documentsChanged.listen(() => cb()));
}

/** The Monday.com sync's settings or a PO's sync state changed. */
export function onMondayChanged(cb: () => void): Promise<Unlisten> {
  return listenSafely(() => events.mondayChanged.listen(() => cb()));
}

/** Opens the native file picker for a PO log (a .txt export); null when cancelled. */
export async function pickPoLog(): Promise<Result<string | null>> {
  if (!hasTauri()) return { status: "error", error: NO_TAURI_MESSAGE };
  try {
    const picked = await open({
      directory: false,
      multiple: false,
      title: "Open a PO log exported by the budgeting software",
      filters: [{ name: "PO log", extensions: ["txt"] }],
    });
    return { status: "ok", data: typeof picked === "string" ? picked : null };
  } catch (e) {
    return { status: "error", error: errorText(e) };
  }
}

/** Opens the native folder picker; resolves to the chosen path, or null when cancelled. */
export async function pickFolder(title = "Choose the folder to watch"): Promise<Result<string | null>> {
  if (!hasTauri()) return { status: "error", error: NO_TAURI_MESSAGE };
  try {
    const picked = await open({ directory: true, multiple: false, title });
    return { status: "ok", data: typeof picked === "string" ? picked : null };
  } catch (e) {
    return { status: "error", error: errorText(e) };
  }
}
