import { describe, expect, it } from "vitest";
import {
  baseUrlHint,
  buttonLabel,
  buttonTitle,
  emptyForm,
  errorField,
  formFromConfig,
  isDirty,
  isLocal,
  isOn,
  keyHint,
  modeHelp,
  modelHint,
  MODES,
  offConfig,
  sentence,
  serverKind,
  toSave,
} from "./llm";
import type { LlmConfig } from "./ipc";

const SAVED: LlmConfig = {
  base_url: "https://api.openai.com/v1",
  model: "gpt-4o-mini",
  mode: "structured",
  has_key: true,
  key_warning: null,
};

const OFF: LlmConfig = { base_url: "", model: "", mode: "structured", has_key: false, key_warning: null };

describe("the header button", () => {
  it("says off, the model, or nothing before the settings are known", () => {
    expect(buttonLabel(null)).toBe("LLM");
    expect(buttonLabel(OFF)).toBe("LLM: off");
    expect(buttonLabel(SAVED)).toBe("LLM: gpt-4o-mini");
    // A model without a server (turned off, model kept) is off.
    expect(buttonLabel({ base_url: "", model: "gpt-4o-mini" })).toBe("LLM: off");
    expect(isOn({ base_url: "  ", model: "x" })).toBe(false);
  });

  it("shortens a long model name and gives the whole one in the tooltip", () => {
    const long = { base_url: "http://127.0.0.1:8080/v1", model: "meta-llama/Llama-3.1-8B-Instruct-Q4_K_M" };
    const label = buttonLabel(long);
    expect(label.startsWith("LLM: meta-llama/")).toBe(true);
    expect(label.endsWith("…")).toBe(true);
    expect(label.length).toBe("LLM: ".length + 24);
    expect(buttonTitle(long)).toBe("LLM settings: meta-llama/Llama-3.1-8B-Instruct-Q4_K_M at http://127.0.0.1:8080/v1");
    expect(buttonTitle(OFF)).toContain("offline only");
  });
});

describe("the form", () => {
  it("starts from the saved settings with the key box empty", () => {
    expect(formFromConfig(SAVED)).toEqual({ baseUrl: SAVED.base_url, model: "gpt-4o-mini", mode: "structured", key: "" });
    expect(formFromConfig(null)).toEqual(emptyForm());
    expect(formFromConfig({ ...SAVED, mode: "json" }).mode).toBe("json");
  });

  it("saves trimmed values, without trailing slashes", () => {
    const { config, key } = toSave({ baseUrl: " http://127.0.0.1:11434/v1/ ", model: " llama3.2 ", mode: "json", key: "" });
    expect(config.base_url).toBe("http://127.0.0.1:11434/v1");
    expect(config.model).toBe("llama3.2");
    expect(config.mode).toBe("json");
    expect(key).toBeNull();
  });

  it("keeps the stored key for a blank box (an empty string would remove it)", () => {
    expect(toSave({ ...formFromConfig(SAVED), key: "   " }).key).toBeNull();
    expect(toSave({ ...formFromConfig(SAVED), key: " sk-abc \n" }).key).toBe("sk-abc");
  });

  it("turns off by saving no base URL, keeping model and mode", () => {
    expect(offConfig({ ...SAVED, mode: "json" })).toEqual({
      base_url: "",
      model: "gpt-4o-mini",
      mode: "json",
      has_key: false,
      key_warning: null,
    });
    expect(offConfig(null).base_url).toBe("");
  });

  it("knows when there is something to save", () => {
    const f = formFromConfig(SAVED);
    expect(isDirty(f, SAVED)).toBe(false);
    expect(isDirty({ ...f, baseUrl: "https://api.openai.com/v1/" }, SAVED)).toBe(false);
    expect(isDirty({ ...f, model: "gpt-4o" }, SAVED)).toBe(true);
    expect(isDirty({ ...f, mode: "json" }, SAVED)).toBe(true);
    expect(isDirty({ ...f, key: "sk-new" }, SAVED)).toBe(true);
    expect(isDirty(emptyForm(), null)).toBe(false);
  });

  it("explains each mode in one line", () => {
    expect(MODES.map((m) => m.value)).toEqual(["structured", "json"]);
    expect(modeHelp("structured")).toContain("JSON Schema");
    expect(modeHelp("json")).toContain("checks it against the schema");
    for (const m of MODES) expect(m.help).not.toContain("\n");
  });
});

