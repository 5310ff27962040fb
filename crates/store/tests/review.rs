//! The review workspace as the store keeps it (issue 5): a person's corrections and line
//! edits survive re-extraction and restarts, history records every change with who made it,
//! undo takes changes back (durably), flags appear with their reason and go with their
//! condition, full-text search, filters and sorts, the PO view with its statuses and
//! overrides, and exports with their undo.
//!
//! Every test works on a file-backed store in a temporary folder, with paths that follow
//! the naming convention of domain.md, so the parsed-path columns are the real ones.

use std::path::PathBuf;

use boxkeeper_events::{Batch, EntryKind, RawEntry};
use boxkeeper_naming::PathRules;
use boxkeeper_store::{
    DocumentDetail, DocumentFilter, DocumentForExport, DocumentSort, ExtractJob, ExtractedField,
    ExtractedLine, Flag, LineValues, NewExtraction, SourceKind, Store, StoreError, StoredField,
};

const POS: &str = "/2416 - Whop Keynote/1. Purchase Orders";
const JANE: &str = "2416_23 Jane Smith";
const BOB: &str = "2416_24 Bob Jones";
const CARD: &str = "2416_03 Credit Card 1138";

/// A document's path inside a PO folder of project 2416.
fn po_file(po_folder: &str, name: &str) -> String {
    format!("{POS}/{po_folder}/{name}")
}

fn invoice_01() -> String {
    po_file(JANE, "2416_23_01 Jane Smith Invoice.pdf")
}

/// A store in a temporary folder, one folder source, and a clock that moves one second per
/// step (so history and flags have distinct, ordered times).
struct Books {
    dir: tempfile::TempDir,
    store: Store,
    source: i64,
    now: i64,
}

impl Books {
    fn new() -> Books {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&Books::db_in(&dir)).unwrap();
        let source = store.source_id(SourceKind::Folder, "/books").unwrap();
        Books {
            dir,
            store,
            source,
            now: 1_700_000_000_000,
        }
    }

    fn db_in(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("boxkeeper.db")
    }

    fn tick(&mut self) -> i64 {
        self.now += 1_000;
        self.now
    }

    /// Closes the database and opens it again, as a restart of the app does.
    fn restart(&mut self) {
        drop(std::mem::replace(
            &mut self.store,
            Store::open_in_memory().unwrap(),
        ));
        self.store = Store::open(&Books::db_in(&self.dir)).unwrap();
        assert_eq!(
            self.store.source_id(SourceKind::Folder, "/books").unwrap(),
            self.source
        );
    }

    fn ingest(&mut self, entries: Vec<RawEntry>) {
        let now = self.tick();
        let rules = PathRules::defaults();
        let ingested = self
            .store
            .ingest(
                self.source,
                &Batch {
                    entries,
                    complete: false,
                },
                &rules,
                None,
                now,
            )
            .unwrap();
        self.store
            .discover_documents(self.source, Some(&ingested.touched), &rules, now)
            .unwrap();
    }

    /// Adds a file (revision "1") and returns its document.
    fn add(&mut self, path: &str, id: &str) -> i64 {
        self.add_revision(path, id, "1")
    }

    fn add_revision(&mut self, path: &str, id: &str, rev: &str) -> i64 {
        self.ingest(vec![RawEntry::present(
            path,
            path,
            id,
            EntryKind::File,
            Some(rev.into()),
        )]);
        self.store
            .document_at(self.source, path)
            .unwrap()
            .unwrap_or_else(|| panic!("no document at {path}"))
    }

    /// Renames or moves a file, as Dropbox reports it: the old path deleted, the same id at
    /// the new path.
    fn rename(&mut self, from: &str, to: &str, id: &str) {
        self.ingest(vec![
            RawEntry::deleted(from, from),
            RawEntry::present(to, to, id, EntryKind::File, Some("1".into())),
        ]);
    }

    fn delete(&mut self, path: &str) {
        self.ingest(vec![RawEntry::deleted(path, path)]);
    }

    /// Claims the extraction job of `doc` (queued again if it was read before). Jobs of
    /// other documents that come first (a W9 queued on arrival) are read as empty documents.
    fn claim_for(&mut self, doc: i64) -> ExtractJob {
        let now = self.tick();
        self.store.queue_extraction(&[doc], true, now).unwrap();
        loop {
            let job = self
                .store
                .claim_extract_job(now)
                .unwrap()
                .unwrap_or_else(|| panic!("no job for document {doc}"));
            if job.document_id == doc {
                return job;
            }
            let other = job.document_id;
            self.store
                .record_extraction(&job, &empty_read(other), now)
                .unwrap();
        }
    }

    fn extract(&mut self, doc: i64, read: &NewExtraction) {
        let job = self.claim_for(doc);
        let now = self.tick();
        self.store.record_extraction(&job, read, now).unwrap();
    }

    fn correct(&mut self, doc: i64, name: &str, value: &str) {
        let now = self.tick();
        self.store
            .correct_field(doc, name, Some(value), now)
            .unwrap();
    }

    fn undo(&mut self, doc: i64) -> Option<String> {
        let now = self.tick();
        self.store.undo_last(doc, now).unwrap()
    }

    fn detail(&self, doc: i64) -> DocumentDetail {
        self.store.document(doc).unwrap().expect("the document")
    }

    fn ids(&self, filter: &DocumentFilter) -> Vec<i64> {
        let ids: Vec<i64> = self
            .store
            .documents(self.source, filter, 0, 1_000)
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(
            self.store.count_documents(self.source, filter).unwrap(),
            ids.len() as u64,
            "count_documents agrees with documents() for {filter:?}"
        );
        ids
    }

    /// The ids a search finds, smallest first.
    fn search(&self, text: &str) -> Vec<i64> {
        let mut ids = self.ids(&DocumentFilter {
            text: Some(text.into()),
            ..Default::default()
        });
        ids.sort_unstable();
        ids
    }
}

fn empty_read(doc: i64) -> NewExtraction {
    NewExtraction {
        content_hash: format!("bytes of document {doc}"),
        extracted_by: "text".into(),
        ..Default::default()
    }
}

/// An extraction: fields as (name, value, provenance), lines, the bytes' hash.
fn read(hash: &str, fields: &[(&str, &str, &str)], lines: Vec<ExtractedLine>) -> NewExtraction {
    NewExtraction {
        content_hash: hash.into(),
        document_type: Some("invoice".into()),
        extracted_by: "text".into(),
        fields: fields
            .iter()
            .map(|(name, value, provenance)| ExtractedField {
                name: (*name).into(),
                value: (*value).into(),
                confidence: 0.9,
                provenance: (*provenance).into(),
                location: Some("page 1".into()),
                bbox: Some([10.0, 20.0, 60.0, 32.0]),
            })
            .collect(),
        lines,
        problems: vec![],
        llm_tokens: None,
        text: None,
    }
}

fn line(description: &str, quantity: &str, rate: &str, amount: &str) -> ExtractedLine {
    ExtractedLine {
        description: Some(description.into()),
        quantity: Some(quantity.into()),
        unit_price: Some(rate.into()),
        amount: Some(amount.into()),
        provenance: "offline".into(),
        ..Default::default()
    }
}

fn person_line(description: &str, quantity: &str, rate: &str, amount: &str) -> LineValues {
    LineValues {
        description: Some(description.into()),
        quantity: Some(quantity.into()),
        unit_price: Some(rate.into()),
        amount: Some(amount.into()),
        ..Default::default()
    }
}

/// A streamed document's fields as (name, value).
fn pairs(x: &DocumentForExport) -> Vec<(&str, &str)> {
    x.fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

fn field<'a>(detail: &'a DocumentDetail, name: &str) -> &'a StoredField {
    detail
        .fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name} in {:?}", detail.fields))
}

fn value<'a>(detail: &'a DocumentDetail, name: &str) -> Option<&'a str> {
    field(detail, name).value.as_deref()
}

/// (description, amount, provenance) of each line, in order.
fn lines_of(detail: &DocumentDetail) -> Vec<(String, String, String)> {
    detail
        .lines
        .iter()
        .map(|l| {
            (
                l.description.clone().unwrap_or_default(),
                l.amount.clone().unwrap_or_default(),
                l.provenance.clone(),
            )
        })
        .collect()
}

