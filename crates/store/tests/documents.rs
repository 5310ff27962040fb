//! Documents and their extraction jobs: discovery from the known tree, the durable queue
//! (claim, retry, crash), and the rule that a person's value survives every extraction.

use boxkeeper_events::{Batch, EntryKind, RawEntry};
use boxkeeper_naming::PathRules;
use boxkeeper_store::{
    ExtractJob, ExtractedField, ExtractedLine, NewExtraction, SourceKind, Store,
};

fn file(path: &str, id: &str, rev: &str) -> RawEntry {
    RawEntry::present(path, path, id, EntryKind::File, Some(rev.into()))
}

fn ingest(store: &mut Store, source: i64, entries: Vec<RawEntry>, complete: bool, now: i64) {
    let ingested = store
        .ingest(
            source,
            &Batch { entries, complete },
            &PathRules::defaults(),
            None,
            now,
        )
        .unwrap();
    store
        .discover_documents(source, Some(&ingested.touched), &PathRules::defaults(), now)
        .unwrap();
}

fn field(name: &str, value: &str, provenance: &str) -> ExtractedField {
    ExtractedField {
        name: name.into(),
        value: value.into(),
        confidence: 0.8,
        provenance: provenance.into(),
        location: Some("page 1".into()),
        bbox: Some([10.0, 20.0, 60.0, 32.0]),
    }
}

fn extraction(total: &str) -> NewExtraction {
    NewExtraction {
        content_hash: format!("hash-{total}"),
        document_type: Some("invoice".into()),
        extracted_by: "text".into(),
        fields: vec![
            field("total", total, "offline"),
            field("vendor_name", "Jane Smith", "offline"),
        ],
        lines: vec![ExtractedLine {
            description: Some("Gaffer".into()),
            quantity: Some("5".into()),
            unit_price: Some("600".into()),
            amount: Some("3000.00".into()),
            provenance: "offline".into(),
            ..Default::default()
        }],
        problems: vec![],
        llm_tokens: None,
        text: None,
    }
}

fn setup() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("b.db")).unwrap();
    let source = store.source_id(SourceKind::Folder, "/tmp/x").unwrap();
    (dir, store, source)
}

fn claim(store: &mut Store, now: i64) -> ExtractJob {
    store.claim_extract_job(now).unwrap().expect("a job")
}

#[test]
fn document_files_are_queued_once_and_other_files_are_not() {
    let (_d, mut store, source) = setup();
    ingest(
        &mut store,
        source,
        vec![
            file("/a/1 Invoice.pdf", "a", "1"),
            file("/a/scan.JPG", "b", "1"),
            file("/a/notes.txt", "c", "1"),
        ],
        false,
        1,
    );
    let counts = store.document_counts(source).unwrap();
    assert_eq!(counts.queued, 2);
    // The same revision again queues nothing; a new revision queues it again.
    ingest(
        &mut store,
        source,
        vec![file("/a/1 Invoice.pdf", "a", "1")],
        false,
        2,
    );
    assert!(store.claim_extract_job(3).unwrap().is_some());
    assert!(store.claim_extract_job(3).unwrap().is_some());
    assert!(
        store.claim_extract_job(3).unwrap().is_none(),
        "two jobs in all"
    );
}