describe("hints", () => {
  it("recognises the usual servers", () => {
    expect(serverKind("https://api.openai.com/v1")).toBe("openai");
    expect(serverKind("https://my-res.openai.azure.com/openai/v1")).toBe("azure");
    expect(serverKind("http://127.0.0.1:11434/v1")).toBe("ollama");
    expect(serverKind("http://localhost:8080/v1")).toBe("llama.cpp");
    expect(serverKind("http://127.0.0.1:5000/v1")).toBe("local");
    expect(serverKind("https://llm.example.com/v1")).toBe("other");
    expect(serverKind("api.openai.com/v1")).toBeNull();
    expect(isLocal("http://[::1]:8080/v1")).toBe(true);
    expect(isLocal("https://api.openai.com/v1")).toBe(false);
  });

  it("says what the core will refuse in the base URL", () => {
    expect(baseUrlHint("api.openai.com/v1")).toEqual({
      tone: "error",
      text: "Start with http:// or https://, e.g. https://api.openai.com/v1.",
    });
    expect(baseUrlHint("ftp://x/v1").tone).toBe("error");
    expect(baseUrlHint("http://").tone).toBe("error");
  });

  it("warns about what the core accepts but is likely wrong", () => {
    expect(baseUrlHint("https://api.openai.com/v1/chat/completions").text).toContain("without /chat/completions");
    expect(baseUrlHint("https://api.openai.com/v1?x=1").tone).toBe("warn");
    expect(baseUrlHint("http://10.0.0.5:11434/v1").text).toContain("unencrypted");
    expect(baseUrlHint("http://127.0.0.1:11434").text).toContain("ends in /v1");
    expect(baseUrlHint("https://u:p@api.openai.com/v1").tone).toBe("warn");
  });

  it("names the server of a good address, and says empty means off", () => {
    expect(baseUrlHint("https://api.openai.com/v1")).toEqual({ tone: "info", text: "Looks like OpenAI." });
    expect(baseUrlHint("http://127.0.0.1:11434/v1/").text).toBe("Looks like Ollama.");
    expect(baseUrlHint("http://127.0.0.1:8080/v1").text).toContain("llama.cpp");
    expect(baseUrlHint("https://my-res.openai.azure.com/openai/v1").text).toBe("Looks like Azure OpenAI.");
    expect(baseUrlHint("https://llm.example.com/v1").text).toBe("An OpenAI-compatible server.");
    expect(baseUrlHint("  ")).toEqual({ tone: "info", text: "Empty: the LLM is off and documents are read offline only." });
  });

  it("asks for a model once there is a server, with an example that fits it", () => {
    expect(modelHint("https://api.openai.com/v1", "").tone).toBe("error");
    expect(modelHint("https://api.openai.com/v1", "").text).toContain("gpt-4o-mini");
    expect(modelHint("http://127.0.0.1:11434/v1", "").text).toContain("ollama list");
    expect(modelHint("", "").tone).toBe("info");
    expect(modelHint("https://api.openai.com/v1", "gpt 4o").tone).toBe("warn");
    expect(modelHint("https://api.openai.com/v1", "gpt-4o-mini").tone).toBe("info");
  });

  it("says what happens to the key", () => {
    expect(keyHint(SAVED.base_url, "", true).text).toBe("Leave empty to keep the stored key.");
    expect(keyHint(SAVED.base_url, "sk-new", true).text).toBe("Saving replaces the stored key.");
    expect(keyHint(SAVED.base_url, "sk-a b", false).tone).toBe("warn");
    expect(keyHint(SAVED.base_url, "", false)).toEqual({ tone: "warn", text: "OpenAI needs an API key (sk-…)." });
    expect(keyHint("http://127.0.0.1:11434/v1", "", false).text).toContain("needs no key");
    expect(keyHint("https://llm.example.com/v1", "", false).text).toBe("Only if the server asks for one.");
  });
});

describe("messages from the core", () => {
  it("go under the field they are about", () => {
    expect(
      errorField('the LLM base URL must start with http:// or https:// (e.g. https://api.openai.com/v1), not "x"'),
    ).toBe("baseUrl");
    expect(errorField("name the model to use (e.g. gpt-4o-mini)")).toBe("model");
    expect(errorField("No system keyring is available")).toBe("key");
    expect(errorField("database is locked")).toBeNull();
  });

  it("read as sentences", () => {
    expect(sentence(" name the model to use ")).toBe("Name the model to use");
    expect(sentence("")).toBe("");
  });
});