fn owned(lines: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    lines
        .iter()
        .map(|(d, a, p)| (d.to_string(), a.to_string(), p.to_string()))
        .collect()
}

/// The flags of `kind` on `doc`, dismissed or not.
fn flags_of(books: &Books, doc: i64, kind: &str) -> Vec<Flag> {
    books
        .store
        .flags(doc)
        .unwrap()
        .into_iter()
        .filter(|f| f.kind == kind)
        .collect()
}

/// The one flag of `kind` on `doc`.
fn the_flag(books: &Books, doc: i64, kind: &str) -> Flag {
    let mut found = flags_of(books, doc, kind);
    assert_eq!(
        found.len(),
        1,
        "one {kind} flag on document {doc}: {:?}",
        books.store.flags(doc).unwrap()
    );
    found.remove(0)
}

/// The invoice of domain.md's example, as the offline extractor reads it.
fn gaffer_invoice(hash: &str, total: &str) -> NewExtraction {
    read(
        hash,
        &[
            ("vendor_name", "Jane Smith", "offline"),
            ("invoice_number", "INV-0042", "offline"),
            ("total", total, "offline"),
        ],
        vec![line("Gaffer", "5", "600.00", "3000.00")],
    )
}

/// A history entry as (field, old, new, who, when).
type HistoryRow<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str, i64);

// --- corrections and history ---------------------------------------------------------------

#[test]
fn corrections_survive_a_re_extraction_and_a_restart() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3300.00"));
    books.correct(doc, "total", "3000.00");
    books.correct(doc, "invoice_number", "INV-0042A");
    let now = books.tick();
    books
        .store
        .set_lines(
            doc,
            &[
                person_line("Gaffer", "5", "600.00", "3000.00"),
                person_line("Tax", "1", "300.00", "300.00"),
            ],
            now,
        )
        .unwrap();

    books.restart();
    // The file changes in Dropbox (a new revision) and is read again, differently.
    books.add_revision(&invoice_01(), "inv", "2");
    books.extract(
        doc,
        &read(
            "h2",
            &[
                ("vendor_name", "Jane Smith", "llm"),
                ("invoice_number", "INV-0043", "llm"),
                ("total", "3500.00", "llm"),
            ],
            vec![line("Director of Photography", "1", "3500.00", "3500.00")],
        ),
    );
    books.restart();

    let detail = books.detail(doc);
    let total = field(&detail, "total");
    assert_eq!(total.value.as_deref(), Some("3000.00"));
    assert_eq!(total.extracted_value.as_deref(), Some("3500.00"));
    assert!(total.pinned);
    assert_eq!(total.provenance, "person");
    let number = field(&detail, "invoice_number");
    assert_eq!(number.value.as_deref(), Some("INV-0042A"));
    assert_eq!(number.extracted_value.as_deref(), Some("INV-0043"));
    assert!(number.pinned);
    // The unpinned field follows the extraction.
    assert_eq!(field(&detail, "vendor_name").provenance, "llm");
    assert_eq!(detail.summary.total.as_deref(), Some("3000.00"));
    assert_eq!(detail.summary.invoice_number.as_deref(), Some("INV-0042A"));
    assert_eq!(detail.content_hash.as_deref(), Some("h2"));
    assert!(detail.lines_by_person);
    assert_eq!(
        lines_of(&detail),
        owned(&[
            ("Gaffer", "3000.00", "offline"),
            ("Tax", "300.00", "person")
        ])
    );

    // Reverting after the restart brings the newest extracted value.
    let now = books.tick();
    books.store.revert_field(doc, "total", now).unwrap();
    books.restart();
    let detail = books.detail(doc);
    assert_eq!(value(&detail, "total"), Some("3500.00"));
    assert!(!field(&detail, "total").pinned);
    assert_eq!(detail.summary.total.as_deref(), Some("3500.00"));
}

#[test]
fn history_records_every_change_in_order_with_old_new_and_who() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    let t1 = books.now + 2_000; // claim, then record
    books.extract(
        doc,
        &read(
            "h1",
            &[
                ("total", "3300.00", "offline"),
                ("invoice_number", "INV-0042", "e-invoice"),
                ("description", "Gaffer", "llm"),
                ("vendor_name", "Jane Smith", "file name"),
            ],
            vec![line("Gaffer", "5", "600.00", "3000.00")],
        ),
    );
    assert_eq!(books.now, t1);
    // Read again: the total changes (now by the model), the description is no longer found.
    books.extract(
        doc,
        &read(
            "h1",
            &[
                ("total", "3000.00", "llm"),
                ("invoice_number", "INV-0042", "e-invoice"),
                ("vendor_name", "Jane Smith", "file name"),
            ],
            vec![line("Gaffer", "5", "600.00", "3000.00")],
        ),
    );
    let t2 = books.now;
    books.correct(doc, "total", "3100.00");
    let t3 = books.now;
    let t4 = books.tick();
    books.store.revert_field(doc, "total", t4).unwrap();
    let t5 = books.tick();
    books
        .store
        .set_lines(
            doc,
            &[
                person_line("Gaffer", "5", "600.00", "3000.00"),
                person_line("Truck", "1", "300.00", "300.00"),
            ],
            t5,
        )
        .unwrap();
    let t6 = books.tick();
    books.store.set_review(doc, "approved", t6).unwrap();
    assert_eq!(books.undo(doc).as_deref(), Some("review"));
    let t7 = books.now;
    assert_eq!(books.undo(doc).as_deref(), Some("line items"));
    let t8 = books.now;
    assert_eq!(
        books.undo(doc).as_deref(),
        Some("total"),
        "undo of the revert"
    );
    let t9 = books.now;
    assert_eq!(
        books.undo(doc).as_deref(),
        Some("total"),
        "undo of the correction"
    );
    let t10 = books.now;
    assert_eq!(books.undo(doc), None);

    let detail = books.detail(doc);
    let got: Vec<HistoryRow> = detail
        .history
        .iter()
        .map(|h| {
            (
                h.name.as_str(),
                h.old_value.as_deref(),
                h.new_value.as_deref(),
                h.who.as_str(),
                h.at_ms,
            )
        })
        .collect();
    let truck = "Truck · 1 x 300.00 = 300.00";
    // The cleared description is the extraction's doing; which word names it is the store's.
    let cleared_by = detail
        .history
        .iter()
        .find(|h| h.name == "description" && h.new_value.is_none())
        .map(|h| h.who.as_str())
        .expect("the cleared description is in the history");
    assert_ne!(cleared_by, "person");
    assert_eq!(
        got,
        vec![
            ("total", None, Some("3300.00"), "offline", t1),
            ("invoice_number", None, Some("INV-0042"), "e-invoice", t1),
            ("description", None, Some("Gaffer"), "llm", t1),
            ("vendor_name", None, Some("Jane Smith"), "file name", t1),
            ("total", Some("3300.00"), Some("3000.00"), "llm", t2),
            ("description", Some("Gaffer"), None, cleared_by, t2),
            ("total", Some("3000.00"), Some("3100.00"), "person", t3),
            ("total", Some("3100.00"), Some("3000.00"), "person", t4),
            ("line 2", None, Some(truck), "person", t5),
            ("review", Some("to_review"), Some("approved"), "person", t6),
            (
                "review",
                Some("approved"),
                Some("to_review"),
                "person (undo)",
                t7
            ),
            ("line 2", Some(truck), None, "person (undo)", t8),
            (
                "total",
                Some("3000.00"),
                Some("3100.00"),
                "person (undo)",
                t9
            ),
            (
                "total",
                Some("3100.00"),
                Some("3000.00"),
                "person (undo)",
                t10
            ),
        ]
    );
    // Each person's change is marked undone; the undos themselves are not undoable.
    let person_changes: Vec<bool> = detail
        .history
        .iter()
        .filter(|h| h.who == "person")
        .map(|h| h.undone)
        .collect();
    assert_eq!(person_changes, vec![true; 4]);
    assert!(!detail.can_undo);
}

