import { describe, expect, it } from "vitest";
import {
  badgeText,
  canFollow,
  connectedAs,
  dropboxRoot,
  emptyForm,
  formatWait,
  formFromConfig,
  hasErrors,
  isFollowing,
  normalizeFolder,
  parsePort,
  redirectUri,
  showBadge,
  stateTone,
  statusSentence,
  toConfig,
  validateForm,
  type DropboxForm,
} from "./dropbox";
import type { DropboxConfig, DropboxState, DropboxStatus } from "./ipc";

const CONFIG: DropboxConfig = {
  app_key: "abc123xyz",
  redirect_port: 53682,
  team_space: false,
  folder: "/2024",
  api_base: null,
  content_base: null,
  notify_base: null,
  authorize_base: null,
};

function status(over: Partial<DropboxStatus> = {}): DropboxStatus {
  return {
    config: CONFIG,
    connected: true,
    account: "Ann Lee <ann@example.com>",
    team_space: false,
    state: "up_to_date",
    entries: 0,
    wait_s: null,
    message: null,
    warning: null,
    authorize_url: null,
    ...over,
  };
}

const ALL_STATES: DropboxState[] = [
  "disconnected",
  "connecting",
  "idle",
  "syncing",
  "listing",
  "up_to_date",
  "waiting",
  "error",
  "reconnect",
];

describe("statusSentence", () => {
  it("says who is connected and that all is recorded", () => {
    expect(statusSentence(status())).toEqual({
      text: "Connected as Ann Lee <ann@example.com> · up to date",
      tone: "ok",
      detail: null,
    });
  });

  it("counts the entries listed so far with thousands separators", () => {
    const s = statusSentence(status({ state: "listing", entries: 12000 }));
    expect(s.text).toBe("Connected as Ann Lee <ann@example.com> · listing 12,000 entries…");
    expect(s.tone).toBe("busy");
    expect(statusSentence(status({ state: "listing", entries: 1 })).text).toMatch(/listing 1 entry…$/);
    expect(statusSentence(status({ state: "listing", entries: 0 })).text).toMatch(/listing the folder…$/);
  });

  it("says how long it waits and why", () => {
    const s = statusSentence(status({ state: "waiting", wait_s: 30, message: "Dropbox asked to slow down" }));
    expect(s.text).toBe("Connected as Ann Lee <ann@example.com> · waiting 30 s: Dropbox asked to slow down");
    expect(s.tone).toBe("warn");
    expect(statusSentence(status({ state: "waiting", wait_s: 300, message: null })).text).toMatch(
      /waiting 5 min: Dropbox asked to wait$/,
    );
  });

  it("shows the error and that it retries", () => {
    const s = statusSentence(status({ state: "error", message: "connection refused" }));
    expect(s.text).toBe("Connected as Ann Lee <ann@example.com> · error: connection refused");
    expect(s.tone).toBe("error");
    expect(s.detail).toMatch(/retries/);
  });

  it("asks to reconnect when Dropbox refused the connection", () => {
    const s = statusSentence(status({ state: "reconnect", message: "invalid_access_token" }));
    expect(s.text).toBe("Dropbox refused the connection: reconnect Dropbox");
    expect(s.tone).toBe("error");
    expect(s.detail).toMatch(/^Nothing recorded is lost/);
  });

  it("describes the quiet states", () => {
    expect(statusSentence(status({ connected: false, account: null, state: "disconnected" })).text).toBe(
      "Not connected to Dropbox.",
    );
    expect(statusSentence(status({ state: "connecting", connected: false })).text).toMatch(/^Connecting/);
    expect(statusSentence(status({ state: "idle" })).text).toBe(
      "Connected as Ann Lee <ann@example.com> · not followed: the dashboard shows a local folder",
    );
    expect(statusSentence(status({ state: "syncing" })).text).toMatch(/catching up with changes…$/);
  });

  it("passes the core's message on as the second line where it matters", () => {
    const s = statusSentence(
      status({ connected: false, account: null, state: "disconnected", message: "the code was already used" }),
    );
    expect(s.detail).toBe("the code was already used");
    expect(statusSentence(status({ state: "idle", message: "  " })).detail).toBeNull();
  });

  it("marks the team space and copes without an account name", () => {
    expect(connectedAs({ account: "Ann <a@x>", team_space: true })).toBe("Connected as Ann <a@x> (team space)");
    expect(connectedAs({ account: null, team_space: false })).toBe("Connected");
  });

  it("has a sentence, a badge and a tone for every state", () => {
    for (const state of ALL_STATES) {
      expect(statusSentence(status({ state })).text.length).toBeGreaterThan(5);
      expect(badgeText(status({ state })).length).toBeGreaterThan(2);
      expect(["ok", "busy", "warn", "error", "off"]).toContain(stateTone(state));
    }
  });

  it("reads an unknown (newer) state as words", () => {
    const s = statusSentence(status({ state: "paused_by_admin" as DropboxState }));
    expect(s.text).toMatch(/paused by admin$/);
  });
});

