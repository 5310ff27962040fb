// Keyboard-first review: the keymap (which the help overlay lists) and a pure dispatcher from
// a key press to an action. The view owns what an action does; this module only decides which
// action a press means, and that a press while typing in a field is left to the field unless
// it is one of the few keys that finish or save an edit.

export type Action =
  | "next_document"
  | "previous_document"
  | "approve"
  | "reject"
  | "back_to_review"
  | "next_attention"
  | "edit"
  | "cancel"
  | "save"
  | "undo"
  | "toggle_help"
  | "focus_search"
  | "zoom_in"
  | "zoom_out"
  | "zoom_reset";

/** Where a key works: `view` outside text fields, `input` while typing in one, `anywhere`
 * in both. */
export type KeyContext = "view" | "input" | "anywhere";

export type KeyBinding = {
  /** One chord as the help overlay shows it: "j", "ArrowDown", "Ctrl+S", "?". Modifiers are
   * Ctrl, Meta, Alt, Shift, joined with "+"; the key is a KeyboardEvent.key value. */
  keys: string;
  action: Action;
  label: string;
  context: KeyContext;
};

/**
 * Every key, in the order the help overlay lists them. 1..9 are left unbound on purpose: a
 * stray digit typed while the focus is not in a field should not jump anywhere; 0 only
 * resets the zoom, which is harmless.
 * Enter edits the selected field, and while typing in it saves the edit.
 */
export const KEYMAP: readonly KeyBinding[] = [
  { keys: "j", action: "next_document", label: "Next document", context: "view" },
  { keys: "ArrowDown", action: "next_document", label: "Next document", context: "view" },
  { keys: "k", action: "previous_document", label: "Previous document", context: "view" },
  { keys: "ArrowUp", action: "previous_document", label: "Previous document", context: "view" },
  { keys: "a", action: "approve", label: "Approve", context: "view" },
  { keys: "x", action: "reject", label: "Reject", context: "view" },
  { keys: "u", action: "back_to_review", label: "Back to review", context: "view" },
  { keys: "n", action: "next_attention", label: "Next field needing attention", context: "view" },
  { keys: "e", action: "edit", label: "Edit the selected field", context: "view" },
  { keys: "Enter", action: "edit", label: "Edit the selected field", context: "view" },
  { keys: "Enter", action: "save", label: "Save the field being edited", context: "input" },
  { keys: "Ctrl+S", action: "save", label: "Save", context: "anywhere" },
  { keys: "Meta+S", action: "save", label: "Save", context: "anywhere" },
  { keys: "Escape", action: "cancel", label: "Cancel the edit, close the help", context: "anywhere" },
  { keys: "Ctrl+Z", action: "undo", label: "Undo", context: "anywhere" },
  { keys: "Meta+Z", action: "undo", label: "Undo", context: "anywhere" },
  { keys: "+", action: "zoom_in", label: "Zoom in", context: "view" },
  { keys: "=", action: "zoom_in", label: "Zoom in", context: "view" },
  { keys: "-", action: "zoom_out", label: "Zoom out", context: "view" },
  { keys: "0", action: "zoom_reset", label: "Zoom to 100%", context: "view" },
  { keys: "/", action: "focus_search", label: "Search", context: "view" },
  { keys: "?", action: "toggle_help", label: "Show or hide this help", context: "view" },
];

/** The parts of a KeyboardEvent the dispatcher reads, plus whether its target takes text. */
export type KeyPress = {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  targetIsInput: boolean;
  /** An input method is composing (Japanese, Chinese, dead keys): the key is not ours. */
  isComposing?: boolean;
};

type Chord = { key: string; ctrl: boolean; meta: boolean; alt: boolean; shift: boolean };

function parseChord(keys: string): Chord {
  // The key is the last part, so "Ctrl++" would read as "+" with Ctrl; "+" alone is the key.
  const parts = keys === "+" ? ["+"] : keys.split("+");
  const key = parts.pop() || "+";
  const mods = new Set(parts);
  return { key, ctrl: mods.has("Ctrl"), meta: mods.has("Meta"), alt: mods.has("Alt"), shift: mods.has("Shift") };
}

const CHORDS = KEYMAP.map((b) => ({ binding: b, chord: parseChord(b.keys) }));

