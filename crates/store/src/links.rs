//! Dropbox share links for documents and PO folders, made in the background.
//!
//! A document of a Dropbox source gets a `share_link` job in the durable queue (the `jobs`
//! table, beside extraction); its link, or why there is none, is kept on the document. A PO
//! folder has no document row: each is a row of `po_links`, which is its own small queue
//! (state, attempts, not before). Both follow the extraction queue's rules: a claim is one
//! UPDATE, a passing failure waits out the same backoff and is tried again (at most
//! `max_attempts` tries), a refused one fails with the reason, one Dropbox rate-limited goes
//! back to the queue for when its Retry-After ends without using a try, and a claim left
//! running by a process that ended is queued again at start. Local folders have no share links: nothing
//! is queued for them.

use boxkeeper_naming::{PathKind, PathRules};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::documents::retry_delay_ms;
use crate::{Result, Store};

/// A claimed share-link job of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareLinkJob {
    pub job_id: i64,
    pub document_id: i64,
    /// Dropbox's `id:` of the file (what the link is asked for, so a moved file is found).
    pub entry_id: String,
    pub path: String,
    /// Tries before this one.
    pub attempts: i64,
}

/// A claimed PO folder whose link is to be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoLinkJob {
    pub source_id: i64,
    pub project_number: String,
    pub po_number: String,
    pub entry_id: String,
    pub path: String,
    /// Tries before this one.
    pub attempts: i64,
}

/// A PO folder's link as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoFolderLink {
    pub project_number: String,
    pub po_number: String,
    pub path: String,
    pub link: Option<String>,
    /// Why there is no link (with "(will retry)" while another try is due).
    pub error: Option<String>,
}

/// How many share links are made, waiting, or failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkCounts {
    pub linked: u32,
    /// Queued or being made (including those waiting out a retry).
    pub pending: u32,
    pub failed: u32,
}

/// Share links of one source, for a status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShareLinkCounts {
    pub documents: LinkCounts,
    pub folders: LinkCounts,
}