#[test]
fn an_export_and_its_undo_appear_in_the_history() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3000.00"));
    let now = books.tick();
    books.store.set_review(doc, "approved", now).unwrap();
    let now = books.tick();
    let (export, _) = books
        .store
        .record_export(&[doc], "/tmp/bills.csv", "xero", "documents", 1, now)
        .unwrap();
    let now = books.tick();
    books.store.undo_export(export, now).unwrap();
    let reviews: Vec<(Option<String>, Option<String>, String)> = books
        .detail(doc)
        .history
        .into_iter()
        .filter(|h| h.name == "review")
        .map(|h| (h.old_value, h.new_value, h.who))
        .collect();
    assert_eq!(reviews.len(), 3, "{reviews:?}");
    assert_eq!(
        (reviews[1].0.as_deref(), reviews[1].1.as_deref()),
        (Some("approved"), Some("exported"))
    );
    assert_ne!(
        reviews[1].2, "person",
        "the export, not a person, exported it"
    );
    assert_eq!(
        (reviews[2].0.as_deref(), reviews[2].1.as_deref()),
        (Some("exported"), Some("approved"))
    );
}

// --- undo ------------------------------------------------------------------------------------

#[test]
fn undoing_two_corrections_returns_to_the_extracted_value_unpinned() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3300.00"));
    books.correct(doc, "total", "3000.00");
    books.correct(doc, "total", "3100.00");
    assert!(books.detail(doc).can_undo);

    assert_eq!(books.undo(doc).as_deref(), Some("total"));
    let detail = books.detail(doc);
    assert_eq!(value(&detail, "total"), Some("3000.00"));
    assert!(field(&detail, "total").pinned);
    assert_eq!(detail.summary.total.as_deref(), Some("3000.00"));

    assert_eq!(books.undo(doc).as_deref(), Some("total"));
    let detail = books.detail(doc);
    let total = field(&detail, "total");
    assert_eq!(total.value.as_deref(), Some("3300.00"));
    assert!(!total.pinned);
    assert_eq!(total.provenance, "offline");
    assert_eq!(detail.summary.total.as_deref(), Some("3300.00"));
    assert!(!detail.can_undo);
    assert_eq!(books.undo(doc), None);
}

#[test]
fn undoing_a_correction_of_a_field_the_extraction_did_not_find_removes_it() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3300.00"));
    books.correct(doc, "tax", "300.00");
    assert_eq!(value(&books.detail(doc), "tax"), Some("300.00"));
    assert_eq!(books.undo(doc).as_deref(), Some("tax"));
    let detail = books.detail(doc);
    assert!(
        detail
            .fields
            .iter()
            .all(|f| f.name != "tax" || f.value.is_none()),
        "{:?}",
        detail.fields
    );
}

#[test]
fn undoing_set_lines_restores_the_extracted_lines_unpinned() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3000.00"));
    let now = books.tick();
    books
        .store
        .set_lines(
            doc,
            &[
                person_line("Truck", "1", "300.00", "300.00"),
                person_line("Gaffer", "5", "540.00", "2700.00"),
            ],
            now,
        )
        .unwrap();
    let detail = books.detail(doc);
    assert!(detail.lines_by_person);
    assert_eq!(detail.lines.len(), 2);

    assert_eq!(books.undo(doc).as_deref(), Some("line items"));
    let detail = books.detail(doc);
    assert!(!detail.lines_by_person);
    assert_eq!(
        lines_of(&detail),
        owned(&[("Gaffer", "3000.00", "offline")])
    );
    let gaffer = &detail.lines[0];
    assert_eq!(
        (
            gaffer.position,
            gaffer.quantity.as_deref(),
            gaffer.unit_price.as_deref()
        ),
        (1, Some("5"), Some("600.00"))
    );
    // Unpinned again: the next extraction's lines are taken.
    books.extract(
        doc,
        &read(
            "h2",
            &[("total", "3000.00", "offline")],
            vec![line("Gaffer day rate", "5", "600.00", "3000.00")],
        ),
    );
    assert_eq!(
        lines_of(&books.detail(doc)),
        owned(&[("Gaffer day rate", "3000.00", "offline")])
    );
}

#[test]
fn undoing_set_lines_after_a_re_extraction_shows_the_newest_extracted_lines() {
    // Like a field: undoing a person's value shows what the extraction says NOW (a pinned
    // field's extracted value moves under the pin), so undoing a line edit should show
    // the lines the latest extraction read, not those of an extraction since replaced.
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3000.00"));
    books.correct(doc, "total", "2700.00");
    let now = books.tick();
    books
        .store
        .set_lines(doc, &[person_line("Gaffer", "5", "540.00", "2700.00")], now)
        .unwrap();
    books.extract(
        doc,
        &read(
            "h2",
            &[("total", "3300.00", "offline")],
            vec![
                line("Gaffer", "5", "600.00", "3000.00"),
                line("Overtime", "1", "300.00", "300.00"),
            ],
        ),
    );
    assert_eq!(books.undo(doc).as_deref(), Some("line items"));
    assert_eq!(books.undo(doc).as_deref(), Some("total"));
    let detail = books.detail(doc);
    assert_eq!(
        value(&detail, "total"),
        Some("3300.00"),
        "the newest extracted total"
    );
    assert!(!detail.lines_by_person);
    assert_eq!(
        lines_of(&detail),
        owned(&[
            ("Gaffer", "3000.00", "offline"),
            ("Overtime", "300.00", "offline")
        ]),
        "the newest extracted lines, as revert_lines would give"
    );
}

#[test]
fn undoing_set_review_restores_the_previous_state() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3000.00"));
    let now = books.tick();
    books.store.set_review(doc, "approved", now).unwrap();
    let now = books.tick();
    books.store.set_review(doc, "rejected", now).unwrap();
    let now = books.tick();
    assert!(matches!(
        books.store.set_review(doc, "paid", now),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        books.store.set_review(9_999, "approved", now),
        Err(StoreError::NoSuchDocument(9_999))
    ));

    assert_eq!(books.undo(doc).as_deref(), Some("review"));
    assert_eq!(books.detail(doc).summary.review, "approved");
    assert_eq!(books.undo(doc).as_deref(), Some("review"));
    assert_eq!(books.detail(doc).summary.review, "to_review");
    assert_eq!(books.undo(doc), None);
    let counts = books.store.document_counts(books.source).unwrap();
    assert_eq!(
        (counts.to_review, counts.approved, counts.rejected),
        (1, 0, 0)
    );
}

#[test]
fn undo_with_nothing_to_undo_returns_none() {
    let mut books = Books::new();
    let waiting = books.add(&invoice_01(), "inv");
    assert_eq!(books.undo(waiting), None, "a document not read yet");
    let doc = books.add(&po_file(JANE, "2416_23_02 Jane Smith Invoice.pdf"), "inv2");
    books.extract(doc, &gaffer_invoice("h2", "3000.00"));
    books.extract(doc, &gaffer_invoice("h2", "3100.00"));
    assert_eq!(
        books.undo(doc),
        None,
        "extractions are not a person's changes"
    );
    assert!(!books.detail(doc).can_undo);
    assert_eq!(value(&books.detail(doc), "total"), Some("3100.00"));
    assert_eq!(books.undo(9_999), None, "no such document");
}

#[test]
fn undo_survives_a_restart() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3300.00"));
    books.correct(doc, "total", "3000.00");
    let now = books.tick();
    books.store.set_review(doc, "approved", now).unwrap();

    books.restart();
    assert!(books.detail(doc).can_undo);
    assert_eq!(books.undo(doc).as_deref(), Some("review"));
    books.restart();
    assert_eq!(books.undo(doc).as_deref(), Some("total"));
    books.restart();
    let detail = books.detail(doc);
    assert_eq!(detail.summary.review, "to_review");
    assert_eq!(value(&detail, "total"), Some("3300.00"));
    assert!(!field(&detail, "total").pinned);
    assert_eq!(books.undo(doc), None, "both undone, and remembered as such");
}

// --- line items --------------------------------------------------------------------------------