function isLetter(key: string): boolean {
  return key.length === 1 && key.toLowerCase() !== key.toUpperCase();
}

function matches(chord: Chord, ev: KeyPress): boolean {
  if (chord.ctrl !== ev.ctrlKey || chord.meta !== ev.metaKey || chord.alt !== ev.altKey) return false;
  if (isLetter(chord.key)) {
    // Letters: Shift must be as bound ("A" is not "a": Shift+A stays free), but Caps Lock
    // must not break the keys, and it reports "A" without Shift.
    return chord.shift === ev.shiftKey && ev.key.toLowerCase() === chord.key.toLowerCase();
  }
  if (chord.key.length === 1) {
    // Symbols: Shift is whatever the layout needs to type them ("?" is Shift+/ in the US,
    // not in France), so it is not compared.
    return ev.key === chord.key;
  }
  // Named keys (Enter, Escape, arrows): Shift+Enter is not Enter.
  return chord.shift === ev.shiftKey && ev.key === chord.key;
}

/**
 * The action a key press means, or null to leave it to the browser. While the focus is in a
 * text field only Escape (cancel), Enter (save the edit), Ctrl/Cmd+S and Ctrl/Cmd+Z act;
 * every other key types. A press during input-method composition is never an action.
 */
export function actionFor(ev: KeyPress): Action | null {
  if (ev.isComposing) return null;
  for (const { binding, chord } of CHORDS) {
    const applies = binding.context === "anywhere" || (binding.context === "input") === ev.targetIsInput;
    if (applies && matches(chord, ev)) return binding.action;
  }
  return null;
}

/** Enough of an event target to tell whether keys typed there are text. */
export type KeyTarget = { tagName?: string; type?: string; isContentEditable?: boolean } | null | undefined;

// Inputs that take no typing: keys pressed on them are the view's.
const NON_TEXT_INPUTS = new Set(["button", "checkbox", "radio", "submit", "reset", "range", "color", "file", "image"]);

/** Whether keys pressed on `target` type into it: text inputs, text areas, selects (whose
 * letters pick options) and editable content. */
export function isTextEntry(target: KeyTarget): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NON_TEXT_INPUTS.has((target.type ?? "text").toLowerCase());
  return false;
}

const KEY_NAMES: Record<string, string> = {
  ArrowDown: "↓",
  ArrowUp: "↑",
  Escape: "Esc",
  Enter: "Enter",
};

/** A chord as the help overlay prints it: "j", "Ctrl+S", "↓", "Esc"; on a Mac "⌘S". */
export function chordText(keys: string, mac = false): string {
  const c = parseChord(keys);
  const parts: string[] = [];
  if (c.ctrl) parts.push(mac ? "⌃" : "Ctrl");
  if (c.alt) parts.push(mac ? "⌥" : "Alt");
  if (c.shift) parts.push(mac ? "⇧" : "Shift");
  if (c.meta) parts.push(mac ? "⌘" : "Meta");
  // A letter alone is lower case, as typed ("j"); with a modifier it is written the way
  // menus write it ("Ctrl+S").
  const letter = isLetter(c.key) ? (parts.length > 0 ? c.key.toUpperCase() : c.key.toLowerCase()) : null;
  parts.push(KEY_NAMES[c.key] ?? letter ?? c.key);
  // A Mac writes modifiers as symbols run together ("⌘S"); elsewhere they are joined by "+".
  return parts.join(mac ? "" : "+");
}

export type HelpRow = { label: string; keys: string[]; context: KeyContext };

/**
 * The help overlay's rows: one per action and context, with every chord bound to it, in
 * KEYMAP order. On a Mac the Meta chords are shown (as ⌘) and the Ctrl ones for the same key
 * hidden; elsewhere the other way round.
 */
export function helpRows(mac = false): HelpRow[] {
  const rows: HelpRow[] = [];
  for (const b of KEYMAP) {
    const c = parseChord(b.keys);
    if ((mac && c.ctrl && !c.meta) || (!mac && c.meta && !c.ctrl)) continue;
    const text = chordText(b.keys, mac);
    const row = rows.find((r) => r.label === b.label && r.context === b.context);
    if (row) {
      if (!row.keys.includes(text)) row.keys.push(text);
    } else {
      rows.push({ label: b.label, keys: [text], context: b.context });
    }
  }
  return rows;
}
