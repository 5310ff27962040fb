//! Vendor memory as the store keeps it (issue 6): a person's corrections of a vendor's name,
//! description and account code are remembered in the correction's transaction; the
//! vendor's other documents (the same vendor however its name is spelt) get them as
//! suggestions that are never written into a value and never offered over a person's value;
//! accepting one is a person's correction with history and undo; a dismissed one stays
//! dismissed through re-extraction; all of it survives a restart.
//!
//! Every test works on a file-backed store in a temporary folder.

use std::path::PathBuf;

use boxkeeper_events::{Batch, EntryKind, RawEntry};
use boxkeeper_naming::PathRules;
use boxkeeper_store::{
    vendor_key, ExtractedField, ExtractedLine, LineValues, NewExtraction, SourceKind, Store,
    StoreError, Suggestion, ACCEPTED_FROM_MEMORY,
};

/// A store in a temporary folder, one folder source, and a clock one second per step.
struct Books {
    dir: tempfile::TempDir,
    store: Store,
    source: i64,
    now: i64,
    next_id: u32,
}

impl Books {
    fn new() -> Books {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("boxkeeper.db")).unwrap();
        let source = store.source_id(SourceKind::Folder, "/books").unwrap();
        Books {
            dir,
            store,
            source,
            now: 1_700_000_000_000,
            next_id: 0,
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("boxkeeper.db")
    }

    fn tick(&mut self) -> i64 {
        self.now += 1_000;
        self.now
    }

    fn restart(&mut self) {
        drop(std::mem::replace(
            &mut self.store,
            Store::open_in_memory().unwrap(),
        ));
        self.store = Store::open(&self.db()).unwrap();
    }

