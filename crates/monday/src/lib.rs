//! The Monday.com board sync client (issue 6): it mirrors each PO as an item of a company's
//! board and each invoice line or receipt as a subitem, over monday.com's GraphQL API v2.
//! It owns the [`MondayToken`] (printed as `(…)`, never logged) and the blocking [`Client`]
//! (the endpoint is configuration; `Authorization: <token>` without `Bearer`; a pinned
//! `API-Version`; every request one GraphQL document with its values in `variables`;
//! timeouts); the classification of failures into [`MondayError`] (reconnect, wait for a
//! limit, retry server trouble with capped backoff and jitter, the item's own refusal, a
//! bug) and the bounded retries; the board's schema ([`BoardSchema`]: columns and groups,
//! and the subitems board named by the `subtasks` column); the [`ColumnMapping`]
//! (configuration, never constants) and its [`validate`] against the schema; the group rule
//! (the group whose title starts with the project number; monday's `create_group` is not
//! used, so a missing group is the item's error); the encoding of column values per type
//! with domain.md's status labels; and [`BoardSync::sync_po`], the idempotent sync of one PO
//! that finds items by project and PO number and subitems by file number, creates what is
//! missing, changes only what differs and never creates twice, even after a lost answer or
//! a crash. Storing the token, the mapping and the cached ids, and running syncs in the
//! background, belong to the app (boxkeeper-api).

mod client;
mod error;
mod mapping;
mod retry;
mod schema;
mod sync;
mod values;

pub use client::{
    Account, Client, ClientConfig, Complexity, MondayToken, DEFAULT_API_URL, DEFAULT_API_VERSION,
};
pub use error::{classify, Limit, MondayError};
pub use mapping::{
    validate, ColumnMapping, Field, ItemColumns, MappingProblem, ProblemKind, SubitemColumns,
};
pub use retry::{Backoff, RetryPolicy};
pub use schema::{Board, BoardSchema, Column, Group};
pub use sync::{
    BoardSync, Change, KnownIds, LineError, LineSubitem, PoItem, SetupError, SubitemOutcome,
    SyncError, SyncOutcome,
};
pub use values::{FieldKind, LineStatus, Link, PoStatus};
