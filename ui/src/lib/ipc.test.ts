import { afterEach, describe, expect, it } from "vitest";
import { api, errorText, hasTauri, NO_TAURI_MESSAGE, onDocumentsChanged, onFeedChanged, pickFolder } from "./ipc";

type Call = { cmd: string; args: unknown };

function installBridge(answer: (cmd: string, args: unknown) => Promise<unknown>): Call[] {
  const calls: Call[] = [];
  (globalThis as unknown as { window: unknown }).window = {
    __TAURI_INTERNALS__: {
      invoke: (cmd: string, args: unknown) => {
        calls.push({ cmd, args });
        return answer(cmd, args);
      },
      transformCallback: () => 1,
    },
  };
  return calls;
}

afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

const filter = { project: "2416", po: null, vendor: null, document_type: null, kind: null };

describe("without the Tauri bridge (plain browser)", () => {
  it("detects the missing bridge", () => {
    expect(hasTauri()).toBe(false);
  });

  it("answers every command with an error instead of throwing", async () => {
    await expect(api.status()).resolves.toEqual({ status: "error", error: NO_TAURI_MESSAGE });
    await expect(api.eventsPage(filter, 0, 200)).resolves.toEqual({ status: "error", error: NO_TAURI_MESSAGE });
    await expect(pickFolder()).resolves.toEqual({ status: "error", error: NO_TAURI_MESSAGE });
  });

  it("makes listening a no-op", async () => {
    const unlisten = await onFeedChanged(() => {});
    expect(typeof unlisten).toBe("function");
    unlisten();
    const off = await onDocumentsChanged(() => {});
    off();
  });
});

describe("with the Tauri bridge", () => {
  it("invokes snake_case commands with camelCase arguments", async () => {
    const calls = installBridge(async (cmd) =>
      cmd === "events_page" ? { total: 0, rows: [] } : { folder: null },
    );
    expect(hasTauri()).toBe(true);
    await expect(api.eventsPage(filter, 400, 200)).resolves.toEqual({ status: "ok", data: { total: 0, rows: [] } });
    await api.chooseFolder("/data/box");
    await api.reloadRules();
    await api.eventFacets();
    await api.status();
    expect(calls.map((c) => c.cmd)).toEqual(["events_page", "choose_folder", "reload_rules", "event_facets", "status"]);
    expect(calls[0]!.args).toEqual({ filter, offset: 400, limit: 200 });
    expect(calls[1]!.args).toEqual({ path: "/data/box" });
  });

  it("sends the Dropbox commands with the core's argument names", async () => {
    const start = { authorize_url: "http://e/oauth2/authorize?x", waits_for_redirect: true };
    const calls = installBridge(async (cmd) => (cmd === "dropbox_connect" ? start : null));
    const config = {
      app_key: "k",
      redirect_port: 53682,
      team_space: false,
      folder: "/2024",
      api_base: null,
      content_base: null,
      notify_base: null,
      authorize_base: null,
    };
    await expect(api.dropboxConnect(config)).resolves.toEqual({ status: "ok", data: start });
    await expect(api.dropboxPasteCode("abc")).resolves.toEqual({ status: "ok", data: null });
    await api.dropboxFollow();
    await api.dropboxDisconnect();
    await api.dropboxCancelConnect();
    expect(calls.map((c) => c.cmd)).toEqual([
      "dropbox_connect",
      "dropbox_paste_code",
      "dropbox_follow",
      "dropbox_disconnect",
      "dropbox_cancel_connect",
    ]);
    expect(calls[0]!.args).toEqual({ config });
    expect(calls[1]!.args).toEqual({ code: "abc" });
  });

  it("sends the document commands with the core's argument names", async () => {
    const calls = installBridge(async (cmd) => {
      if (cmd === "documents_page") return { total: 0, rows: [] };
      if (cmd === "reextract") return 2;
      return null;
    });
    const query = { status: "failed" as const, text: "whop" };
    await expect(api.documentsPage(query, 200, 200)).resolves.toEqual({ status: "ok", data: { total: 0, rows: [] } });
    await expect(api.document(7)).resolves.toEqual({ status: "ok", data: null });
    await expect(api.reextract([7, 8])).resolves.toEqual({ status: "ok", data: 2 });
    await api.correctField(7, "total", "999.99");
    await api.revertField(7, "total");
    expect(calls.map((c) => c.cmd)).toEqual(["documents_page", "document", "reextract", "correct_field", "revert_field"]);
    expect(calls.map((c) => c.args)).toEqual([
      { query, offset: 200, limit: 200 },
      { id: 7 },
      { ids: [7, 8] },
      { id: 7, name: "total", value: "999.99" },
      { id: 7, name: "total" },
    ]);
  });

  it("sends the LLM commands with the core's argument names (a null key keeps the stored one)", async () => {
    const saved = { base_url: "http://127.0.0.1:11434/v1", model: "llama3.2", mode: "json" as const, has_key: false, key_warning: null };
    const calls = installBridge(async () => saved);
    await expect(api.llmConfig()).resolves.toEqual({ status: "ok", data: saved });
    await api.saveLlmConfig(saved, null);
    await api.saveLlmConfig(saved, "");
    expect(calls.map((c) => c.cmd)).toEqual(["llm_config", "save_llm_config", "save_llm_config"]);
    expect(calls.map((c) => c.args)).toEqual([{}, { config: saved, key: null }, { config: saved, key: "" }]);
  });

  it("passes the core's error string through", async () => {
    installBridge(() => Promise.reject("rules file: line 3: bad regex"));
    await expect(api.reloadRules()).resolves.toEqual({ status: "error", error: "rules file: line 3: bad regex" });
  });

  it("folds a thrown JS Error into an error result", async () => {
    installBridge(() => Promise.reject(new TypeError("IPC went away")));
    await expect(api.status()).resolves.toEqual({ status: "error", error: "IPC went away" });
  });

  it("opens the folder picker as a directory dialog", async () => {
    const calls = installBridge(async () => "/data/box");
    await expect(pickFolder()).resolves.toEqual({ status: "ok", data: "/data/box" });
    expect(calls[0]!.cmd).toBe("plugin:dialog|open");
    expect((calls[0]!.args as { options: { directory: boolean } }).options.directory).toBe(true);
  });

  it("maps a cancelled picker to null", async () => {
    installBridge(async () => null);
    await expect(pickFolder()).resolves.toEqual({ status: "ok", data: null });
  });
});

describe("errorText", () => {
  it("reads strings, errors and objects", () => {
    expect(errorText("x")).toBe("x");
    expect(errorText(new Error("y"))).toBe("y");
    expect(errorText({ message: "z" })).toBe("z");
    expect(errorText({ code: 1 })).toBe('{"code":1}');
  });
});
