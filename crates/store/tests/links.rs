//! Share links in the store: what is queued (Dropbox documents and PO folders, nothing for a
//! local folder), claims, retries with backoff, failures with the reason, and the extraction
//! queue left alone.

use boxkeeper_events::{Batch, EntryKind, RawEntry};
use boxkeeper_naming::PathRules;
use boxkeeper_store::{LinkCounts, SourceKind, Store};

const PROJECT: &str = "/2416 - Whop Keynote";
const POS: &str = "/2416 - Whop Keynote/1. Purchase Orders";
const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";

fn entry(path: &str, id: &str, kind: EntryKind) -> RawEntry {
    let rev = (kind == EntryKind::File).then(|| "r1".to_string());
    RawEntry::present(path.to_lowercase(), path, id, kind, rev)
}

/// A source with a project, its PO folder (with a subfolder) and two invoices.
fn source(store: &mut Store, kind: SourceKind, now: i64) -> i64 {
    let source = store.source_id(kind, "somewhere").unwrap();
    let entries = vec![
        entry(PROJECT, "id:project", EntryKind::Folder),
        entry(POS, "id:pos", EntryKind::Folder),
        entry(PO, "id:po23", EntryKind::Folder),
        entry(&format!("{PO}/Add'l Files"), "id:extra", EntryKind::Folder),
        entry(
            &format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"),
            "id:inv1",
            EntryKind::File,
        ),
        entry(
            &format!("{PO}/Add'l Files/2416_23_02 Jane Smith Invoice.pdf"),
            "id:inv2",
            EntryKind::File,
        ),
    ];
    let rules = PathRules::defaults();
    let ingested = store
        .ingest(
            source,
            &Batch {
                entries,
                complete: true,
            },
            &rules,
            None,
            now,
        )
        .unwrap();
    store
        .discover_documents(source, Some(&ingested.touched), &rules, now)
        .unwrap();
    source
}

#[test]
fn dropbox_documents_and_po_folders_are_queued_once_and_linked() {
    let mut store = Store::open_in_memory().unwrap();
    let rules = PathRules::defaults();
    let source = source(&mut store, SourceKind::Dropbox, 1_000);
    // Two documents and one PO folder (not its subfolder, not the project).
    assert_eq!(store.queue_share_links(source, &rules, 1_000).unwrap(), 3);
    assert_eq!(store.queue_share_links(source, &rules, 1_001).unwrap(), 0);
    let folders = store.po_folder_links(source).unwrap();
    assert_eq!(folders.len(), 1);
    assert_eq!(
        (
            folders[0].project_number.as_str(),
            folders[0].po_number.as_str()
        ),
        ("2416", "23")
    );
    assert_eq!(folders[0].path, PO);
    let counts = store.share_link_counts(source).unwrap();
    let pending = |n| LinkCounts {
        linked: 0,
        pending: n,
        failed: 0,
    };
    assert_eq!(counts.documents, pending(2));
    assert_eq!(counts.folders, pending(1));

    // The extraction queue does not hand out share-link jobs, nor wait for them.
    let mut extracted = 0;
    while let Some(job) = store.claim_extract_job(2_000).unwrap() {
        store
            .fail_extraction(&job, "broken", false, 5, 2_000)
            .unwrap();
        extracted += 1;
    }
    assert_eq!(extracted, 2);
    assert_eq!(store.next_job_due().unwrap(), None);
    assert_eq!(store.next_share_link_due().unwrap(), Some(0));

    let mut linked = Vec::new();
    while let Some(job) = store.claim_share_link_job(2_000).unwrap() {
        assert!(job.entry_id.starts_with("id:inv"), "{job:?}");
        let link = format!("https://www.dropbox.com/s/{}/x?dl=0", job.entry_id);
        store.record_share_link(&job, &link, 2_001).unwrap();
        linked.push((job.document_id, link));
    }
    assert_eq!(linked.len(), 2);
    for (doc, link) in &linked {
        assert_eq!(store.share_link_of(*doc).unwrap().as_ref(), Some(link));
        let detail = store.document(*doc).unwrap().unwrap();
        assert_eq!(detail.summary.share_link.as_ref(), Some(link));
        assert_eq!(detail.summary.share_error, None);
        // The share link's try is not the extraction's.
        assert_eq!(detail.attempts, 1);
    }
    let po = store.claim_po_link(2_000).unwrap().unwrap();
    assert_eq!(po.entry_id, "id:po23");
    assert!(store.claim_po_link(2_000).unwrap().is_none());
    store.record_po_link(&po, "https://folder", 2_002).unwrap();
    assert_eq!(
        store
            .po_folder_link(source, "2416", "23")
            .unwrap()
            .as_deref(),
        Some("https://folder")
    );
    let counts = store.share_link_counts(source).unwrap();
    assert_eq!(counts.documents.linked, 2);
    assert_eq!(counts.folders.linked, 1);
    // Linked: nothing queued again.
    assert_eq!(store.queue_share_links(source, &rules, 3_000).unwrap(), 0);
    assert!(store.claim_share_link_job(3_000).unwrap().is_none());
}

