import { describe, expect, it } from "vitest";
import { shareLinkFailed } from "./links";

describe("share links", () => {
  it("offers a retry only for a failure the core gave up on", () => {
    expect(shareLinkFailed("Dropbox refused a share link: path/not_found")).toBe(true);
    expect(shareLinkFailed("share link from Dropbox: too many requests (will retry)")).toBe(false);
    expect(shareLinkFailed(null)).toBe(false);
    expect(shareLinkFailed("  ")).toBe(false);
  });
});