#[test]
fn set_lines_pins_them_and_revert_lines_brings_the_newest_extraction() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3000.00"));
    let now = books.tick();
    books
        .store
        .set_lines(
            doc,
            &[
                person_line("Gaffer", "5", "560.00", "2800.00"),
                person_line("Mileage", "1", "200.00", "200.00"),
            ],
            now,
        )
        .unwrap();
    let pinned = owned(&[
        ("Gaffer", "2800.00", "person"),
        ("Mileage", "200.00", "person"),
    ]);
    assert_eq!(lines_of(&books.detail(doc)), pinned);

    books.extract(
        doc,
        &read(
            "h2",
            &[("total", "3300.00", "offline")],
            vec![
                line("Gaffer", "5", "600.00", "3000.00"),
                line("Overtime", "1", "300.00", "300.00"),
            ],
        ),
    );
    let detail = books.detail(doc);
    assert!(detail.lines_by_person);
    assert_eq!(
        lines_of(&detail),
        pinned,
        "the extraction left the person's lines"
    );

    let now = books.tick();
    books.store.revert_lines(doc, now).unwrap();
    let detail = books.detail(doc);
    assert!(!detail.lines_by_person);
    assert_eq!(
        lines_of(&detail),
        owned(&[
            ("Gaffer", "3000.00", "offline"),
            ("Overtime", "300.00", "offline")
        ])
    );
    assert_eq!(
        detail.lines.iter().map(|l| l.position).collect::<Vec<_>>(),
        vec![1, 2]
    );
    // Reverting is itself undoable: back to the person's lines, pinned.
    assert_eq!(books.undo(doc).as_deref(), Some("line items"));
    let detail = books.detail(doc);
    assert!(detail.lines_by_person);
    assert_eq!(lines_of(&detail), pinned);
}

// --- flags -----------------------------------------------------------------------------------

#[test]
fn duplicate_by_project_po_type_and_file_number_flags_the_newer_document() {
    let mut books = Books::new();
    let older = books.add(&invoice_01(), "a");
    let copy = po_file(JANE, "Add'l Files/2416_23_01 Jane Smith Invoice.pdf");
    let newer = books.add(&copy, "b");

    let flag = the_flag(&books, newer, "duplicate");
    assert_eq!(flag.other_id, Some(older));
    assert!(!flag.dismissed);
    assert!(
        flag.reason
            .contains("project, PO, document type and file number")
            && flag.reason.contains("2416_23_01 Jane Smith Invoice.pdf")
            && flag.reason.contains(&format!("#{older}")),
        "{}",
        flag.reason
    );
    assert!(
        flags_of(&books, older, "duplicate").is_empty(),
        "the older one is not flagged"
    );

    // Numbered as the second invoice: no longer a duplicate.
    books.rename(
        &copy,
        &po_file(JANE, "Add'l Files/2416_23_02 Jane Smith Invoice.pdf"),
        "b",
    );
    assert!(flags_of(&books, newer, "duplicate").is_empty());
}

#[test]
fn duplicate_by_content_hash_flags_the_newer_document_and_goes_with_new_bytes() {
    let mut books = Books::new();
    let older = books.add(&invoice_01(), "a");
    let newer = books.add(&po_file(BOB, "2416_24_01 Bob Jones Invoice.pdf"), "b");
    let bob = |hash: &str| {
        read(
            hash,
            &[
                ("vendor_name", "Bob Jones", "offline"),
                ("invoice_number", "BJ-7", "offline"),
                ("total", "450.00", "offline"),
            ],
            vec![],
        )
    };
    books.extract(older, &gaffer_invoice("h-jane", "3000.00"));
    books.extract(newer, &bob("h-bob"));
    assert!(flags_of(&books, newer, "duplicate").is_empty());

    // The older document is read again and turns out to hold the newer one's bytes: the
    // newer one is flagged, though it did not change itself.
    books.extract(older, &gaffer_invoice("h-bob", "3000.00"));
    let flag = the_flag(&books, newer, "duplicate");
    assert_eq!(flag.other_id, Some(older));
    assert!(flag.reason.contains("same content"), "{}", flag.reason);
    assert!(flags_of(&books, older, "duplicate").is_empty());

    books.add_revision(&po_file(BOB, "2416_24_01 Bob Jones Invoice.pdf"), "b", "2");
    books.extract(newer, &bob("h-bob-2"));
    assert!(flags_of(&books, newer, "duplicate").is_empty());
}

#[test]
fn duplicate_by_vendor_and_invoice_number_appears_when_a_person_corrects_the_number() {
    let mut books = Books::new();
    let older = books.add(&invoice_01(), "a");
    let newer = books.add(&po_file(BOB, "2416_24_01 Bob Jones Invoice.pdf"), "b");
    books.extract(older, &gaffer_invoice("h1", "3000.00"));
    books.extract(
        newer,
        &read(
            "h2",
            &[
                ("vendor_name", "JANE SMITH", "llm"),
                ("invoice_number", "INV-0043", "llm"),
                ("total", "3000.00", "llm"),
            ],
            vec![],
        ),
    );
    assert!(flags_of(&books, newer, "duplicate").is_empty());

    books.correct(newer, "invoice_number", "inv-0042");
    let flag = the_flag(&books, newer, "duplicate");
    assert_eq!(flag.other_id, Some(older));
    assert!(
        flag.reason.contains("vendor and invoice number"),
        "{}",
        flag.reason
    );
    assert!(flags_of(&books, older, "duplicate").is_empty());

    let now = books.tick();
    books
        .store
        .revert_field(newer, "invoice_number", now)
        .unwrap();
    assert!(flags_of(&books, newer, "duplicate").is_empty());
    // Correcting the OLDER one into the same number flags the newer one too.
    books.correct(older, "invoice_number", "INV-0043");
    assert_eq!(the_flag(&books, newer, "duplicate").other_id, Some(older));
    assert!(flags_of(&books, older, "duplicate").is_empty());
}

#[test]
fn lines_sum_flags_lines_not_adding_up_and_accepts_lines_plus_tax() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3300.00"));
    let flag = the_flag(&books, doc, "lines_sum");
    assert_eq!(
        flag.reason,
        "the line items add up to 3000.00, not the total 3300.00"
    );
    assert!(
        flags_of(&books, doc, "totals").is_empty(),
        "no subtotal: nothing to check"
    );

    // The tax is its own field: lines + tax = total.
    books.correct(doc, "tax", "300.00");
    assert!(flags_of(&books, doc, "lines_sum").is_empty());
    // Lines that say the total themselves are fine too.
    let now = books.tick();
    books.store.revert_field(doc, "tax", now).unwrap();
    assert_eq!(flags_of(&books, doc, "lines_sum").len(), 1);
    let now = books.tick();
    books
        .store
        .set_lines(
            doc,
            &[
                person_line("Gaffer", "5", "600.00", "3000.00"),
                person_line("Sales tax", "1", "300.00", "300.00"),
            ],
            now,
        )
        .unwrap();
    assert!(flags_of(&books, doc, "lines_sum").is_empty());
}

#[test]
fn totals_flags_subtotal_plus_tax_not_equal_to_total() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    books.extract(
        doc,
        &read(
            "h1",
            &[
                ("subtotal", "100.00", "offline"),
                ("tax", "8.00", "offline"),
                ("total", "110.00", "offline"),
            ],
            vec![],
        ),
    );
    let flag = the_flag(&books, doc, "totals");
    assert_eq!(
        flag.reason,
        "subtotal 100.00 plus tax 8.00 is 108.00, not the total 110.00"
    );
    books.correct(doc, "total", "108.00");
    assert!(flags_of(&books, doc, "totals").is_empty());
}

#[test]
fn name_mismatch_flags_a_file_naming_another_po_than_its_folder() {
    let mut books = Books::new();
    let wrong = po_file(JANE, "2416_24_01 Jane Smith Invoice.pdf");
    let doc = books.add(&wrong, "inv");
    let flag = the_flag(&books, doc, "name_mismatch");
    assert!(
        flag.reason.contains("file name says PO 24") && flag.reason.contains("2416_23"),
        "{}",
        flag.reason
    );
    assert!(books
        .detail(doc)
        .name_problems
        .iter()
        .any(|p| p.contains("PO 24")));
    books.rename(&wrong, &invoice_01(), "inv");
    assert!(flags_of(&books, doc, "name_mismatch").is_empty());
}