#[test]
fn a_local_folder_gets_no_share_links() {
    let mut store = Store::open_in_memory().unwrap();
    let source = source(&mut store, SourceKind::Folder, 1_000);
    assert_eq!(
        store
            .queue_share_links(source, &PathRules::defaults(), 1_000)
            .unwrap(),
        0
    );
    assert!(store.claim_share_link_job(1_000).unwrap().is_none());
    assert!(store.claim_po_link(1_000).unwrap().is_none());
    assert!(store.po_folder_links(source).unwrap().is_empty());
}

#[test]
fn passing_failures_wait_and_retry_and_refusals_fail_with_the_reason() {
    let mut store = Store::open_in_memory().unwrap();
    let rules = PathRules::defaults();
    let source = source(&mut store, SourceKind::Dropbox, 1_000);
    store.queue_share_links(source, &rules, 1_000).unwrap();

    let job = store.claim_share_link_job(1_000).unwrap().unwrap();
    store
        .fail_share_link(&job, "Dropbox is unavailable", true, 5, 1_000)
        .unwrap();
    let detail = store.document(job.document_id).unwrap().unwrap();
    assert_eq!(
        detail.summary.share_error.as_deref(),
        Some("Dropbox is unavailable (will retry)")
    );
    // The same backoff as extraction: 30 s after the first failure.
    let other = store.claim_share_link_job(1_000).unwrap().unwrap();
    assert_ne!(other.document_id, job.document_id);
    assert!(store.claim_share_link_job(30_999).unwrap().is_none());
    let again = store.claim_share_link_job(31_000).unwrap().unwrap();
    assert_eq!(again.document_id, job.document_id);
    assert_eq!(again.attempts, 1);
    store
        .record_share_link(&again, "https://link", 31_001)
        .unwrap();
    let detail = store.document(job.document_id).unwrap().unwrap();
    assert_eq!(detail.summary.share_link.as_deref(), Some("https://link"));
    assert_eq!(detail.summary.share_error, None);

    // Refused: failed with the reason, and not queued again by the next pass.
    store
        .fail_share_link(&other, "Dropbox said 409: path/not_found", false, 5, 1_500)
        .unwrap();
    let detail = store.document(other.document_id).unwrap().unwrap();
    assert_eq!(
        detail.summary.share_error.as_deref(),
        Some("Dropbox said 409: path/not_found")
    );
    assert_eq!(store.queue_share_links(source, &rules, 40_000).unwrap(), 0);
    assert!(store.claim_share_link_job(100_000).unwrap().is_none());
    let counts = store.share_link_counts(source).unwrap();
    assert_eq!(
        counts.documents,
        LinkCounts {
            linked: 1,
            pending: 0,
            failed: 1
        }
    );

    // A PO folder: retried until the tries are used up, then failed with the reason.
    let mut now = 1_000;
    for attempt in 0..3 {
        let po = store.claim_po_link(now).unwrap().unwrap();
        assert_eq!(po.attempts, attempt);
        store
            .fail_po_link(&po, "Dropbox asks to slow down", true, 3, now)
            .unwrap();
        now += 4_000_000;
    }
    assert!(store.claim_po_link(now).unwrap().is_none());
    let folders = store.po_folder_links(source).unwrap();
    assert_eq!(
        folders[0].error.as_deref(),
        Some("Dropbox asks to slow down")
    );
    assert_eq!(store.share_link_counts(source).unwrap().folders.failed, 1);
}

