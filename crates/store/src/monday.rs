//! The Monday.com sync's memory per PO (issue 6): the board item and subitem ids found or
//! made for it (a shortcut the sync checks against the board), the digest of what was last
//! written (so unchanged POs are not sent again), when, and how the last try failed — the
//! error, its kind, the tries and when to try next. What to sync and how to talk to
//! monday.com belong to `boxkeeper-api` and `boxkeeper-monday`; the configuration is in
//! `settings`.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store, StoreError};

/// Why a PO's last try failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MondayErrorKind {
    /// Passing trouble (network, monday.com busy or limiting): tried again with backoff.
    Retrying,
    /// The PO's own data or the board refused it: tried again when the data changes or a
    /// person asks.
    Item,
    /// The token was refused: nothing is synced until monday.com is connected again.
    Reconnect,
}

impl MondayErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            MondayErrorKind::Retrying => "retrying",
            MondayErrorKind::Item => "item",
            MondayErrorKind::Reconnect => "reconnect",
        }
    }

    fn parse(s: &str) -> Result<MondayErrorKind> {
        Ok(match s {
            "retrying" => MondayErrorKind::Retrying,
            "item" => MondayErrorKind::Item,
            "reconnect" => MondayErrorKind::Reconnect,
            other => {
                return Err(StoreError::Invalid(format!(
                    "unknown Monday.com error kind {other:?}"
                )))
            }
        })
    }
}

/// What the store remembers of one PO's sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MondayPoState {
    pub project_number: String,
    pub po_number: String,
    pub item_id: Option<String>,
    /// JSON: file number -> subitem ids in line order.
    pub subitem_ids: String,
    /// The digest of what was last written to the board.
    pub digest: Option<String>,
    pub synced_ms: Option<i64>,
    pub error: Option<String>,
    pub error_kind: Option<MondayErrorKind>,
    /// The digest of the data whose try failed.
    pub tried_digest: Option<String>,
    pub tries: i64,
    pub next_try_ms: Option<i64>,
}

/// A failed try of one PO.
#[derive(Clone, Debug)]
pub struct MondayFailure<'a> {
    pub error: &'a str,
    pub kind: MondayErrorKind,
    /// The item, when the failure came after it was found or made.
    pub item_id: Option<&'a str>,
    pub tried_digest: &'a str,
    /// When to try again (retrying failures under the limit).
    pub next_try_ms: Option<i64>,
}