#[test]
fn unparsed_name_flags_a_name_that_does_not_follow_the_convention() {
    let mut books = Books::new();
    let scan = po_file(JANE, "scan 0001.pdf");
    let doc = books.add(&scan, "scan");
    let flag = the_flag(&books, doc, "unparsed_name");
    assert!(
        flag.reason.contains("scan 0001.pdf") && flag.reason.contains("does not follow"),
        "{}",
        flag.reason
    );
    // The folders still place it.
    let detail = books.detail(doc);
    assert_eq!(detail.summary.po_number.as_deref(), Some("23"));
    books.rename(&scan, &invoice_01(), "scan");
    assert!(flags_of(&books, doc, "unparsed_name").is_empty());
}

#[test]
fn no_tax_form_flags_a_vendor_invoice_until_a_w9_is_in_the_po() {
    let mut books = Books::new();
    let invoice = books.add(&invoice_01(), "inv");
    let receipt = books.add(&po_file(CARD, "2416_03_01 Uber Receipt.pdf"), "uber");
    let flag = the_flag(&books, invoice, "no_tax_form");
    assert_eq!(flag.reason, "PO 2416_23 has no W9 or W8 on file");
    assert!(
        flags_of(&books, receipt, "no_tax_form").is_empty(),
        "a card PO needs no tax form"
    );

    let w9 = po_file(JANE, "2416_23 Jane Smith W9.pdf");
    books.add(&w9, "w9");
    assert!(flags_of(&books, invoice, "no_tax_form").is_empty());
    // An invoice that arrives after the W9 is not flagged either.
    let second = books.add(&po_file(JANE, "2416_23_02 Jane Smith Invoice.pdf"), "inv2");
    assert!(flags_of(&books, second, "no_tax_form").is_empty());

    books.delete(&w9);
    assert_eq!(
        flags_of(&books, invoice, "no_tax_form").len(),
        1,
        "the W9 is gone"
    );
    assert_eq!(flags_of(&books, second, "no_tax_form").len(), 1);
}

#[test]
fn failed_flags_an_extraction_that_failed_for_good() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "inv");
    let job = books.claim_for(doc);
    let now = books.tick();
    books
        .store
        .fail_extraction(&job, "download failed: 503", true, 5, now)
        .unwrap();
    assert!(
        flags_of(&books, doc, "failed").is_empty(),
        "it will be tried again"
    );

    // The retry, once due, finds that the PDF cannot be read at all.
    let due = books
        .store
        .next_job_due()
        .unwrap()
        .expect("a retry is queued");
    assert!(due > now, "it waits out a backoff");
    books.now = due;
    let job = books
        .store
        .claim_extract_job(due)
        .unwrap()
        .expect("the retry");
    assert_eq!(job.document_id, doc);
    let now = books.tick();
    books
        .store
        .fail_extraction(&job, "the PDF is encrypted", false, 5, now)
        .unwrap();
    let flag = the_flag(&books, doc, "failed");
    assert_eq!(flag.reason, "extraction failed: the PDF is encrypted");

    books.extract(doc, &gaffer_invoice("h1", "3000.00"));
    assert!(flags_of(&books, doc, "failed").is_empty());
}

#[test]
fn a_dismissed_flag_stays_dismissed_across_re_extraction_while_its_condition_holds() {
    let mut books = Books::new();
    books.add(&po_file(JANE, "2416_23 Jane Smith W9.pdf"), "w9");
    let doc = books.add(&invoice_01(), "inv");
    books.extract(doc, &gaffer_invoice("h1", "3300.00"));
    // Another document with two open flags (no W9 in its PO; totals not adding up).
    let other = books.add(&po_file(BOB, "2416_24_01 Bob Jones Invoice.pdf"), "bob");
    books.extract(
        other,
        &read(
            "h2",
            &[
                ("subtotal", "100.00", "offline"),
                ("tax", "8.00", "offline"),
                ("total", "110.00", "offline"),
            ],
            vec![],
        ),
    );
    let flag = the_flag(&books, doc, "lines_sum");
    assert_eq!(books.store.flags(doc).unwrap().len(), 1, "only lines_sum");
    assert_eq!(books.store.flags(other).unwrap().len(), 2);
    assert_eq!(
        books.store.document_counts(books.source).unwrap().flagged,
        2
    );

    let now = books.tick();
    assert_eq!(
        books
            .store
            .dismiss_flag(flag.id, Some("the tax is on page 2"), now)
            .unwrap(),
        Some(doc)
    );
    assert_eq!(
        books.store.document_counts(books.source).unwrap().flagged,
        1
    );
    assert_eq!(books.detail(doc).summary.open_flags, 0);

    // Read again with another total: still not adding up, still dismissed, new reason.
    books.extract(doc, &gaffer_invoice("h1", "3310.00"));
    let kept = the_flag(&books, doc, "lines_sum");
    assert_eq!(kept.id, flag.id);
    assert!(kept.dismissed);
    assert_eq!(kept.dismiss_note.as_deref(), Some("the tax is on page 2"));
    assert!(kept.reason.contains("3310.00"), "{}", kept.reason);
    books.restart();
    assert!(the_flag(&books, doc, "lines_sum").dismissed);
    let counts = books.store.document_counts(books.source).unwrap();
    assert_eq!(counts.flagged, 1);
    assert_eq!(
        books.ids(&DocumentFilter {
            flagged: Some(true),
            ..Default::default()
        }),
        vec![other]
    );

    // The condition goes: so does the flag. When it comes back, it is a new, open flag.
    books.correct(doc, "total", "3000.00");
    assert!(books.store.flags(doc).unwrap().is_empty());
    books.correct(doc, "total", "3500.00");
    let back = the_flag(&books, doc, "lines_sum");
    assert!(!back.dismissed);
    assert_eq!(back.dismiss_note, None);
    assert_eq!(
        books.store.document_counts(books.source).unwrap().flagged,
        2
    );
    // A dismissal is taken back with no note: the flag is open again.
    let now = books.tick();
    books
        .store
        .dismiss_flag(back.id, Some("seen"), now)
        .unwrap();
    assert!(the_flag(&books, doc, "lines_sum").dismissed);
    let now = books.tick();
    books.store.dismiss_flag(back.id, None, now).unwrap();
    let restored = the_flag(&books, doc, "lines_sum");
    assert!(!restored.dismissed && restored.dismiss_note.is_none());
}

#[test]
fn a_po_a_person_marks_as_a_card_po_does_not_ask_its_invoices_for_a_tax_form() {
    // "Studio54 1999"-like folders: the rules say vendor, the person says card. The PO view
    // follows the person (CC / PC); the flag on its invoices should follow too.
    let mut books = Books::new();
    let folder = "2416_07 Studio54 1999";
    let doc = books.add(&po_file(folder, "2416_07_01 Studio54 Invoice.pdf"), "inv");
    assert_eq!(flags_of(&books, doc, "no_tax_form").len(), 1);
    let now = books.tick();
    books
        .store
        .set_po_vendor_type(books.source, "2416", "07", Some("cc"), now)
        .unwrap();
    let po = books
        .store
        .purchase_orders(books.source)
        .unwrap()
        .into_iter()
        .find(|p| p.po_number == "07")
        .unwrap();
    assert_eq!(po.status, "CC / PC");
    assert!(
        flags_of(&books, doc, "no_tax_form")
            .iter()
            .all(|f| f.dismissed),
        "the PO is a card PO by the person's say: {:?}",
        books.store.flags(doc).unwrap()
    );
}

// --- search ----------------------------------------------------------------------------------

