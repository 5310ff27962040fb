// The LLM panel's pure logic: the header button's text, the settings form (as typed, and as
// the core's LlmConfig plus the key to send), hints while typing (which server this looks
// like, what is likely wrong), and where a message from the core belongs. The core is the
// one that refuses settings; the hints only say early what it will say, and what it does
// not check (a plain-http remote server, a base ending in /chat/completions).

import type { LlmConfig, LlmMode } from "./ipc";

/** The LLM is asked only when a base URL and a model are saved. */
export function isOn(c: Pick<LlmConfig, "base_url" | "model"> | null | undefined): boolean {
  return !!c && c.base_url.trim() !== "" && c.model.trim() !== "";
}

/** Longest model name the header button shows before it is shortened (full name in title). */
const BUTTON_MODEL_CHARS = 24;

/** The header button: "LLM: off", "LLM: gpt-4o-mini", "LLM" before the settings are known. */
export function buttonLabel(c: Pick<LlmConfig, "base_url" | "model"> | null | undefined): string {
  if (!c) return "LLM";
  if (!isOn(c)) return "LLM: off";
  const model = c.model.trim();
  const short = model.length > BUTTON_MODEL_CHARS ? `${model.slice(0, BUTTON_MODEL_CHARS - 1)}…` : model;
  return `LLM: ${short}`;
}

/** The button's tooltip: the whole model and its server, or why nothing is sent. */
export function buttonTitle(c: Pick<LlmConfig, "base_url" | "model"> | null | undefined): string {
  if (!c) return "LLM settings";
  if (!isOn(c)) return "LLM settings: off, documents are read offline only";
  return `LLM settings: ${c.model.trim()} at ${c.base_url.trim()}`;
}

/** The mode choices, in the order the panel lists them, with their one-line explanation. */
export const MODES: readonly { value: LlmMode; label: string; help: string }[] = [
  {
    value: "structured",
    label: "Structured output",
    help: "The server is given the answer's JSON Schema and follows it (OpenAI, Azure, Ollama, llama.cpp).",
  },
  {
    value: "json",
    label: "JSON mode",
    help: "The server is only asked for JSON; Boxkeeper checks it against the schema (for servers without structured output).",
  },
];

export function modeHelp(mode: LlmMode): string {
  return MODES.find((m) => m.value === mode)?.help ?? "";
}

// ---- The settings form ------------------------------------------------------------------

/** The settings as typed. `key` is what is in the key box now: never filled from the core
 * (it never sends a key back), empty means "keep the stored one". */
export type LlmForm = {
  baseUrl: string;
  model: string;
  mode: LlmMode;
  key: string;
};

export function emptyForm(): LlmForm {
  return { baseUrl: "", model: "", mode: "structured", key: "" };
}

/** The saved settings as the form shows them (the key box always empty). */
export function formFromConfig(c: LlmConfig | null | undefined): LlmForm {
  if (!c) return emptyForm();
  return { baseUrl: c.base_url ?? "", model: c.model ?? "", mode: c.mode === "json" ? "json" : "structured", key: "" };
}

/** What Save sends: the settings, and the key (null keeps the stored one: a blank box must
 * not remove it, which is what an empty string would tell the core). */
export function toSave(f: LlmForm): { config: LlmConfig; key: string | null } {
  let base = f.baseUrl.trim();
  while (base.endsWith("/")) base = base.slice(0, -1);
  const key = f.key.trim();
  return {
    config: { base_url: base, model: f.model.trim(), mode: f.mode, has_key: false, key_warning: null },
    key: key === "" ? null : key,
  };
}

/** What "Turn off" saves: no base URL (the LLM is off), the model and mode kept, the key kept. */
export function offConfig(saved: LlmConfig | null | undefined): LlmConfig {
  return {
    base_url: "",
    model: saved?.model ?? "",
    mode: saved?.mode ?? "structured",
    has_key: false,
    key_warning: null,
  };
}

/** The form differs from the saved settings (a key typed counts as a change). */
export function isDirty(f: LlmForm, saved: LlmConfig | null | undefined): boolean {
  const next = toSave(f);
  const s = formFromConfig(saved);
  return (
    next.key !== null ||
    next.config.base_url !== toSave(s).config.base_url ||
    next.config.model !== s.model.trim() ||
    next.config.mode !== s.mode
  );
}

// ---- Hints --------------------------------------------------------------------------------

/** How much a hint matters: `error` is what the core will refuse, `warn` what it accepts but
 * is likely wrong or unsafe, `info` plain help. */
export type HintTone = "info" | "warn" | "error";
export type Hint = { tone: HintTone; text: string };

export const OPENAI_BASE = "https://api.openai.com/v1";
export const OLLAMA_BASE = "http://127.0.0.1:11434/v1";
export const LLAMA_CPP_BASE = "http://127.0.0.1:8080/v1";

/** Which kind of server an address looks like, for the hint under the field. */
export type ServerKind = "openai" | "azure" | "ollama" | "llama.cpp" | "local" | "other";