    /// Adds a file and returns its document.
    fn add(&mut self, path: &str) -> i64 {
        self.next_id += 1;
        let id = format!("id-{}", self.next_id);
        let now = self.tick();
        let rules = PathRules::defaults();
        let ingested = self
            .store
            .ingest(
                self.source,
                &Batch {
                    entries: vec![RawEntry::present(
                        path,
                        path,
                        &id,
                        EntryKind::File,
                        Some("1".into()),
                    )],
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
        self.store.document_at(self.source, path).unwrap().unwrap()
    }

    /// Reads `doc` (queued again, forced) with these fields and lines.
    fn extract(&mut self, doc: i64, fields: &[(&str, &str)], lines: &[(&str, Option<&str>)]) {
        let now = self.tick();
        self.store.queue_extraction(&[doc], true, now).unwrap();
        loop {
            let job = self.store.claim_extract_job(now).unwrap().unwrap();
            let read = if job.document_id == doc {
                reading(doc, fields, lines)
            } else {
                reading(job.document_id, &[], &[])
            };
            self.store.record_extraction(&job, &read, now).unwrap();
            if job.document_id == doc {
                return;
            }
        }
    }

    fn correct(&mut self, doc: i64, name: &str, value: &str) {
        let now = self.tick();
        self.store
            .correct_field(doc, name, Some(value), now)
            .unwrap();
    }

    /// A person gives every line of `doc` the account code `code`.
    fn code_lines(&mut self, doc: i64, code: &str) {
        let lines: Vec<LineValues> = self
            .store
            .document(doc)
            .unwrap()
            .unwrap()
            .lines
            .into_iter()
            .map(|l| LineValues {
                description: l.description,
                quantity: l.quantity,
                unit_price: l.unit_price,
                amount: l.amount,
                date: l.date,
                account_code: Some(code.into()),
                provenance: l.provenance,
            })
            .collect();
        let now = self.tick();
        self.store.set_lines(doc, &lines, now).unwrap();
    }

    fn suggestions(&self, doc: i64) -> Vec<Suggestion> {
        let detail = self.store.document(doc).unwrap().unwrap();
        assert_eq!(
            detail.suggestions,
            self.store.suggestions(doc).unwrap(),
            "the document's detail carries its suggestions"
        );
        detail.suggestions
    }

    fn suggested(&self, doc: i64, field: &str) -> Option<String> {
        self.suggestions(doc)
            .into_iter()
            .find(|s| s.field == field)
            .map(|s| s.value)
    }

    fn value(&self, doc: i64, field: &str) -> Option<String> {
        self.store
            .document(doc)
            .unwrap()
            .unwrap()
            .fields
            .into_iter()
            .find(|f| f.name == field)
            .and_then(|f| f.value)
    }

    fn codes(&self, doc: i64) -> Vec<Option<String>> {
        self.store
            .document(doc)
            .unwrap()
            .unwrap()
            .lines
            .into_iter()
            .map(|l| l.account_code)
            .collect()
    }
}

fn reading(doc: i64, fields: &[(&str, &str)], lines: &[(&str, Option<&str>)]) -> NewExtraction {
    NewExtraction {
        content_hash: format!("bytes of {doc} {fields:?}"),
        document_type: Some("invoice".into()),
        extracted_by: "text".into(),
        fields: fields
            .iter()
            .map(|(name, value)| ExtractedField {
                name: (*name).into(),
                value: (*value).into(),
                confidence: 0.9,
                provenance: "offline".into(),
                location: None,
                bbox: None,
            })
            .collect(),
        lines: lines
            .iter()
            .map(|(description, code)| ExtractedLine {
                description: Some((*description).into()),
                amount: Some("100.00".into()),
                account_code: code.map(str::to_string),
                provenance: "offline".into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// Scans outside the PO tree: only what the document says names its vendor.
const SCAN_1: &str = "/inbox/scan-0001.pdf";
const SCAN_2: &str = "/inbox/scan-0002.pdf";
const SCAN_3: &str = "/inbox/scan-0003.pdf";

/// The first document of a vendor, corrected by a person: its name respelt, its
/// description and its lines' account code given.
fn taught(b: &mut Books) -> i64 {
    let first = b.add(SCAN_1);
    b.extract(
        first,
        &[
            ("vendor_name", "Courier Car Rentel INC"),
            ("total", "200.00"),
        ],
        &[("Van, 2 days", None), ("Mileage", Some("5000"))],
    );
    b.correct(first, "vendor_name", "Courier Car Rental, Inc.");
    b.correct(first, "description", "Van rental");
    b.code_lines(first, "6110");
    first
}

#[test]
fn a_persons_corrections_are_remembered_for_the_vendor() {
    let mut b = Books::new();
    let first = taught(&mut b);
    let memory = b.store.vendor_memory().unwrap();
    let got: Vec<(&str, &str, &str, &str)> = memory
        .iter()
        .map(|m| {
            (
                m.vendor.as_str(),
                m.vendor_key.as_str(),
                m.field.as_str(),
                m.value.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // The spelling under the name as the document wrote it; the rest under the
            // vendor as the person spelt it.
            (
                "Courier Car Rental, Inc.",
                "courier car rental",
                "account_code",
                "6110"
            ),
            (
                "Courier Car Rental, Inc.",
                "courier car rental",
                "description",
                "Van rental"
            ),
            (
                "Courier Car Rentel INC",
                "courier car rentel",
                "vendor_name",
                "Courier Car Rental, Inc."
            ),
        ]
    );
    for m in &memory {
        assert_eq!(m.document_id, Some(first));
        assert_eq!(m.document_path.as_deref(), Some(SCAN_1));
        assert_eq!(m.learned_by, "person");
        assert!(m.learned_ms > 1_700_000_000_000);
        assert_eq!(m.edited_ms, None);
    }
    // The document the values were learned from has them as a person's: nothing to suggest.
    assert_eq!(b.suggestions(first), vec![]);

    // A newer correction replaces the value; an emptied field teaches nothing.
    b.correct(first, "description", "Van hire");
    b.correct(first, "description", "");
    let descriptions: Vec<String> = b
        .store
        .vendor_memory()
        .unwrap()
        .into_iter()
        .filter(|m| m.field == "description")
        .map(|m| m.value)
        .collect();
    assert_eq!(descriptions, vec!["Van hire".to_string()]);
}

#[test]
fn the_next_document_of_the_vendor_gets_suggestions_however_its_name_is_spelt() {
    let mut b = Books::new();
    let first = taught(&mut b);

    // Read with the same misspelling, in other case and punctuation.
    let second = b.add(SCAN_2);
    b.extract(
        second,
        &[
            ("vendor_name", "COURIER CAR RENTEL, INC."),
            ("description", "Car"),
        ],
        &[("Van, 3 days", Some("5000")), ("Fuel", None)],
    );
    let s = b.suggestions(second);
    let fields: Vec<(&str, &str)> = s
        .iter()
        .map(|s| (s.field.as_str(), s.value.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("vendor_name", "Courier Car Rental, Inc."),
            ("description", "Van rental"),
            ("account_code", "6110"),
        ]
    );
    assert_eq!(s[0].current.as_deref(), Some("COURIER CAR RENTEL, INC."));
    assert_eq!(s[1].current.as_deref(), Some("Car"));
    assert_eq!(s[2].lines, vec![1, 2]);
    for s in &s {
        assert_eq!(s.from_document, Some(first));
        assert_eq!(s.from_path.as_deref(), Some(SCAN_1));
    }
    // Suggestions only: nothing was written into the document.
    assert_eq!(
        b.value(second, "vendor_name").as_deref(),
        Some("COURIER CAR RENTEL, INC.")
    );
    assert_eq!(b.value(second, "description").as_deref(), Some("Car"));
    assert_eq!(b.codes(second), vec![Some("5000".into()), None]);

    // Read already spelt right (but for the legal form's punctuation): the spelling is
    // offered, and what was learned under that spelling too.
    let third = b.add(SCAN_3);
    b.extract(
        third,
        &[("vendor_name", "Courier Car Rental Inc")],
        &[("Van", Some("6110"))],
    );
    assert_eq!(
        b.suggested(third, "vendor_name").as_deref(),
        Some("Courier Car Rental, Inc.")
    );
    assert_eq!(
        b.suggested(third, "description").as_deref(),
        Some("Van rental")
    );
    // Its one line has the code already: nothing to suggest for it.
    assert_eq!(b.suggested(third, "account_code"), None);

    // Another vendor gets nothing.
    let other = b.add("/inbox/scan-0004.pdf");
    b.extract(other, &[("vendor_name", "Jane Smith")], &[("Gaffer", None)]);
    assert_eq!(b.suggestions(other), vec![]);

    // A document a person approved is not asked about.
    let now = b.tick();
    b.store.set_review(third, "approved", now).unwrap();
    assert_eq!(b.suggestions(third), vec![]);
}

#[test]
fn the_vendor_of_the_path_finds_what_was_learned() {
    let mut b = Books::new();
    // Corrected in one PO folder (the document names some other company: what the
    // bookkeepers filed it under is the vendor)...
    let first =
        b.add("/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_01 Jane Smith Invoice.pdf");
    b.extract(
        first,
        &[("vendor_name", "Sammy Maystone")],
        &[("Gaffer", None)],
    );
    b.correct(first, "description", "Gaffer");
    b.code_lines(first, "5300");
    let owners: Vec<String> = b
        .store
        .vendor_memory()
        .unwrap()
        .into_iter()
        .map(|m| m.vendor)
        .collect();
    assert_eq!(
        owners,
        vec!["Jane Smith".to_string(), "Jane Smith".to_string()]
    );
    // ...offered in the vendor's PO of another project, where nothing names it but the path.
    let second = b.add(
        "/2417 - Spring Gala/1. Purchase Orders/2417_05 JANE SMITH/2417_05_01 Jane Smith Invoice.pdf",
    );
    b.extract(second, &[], &[("Gaffer, 5 days", None)]);
    assert_eq!(
        b.suggested(second, "description").as_deref(),
        Some("Gaffer")
    );
    assert_eq!(b.suggested(second, "account_code").as_deref(), Some("5300"));
    // A card PO's folder names the card, not the merchant: it is no vendor.
    let card = b.add(
        "/2416 - Whop Keynote/1. Purchase Orders/2416_03 Credit Card 1138/2416_03_01 Uber Receipt.pdf",
    );
    b.extract(card, &[], &[]);
    b.correct(card, "description", "Taxi");
    let learned: Vec<String> = b
        .store
        .vendor_memory()
        .unwrap()
        .into_iter()
        .filter(|m| m.value == "Taxi")
        .map(|m| m.vendor_key)
        .collect();
    assert_eq!(learned, vec!["uber".to_string()]);
}

#[test]
fn a_suggestion_is_never_offered_over_a_persons_value_nor_written_by_extraction() {
    let mut b = Books::new();
    taught(&mut b);
    let second = b.add(SCAN_2);
    b.extract(
        second,
        &[("vendor_name", "Courier Car Rentel")],
        &[("Van", None), ("Fuel", None)],
    );
    // A person wrote their own description (even an empty one): it is not suggested over.
    b.correct(second, "description", "Minivan");
    assert_eq!(b.suggested(second, "description"), None);
    b.correct(second, "description", "");
    assert_eq!(b.suggested(second, "description"), None);
    // A line whose code a person set keeps it; the other may take the remembered one.
    let now = b.tick();
    b.store
        .set_lines(
            second,
            &[
                LineValues {
                    description: Some("Van".into()),
                    amount: Some("100.00".into()),
                    account_code: Some("5200".into()),
                    ..Default::default()
                },
                LineValues {
                    description: Some("Fuel".into()),
                    amount: Some("100.00".into()),
                    provenance: "offline".into(),
                    ..Default::default()
                },
            ],
            now,
        )
        .unwrap();
    let s = b.suggestions(second);
    let code = s.iter().find(|s| s.field == "account_code").unwrap();
    assert_eq!(code.lines, vec![2]);

    // Extracted again: the person's values stay, the suggestion is still only offered.
    b.extract(
        second,
        &[
            ("vendor_name", "Courier Car Rentel"),
            ("description", "Car"),
        ],
        &[("Van", None), ("Fuel", None)],
    );
    assert_eq!(b.value(second, "description").as_deref(), Some(""));
    assert_eq!(
        b.value(second, "vendor_name").as_deref(),
        Some("Courier Car Rentel")
    );
    assert_eq!(b.codes(second), vec![Some("5200".into()), None]);
    assert_eq!(
        b.suggested(second, "vendor_name").as_deref(),
        Some("Courier Car Rental, Inc.")
    );
}

#[test]
fn accepting_is_a_persons_correction_with_history_and_undo() {
    let mut b = Books::new();
    taught(&mut b);
    let second = b.add(SCAN_2);
    b.extract(
        second,
        &[
            ("vendor_name", "Courier Car Rentel"),
            ("description", "Car"),
        ],
        &[("Van", None), ("Fuel", Some("5000"))],
    );
    let now = b.tick();
    let accepted = b
        .store
        .accept_suggestion(second, "vendor_name", "Courier Car Rental, Inc.", now)
        .unwrap();
    assert_eq!(accepted, "Courier Car Rental, Inc.");
    let detail = b.store.document(second).unwrap().unwrap();
    let vendor = detail
        .fields
        .iter()
        .find(|f| f.name == "vendor_name")
        .unwrap();
    assert_eq!(vendor.value.as_deref(), Some("Courier Car Rental, Inc."));
    assert!(vendor.pinned, "an accepted suggestion is a person's value");
    assert_eq!(
        vendor.extracted_value.as_deref(),
        Some("Courier Car Rentel")
    );
    assert_eq!(
        detail.summary.vendor_name.as_deref(),
        Some("Courier Car Rental, Inc."),
        "the list's column follows"
    );
    let last = detail.history.last().unwrap();
    assert_eq!(
        (
            last.name.as_str(),
            last.old_value.as_deref(),
            last.new_value.as_deref()
        ),
        (
            "vendor_name",
            Some("Courier Car Rentel"),
            Some("Courier Car Rental, Inc.")
        )
    );
    assert_eq!(last.who, ACCEPTED_FROM_MEMORY);
    assert!(detail.can_undo);
    // Accepting teaches nothing new.
    assert_eq!(b.store.vendor_memory().unwrap().len(), 3);

    // The account code goes to the lines it was offered for.
    let now = b.tick();
    b.store
        .accept_suggestion(second, "account_code", "6110", now)
        .unwrap();
    assert_eq!(
        b.codes(second),
        vec![Some("6110".into()), Some("6110".into())]
    );
    assert_eq!(b.suggested(second, "account_code"), None);
    let detail = b.store.document(second).unwrap().unwrap();
    assert!(detail.lines_by_person);
    assert!(detail
        .history
        .iter()
        .any(|h| h.name == "line 1" && h.who == ACCEPTED_FROM_MEMORY));

    // Undo takes the codes back, then the spelling; the suggestions are offered again.
    let now = b.tick();
    assert_eq!(
        b.store.undo_last(second, now).unwrap().as_deref(),
        Some("line items")
    );
    assert_eq!(b.codes(second), vec![None, Some("5000".into())]);
    let now = b.tick();
    assert_eq!(
        b.store.undo_last(second, now).unwrap().as_deref(),
        Some("vendor_name")
    );
    assert_eq!(
        b.value(second, "vendor_name").as_deref(),
        Some("Courier Car Rentel")
    );
    assert_eq!(
        b.suggested(second, "vendor_name").as_deref(),
        Some("Courier Car Rental, Inc.")
    );
    assert_eq!(b.suggested(second, "account_code").as_deref(), Some("6110"));

    // Nothing to accept: refused with a reason.
    let now = b.tick();
    let err = b
        .store
        .accept_suggestion(second, "tax", "0.00", now)
        .unwrap_err();
    assert!(matches!(err, StoreError::SuggestionChanged { .. }), "{err}");
}

#[test]
fn a_suggestion_that_changed_since_it_was_shown_is_neither_accepted_nor_dismissed() {
    let mut b = Books::new();
    let first = taught(&mut b);
    let second = b.add(SCAN_2);
    b.extract(
        second,
        &[
            ("vendor_name", "Courier Car Rentel"),
            ("description", "Car"),
        ],
        &[("Van", None)],
    );
    // The window shows "Van rental" and "6110"; meanwhile a newer correction teaches
    // another description and the code is edited in the memory panel.
    assert_eq!(
        b.suggested(second, "description").as_deref(),
        Some("Van rental")
    );
    b.correct(first, "description", "Van hire");
    let code = b
        .store
        .vendor_memory()
        .unwrap()
        .into_iter()
        .find(|m| m.field == "account_code")
        .unwrap();
    let now = b.tick();
    b.store.set_memory_value(code.id, "5200", now).unwrap();
    let before = b.store.document(second).unwrap().unwrap();

    let now = b.tick();
    let err = b
        .store
        .accept_suggestion(second, "description", "Van rental", now)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::SuggestionChanged { document, field }
            if *document == second && field == "description"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "the suggestion changed; look again");
    let err = b
        .store
        .accept_suggestion(second, "account_code", "6110", now)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::SuggestionChanged { .. }),
        "{err:?}"
    );
    let err = b
        .store
        .dismiss_suggestion(second, "description", "Van rental", now)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::SuggestionChanged { .. }),
        "{err:?}"
    );
    // Nothing was done: no value, no history, and the new values are still offered.
    let after = b.store.document(second).unwrap().unwrap();
    assert_eq!(after.fields, before.fields);
    assert_eq!(after.lines, before.lines);
    assert_eq!(after.history, before.history);
    assert_eq!(
        b.suggested(second, "description").as_deref(),
        Some("Van hire")
    );
    assert_eq!(b.suggested(second, "account_code").as_deref(), Some("5200"));

    // Looked at again: what is shown now is what is accepted, or dismissed.
    let now = b.tick();
    assert_eq!(
        b.store
            .accept_suggestion(second, "account_code", "5200", now)
            .unwrap(),
        "5200"
    );
    assert_eq!(b.codes(second), vec![Some("5200".into())]);
    b.store
        .dismiss_suggestion(second, "description", "Van hire", now)
        .unwrap();
    assert_eq!(b.suggested(second, "description"), None);
}

#[test]
fn a_dismissed_suggestion_stays_dismissed_through_extraction_and_restart() {
    let mut b = Books::new();
    let first = taught(&mut b);
    let second = b.add(SCAN_2);
    let fields = [
        ("vendor_name", "Courier Car Rentel"),
        ("description", "Car"),
    ];
    b.extract(second, &fields, &[("Van", None)]);
    let now = b.tick();
    b.store
        .dismiss_suggestion(second, "description", "Van rental", now)
        .unwrap();
    assert_eq!(b.suggested(second, "description"), None);
    b.extract(second, &fields, &[("Van", None)]);
    assert_eq!(b.suggested(second, "description"), None);
    b.restart();
    assert_eq!(b.suggested(second, "description"), None);
    // The other suggestions are still offered.
    assert_eq!(
        b.suggested(second, "vendor_name").as_deref(),
        Some("Courier Car Rental, Inc.")
    );
    // A different value learned later is offered again.
    b.correct(first, "description", "Van hire");
    assert_eq!(
        b.suggested(second, "description").as_deref(),
        Some("Van hire")
    );
}

#[test]
fn memory_and_suggestions_survive_a_restart_and_follow_edits() {
    let mut b = Books::new();
    taught(&mut b);
    let second = b.add(SCAN_2);
    b.extract(
        second,
        &[("vendor_name", "Courier Car Rentel")],
        &[("Van", None)],
    );
    let before = b.suggestions(second);
    let memory = b.store.vendor_memory().unwrap();
    b.restart();
    assert_eq!(b.store.vendor_memory().unwrap(), memory);
    assert_eq!(b.suggestions(second), before);
    assert_eq!(b.store.schema_version().unwrap(), 7);

    // Edited on the settings page: the suggestion follows at once.
    let code = memory.iter().find(|m| m.field == "account_code").unwrap();
    let now = b.tick();
    b.store.set_memory_value(code.id, "5200", now).unwrap();
    let edited = b.store.memory_entry(code.id).unwrap().unwrap();
    assert_eq!(edited.value, "5200");
    assert_eq!(edited.edited_ms, Some(now));
    assert_eq!(b.suggested(second, "account_code").as_deref(), Some("5200"));
    assert!(b.store.set_memory_value(code.id, "  ", now).is_err());
    assert!(b.store.set_memory_value(9_999, "5200", now).is_err());
    // An edited spelling is matched by its own name.
    let spelling = memory.iter().find(|m| m.field == "vendor_name").unwrap();
    b.store
        .set_memory_value(spelling.id, "Courier Rentals", now)
        .unwrap();
    assert_eq!(
        b.suggested(second, "vendor_name").as_deref(),
        Some("Courier Rentals")
    );

    // Forgotten: its suggestion goes.
    assert!(b.store.forget_memory(code.id).unwrap());
    assert!(!b.store.forget_memory(code.id).unwrap());
    assert_eq!(b.suggested(second, "account_code"), None);
    b.restart();
    assert_eq!(b.store.vendor_memory().unwrap().len(), 2);
    assert_eq!(b.suggested(second, "account_code"), None);
}

#[test]
fn vendor_keys_set_aside_case_punctuation_and_legal_form() {
    assert_eq!(
        vendor_key("Courier Car Rental, Inc."),
        vendor_key("COURIER CAR RENTAL INC")
    );
    assert_eq!(vendor_key("Acme L.L.C."), vendor_key("acme"));
    assert_ne!(vendor_key("Jane Smith"), vendor_key("Jane Smyth"));
}
