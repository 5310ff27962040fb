// The event table's columns. `id` is also the cell's data-col attribute, which end-to-end
// tests rely on: keep these ids stable.

export type ColumnId =
  | "time"
  | "kind"
  | "path"
  | "old_path"
  | "project"
  | "po"
  | "vendor"
  | "vendor_type"
  | "document_type"
  | "file_number"
  | "problems";

export type Column = {
  id: ColumnId;
  header: string;
  /** CSS grid track. */
  width: string;
  /** Tooltip on the header. */
  title?: string;
};

export const COLUMNS: readonly Column[] = [
  { id: "time", header: "Time", width: "122px", title: "When the change was seen (local time)" },
  { id: "kind", header: "Event", width: "176px" },
  { id: "path", header: "Path", width: "minmax(180px, 4fr)", title: "Path inside the watched folder" },
  { id: "old_path", header: "Old path", width: "minmax(110px, 2fr)", title: "Where a renamed or moved item was before" },
  { id: "project", header: "Project", width: "72px" },
  { id: "po", header: "PO", width: "44px", title: "Purchase order number" },
  { id: "vendor", header: "Vendor", width: "minmax(96px, 1.3fr)" },
  { id: "vendor_type", header: "Type", width: "84px", title: "vendor, cc (credit card) or pc (petty cash)" },
  { id: "document_type", header: "Document", width: "86px" },
  { id: "file_number", header: "File #", width: "56px" },
  { id: "problems", header: "Problems", width: "minmax(120px, 1.6fr)", title: "Why a name did not parse" },
];

/** The grid-template-columns value shared by the header and every row. */
export function gridTemplate(columns: readonly Column[] = COLUMNS): string {
  return columns.map((c) => c.width).join(" ");
}