#[test]
fn full_text_search_finds_vendor_number_body_and_path_ignoring_accents() {
    let mut books = Books::new();
    let jane = books.add(&invoice_01(), "jane");
    let catering = po_file(
        "2416_05 Lumiere Catering",
        "2416_05_01 Lumiere Catering Invoice.pdf",
    );
    let cafe = books.add(&catering, "cafe");
    let mut jane_read = read(
        "h-jane",
        &[
            ("vendor_name", "Jane Smith Lighting", "offline"),
            ("invoice_number", "INV-2024-0042", "offline"),
            ("total", "3000.00", "offline"),
        ],
        vec![],
    );
    jane_read.text = Some("Gaffer and grip crew for the keynote rehearsal, 5 days".into());
    books.extract(jane, &jane_read);
    let mut cafe_read = read(
        "h-cafe",
        &[
            ("vendor_name", "Café Lumière", "llm"),
            ("invoice_number", "LC-77", "llm"),
            ("total", "640.00", "llm"),
        ],
        vec![],
    );
    cafe_read.text = Some("Breakfast for forty".into());
    books.extract(cafe, &cafe_read);

    assert_eq!(books.search("light"), vec![jane], "vendor, as a prefix");
    assert_eq!(books.search("jan smi"), vec![jane], "every word a prefix");
    assert_eq!(books.search("INV-2024-0042"), vec![jane], "invoice number");
    assert_eq!(books.search("0042"), vec![jane]);
    assert_eq!(books.search("lc-77"), vec![cafe]);
    assert_eq!(
        books.search("rehearsal"),
        vec![jane],
        "a word only in the text"
    );
    assert_eq!(
        books.search("catering"),
        vec![cafe],
        "a word only in the path"
    );
    assert_eq!(
        books.search("whop keynote"),
        vec![jane, cafe],
        "the project folder"
    );
    assert_eq!(books.search("cafe"), vec![cafe], "accents ignored");
    assert_eq!(books.search("CAFÉ lumi"), vec![cafe]);
    assert_eq!(books.search("breakfast"), vec![cafe]);
    assert!(books.search("dinner").is_empty());

    // A person's vendor is what is searched, not the extracted one.
    books.correct(cafe, "vendor_name", "Bistro Nord");
    assert_eq!(books.search("bistro"), vec![cafe]);
    assert!(books.search("cafe").is_empty());

    // Search combines with the other filters.
    let filter = DocumentFilter {
        text: Some("whop".into()),
        po: Some("05".into()),
        ..Default::default()
    };
    assert_eq!(books.ids(&filter), vec![cafe]);

    // A renamed document is found by its new name; its text stays searchable.
    let renamed = po_file(
        "2416_05 Lumiere Catering",
        "2416_05_01 Lumiere Traiteur Invoice.pdf",
    );
    books.rename(&catering, &renamed, "cafe");
    assert_eq!(books.search("traiteur"), vec![cafe]);
    assert_eq!(books.search("breakfast"), vec![cafe]);
}

#[test]
fn the_text_of_a_twin_copy_is_searchable() {
    let mut books = Books::new();
    let original = books.add(&invoice_01(), "a");
    let copy = books.add(&po_file(BOB, "2416_24_01 Bob Jones Invoice.pdf"), "b");
    let mut first = gaffer_invoice("same-bytes", "3000.00");
    first.text = Some("Grip truck and generator for the keynote rehearsal".into());
    books.extract(original, &first);

    let job = books.claim_for(copy);
    let twin = books
        .store
        .extracted_twin("same-bytes", copy)
        .unwrap()
        .expect("the twin");
    assert_eq!(twin, original);
    let copied = books.store.extraction_of(twin).unwrap().unwrap();
    let now = books.tick();
    books.store.record_extraction(&job, &copied, now).unwrap();

    assert_eq!(books.search("generator"), vec![original, copy]);
    assert_eq!(
        books.store.document_text(copy).unwrap().as_deref(),
        Some("Grip truck and generator for the keynote rehearsal")
    );
}

#[test]
fn search_syntax_typed_by_a_person_does_not_error() {
    let mut books = Books::new();
    let doc = books.add(&invoice_01(), "a");
    let mut r = gaffer_invoice("h1", "3000.00");
    r.text = Some("Gaffer rate for the keynote rehearsal".into());
    books.extract(doc, &r);
    for query in [
        "\"",
        "\"rehearsal",
        "rehearsal\"",
        "-rehearsal",
        "NEAR(gaffer rehearsal)",
        "NEAR(gaffer rehearsal, 2)",
        "vendor:jane",
        "body:rehearsal",
        "gaffer AND OR NOT",
        "*",
        "^gaffer",
        "(",
        "rehearsal)",
        "'",
        "a\"b",
        "{vendor body}: jane",
        "   ",
        "",
        "%_",
    ] {
        let filter = DocumentFilter {
            text: Some(query.into()),
            ..Default::default()
        };
        let found = books.store.documents(books.source, &filter, 0, 50);
        assert!(found.is_ok(), "{query:?}: {:?}", found.err());
        let counted = books.store.count_documents(books.source, &filter);
        assert!(counted.is_ok(), "{query:?}: {:?}", counted.err());
        assert_eq!(counted.unwrap(), found.unwrap().len() as u64, "{query:?}");
    }
    // Operators are plain words: "-rehearsal" looks for rehearsal, NEAR for its words.
    assert_eq!(books.search("-rehearsal"), vec![doc]);
    assert_eq!(books.search("NEAR(gaffer rehearsal)"), Vec::<i64>::new());
    assert_eq!(books.search("gaffer:rehearsal"), vec![doc]);
}

// --- filters and sort ----------------------------------------------------------------------------

#[test]
fn filters_and_sorts_agree_with_counts() {
    let mut books = Books::new();
    let beta = books.add(&invoice_01(), "d1");
    let alpha = books.add(&po_file(JANE, "2416_23_02 Jane Smith Invoice.pdf"), "d2");
    let gamma = books.add(
        "/2417 - Spring Gala/1. Purchase Orders/2417_23 Gamma Sound/2417_23_01 Gamma Sound Invoice.pdf",
        "d3",
    );
    let uber = books.add(&po_file(CARD, "2416_03_01 Uber Receipt.pdf"), "d4");
    let with = |vendor: &str, total: &str, hash: &str| {
        read(
            hash,
            &[
                ("vendor_name", vendor, "offline"),
                ("total", total, "offline"),
            ],
            vec![],
        )
    };
    books.extract(beta, &with("beta Grip", "10.00", "h1"));
    books.extract(alpha, &with("Alpha Lighting", "-5.00", "h2"));
    books.extract(gamma, &with("gamma Sound", "9.50", "h3"));
    books.extract(uber, &with("Uber", "100.00", "h4"));
    let now = books.tick();
    books.store.set_review(beta, "approved", now).unwrap();
    let now = books.tick();
    books.store.set_review(gamma, "rejected", now).unwrap();

    let sorted = |sort: DocumentSort| {
        books.ids(&DocumentFilter {
            sort,
            ..Default::default()
        })
    };
    // Integer cents, not text: -5.00 < 9.50 < 10.00 < 100.00.
    assert_eq!(
        sorted(DocumentSort::Total { descending: false }),
        vec![alpha, gamma, beta, uber]
    );
    assert_eq!(
        sorted(DocumentSort::Total { descending: true }),
        vec![uber, beta, gamma, alpha]
    );
    // Vendor, ignoring case.
    assert_eq!(
        sorted(DocumentSort::Vendor { descending: false }),
        vec![alpha, beta, gamma, uber]
    );
    assert_eq!(
        sorted(DocumentSort::Vendor { descending: true }),
        vec![uber, gamma, beta, alpha]
    );
    assert_eq!(sorted(DocumentSort::Newest), vec![uber, gamma, alpha, beta]);
    assert_eq!(sorted(DocumentSort::Oldest), vec![beta, alpha, gamma, uber]);
    // A page of a sorted list.
    let page: Vec<i64> = books
        .store
        .documents(
            books.source,
            &DocumentFilter {
                sort: DocumentSort::Total { descending: false },
                ..Default::default()
            },
            1,
            2,
        )
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(page, vec![gamma, beta]);

    let oldest = |filter: DocumentFilter| {
        books.ids(&DocumentFilter {
            sort: DocumentSort::Oldest,
            ..filter
        })
    };
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        oldest(DocumentFilter {
            review: s("approved"),
            ..Default::default()
        }),
        vec![beta]
    );
    assert_eq!(
        oldest(DocumentFilter {
            review: s("to_review"),
            ..Default::default()
        }),
        vec![alpha, uber]
    );
    assert_eq!(
        oldest(DocumentFilter {
            project: s("2417"),
            ..Default::default()
        }),
        vec![gamma]
    );
    assert_eq!(
        oldest(DocumentFilter {
            po: s("23"),
            ..Default::default()
        }),
        vec![beta, alpha, gamma]
    );
    assert_eq!(
        oldest(DocumentFilter {
            project: s("2416"),
            po: s("23"),
            ..Default::default()
        }),
        vec![beta, alpha]
    );
    // Vendor POs without a W9 are flagged; the card receipt is not.
    assert_eq!(
        oldest(DocumentFilter {
            flagged: Some(true),
            ..Default::default()
        }),
        vec![beta, alpha, gamma]
    );
    assert_eq!(
        oldest(DocumentFilter {
            flagged: Some(false),
            ..Default::default()
        }),
        vec![uber]
    );
    assert_eq!(
        oldest(DocumentFilter {
            vendor_type: s("cc"),
            ..Default::default()
        }),
        vec![uber]
    );
    assert_eq!(
        oldest(DocumentFilter {
            name_type: s("INVOICE"),
            review: s("to_review"),
            ..Default::default()
        }),
        vec![alpha]
    );
    assert_eq!(
        oldest(DocumentFilter {
            ids: Some(vec![uber, beta]),
            ..Default::default()
        }),
        vec![beta, uber]
    );
    assert_eq!(
        oldest(DocumentFilter {
            ids: Some(vec![]),
            ..Default::default()
        }),
        Vec::<i64>::new(),
        "an empty selection selects nothing"
    );
    assert_eq!(
        oldest(DocumentFilter {
            status: s("done"),
            project: s("2416"),
            ..Default::default()
        }),
        vec![beta, alpha, uber]
    );
    let counts = books.store.document_counts(books.source).unwrap();
    assert_eq!(
        (
            counts.to_review,
            counts.approved,
            counts.rejected,
            counts.flagged
        ),
        (2, 1, 1, 3)
    );
}