impl Store {
    /// Every PO of `source` the sync has tried, by project and PO number.
    pub fn monday_states(&self, source: i64) -> Result<Vec<MondayPoState>> {
        let mut stmt = self.conn.prepare(
            "SELECT project_number, po_number, item_id, subitem_ids, digest, synced_ms, error,
                    error_kind, tried_digest, tries, next_try_ms
             FROM monday_sync WHERE source_id = ?1 ORDER BY project_number, po_number",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok((
                MondayPoState {
                    project_number: r.get(0)?,
                    po_number: r.get(1)?,
                    item_id: r.get(2)?,
                    subitem_ids: r.get(3)?,
                    digest: r.get(4)?,
                    synced_ms: r.get(5)?,
                    error: r.get(6)?,
                    error_kind: None,
                    tried_digest: r.get(8)?,
                    tries: r.get(9)?,
                    next_try_ms: r.get(10)?,
                },
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut state, kind) = row?;
            state.error_kind = kind.as_deref().map(MondayErrorKind::parse).transpose()?;
            out.push(state);
        }
        Ok(out)
    }

    /// Records that the PO is on the board as `item_id` with these subitems and shows the
    /// data of `digest`. `line_errors` (lines the board refused) is kept as the PO's own
    /// error; it goes once the data changes and a try succeeds.
    #[allow(clippy::too_many_arguments)]
    pub fn record_monday_synced(
        &self,
        source: i64,
        project: &str,
        po: &str,
        item_id: &str,
        subitem_ids: &str,
        digest: &str,
        line_errors: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let kind = line_errors.map(|_| MondayErrorKind::Item.as_str());
        self.conn.execute(
            "INSERT INTO monday_sync (source_id, project_number, po_number, item_id, subitem_ids,
                 digest, synced_ms, error, error_kind, tried_digest, tries, next_try_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?6, 0, NULL)
             ON CONFLICT (source_id, project_number, po_number) DO UPDATE SET
                 item_id = excluded.item_id, subitem_ids = excluded.subitem_ids,
                 digest = excluded.digest, synced_ms = excluded.synced_ms,
                 error = excluded.error, error_kind = excluded.error_kind,
                 tried_digest = excluded.tried_digest, tries = 0, next_try_ms = NULL",
            params![
                source,
                project,
                po,
                item_id,
                subitem_ids,
                digest,
                now,
                line_errors,
                kind
            ],
        )?;
        Ok(())
    }

    /// Records a failed try; returns how many tries have failed in a row with this kind of
    /// error (another kind starts again at one, as the worker counts them). The stored ids
    /// and the digest of the last successful sync stay.
    pub fn record_monday_failure(
        &self,
        source: i64,
        project: &str,
        po: &str,
        failure: &MondayFailure,
    ) -> Result<i64> {
        Ok(self
            .conn
            .query_row(
                "INSERT INTO monday_sync (source_id, project_number, po_number, item_id, error,
                     error_kind, tried_digest, tries, next_try_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)
                 ON CONFLICT (source_id, project_number, po_number) DO UPDATE SET
                     item_id = coalesce(excluded.item_id, item_id), error = excluded.error,
                     error_kind = excluded.error_kind, tried_digest = excluded.tried_digest,
                     tries = CASE WHEN error_kind IS excluded.error_kind THEN tries + 1 ELSE 1 END,
                     next_try_ms = excluded.next_try_ms
                 RETURNING tries",
                params![
                    source,
                    project,
                    po,
                    failure.item_id,
                    failure.error,
                    failure.kind.as_str(),
                    failure.tried_digest,
                    failure.next_try_ms
                ],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// A person asks to try failed POs again (one PO, or every failed one of `source`): the
    /// error and the tries are cleared and the PO is sent on the next pass.
    pub fn retry_monday(&self, source: i64, po: Option<(&str, &str)>) -> Result<usize> {
        let (project, number) = po.unzip();
        Ok(self.conn.execute(
            "UPDATE monday_sync SET error = NULL, error_kind = NULL, tried_digest = NULL,
                 tries = 0, next_try_ms = NULL, digest = NULL
             WHERE source_id = ?1 AND error IS NOT NULL
               AND (?2 IS NULL OR (project_number = ?2 AND po_number = ?3))",
            params![source, project, number],
        )?)
    }

    /// Forgets what every PO's sync remembered (another board was chosen): the next pass
    /// finds or makes every item again.
    pub fn forget_monday_sync(&self) -> Result<usize> {
        Ok(self.conn.execute("DELETE FROM monday_sync", [])?)
    }

    /// The earliest time a retrying PO of `source` is due, if one is.
    pub fn next_monday_try(&self, source: i64, max_tries: i64) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT min(next_try_ms) FROM monday_sync
             WHERE source_id = ?1 AND error_kind = 'retrying' AND tries < ?2",
            params![source, max_tries],
            |r| r.get(0),
        )?)
    }

    /// Clears the retry time of every PO of `source` not in `present` (its PO number was
    /// corrected, its documents went): no pass is due for a PO no pass would send, and a
    /// past retry time would otherwise keep waking the worker. Returns how many were cleared.
    pub fn drop_monday_retries_except(
        &self,
        source: i64,
        present: &[(String, String)],
    ) -> Result<usize> {
        let waiting: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT project_number, po_number FROM monday_sync
                 WHERE source_id = ?1 AND next_try_ms IS NOT NULL",
            )?
            .query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut cleared = 0;
        for (project, po) in waiting.iter().filter(|k| !present.contains(k)) {
            cleared += self.conn.execute(
                "UPDATE monday_sync SET next_try_ms = NULL
                 WHERE source_id = ?1 AND project_number = ?2 AND po_number = ?3",
                params![source, project, po],
            )?;
        }
        Ok(cleared)
    }
}