function parseHttp(s: string): URL | null {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:" ? u : null;
  } catch {
    return null;
  }
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function serverKind(baseUrl: string): ServerKind | null {
  const u = parseHttp(baseUrl.trim());
  if (!u) return null;
  const host = u.hostname.toLowerCase();
  if (host === "api.openai.com") return "openai";
  if (host.endsWith(".openai.azure.com") || host.endsWith(".services.ai.azure.com")) return "azure";
  if (u.port === "11434") return "ollama";
  if (isLoopback(host) && u.port === "8080") return "llama.cpp";
  if (isLoopback(host)) return "local";
  return "other";
}

/** True when the server is on this machine (no key needed, nothing leaves the computer). */
export function isLocal(baseUrl: string): boolean {
  const u = parseHttp(baseUrl.trim());
  return !!u && isLoopback(u.hostname);
}

const SERVER_NAMES: Record<ServerKind, string> = {
  openai: "OpenAI",
  azure: "Azure OpenAI",
  ollama: "Ollama",
  "llama.cpp": "a llama.cpp server (llama-server)",
  local: "a server on this computer",
  other: "",
};

/** The base URL's hint: what is wrong with it, or which server it looks like. */
export function baseUrlHint(baseUrl: string): Hint {
  const s = baseUrl.trim();
  if (s === "") return { tone: "info", text: "Empty: the LLM is off and documents are read offline only." };
  if (!/^https?:\/\//i.test(s))
    return { tone: "error", text: `Start with http:// or https://, e.g. ${OPENAI_BASE}.` };
  const u = parseHttp(s);
  if (!u || !u.hostname) return { tone: "error", text: "This is not a web address: check for typos and spaces." };
  if (u.search || u.hash || s.includes("?") || s.includes("#"))
    return { tone: "warn", text: 'This is the API base: leave out the "?" and "#" parts.' };
  if (u.username || u.password)
    return { tone: "warn", text: "Leave the user name and password out of the address; an API key goes below." };
  const path = u.pathname.replace(/\/+$/, "");
  if (/\/chat\/completions$/i.test(path))
    return { tone: "warn", text: `Give the base only, without /chat/completions (e.g. ${OPENAI_BASE}).` };
  if (u.protocol === "http:" && !isLoopback(u.hostname))
    return {
      tone: "warn",
      text: "Plain http to another computer: the documents' text and the key cross the network unencrypted.",
    };
  if (!/\/v1$/i.test(path))
    return { tone: "warn", text: "Most servers' API base ends in /v1 (Ollama: http://127.0.0.1:11434/v1)." };
  const kind = serverKind(s);
  const name = kind ? SERVER_NAMES[kind] : "";
  return name
    ? { tone: "info", text: `Looks like ${name}.` }
    : { tone: "info", text: "An OpenAI-compatible server." };
}

/** The model's hint: required once a base URL is given; examples for the known servers. */
export function modelHint(baseUrl: string, model: string): Hint {
  const kind = serverKind(baseUrl);
  const example =
    kind === "ollama"
      ? "e.g. llama3.2 (as `ollama list` shows it)"
      : kind === "llama.cpp" || kind === "local"
        ? "the name the server was started with"
        : kind === "azure"
          ? "the deployment's name"
          : "e.g. gpt-4o-mini";
  if (model.trim() === "") {
    return baseUrl.trim() === ""
      ? { tone: "info", text: `The model to ask, ${example}.` }
      : { tone: "error", text: `Name the model to use, ${example}.` };
  }
  if (/\s/.test(model.trim())) return { tone: "warn", text: "Model names rarely contain spaces: check the spelling." };
  return { tone: "info", text: `The model to ask, ${example}.` };
}

/** The key box's hint, knowing whether a key is stored already. */
export function keyHint(baseUrl: string, key: string, hasKey: boolean): Hint {
  const k = key.trim();
  if (k !== "" && /\s/.test(k)) return { tone: "warn", text: "A key has no spaces: copy it again." };
  if (k !== "")
    return {
      tone: "info",
      text: hasKey ? "Saving replaces the stored key." : "Saved in the system keyring, never in the settings or a log.",
    };
  if (hasKey) return { tone: "info", text: "Leave empty to keep the stored key." };
  if (isLocal(baseUrl)) return { tone: "info", text: "A server on this computer usually needs no key." };
  if (serverKind(baseUrl) === "openai") return { tone: "warn", text: "OpenAI needs an API key (sk-…)." };
  return { tone: "info", text: "Only if the server asks for one." };
}

/** Which field a message from the core is about, so it is shown under that field. */
export type LlmField = "baseUrl" | "model" | "key";

export function errorField(message: string): LlmField | null {
  const m = message.toLowerCase();
  if (m.includes("base url")) return "baseUrl";
  if (m.includes("model")) return "model";
  if (m.includes("key") || m.includes("secret") || m.includes("keyring")) return "key";
  return null;
}

/** The core's messages start in lower case (they are made to be prefixed); shown alone, the
 * first letter is capitalised. */
export function sentence(message: string): string {
  const m = message.trim();
  return m ? m.charAt(0).toUpperCase() + m.slice(1) : m;
}
