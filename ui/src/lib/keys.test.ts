import { describe, expect, it } from "vitest";
import { KEYMAP, actionFor, chordText, helpRows, isTextEntry, type Action, type KeyPress } from "./keys";

function press(key: string, over: Partial<KeyPress> = {}): KeyPress {
  return { key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, targetIsInput: false, ...over };
}

describe("actionFor outside a text field", () => {
  it("maps the review keys", () => {
    const want: [string, Action][] = [
      ["j", "next_document"],
      ["ArrowDown", "next_document"],
      ["k", "previous_document"],
      ["ArrowUp", "previous_document"],
      ["a", "approve"],
      ["x", "reject"],
      ["u", "back_to_review"],
      ["n", "next_attention"],
      ["e", "edit"],
      ["Enter", "edit"],
      ["Escape", "cancel"],
      ["/", "focus_search"],
      ["+", "zoom_in"],
      ["=", "zoom_in"],
      ["-", "zoom_out"],
      ["0", "zoom_reset"],
    ];
    for (const [key, action] of want) expect(actionFor(press(key)), key).toBe(action);
  });

  it("takes ? however the layout types it", () => {
    expect(actionFor(press("?", { shiftKey: true }))).toBe("toggle_help");
    expect(actionFor(press("?"))).toBe("toggle_help");
  });

  it("saves and undoes with Ctrl or Cmd", () => {
    expect(actionFor(press("s", { ctrlKey: true }))).toBe("save");
    expect(actionFor(press("s", { metaKey: true }))).toBe("save");
    expect(actionFor(press("z", { ctrlKey: true }))).toBe("undo");
    expect(actionFor(press("z", { metaKey: true }))).toBe("undo");
  });

  it("keeps working with Caps Lock on", () => {
    expect(actionFor(press("A"))).toBe("approve");
    expect(actionFor(press("J"))).toBe("next_document");
    expect(actionFor(press("S", { ctrlKey: true }))).toBe("save");
  });

  it("leaves keys with other modifiers alone", () => {
    expect(actionFor(press("a", { ctrlKey: true }))).toBeNull(); // select all
    expect(actionFor(press("j", { altKey: true }))).toBeNull();
    expect(actionFor(press("A", { shiftKey: true }))).toBeNull();
    expect(actionFor(press("z", { ctrlKey: true, shiftKey: true }))).toBeNull(); // redo
    expect(actionFor(press("s", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(actionFor(press("s", { ctrlKey: true, metaKey: true }))).toBeNull();
    expect(actionFor(press("Enter", { shiftKey: true }))).toBeNull();
    expect(actionFor(press("ArrowDown", { shiftKey: true }))).toBeNull();
    expect(actionFor(press("s"))).toBeNull();
  });

  it("leaves unbound keys alone, digits 1..9 included", () => {
    for (const key of ["1", "5", "9", "q", "Tab", " ", "ArrowLeft", "F5", "Shift", "Control"]) {
      expect(actionFor(press(key)), key).toBeNull();
    }
  });

  it("ignores presses while an input method composes", () => {
    expect(actionFor(press("Enter", { isComposing: true }))).toBeNull();
    expect(actionFor(press("a", { isComposing: true }))).toBeNull();
  });
});

describe("actionFor while typing in a field", () => {
  const typing = (key: string, over: Partial<KeyPress> = {}) => press(key, { targetIsInput: true, ...over });

  it("lets letters, arrows and symbols type", () => {
    for (const key of ["j", "k", "a", "x", "u", "n", "e", "?", "/", "+", "-", "0", "ArrowDown", "ArrowUp"]) {
      expect(actionFor(typing(key)), key).toBeNull();
    }
  });

  it("acts on Escape, Enter, save and undo only", () => {
    expect(actionFor(typing("Escape"))).toBe("cancel");
    expect(actionFor(typing("Enter"))).toBe("save");
    expect(actionFor(typing("s", { ctrlKey: true }))).toBe("save");
    expect(actionFor(typing("s", { metaKey: true }))).toBe("save");
    expect(actionFor(typing("z", { ctrlKey: true }))).toBe("undo");
    expect(actionFor(typing("a", { ctrlKey: true }))).toBeNull();
    expect(actionFor(typing("c", { ctrlKey: true }))).toBeNull();
  });
});

describe("isTextEntry", () => {
  it("knows what takes typing", () => {
    expect(isTextEntry({ tagName: "INPUT", type: "text" })).toBe(true);
    expect(isTextEntry({ tagName: "input" })).toBe(true);
    expect(isTextEntry({ tagName: "INPUT", type: "search" })).toBe(true);
    expect(isTextEntry({ tagName: "INPUT", type: "number" })).toBe(true);
    expect(isTextEntry({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTextEntry({ tagName: "SELECT" })).toBe(true);
    expect(isTextEntry({ tagName: "DIV", isContentEditable: true })).toBe(true);
  });

  it("knows what does not", () => {
    expect(isTextEntry({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTextEntry({ tagName: "INPUT", type: "Button" })).toBe(false);
    expect(isTextEntry({ tagName: "BUTTON" })).toBe(false);
    expect(isTextEntry({ tagName: "DIV" })).toBe(false);
    expect(isTextEntry(null)).toBe(false);
    expect(isTextEntry(undefined)).toBe(false);
  });
});

describe("the help overlay", () => {
  it("has a label and a valid context for every binding, and no chord bound twice", () => {
    const seen = new Set<string>();
    for (const b of KEYMAP) {
      expect(b.label.length).toBeGreaterThan(0);
      expect(["view", "input", "anywhere"]).toContain(b.context);
      const id = `${b.keys} in ${b.context}`;
      expect(seen.has(id), id).toBe(false);
      seen.add(id);
    }
  });

  it("reaches every binding through actionFor", () => {
    // Each chord, pressed as the browser would report it, gives its own action.
    for (const b of KEYMAP) {
      const parts = b.keys === "+" ? ["+"] : b.keys.split("+");
      const key = parts.pop()!;
      const ev = press(key, {
        ctrlKey: parts.includes("Ctrl"),
        metaKey: parts.includes("Meta"),
        targetIsInput: b.context === "input",
      });
      expect(actionFor(ev), b.keys).toBe(b.action);
    }
  });

  it("prints chords readably", () => {
    expect(chordText("Ctrl+S")).toBe("Ctrl+S");
    expect(chordText("Meta+S", true)).toBe("⌘S");
    expect(chordText("ArrowDown")).toBe("↓");
    expect(chordText("Escape")).toBe("Esc");
    expect(chordText("+")).toBe("+");
    expect(chordText("j")).toBe("j");
    expect(chordText("Ctrl+Z", true)).toBe("⌃Z");
    expect(chordText("j", true)).toBe("j");
  });

  it("groups the chords of each action in keymap order", () => {
    const rows = helpRows();
    expect(rows[0]).toEqual({ label: "Next document", keys: ["j", "↓"], context: "view" });
    expect(rows.find((r) => r.label === "Save")).toEqual({ label: "Save", keys: ["Ctrl+S"], context: "anywhere" });
    expect(rows.find((r) => r.label === "Zoom in")?.keys).toEqual(["+", "="]);
    expect(rows.find((r) => r.label === "Save the field being edited")?.context).toBe("input");
    expect(new Set(rows.map((r) => `${r.label}/${r.context}`)).size).toBe(rows.length);
  });

  it("shows ⌘ instead of Ctrl on a Mac", () => {
    const rows = helpRows(true);
    expect(rows.find((r) => r.label === "Save")?.keys).toEqual(["⌘S"]);
    expect(rows.find((r) => r.label === "Undo")?.keys).toEqual(["⌘Z"]);
  });
});
