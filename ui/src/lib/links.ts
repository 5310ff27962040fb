// Dropbox share links in the window: whether a link's error is final (the person may retry)
// or a passing one the core will try again by itself.

/** The core marks a failure it will try again with "(will retry)". */
const WILL_RETRY = "(will retry)";

/** True when the link failed for good: Retry is offered. A passing failure, or no error,
 * is not one. */
export function shareLinkFailed(error: string | null | undefined): boolean {
  const e = error?.trim() ?? "";
  return e !== "" && !e.endsWith(WILL_RETRY);
}