// --- the PO view ---------------------------------------------------------------------------------

fn po_of(books: &Books, project: &str, po: &str) -> boxkeeper_store::PurchaseOrder {
    books
        .store
        .purchase_orders(books.source)
        .unwrap()
        .into_iter()
        .find(|p| p.project_number == project && p.po_number == po)
        .unwrap_or_else(|| panic!("no PO {project}_{po}"))
}

#[test]
fn po_view_statuses_follow_the_rules_and_tax_forms() {
    let mut books = Books::new();
    let uber = books.add(&po_file(CARD, "2416_03_01 Uber Receipt.pdf"), "uber");
    let market = books.add(
        &po_file(CARD, "2416_03_02 Atlantis Fresh Market Receipt.pdf"),
        "market",
    );
    let petty = books.add(
        "/2416 - Whop Keynote/3. Petty Cash/1. Crew PC Folders/2416_40 John Doe/2416_40_01 Home Depot Receipt.pdf",
        "pc",
    );
    let inv1 = books.add(&invoice_01(), "inv1");
    let inv2 = books.add(&po_file(JANE, "2416_23_02 Jane Smith Invoice.pdf"), "inv2");
    let amount = |total: &str, currency: Option<&str>, hash: &str| {
        let mut fields = vec![("total", total, "offline")];
        if let Some(c) = currency {
            fields.push(("currency", c, "offline"));
        }
        read(hash, &fields, vec![])
    };
    books.extract(uber, &amount("23.50", Some("USD"), "h1"));
    books.extract(market, &amount("-4.00", Some("USD"), "h2"));
    books.extract(petty, &amount("12.00", None, "h3"));
    books.extract(inv1, &amount("3000.00", Some("USD"), "h4"));
    books.extract(inv2, &amount("150.50", Some("EUR"), "h5"));

    let pos = books.store.purchase_orders(books.source).unwrap();
    assert_eq!(
        pos.iter()
            .map(|p| (p.project_number.as_str(), p.po_number.as_str()))
            .collect::<Vec<_>>(),
        vec![("2416", "03"), ("2416", "23"), ("2416", "40")]
    );

    let card = po_of(&books, "2416", "03");
    assert_eq!(card.status, "CC / PC");
    assert!(!card.status_by_person);
    assert_eq!(card.vendor_type.as_deref(), Some("cc"));
    assert_eq!(card.vendor.as_deref(), Some("Credit Card 1138"));
    assert_eq!(card.project_name.as_deref(), Some("Whop Keynote"));
    assert_eq!((card.documents, card.receipts, card.invoices), (2, 2, 0));
    assert_eq!(card.totals.len(), 1);
    assert_eq!(card.totals[0].currency, "USD");
    assert_eq!(
        card.totals[0].received_cents, 1_950,
        "23.50 less a 4.00 refund"
    );
    assert_eq!(card.totals[0].invoiced_cents, 0);

    let pc = po_of(&books, "2416", "40");
    assert_eq!(
        (pc.status.as_str(), pc.vendor_type.as_deref()),
        ("CC / PC", Some("pc"))
    );
    assert_eq!(pc.totals.len(), 1);
    assert_eq!(
        (pc.totals[0].currency.as_str(), pc.totals[0].received_cents),
        ("", 1_200)
    );

    let jane = po_of(&books, "2416", "23");
    assert_eq!(jane.status, "Tax Form Needed");
    assert_eq!(jane.vendor.as_deref(), Some("Jane Smith"));
    assert_eq!(jane.vendor_type.as_deref(), Some("vendor"));
    assert_eq!((jane.invoices, jane.tax_forms, jane.flagged), (2, 0, 2));
    let mut totals: Vec<(String, i64, i64)> = jane
        .totals
        .iter()
        .map(|t| (t.currency.clone(), t.invoiced_cents, t.received_cents))
        .collect();
    totals.sort();
    assert_eq!(
        totals,
        vec![("EUR".into(), 15_050, 0), ("USD".into(), 300_000, 0)]
    );
    // A person's total is what counts.
    books.correct(inv1, "total", "2999.99");
    let usd = po_of(&books, "2416", "23")
        .totals
        .into_iter()
        .find(|t| t.currency == "USD")
        .unwrap();
    assert_eq!(usd.invoiced_cents, 299_999);

    books.add(&po_file(JANE, "2416_23 Jane Smith W9.pdf"), "w9");
    let jane = po_of(&books, "2416", "23");
    assert_eq!(jane.status, "Needs Verification");
    assert_eq!((jane.tax_forms, jane.flagged), (1, 0));

    let now = books.tick();
    books
        .store
        .verify_tax_form(books.source, "2416", "23", now)
        .unwrap();
    assert_eq!(po_of(&books, "2416", "23").status, "Approved");
    books.restart();
    assert_eq!(po_of(&books, "2416", "23").status, "Approved");

    // A newer W9 arrives: it needs verifying in its turn.
    books.add(&po_file(JANE, "2416_23 Jane Smith W9 2.pdf"), "w9b");
    assert_eq!(po_of(&books, "2416", "23").status, "Needs Verification");
    let now = books.tick();
    books
        .store
        .verify_tax_form(books.source, "2416", "23", now)
        .unwrap();
    assert_eq!(po_of(&books, "2416", "23").status, "Approved");

    let now = books.tick();
    assert!(matches!(
        books.store.verify_tax_form(books.source, "2416", "03", now),
        Err(StoreError::Invalid(_))
    ));
}

