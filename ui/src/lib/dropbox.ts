// The Dropbox panel's pure logic: the feed's state as a sentence a bookkeeper understands,
// the header badge, and the settings form (as typed, validated, and turned into the core's
// DropboxConfig).

import type { DropboxConfig, DropboxState, DropboxStatus } from "./ipc";
import { formatCount } from "./format";

/** Colour family of a state: green when all is recorded, blue while working, amber while
 * waiting, red when something needs attention, grey when nothing runs. */
export type Tone = "ok" | "busy" | "warn" | "error" | "off";

export type StatusLine = {
  /** One sentence: "Connected as Ann <ann@x.com> · up to date". */
  text: string;
  tone: Tone;
  /** A second, quieter line (the core's message, what happens next), or null. */
  detail: string | null;
};

type StatusFields = Pick<DropboxStatus, "connected" | "account" | "team_space" | "state" | "entries" | "wait_s" | "message">;

/** States in which the feed runs, i.e. the dashboard follows Dropbox. */
const FOLLOWING: ReadonlySet<DropboxState> = new Set<DropboxState>([
  "syncing",
  "listing",
  "up_to_date",
  "waiting",
  "error",
  "reconnect",
]);

/** True while the dashboard shows Dropbox (the feed runs, or stopped asking to reconnect). */
export function isFollowing(d: Pick<DropboxStatus, "state">): boolean {
  return FOLLOWING.has(d.state);
}

/** True when an account is connected but the dashboard follows a local folder instead. */
export function canFollow(d: Pick<DropboxStatus, "connected" | "state">): boolean {
  return d.connected && (d.state === "idle" || d.state === "disconnected");
}

/** The header badge is shown once there is something to say about Dropbox. */
export function showBadge(d: Pick<DropboxStatus, "connected" | "state">): boolean {
  return d.connected || d.state !== "disconnected";
}