#[test]
fn claims_left_running_are_queued_again_and_a_renamed_po_folder_keeps_its_link() {
    let mut store = Store::open_in_memory().unwrap();
    let rules = PathRules::defaults();
    let source = source(&mut store, SourceKind::Dropbox, 1_000);
    store.queue_share_links(source, &rules, 1_000).unwrap();
    let job = store.claim_share_link_job(1_000).unwrap().unwrap();
    let po = store.claim_po_link(1_000).unwrap().unwrap();
    // A crash: both stay running until the next start.
    assert_eq!(store.requeue_interrupted_share_links(2_000).unwrap(), 2);
    // The extraction's start leaves share links alone.
    store.requeue_interrupted_jobs(2_000).unwrap();
    let again = store.claim_share_link_job(2_000).unwrap().unwrap();
    assert_eq!(again.job_id, job.job_id);
    let po_again = store.claim_po_link(2_000).unwrap().unwrap();
    assert_eq!(po_again.entry_id, po.entry_id);
    store
        .record_po_link(&po_again, "https://folder", 2_001)
        .unwrap();

    // The PO folder is renamed (same id): same row, same link, new path.
    let renamed = format!("{POS}/2416_23 Jane Smith Lighting");
    let ingested = store
        .ingest(
            source,
            &Batch {
                entries: vec![
                    RawEntry::deleted(PO.to_lowercase(), PO),
                    entry(&renamed, "id:po23", EntryKind::Folder),
                ],
                complete: false,
            },
            &rules,
            None,
            3_000,
        )
        .unwrap();
    store
        .discover_documents(source, Some(&ingested.touched), &rules, 3_000)
        .unwrap();
    store.queue_share_links(source, &rules, 3_000).unwrap();
    let folders = store.po_folder_links(source).unwrap();
    assert_eq!(folders.len(), 1);
    assert_eq!(folders[0].path, renamed);
    assert_eq!(folders[0].link.as_deref(), Some("https://folder"));
    assert!(store.claim_po_link(3_000).unwrap().is_none());
}

/// A database of the previous schema keeps its queue through the rebuild of `jobs`.
#[test]
fn the_migration_keeps_queued_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v4.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for sql in [
            include_str!("../migrations/0001_init.sql"),
            include_str!("../migrations/0002_documents.sql"),
            include_str!("../migrations/0003_review.sql"),
            include_str!("../migrations/0004_po_logs.sql"),
        ] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, kind, location, created_ms) VALUES (1, 'dropbox', 'x', 0);
             INSERT INTO documents (id, source_id, entry_id, path, status, updated_ms)
               VALUES (7, 1, 'id:seven', '/a/b.pdf', 'queued', 0);
             INSERT INTO jobs (id, kind, document_id, state, attempts, created_ms, updated_ms)
               VALUES (3, 'extract', 7, 'queued', 2, 0, 0);",
        )
        .unwrap();
    }
    let mut store = Store::open(&db).unwrap();
    // Migrated through 0005 (and whatever came after it).
    assert!(store.schema_version().unwrap() >= 5);
    let job = store.claim_extract_job(1).unwrap().unwrap();
    assert_eq!((job.job_id, job.document_id, job.attempts), (3, 7, 2));
    // The new kind is accepted beside it, and the open-job index still holds one per kind.
    assert_eq!(
        store
            .queue_share_links(1, &PathRules::defaults(), 1)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .queue_share_links(1, &PathRules::defaults(), 2)
            .unwrap(),
        0
    );
    assert_eq!(
        store.claim_share_link_job(2).unwrap().unwrap().document_id,
        7
    );
}