impl Store {
    /// Queues a share link for every document of a Dropbox `source` that has none (nor a
    /// failure), and adds every PO folder of its tree to `po_links` (a renamed folder keeps
    /// its row and link). Idempotent: run it after each ingest. Returns how many links were
    /// queued; 0 for a local folder source.
    pub fn queue_share_links(&mut self, source: i64, rules: &PathRules, now: i64) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kind: Option<String> = tx
            .query_row("SELECT kind FROM sources WHERE id = ?1", [source], |r| {
                r.get(0)
            })
            .optional()?;
        if kind.as_deref() != Some("dropbox") {
            return Ok(0);
        }
        // INSERT OR IGNORE: the unique `jobs_open` index keeps one open job per document.
        let mut queued = tx.execute(
            "INSERT OR IGNORE INTO jobs (kind, document_id, state, created_ms, updated_ms)
             SELECT 'share_link', d.id, 'queued', ?2, ?2 FROM documents d
             WHERE d.source_id = ?1 AND d.deleted_ms IS NULL AND d.share_link IS NULL
               AND d.share_error IS NULL",
            params![source, now],
        )?;
        let folders: Vec<(String, String)> = tx
            .prepare(
                "SELECT entry_id, path FROM entries e WHERE source_id = ?1 AND kind = 'folder'
                 AND NOT EXISTS (SELECT 1 FROM po_links p WHERE p.source_id = e.source_id
                   AND p.entry_id = e.entry_id AND p.path = e.path)",
            )?
            .query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut upsert = tx.prepare(
            "INSERT INTO po_links (source_id, project_number, po_number, entry_id, path, state,
               updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6)
             ON CONFLICT (source_id, project_number, po_number) DO UPDATE SET
               path = excluded.path, updated_ms = excluded.updated_ms,
               -- Another folder now carries this PO: its link is another one.
               entry_id = excluded.entry_id,
               state = CASE WHEN po_links.entry_id IS excluded.entry_id THEN po_links.state
                            ELSE 'queued' END,
               link = CASE WHEN po_links.entry_id IS excluded.entry_id THEN po_links.link END,
               error = CASE WHEN po_links.entry_id IS excluded.entry_id THEN po_links.error END,
               attempts = CASE WHEN po_links.entry_id IS excluded.entry_id
                               THEN po_links.attempts ELSE 0 END
             RETURNING state = 'queued' AND link IS NULL AND attempts = 0",
        )?;
        for (entry_id, path) in folders {
            let Some((project, po)) = po_folder(rules, &path) else {
                continue;
            };
            // Two folders naming the same PO: the one that has the row keeps it while it
            // still exists and still names that PO, so the link does not flip between them.
            let holder: Option<String> = tx
                .query_row(
                    "SELECT e.path FROM po_links p JOIN entries e ON e.source_id = p.source_id
                       AND e.entry_id = p.entry_id AND e.kind = 'folder'
                     WHERE p.source_id = ?1 AND p.project_number = ?2 AND p.po_number = ?3
                       AND p.entry_id != ?4",
                    params![source, project, po, entry_id],
                    |r| r.get(0),
                )
                .optional()?;
            if holder
                .is_some_and(|held| po_folder(rules, &held) == Some((project.clone(), po.clone())))
            {
                continue;
            }
            let fresh: bool = upsert
                .query_row(params![source, project, po, entry_id, path, now], |r| {
                    r.get(0)
                })?;
            queued += usize::from(fresh);
        }
        drop(upsert);
        tx.commit()?;
        Ok(queued)
    }

    /// Share links left being made by a process that ended are queued again. Call at start,
    /// before the link worker runs.
    pub fn requeue_interrupted_share_links(&self, now: i64) -> Result<usize> {
        let jobs = self.conn.execute(
            "UPDATE jobs SET state = 'queued', updated_ms = ?1
             WHERE state = 'running' AND kind = 'share_link'",
            [now],
        )?;
        let folders = self.conn.execute(
            "UPDATE po_links SET state = 'queued', updated_ms = ?1 WHERE state = 'running'",
            [now],
        )?;
        Ok(jobs + folders)
    }

    /// Takes the next due share-link job of a document. The claim is one UPDATE.
    pub fn claim_share_link_job(&mut self, now: i64) -> Result<Option<ShareLinkJob>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let claimed: Option<(i64, i64, i64)> = tx
            .query_row(
                "UPDATE jobs SET state = 'running', updated_ms = ?1
                 WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND kind = 'share_link'
                             AND not_before_ms <= ?1 ORDER BY not_before_ms, id LIMIT 1)
                 RETURNING id, document_id, attempts",
                [now],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((job_id, document_id, attempts)) = claimed else {
            return Ok(None);
        };
        let (entry_id, path) = tx.query_row(
            "SELECT entry_id, path FROM documents WHERE id = ?1",
            [document_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.commit()?;
        Ok(Some(ShareLinkJob {
            job_id,
            document_id,
            entry_id,
            path,
            attempts,
        }))
    }

    /// Records a document's link; the job is done.
    pub fn record_share_link(&mut self, job: &ShareLinkJob, link: &str, now: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE documents SET share_link = ?2, share_error = NULL, updated_ms = ?3
             WHERE id = ?1",
            params![job.document_id, link, now],
        )?;
        tx.execute(
            "UPDATE jobs SET state = 'done', last_error = NULL, attempts = attempts + 1,
               updated_ms = ?2 WHERE id = ?1",
            params![job.job_id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed try. With `retry`, the job waits out the extraction queue's backoff
    /// and is tried again (until `max_attempts`); without, or with tries used up, it fails and
    /// the document says why.
    pub fn fail_share_link(
        &mut self,
        job: &ShareLinkJob,
        error: &str,
        retry: bool,
        max_attempts: i64,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let attempts = job.attempts + 1;
        let again = retry && attempts < max_attempts;
        tx.execute(
            "UPDATE jobs SET state = ?2, attempts = ?3, last_error = ?4, not_before_ms = ?5,
               updated_ms = ?6 WHERE id = ?1",
            params![
                job.job_id,
                if again { "queued" } else { "failed" },
                attempts,
                error,
                now + retry_delay_ms(attempts),
                now
            ],
        )?;
        tx.execute(
            "UPDATE documents SET share_error = ?2, updated_ms = ?3 WHERE id = ?1",
            params![job.document_id, shown_error(error, again), now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Dropbox asked to slow down: the job goes back to the queue, due at `not_before`
    /// (what its Retry-After said), without using one of its tries; a rate limit says
    /// nothing about the document. The document shows why it waits.
    pub fn defer_share_link(
        &mut self,
        job: &ShareLinkJob,
        error: &str,
        not_before: i64,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE jobs SET state = 'queued', last_error = ?2, not_before_ms = ?3,
               updated_ms = ?4 WHERE id = ?1",
            params![job.job_id, error, not_before, now],
        )?;
        tx.execute(
            "UPDATE documents SET share_error = ?2, updated_ms = ?3 WHERE id = ?1",
            params![job.document_id, shown_error(error, true), now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A document's share link, once made.
    pub fn share_link_of(&self, document: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT share_link FROM documents WHERE id = ?1",
                [document],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Takes the next due PO folder without a link.
    pub fn claim_po_link(&mut self, now: i64) -> Result<Option<PoLinkJob>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let job = tx
            .query_row(
                "UPDATE po_links SET state = 'running', updated_ms = ?1
                 WHERE rowid = (SELECT rowid FROM po_links WHERE state = 'queued'
                                AND not_before_ms <= ?1 ORDER BY not_before_ms LIMIT 1)
                 RETURNING source_id, project_number, po_number, entry_id, path, attempts",
                [now],
                |r| {
                    Ok(PoLinkJob {
                        source_id: r.get(0)?,
                        project_number: r.get(1)?,
                        po_number: r.get(2)?,
                        entry_id: r.get(3)?,
                        path: r.get(4)?,
                        attempts: r.get(5)?,
                    })
                },
            )
            .optional()?;
        tx.commit()?;
        Ok(job)
    }

    /// Records a PO folder's link. A folder that another one replaced meanwhile keeps the
    /// state its replacement queued.
    pub fn record_po_link(&mut self, job: &PoLinkJob, link: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE po_links SET state = 'done', link = ?5, error = NULL,
               attempts = attempts + 1, updated_ms = ?6
             WHERE source_id = ?1 AND project_number = ?2 AND po_number = ?3 AND entry_id = ?4",
            params![
                job.source_id,
                job.project_number,
                job.po_number,
                job.entry_id,
                link,
                now
            ],
        )?;
        Ok(())
    }

    /// A failed try for a PO folder, with the same rules as [`Store::fail_share_link`].
    pub fn fail_po_link(
        &mut self,
        job: &PoLinkJob,
        error: &str,
        retry: bool,
        max_attempts: i64,
        now: i64,
    ) -> Result<()> {
        let attempts = job.attempts + 1;
        let again = retry && attempts < max_attempts;
        self.conn.execute(
            "UPDATE po_links SET state = ?5, error = ?6, attempts = ?7, not_before_ms = ?8,
               updated_ms = ?9
             WHERE source_id = ?1 AND project_number = ?2 AND po_number = ?3 AND entry_id = ?4",
            params![
                job.source_id,
                job.project_number,
                job.po_number,
                job.entry_id,
                if again { "queued" } else { "failed" },
                shown_error(error, again),
                attempts,
                now + retry_delay_ms(attempts),
                now
            ],
        )?;
        Ok(())
    }

    /// Dropbox asked to slow down while making a PO folder's link: as
    /// [`Store::defer_share_link`], queued again for `not_before` without using a try.
    pub fn defer_po_link(
        &mut self,
        job: &PoLinkJob,
        error: &str,
        not_before: i64,
        now: i64,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE po_links SET state = 'queued', error = ?5, not_before_ms = ?6,
               updated_ms = ?7
             WHERE source_id = ?1 AND project_number = ?2 AND po_number = ?3 AND entry_id = ?4",
            params![
                job.source_id,
                job.project_number,
                job.po_number,
                job.entry_id,
                shown_error(error, true),
                not_before,
                now
            ],
        )?;
        Ok(())
    }

    /// The PO folders of `source` with their links, by project and PO.
    pub fn po_folder_links(&self, source: i64) -> Result<Vec<PoFolderLink>> {
        let rows = self
            .conn
            .prepare(
                "SELECT project_number, po_number, path, link, error FROM po_links
                 WHERE source_id = ?1
                 ORDER BY CAST(project_number AS INTEGER), project_number,
                   CAST(po_number AS INTEGER), po_number",
            )?
            .query_map([source], |r| {
                Ok(PoFolderLink {
                    project_number: r.get(0)?,
                    po_number: r.get(1)?,
                    path: r.get(2)?,
                    link: r.get(3)?,
                    error: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// One PO folder's link, once made.
    pub fn po_folder_link(&self, source: i64, project: &str, po: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT link FROM po_links
                 WHERE source_id = ?1 AND project_number = ?2 AND po_number = ?3",
                params![source, project, po],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Links made, pending and failed in `source` (documents not deleted).
    pub fn share_link_counts(&self, source: i64) -> Result<ShareLinkCounts> {
        let documents = self.conn.query_row(
            "SELECT count(share_link),
               sum(share_link IS NULL AND EXISTS (SELECT 1 FROM jobs j WHERE j.document_id = d.id
                 AND j.kind = 'share_link' AND j.state IN ('queued', 'running'))),
               sum(share_link IS NULL AND share_error IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM jobs j WHERE j.document_id = d.id AND j.kind = 'share_link'
                 AND j.state IN ('queued', 'running')))
             FROM documents d WHERE source_id = ?1 AND deleted_ms IS NULL",
            [source],
            counts_row,
        )?;
        let folders = self.conn.query_row(
            "SELECT sum(state = 'done'), sum(state IN ('queued', 'running')),
               sum(state = 'failed')
             FROM po_links WHERE source_id = ?1",
            [source],
            counts_row,
        )?;
        Ok(ShareLinkCounts { documents, folders })
    }

    /// When the next queued share link (document or folder) is due.
    pub fn next_share_link_due(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT min(t) FROM (
               SELECT min(not_before_ms) AS t FROM jobs
                 WHERE state = 'queued' AND kind = 'share_link'
               UNION ALL
               SELECT min(not_before_ms) FROM po_links WHERE state = 'queued')",
            [],
            |r| r.get(0),
        )?)
    }

    /// A person asks for the failed share links of `source` again: failed documents and
    /// folders are queued afresh (tries counted from zero), waiting ones are due now.
    /// Returns how many failed ones were queued again.
    pub fn retry_share_links(&mut self, source: i64, rules: &PathRules, now: i64) -> Result<usize> {
        let documents = self.conn.execute(
            "UPDATE documents SET share_error = NULL, updated_ms = ?2
             WHERE source_id = ?1 AND share_link IS NULL AND share_error IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.document_id = documents.id
                 AND j.kind = 'share_link' AND j.state IN ('queued', 'running'))",
            params![source, now],
        )?;
        let folders = self.conn.execute(
            "UPDATE po_links SET state = 'queued', attempts = 0, not_before_ms = 0,
               updated_ms = ?2 WHERE source_id = ?1 AND state = 'failed'",
            params![source, now],
        )?;
        self.make_waiting_share_links_due()?;
        self.queue_share_links(source, rules, now)?;
        Ok(documents + folders)
    }

    /// Share links waiting out a backoff may be tried now (the connection is back).
    pub fn make_waiting_share_links_due(&self) -> Result<usize> {
        let jobs = self.conn.execute(
            "UPDATE jobs SET not_before_ms = 0
             WHERE state = 'queued' AND kind = 'share_link' AND not_before_ms > 0",
            [],
        )?;
        let folders = self.conn.execute(
            "UPDATE po_links SET not_before_ms = 0 WHERE state = 'queued' AND not_before_ms > 0",
            [],
        )?;
        Ok(jobs + folders)
    }
}

fn counts_row(r: &rusqlite::Row) -> rusqlite::Result<LinkCounts> {
    Ok(LinkCounts {
        linked: r.get::<_, Option<u32>>(0)?.unwrap_or(0),
        pending: r.get::<_, Option<u32>>(1)?.unwrap_or(0),
        failed: r.get::<_, Option<u32>>(2)?.unwrap_or(0),
    })
}

fn shown_error(error: &str, again: bool) -> String {
    if again {
        format!("{error} (will retry)")
    } else {
        error.to_string()
    }
}

/// The project and PO of a PO folder: a folder whose name gives a PO while its parent's
/// does not (its subfolders inherit the PO, and are not PO folders).
fn po_folder(rules: &PathRules, path: &str) -> Option<(String, String)> {
    let parsed = rules.parse(path, PathKind::Folder);
    let project = parsed.project_number?;
    let po = parsed.po_number?;
    let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
    if !parent.is_empty() && rules.parse(parent, PathKind::Folder).po_number.is_some() {
        return None;
    }
    Some((project, po))
}