/** 30 -> "30 s", 90 -> "90 s", 300 -> "5 min". */
export function formatWait(seconds: number): string {
  if (!(seconds >= 0)) return "a moment";
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

/** "Connected as Ann Lee <ann@example.com>", with "(team space)" when the team space is
 * followed; "Connected" when the account is unknown. */
export function connectedAs(d: Pick<DropboxStatus, "account" | "team_space">): string {
  const who = d.account?.trim() ? `Connected as ${d.account.trim()}` : "Connected";
  return d.team_space ? `${who} (team space)` : who;
}

function entriesText(n: number): string {
  if (!(n > 0)) return "listing the folder…";
  return `listing ${formatCount(n)} ${n === 1 ? "entry" : "entries"}…`;
}

function clean(message: string | null | undefined): string | null {
  const m = message?.trim();
  return m ? m : null;
}

/** The feed's state as one sentence, with its tone and a second line when there is more. */
export function statusSentence(d: StatusFields): StatusLine {
  const who = connectedAs(d);
  const message = clean(d.message);
  switch (d.state) {
    case "disconnected":
      return { text: "Not connected to Dropbox.", tone: "off", detail: message };
    case "connecting":
      return {
        text: "Connecting: approve Boxkeeper on Dropbox's page in your browser…",
        tone: "busy",
        detail: message,
      };
    case "idle":
      return {
        text: `${who} · not followed: the dashboard shows a local folder`,
        tone: "off",
        detail: message,
      };
    case "syncing":
      return { text: `${who} · catching up with changes…`, tone: "busy", detail: message };
    case "listing":
      return { text: `${who} · ${entriesText(d.entries)}`, tone: "busy", detail: null };
    case "up_to_date":
      return { text: `${who} · up to date`, tone: "ok", detail: message };
    case "waiting":
      return {
        text: `${who} · waiting ${formatWait(d.wait_s ?? Number.NaN)}: ${message ?? "Dropbox asked to wait"}`,
        tone: "warn",
        detail: "Boxkeeper goes on by itself.",
      };
    case "error":
      return {
        text: `${who} · error: ${message ?? "Dropbox could not be reached"}`,
        tone: "error",
        detail: "Boxkeeper retries by itself.",
      };
    case "reconnect":
      return {
        text: "Dropbox refused the connection: reconnect Dropbox",
        tone: "error",
        detail: "Nothing recorded is lost; what changed meanwhile is picked up once you reconnect.",
      };
    default:
      return { text: `${who} · ${String(d.state).replace(/_/g, " ")}`, tone: "off", detail: message };
  }
}

/** The header badge's short text ("Up to date", "Listing 12,000…"). */
export function badgeText(d: Pick<DropboxStatus, "state" | "entries" | "wait_s">): string {
  switch (d.state) {
    case "disconnected":
      return "Not connected";
    case "connecting":
      return "Connecting…";
    case "idle":
      return "Not followed";
    case "syncing":
      return "Syncing…";
    case "listing":
      return d.entries > 0 ? `Listing ${formatCount(d.entries)}…` : "Listing…";
    case "up_to_date":
      return "Up to date";
    case "waiting":
      return d.wait_s != null ? `Waiting ${formatWait(d.wait_s)}` : "Waiting";
    case "error":
      return "Error";
    case "reconnect":
      return "Reconnect";
    default:
      return String(d.state).replace(/_/g, " ");
  }
}

export function stateTone(state: DropboxState): Tone {
  return statusSentence({
    connected: true,
    account: null,
    team_space: false,
    state,
    entries: 0,
    wait_s: null,
    message: null,
  }).tone;
}

// ---- The settings form ------------------------------------------------------------------

/** The settings as typed (strings, as inputs hold them). */
export type DropboxForm = {
  appKey: string;
  port: string;
  teamSpace: boolean;
  folder: string;
  /** One base URL for every Dropbox host (API, content, notify, authorize); "" = Dropbox. */
  server: string;
};

export type FormField = "appKey" | "port" | "folder" | "server";
export type FormErrors = Partial<Record<FormField, string>>;

export function emptyForm(): DropboxForm {
  return { appKey: "", port: "", teamSpace: false, folder: "", server: "" };
}

/** The saved settings as the form shows them. */
export function formFromConfig(c: DropboxConfig | null | undefined): DropboxForm {
  if (!c) return emptyForm();
  return {
    appKey: c.app_key ?? "",
    port: c.redirect_port != null ? String(c.redirect_port) : "",
    teamSpace: !!c.team_space,
    folder: c.folder ?? "",
    server: c.api_base ?? c.authorize_base ?? c.content_base ?? c.notify_base ?? "",
  };
}

/**
 * The folder as the core wants it: "" for everything, else "/a/b" (a leading "/" added,
 * trailing ones dropped): "2024" -> "/2024", "/2024/" -> "/2024", "/" -> "".
 */
export function normalizeFolder(folder: string): string {
  let f = folder.trim();
  while (f.endsWith("/")) f = f.slice(0, -1);
  if (f === "") return "";
  return f.startsWith("/") ? f : `/${f}`;
}

/** `http://127.0.0.1:PORT/callback`: the redirect URI to register in the Dropbox app. */
export function redirectUri(port: string | number): string {
  return `http://127.0.0.1:${String(port).trim()}/callback`;
}

function appKeyError(v: string): string | undefined {
  const k = v.trim();
  if (k === "") return "Enter the App key of your Dropbox app.";
  if (/\s/.test(k)) return "An App key has no spaces: copy it again from the app's settings page.";
  return undefined;
}

/** The port as a number, or null when empty; undefined when it is not a valid port. */
export function parsePort(v: string): number | null | undefined {
  const p = v.trim();
  if (p === "") return null;
  if (!/^\d{1,5}$/.test(p)) return undefined;
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function portError(v: string): string | undefined {
  return parsePort(v) === undefined
    ? "A port is a whole number from 1 to 65535; leave it empty to paste a code instead."
    : undefined;
}

function folderError(v: string): string | undefined {
  const f = normalizeFolder(v);
  if (f === "") return undefined;
  if (f.includes("\\")) return 'Separate folder names with "/", e.g. /2024/Invoices.';
  const parts = f.slice(1).split("/");
  if (parts.some((p) => p === "")) return 'A folder name is missing between two "/".';
  if (parts.some((p) => p.trim() === "." || p.trim() === ".."))
    return 'Give the folder\'s path from the top of Dropbox, without "." or "..".';
  return undefined;
}

function serverError(v: string): string | undefined {
  const s = v.trim();
  if (s === "") return undefined;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return "Enter an address starting with http:// or https://, or leave it empty for Dropbox.";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return "Enter an address starting with http:// or https://, or leave it empty for Dropbox.";
  if (!url.hostname) return "The address needs a host name, e.g. http://127.0.0.1:8790.";
  if (url.search || url.hash || s.includes("?") || s.includes("#"))
    return 'The address is a base: leave out "?" and "#" parts.';
  if (url.username || url.password) return "Leave the user name and password out of the address.";
  return undefined;
}

/** What is wrong with each field, as the user types (an empty object when all is well). */
export function validateForm(f: DropboxForm): FormErrors {
  const errors: FormErrors = {};
  const checks: [FormField, string | undefined][] = [
    ["appKey", appKeyError(f.appKey)],
    ["port", portError(f.port)],
    ["folder", folderError(f.folder)],
    ["server", serverError(f.server)],
  ];
  for (const [field, e] of checks) if (e) errors[field] = e;
  return errors;
}

export function hasErrors(e: FormErrors): boolean {
  return Object.keys(e).length > 0;
}

/** The form as the core's settings, or null while a field is invalid. */
export function toConfig(f: DropboxForm): DropboxConfig | null {
  if (hasErrors(validateForm(f))) return null;
  let server: string | null = f.server.trim();
  while (server.endsWith("/")) server = server.slice(0, -1);
  if (server === "") server = null;
  return {
    app_key: f.appKey.trim(),
    redirect_port: parsePort(f.port) ?? null,
    team_space: f.teamSpace,
    folder: normalizeFolder(f.folder),
    api_base: server,
    content_base: server,
    notify_base: server,
    authorize_base: server,
  };
}

/**
 * What the status's `folder` says is followed, when it is Dropbox: "Dropbox" -> "/",
 * "Dropbox /2024" -> "/2024"; null for a local folder (always an absolute path) or none.
 * The table shows Dropbox paths relative to this root, as it does for a local folder.
 */
export function dropboxRoot(folder: string | null | undefined): string | null {
  if (folder === "Dropbox") return "/";
  if (folder?.startsWith("Dropbox /")) return normalizeFolder(folder.slice("Dropbox ".length)) || "/";
  return null;
}