#[test]
fn po_overrides_win_and_are_reported_as_by_a_person() {
    let mut books = Books::new();
    books.add(&invoice_01(), "inv1");
    let now = books.tick();
    books
        .store
        .set_po_status(books.source, "2416", "23", Some("Approved"), now)
        .unwrap();
    let jane = po_of(&books, "2416", "23");
    assert_eq!(jane.status, "Approved");
    assert!(jane.status_by_person);
    assert!(
        jane.status_reason.contains("Tax Form Needed"),
        "says what the rules would: {}",
        jane.status_reason
    );

    let now = books.tick();
    books
        .store
        .set_po_vendor_type(books.source, "2416", "23", Some("pc"), now)
        .unwrap();
    books.restart();
    let jane = po_of(&books, "2416", "23");
    assert_eq!(jane.vendor_type.as_deref(), Some("pc"));
    assert!(jane.vendor_type_by_person);
    assert_eq!(jane.status, "Approved", "the person's status still wins");

    let now = books.tick();
    books
        .store
        .set_po_status(books.source, "2416", "23", None, now)
        .unwrap();
    let jane = po_of(&books, "2416", "23");
    assert_eq!(
        jane.status, "CC / PC",
        "the rules, with the person's vendor type"
    );
    assert!(!jane.status_by_person);

    let now = books.tick();
    books
        .store
        .set_po_vendor_type(books.source, "2416", "23", None, now)
        .unwrap();
    let jane = po_of(&books, "2416", "23");
    assert_eq!(
        (
            jane.status.as_str(),
            jane.vendor_type.as_deref(),
            jane.vendor_type_by_person
        ),
        ("Tax Form Needed", Some("vendor"), false)
    );

    let now = books.tick();
    assert!(matches!(
        books
            .store
            .set_po_status(books.source, "2416", "23", Some("Paid"), now),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        books
            .store
            .set_po_vendor_type(books.source, "2416", "23", Some("card"), now),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(po_of(&books, "2416", "23").status, "Tax Form Needed");
}

// --- exports ---------------------------------------------------------------------------------

#[test]
fn an_export_marks_exported_and_its_undo_puts_each_document_back() {
    let mut books = Books::new();
    let fresh = books.add(&invoice_01(), "a");
    let approved = books.add(&po_file(JANE, "2416_23_02 Jane Smith Invoice.pdf"), "b");
    let later = books.add(&po_file(JANE, "2416_23_03 Jane Smith Invoice.pdf"), "c");
    let untouched = books.add(&po_file(JANE, "2416_23_04 Jane Smith Invoice.pdf"), "d");
    for (doc, hash) in [
        (fresh, "h1"),
        (approved, "h2"),
        (later, "h3"),
        (untouched, "h4"),
    ] {
        books.extract(doc, &gaffer_invoice(hash, "3000.00"));
    }
    let now = books.tick();
    books.store.set_review(approved, "approved", now).unwrap();
    let now = books.tick();
    books.store.set_review(later, "approved", now).unwrap();

    let now = books.tick();
    let (export, marked) = books
        .store
        .record_export(
            &[fresh, approved, later],
            "/tmp/bills.csv",
            "generic",
            "documents",
            3,
            now,
        )
        .unwrap();
    assert_eq!(marked, 3);
    for doc in [fresh, approved, later] {
        assert_eq!(books.detail(doc).summary.review, "exported");
    }
    assert_eq!(books.detail(untouched).summary.review, "to_review");
    let counts = books.store.document_counts(books.source).unwrap();
    assert_eq!((counts.exported, counts.to_review), (3, 1));
    // Exporting an exported document again marks nothing.
    let now = books.tick();
    let (again, marked) = books
        .store
        .record_export(&[fresh], "/tmp/again.csv", "xero", "lines", 1, now)
        .unwrap();
    assert_eq!(marked, 0);

    // A person moves one of them on after the export: the undo leaves it alone.
    let now = books.tick();
    books.store.set_review(later, "rejected", now).unwrap();

    books.restart();
    let now = books.tick();
    assert_eq!(books.store.undo_export(export, now).unwrap(), 2);
    assert_eq!(books.detail(fresh).summary.review, "to_review");
    assert_eq!(books.detail(approved).summary.review, "approved");
    assert_eq!(books.detail(later).summary.review, "rejected");
    let now = books.tick();
    assert_eq!(
        books.store.undo_export(export, now).unwrap(),
        0,
        "already undone"
    );
    assert_eq!(
        books.store.undo_export(again, now).unwrap(),
        0,
        "it marked nothing"
    );
    assert!(matches!(
        books.store.undo_export(9_999, now),
        Err(StoreError::Invalid(_))
    ));
    let records = books.store.exports(10).unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| (r.id, r.path.as_str(), r.documents, r.undone))
            .collect::<Vec<_>>(),
        vec![
            (again, "/tmp/again.csv", 1, true),
            (export, "/tmp/bills.csv", 3, true)
        ]
    );
}

#[test]
fn documents_to_export_stream_fields_and_lines_in_id_order_with_the_filter() {
    let mut books = Books::new();
    let a = books.add(&invoice_01(), "a");
    let b = books.add(&po_file(JANE, "2416_23_02 Jane Smith Invoice.pdf"), "b");
    let c = books.add(&po_file(BOB, "2416_24_01 Bob Jones Invoice.pdf"), "c");
    let d = books.add(&po_file(CARD, "2416_03_01 Uber Receipt.pdf"), "d");
    books.extract(
        a,
        &read(
            "h1",
            &[
                ("vendor_name", "Jane Smith", "offline"),
                ("total", "3300.00", "offline"),
            ],
            vec![
                line("Gaffer", "5", "600.00", "3000.00"),
                line("Truck", "1", "300.00", "300.00"),
            ],
        ),
    );
    books.extract(b, &read("h2", &[("total", "10.00", "offline")], vec![]));
    books.extract(
        c,
        &read(
            "h3",
            &[
                ("vendor_name", "Bob Jones", "llm"),
                ("total", "450.00", "llm"),
            ],
            vec![line("Location scout", "1", "450.00", "450.00")],
        ),
    );
    books.extract(
        d,
        &read(
            "h4",
            &[
                ("vendor_name", "Uber", "offline"),
                ("total", "23.50", "offline"),
            ],
            vec![line("Ride", "1", "23.50", "23.50")],
        ),
    );
    books.correct(a, "total", "3310.00");
    books.correct(c, "account_code", "5300");
    for doc in [a, c, d] {
        let now = books.tick();
        books.store.set_review(doc, "approved", now).unwrap();
    }

    let collect = |source: Option<i64>, filter: &DocumentFilter| {
        let mut got: Vec<DocumentForExport> = Vec::new();
        let n = books
            .store
            .for_each_document_to_export(source, filter, |doc| {
                got.push(doc);
                Ok(())
            })
            .unwrap();
        assert_eq!(n, got.len() as u64);
        got
    };
    let all = collect(Some(books.source), &DocumentFilter::default());
    assert_eq!(
        all.iter().map(|x| x.summary.id).collect::<Vec<_>>(),
        vec![a, b, c, d]
    );
    assert_eq!(
        pairs(&all[0]),
        vec![("total", "3310.00"), ("vendor_name", "Jane Smith")]
    );
    assert_eq!(pairs(&all[1]), vec![("total", "10.00")]);
    assert_eq!(
        pairs(&all[2]),
        vec![
            ("account_code", "5300"),
            ("total", "450.00"),
            ("vendor_name", "Bob Jones")
        ]
    );
    let descriptions = |x: &DocumentForExport| {
        x.lines
            .iter()
            .map(|l| (l.position, l.description.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        descriptions(&all[0]),
        vec![(1, "Gaffer".to_string()), (2, "Truck".to_string())]
    );
    assert!(all[1].lines.is_empty(), "no lines of its neighbours");
    assert_eq!(
        descriptions(&all[2]),
        vec![(1, "Location scout".to_string())]
    );
    assert_eq!(descriptions(&all[3]), vec![(1, "Ride".to_string())]);
    assert_eq!(all[0].summary.total.as_deref(), Some("3310.00"));

    // The filter applies to the documents, their fields and their lines alike.
    let approved = collect(
        None,
        &DocumentFilter {
            review: Some("approved".into()),
            sort: DocumentSort::Total { descending: true },
            ..Default::default()
        },
    );
    assert_eq!(
        approved.iter().map(|x| x.summary.id).collect::<Vec<_>>(),
        vec![a, c, d],
        "id order whatever the list's sort"
    );
    assert_eq!(
        descriptions(&approved[1]),
        vec![(1, "Location scout".to_string())]
    );
    assert_eq!(
        pairs(&approved[2]),
        vec![("total", "23.50"), ("vendor_name", "Uber")]
    );

    let chosen = collect(
        Some(books.source),
        &DocumentFilter {
            ids: Some(vec![d, a]),
            ..Default::default()
        },
    );
    assert_eq!(
        chosen.iter().map(|x| x.summary.id).collect::<Vec<_>>(),
        vec![a, d]
    );
    assert_eq!(descriptions(&chosen[1]), vec![(1, "Ride".to_string())]);

    let searched = collect(
        Some(books.source),
        &DocumentFilter {
            text: Some("jones".into()),
            review: Some("approved".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        searched.iter().map(|x| x.summary.id).collect::<Vec<_>>(),
        vec![c]
    );
    assert_eq!(pairs(&searched[0]).len(), 3);
}