#[test]
fn a_correction_survives_re_extraction_and_reverts_in_one_step() {
    let (_d, mut store, source) = setup();
    ingest(
        &mut store,
        source,
        vec![file("/a/1 Invoice.pdf", "a", "1")],
        false,
        1,
    );
    let job = claim(&mut store, 2);
    store
        .record_extraction(&job, &extraction("100.00"), 3)
        .unwrap();
    let doc = job.document_id;

    store
        .correct_field(doc, "total", Some("110.00"), 4)
        .unwrap();
    // Re-extract (forced) with a different answer: the person's value stays in force.
    assert_eq!(store.queue_extraction(&[doc], true, 5).unwrap(), 1);
    let job = claim(&mut store, 6);
    assert!(job.force);
    store
        .record_extraction(&job, &extraction("120.00"), 7)
        .unwrap();
    let detail = store.document(doc).unwrap().unwrap();
    let total = detail.fields.iter().find(|f| f.name == "total").unwrap();
    assert_eq!(total.value.as_deref(), Some("110.00"));
    assert_eq!(total.extracted_value.as_deref(), Some("120.00"));
    assert!(total.pinned);
    assert_eq!(total.provenance, "person");
    assert_eq!(
        total.bbox,
        Some([10.0, 20.0, 60.0, 32.0]),
        "where it was read is kept"
    );
    assert_eq!(detail.summary.total.as_deref(), Some("110.00"));

    store.revert_field(doc, "total", 8).unwrap();
    let detail = store.document(doc).unwrap().unwrap();
    let total = detail.fields.iter().find(|f| f.name == "total").unwrap();
    assert_eq!(total.value.as_deref(), Some("120.00"));
    assert!(!total.pinned);

    // Every change, in order, with who made it.
    let history: Vec<_> = detail
        .history
        .iter()
        .filter(|h| h.name == "total")
        .map(|h| {
            (
                h.old_value.as_deref(),
                h.new_value.as_deref(),
                h.who.as_str(),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            (None, Some("100.00"), "offline"),
            (Some("100.00"), Some("110.00"), "person"),
            // The extracted value moved under the pin: recorded, not in force.
            (Some("100.00"), Some("120.00"), "offline"),
            (Some("110.00"), Some("120.00"), "person"),
        ]
    );
}

#[test]
fn an_interrupted_job_runs_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    {
        let mut store = Store::open(&db).unwrap();
        let source = store.source_id(SourceKind::Folder, "/tmp/x").unwrap();
        ingest(
            &mut store,
            source,
            vec![file("/a/1.pdf", "a", "1")],
            false,
            1,
        );
        claim(&mut store, 2);
        // The process dies here, with the job running.
    }
    let mut store = Store::open(&db).unwrap();
    assert!(
        store.claim_extract_job(3).unwrap().is_none(),
        "still running"
    );
    assert_eq!(store.requeue_interrupted_jobs(4).unwrap(), 1);
    let job = claim(&mut store, 5);
    store
        .record_extraction(&job, &extraction("1.00"), 6)
        .unwrap();
    let source = store.source_id(SourceKind::Folder, "/tmp/x").unwrap();
    assert_eq!(store.document_counts(source).unwrap().done, 1);
}

#[test]
fn a_failed_try_waits_then_retries_and_gives_up_with_the_reason() {
    let (_d, mut store, source) = setup();
    ingest(
        &mut store,
        source,
        vec![file("/a/1.pdf", "a", "1")],
        false,
        1,
    );
    let job = claim(&mut store, 2);
    store
        .fail_extraction(&job, "download failed: 503", true, 3, 2)
        .unwrap();
    assert!(store.claim_extract_job(3).unwrap().is_none(), "backing off");
    let due = store.next_job_due().unwrap().unwrap();
    assert!(due >= 30_000, "first retry after 30 s, got {due}");
    let job = claim(&mut store, due);
    assert_eq!(job.attempts, 1);
    store
        .fail_extraction(&job, "download failed: 503", true, 3, due)
        .unwrap();
    let job = claim(&mut store, due + 3_600_000);
    store
        .fail_extraction(&job, "download failed: 503", true, 3, due + 3_600_000)
        .unwrap();
    let doc = store.document(job.document_id).unwrap().unwrap();
    assert_eq!(doc.summary.status, "failed");
    assert_eq!(doc.summary.error.as_deref(), Some("download failed: 503"));
    assert_eq!(doc.attempts, 3);
    assert!(store.claim_extract_job(i64::MAX / 2).unwrap().is_none());
}