describe("badge and following", () => {
  it("keeps the badge short", () => {
    expect(badgeText(status({ state: "listing", entries: 12000 }))).toBe("Listing 12,000…");
    expect(badgeText(status({ state: "waiting", wait_s: 30 }))).toBe("Waiting 30 s");
    expect(badgeText(status({ state: "up_to_date" }))).toBe("Up to date");
    expect(badgeText(status({ state: "reconnect" }))).toBe("Reconnect");
  });

  it("shows the badge once connected or connecting", () => {
    expect(showBadge({ connected: false, state: "disconnected" })).toBe(false);
    expect(showBadge({ connected: false, state: "connecting" })).toBe(true);
    expect(showBadge({ connected: true, state: "idle" })).toBe(true);
  });

  it("offers to follow Dropbox only when connected and a folder is followed", () => {
    expect(canFollow({ connected: true, state: "idle" })).toBe(true);
    expect(canFollow({ connected: true, state: "disconnected" })).toBe(true);
    expect(canFollow({ connected: true, state: "up_to_date" })).toBe(false);
    expect(canFollow({ connected: false, state: "idle" })).toBe(false);
    expect(isFollowing({ state: "listing" })).toBe(true);
    expect(isFollowing({ state: "reconnect" })).toBe(true);
    expect(isFollowing({ state: "idle" })).toBe(false);
  });

  it("formats waits", () => {
    expect(formatWait(0)).toBe("0 s");
    expect(formatWait(119)).toBe("119 s");
    expect(formatWait(120)).toBe("2 min");
    expect(formatWait(Number.NaN)).toBe("a moment");
  });

  it("reads the followed Dropbox root from the status's folder label", () => {
    expect(dropboxRoot("Dropbox")).toBe("/");
    expect(dropboxRoot("Dropbox /2024")).toBe("/2024");
    expect(dropboxRoot("/home/ann/Dropbox")).toBeNull();
    expect(dropboxRoot("/home/ann/Dropbox /2024")).toBeNull();
    expect(dropboxRoot(null)).toBeNull();
  });
});

describe("the settings form", () => {
  const good: DropboxForm = { appKey: "abc123xyz", port: "53682", teamSpace: false, folder: "/2024", server: "" };

  it("accepts good settings", () => {
    expect(validateForm(good)).toEqual({});
    expect(hasErrors(validateForm(good))).toBe(false);
  });

  it("requires the app key, without spaces", () => {
    expect(validateForm({ ...good, appKey: "  " }).appKey).toMatch(/App key/);
    expect(validateForm({ ...good, appKey: "abc 123" }).appKey).toMatch(/no spaces/);
    expect(validateForm({ ...good, appKey: " abc123 " }).appKey).toBeUndefined();
  });

  it("takes a port from 1 to 65535, or none", () => {
    for (const ok of ["", " ", "1", "8080", "65535"]) expect(validateForm({ ...good, port: ok }).port).toBeUndefined();
    for (const bad of ["0", "65536", "-1", "80a", "8.5", "1e3", "123456"])
      expect(validateForm({ ...good, port: bad }).port, bad).toMatch(/1 to 65535/);
    expect(parsePort(" 8080 ")).toBe(8080);
    expect(parsePort("")).toBeNull();
    expect(parsePort("x")).toBeUndefined();
  });

  it("normalises the folder", () => {
    expect(normalizeFolder("2024")).toBe("/2024");
    expect(normalizeFolder(" /2024/ ")).toBe("/2024");
    expect(normalizeFolder("/")).toBe("");
    expect(normalizeFolder("")).toBe("");
    expect(normalizeFolder("/2024/Invoices")).toBe("/2024/Invoices");
  });

  it("accepts a folder with or without its leading slash, and refuses odd paths", () => {
    for (const ok of ["", "/", "2024", "/2024", "/2024/", "/Team Folder/2024 - Q1"])
      expect(validateForm({ ...good, folder: ok }).folder, ok).toBeUndefined();
    expect(validateForm({ ...good, folder: "\\2024" }).folder).toMatch(/Separate folder names/);
    expect(validateForm({ ...good, folder: "/2024//x" }).folder).toMatch(/missing/);
    expect(validateForm({ ...good, folder: "/2024/../x" }).folder).toMatch(/"\.\."/);
  });

  it("takes an http(s) server address or none", () => {
    for (const ok of ["", "http://127.0.0.1:8790", "https://proxy.example.com/dropbox/", " http://localhost:1 "])
      expect(validateForm({ ...good, server: ok }).server, ok).toBeUndefined();
    for (const bad of ["127.0.0.1:8790", "ftp://x", "http://", "localhost", "file:///tmp/x"])
      expect(validateForm({ ...good, server: bad }).server, bad).toBeDefined();
    expect(validateForm({ ...good, server: "http://x/?a=1" }).server).toMatch(/"\?"/);
    expect(validateForm({ ...good, server: "http://u:p@x" }).server).toMatch(/password/);
  });

  it("turns the form into the core's settings, one server for every host", () => {
    expect(toConfig({ appKey: " k1 ", port: "", teamSpace: true, folder: "2024", server: "http://127.0.0.1:9/" })).toEqual({
      app_key: "k1",
      redirect_port: null,
      team_space: true,
      folder: "/2024",
      api_base: "http://127.0.0.1:9",
      content_base: "http://127.0.0.1:9",
      notify_base: "http://127.0.0.1:9",
      authorize_base: "http://127.0.0.1:9",
    });
    expect(toConfig(good)).toEqual(CONFIG);
    expect(toConfig({ ...good, appKey: "" })).toBeNull();
  });

  it("shows the saved settings", () => {
    expect(formFromConfig(CONFIG)).toEqual(good);
    expect(formFromConfig({ ...CONFIG, redirect_port: null, api_base: "http://e:1" })).toEqual({
      ...good,
      port: "",
      server: "http://e:1",
    });
    expect(formFromConfig(null)).toEqual(emptyForm());
    // What the form shows is what it saves.
    expect(toConfig(formFromConfig(CONFIG))).toEqual(CONFIG);
  });

  it("names the redirect URI to register", () => {
    expect(redirectUri(" 53682")).toBe("http://127.0.0.1:53682/callback");
  });
});