#[test]
fn a_renamed_document_keeps_its_fields_and_a_deleted_one_keeps_its_data() {
    let (_d, mut store, source) = setup();
    ingest(
        &mut store,
        source,
        vec![file("/a/1.pdf", "a", "1")],
        false,
        1,
    );
    let job = claim(&mut store, 2);
    store
        .record_extraction(&job, &extraction("5.00"), 3)
        .unwrap();
    ingest(
        &mut store,
        source,
        vec![
            RawEntry::deleted("/a/1.pdf", "/a/1.pdf"),
            file("/a/2.pdf", "a", "1"),
        ],
        false,
        4,
    );
    assert!(store.claim_extract_job(5).unwrap().is_none(), "same bytes");
    let doc = store.document(job.document_id).unwrap().unwrap();
    assert_eq!(doc.summary.path, "/a/2.pdf");
    assert_eq!(doc.summary.total.as_deref(), Some("5.00"));
    ingest(
        &mut store,
        source,
        vec![RawEntry::deleted("/a/2.pdf", "/a/2.pdf")],
        false,
        6,
    );
    let doc = store.document(job.document_id).unwrap().unwrap();
    assert!(doc.summary.deleted);
    assert_eq!(doc.summary.total.as_deref(), Some("5.00"));
}

#[test]
fn equal_bytes_find_their_extracted_twin() {
    let (_d, mut store, source) = setup();
    ingest(
        &mut store,
        source,
        vec![file("/a/1.pdf", "a", "1"), file("/b/1 copy.pdf", "b", "1")],
        false,
        1,
    );
    let first = claim(&mut store, 2);
    store
        .record_extraction(&first, &extraction("7.00"), 3)
        .unwrap();
    store
        .correct_field(first.document_id, "total", Some("8.00"), 4)
        .unwrap();
    let second = claim(&mut store, 5);
    let twin = store
        .extracted_twin("hash-7.00", second.document_id)
        .unwrap();
    assert_eq!(twin, Some(first.document_id));
    let copied = store.extraction_of(first.document_id).unwrap().unwrap();
    // The twin's extraction, not the person's correction of the twin.
    assert!(copied
        .fields
        .iter()
        .any(|f| f.name == "total" && f.value == "7.00"));
    store.record_extraction(&second, &copied, 6).unwrap();
    assert_eq!(store.document_counts(source).unwrap().done, 2);
}

#[test]
fn a_new_revision_during_extraction_queues_it_again() {
    let (_d, mut store, source) = setup();
    ingest(
        &mut store,
        source,
        vec![file("/a/1.pdf", "a", "1")],
        false,
        1,
    );
    let job = claim(&mut store, 2);
    ingest(
        &mut store,
        source,
        vec![file("/a/1.pdf", "a", "2")],
        false,
        3,
    );
    store
        .record_extraction(&job, &extraction("1.00"), 4)
        .unwrap();
    let again = claim(&mut store, 5);
    assert_eq!(again.rev.as_deref(), Some("2"));
}

#[test]
fn a_writer_waits_for_another_instead_of_failing() {
    // A deferred transaction that reads and then writes fails at once (SQLITE_BUSY) when
    // another connection committed in between. Every write transaction of the store is
    // IMMEDIATE, so the watcher's ingest and the workers' discovery and claims queue up.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let mut a = Store::open(&db).unwrap();
    let source = a.source_id(SourceKind::Folder, "/tmp/x").unwrap();
    ingest(&mut a, source, vec![file("/a/1.pdf", "a", "1")], false, 1);
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let waiting = std::thread::spawn(move || {
        // Reads the tree, then writes: it must wait for `other`, then see its commit.
        ingest(&mut a, source, vec![file("/a/1.pdf", "a", "2")], false, 2);
        a
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    other
        .execute("INSERT INTO settings (key, value) VALUES ('x', 'y')", [])
        .unwrap();
    other.execute_batch("COMMIT").unwrap();
    let a = waiting
        .join()
        .expect("the second writer waited and succeeded");
    assert_eq!(a.setting("x").unwrap().as_deref(), Some("y"));
}
