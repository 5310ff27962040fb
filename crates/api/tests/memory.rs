//! Vendor memory through the surface the app and the CLI call, on the bundled demo folder:
//! a person's corrections of Jane Smith's first invoice (description, account codes) become
//! suggestions on her second one, never override what a person set, are accepted as a
//! correction or dismissed, are edited and forgotten on the settings page with the checks of
//! a correction — and all of it survives a restart.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use boxkeeper_api::dto::{
    DocumentDetail, DocumentQuery, DocumentRow, DocumentStatus, LineInput, MemoryField,
};
use boxkeeper_api::{ApiError, DataPaths, Workspace};
use boxkeeper_store::StoreError;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn open(data: &Path, folder: &Path) -> Workspace {
    if std::env::var_os("BOXKEEPER_PDFIUM_DIR").is_none() {
        std::env::set_var("BOXKEEPER_PDFIUM_DIR", repo().join(".tools/pdfium"));
    }
    let ws = Workspace::open(DataPaths::in_dir(data), |_| {}).unwrap();
    ws.watch_folder(folder, true).unwrap();
    ws
}

fn settle(ws: &Workspace) -> Vec<DocumentRow> {
    ws.start_extraction().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let rows = ws
            .documents_page(DocumentQuery::default(), 0, 1000)
            .unwrap()
            .rows;
        if !rows.is_empty()
            && rows
                .iter()
                .all(|r| matches!(r.status, DocumentStatus::Done | DocumentStatus::Failed))
        {
            ws.stop_extraction();
            return rows;
        }
        assert!(Instant::now() < deadline, "not settled: {rows:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn id_of(rows: &[DocumentRow], name: &str) -> i64 {
    rows.iter()
        .find(|r| r.path.ends_with(name))
        .unwrap_or_else(|| panic!("no {name} in {rows:#?}"))
        .id
}

fn suggested(d: &DocumentDetail, field: MemoryField) -> Option<String> {
    d.suggestions
        .iter()
        .find(|s| s.field == field)
        .map(|s| s.value.clone())
}

fn field(d: &DocumentDetail, name: &str) -> Option<String> {
    d.fields
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| f.value.clone())
}

#[test]
fn suggestions_appear_never_override_a_person_and_survive_a_restart() {
    let folder = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("demo"), folder.path());
    let ws = open(data.path(), folder.path());
    let rows = settle(&ws);
    let first = id_of(&rows, "2416_23_01 Jane Smith Invoice.pdf");
    let second = id_of(&rows, "2416_23_02 Jane Smith Invoice.pdf");
    let before = ws.document(second).unwrap().unwrap();
    assert!(
        !before.lines.is_empty(),
        "the demo's second invoice has lines"
    );
    assert_eq!(before.suggestions, vec![], "nothing is remembered yet");

    // A person corrects the first invoice: its description, and the lines' account code.
    ws.correct_field(first, "description", "Gaffer").unwrap();
    let detail = ws.document(first).unwrap().unwrap();
    let lines: Vec<LineInput> = detail
        .lines
        .iter()
        .map(|l| LineInput {
            description: l.description.clone(),
            quantity: l.quantity.clone(),
            unit_price: l.unit_price.clone(),
            amount: l.amount.clone(),
            date: l.date.clone(),
            account_code: Some("5300 US Labor".into()),
        })
        .collect();
    ws.set_lines(first, &lines).unwrap();
    let memory = ws.vendor_memory().unwrap();
    let learned: Vec<(MemoryField, &str, Option<i64>)> = memory
        .iter()
        .map(|m| (m.field, m.value.as_str(), m.learned_from))
        .collect();
    assert!(
        learned.contains(&(MemoryField::Description, "Gaffer", Some(first)))
            && learned.contains(&(MemoryField::AccountCode, "5300", Some(first))),
        "{memory:#?}"
    );

    // Her second invoice is offered both, and neither is in its values.
    let offered = ws.document(second).unwrap().unwrap();
    assert_eq!(
        suggested(&offered, MemoryField::Description).as_deref(),
        Some("Gaffer")
    );
    assert_eq!(
        suggested(&offered, MemoryField::AccountCode).as_deref(),
        Some("5300")
    );
    assert_eq!(
        field(&offered, "description"),
        field(&before, "description")
    );
    assert_eq!(offered.lines, before.lines);
    let s = &offered.suggestions[0];
    assert_eq!(s.from_document, Some(first));
    assert_eq!(s.vendor, "Jane Smith");

    // After a restart, and after the document is read again, they are still offered.
    drop(ws);
    let ws = open(data.path(), folder.path());
    ws.reextract(&[second]).unwrap();
    settle(&ws);
    let offered = ws.document(second).unwrap().unwrap();
    assert_eq!(
        suggested(&offered, MemoryField::Description).as_deref(),
        Some("Gaffer")
    );
    assert_eq!(
        suggested(&offered, MemoryField::AccountCode).as_deref(),
        Some("5300")
    );

    // A person's own description: no suggestion over it, and a reading keeps it.
    ws.correct_field(second, "description", "Best boy").unwrap();
    let corrected = ws.document(second).unwrap().unwrap();
    assert_eq!(suggested(&corrected, MemoryField::Description), None);
    ws.reextract(&[second]).unwrap();
    settle(&ws);
    let read = ws.document(second).unwrap().unwrap();
    assert_eq!(field(&read, "description").as_deref(), Some("Best boy"));
    assert_eq!(suggested(&read, MemoryField::Description), None);

    // The window showed another value than memory offers now (edited meanwhile): refused
    // with a typed error, and nothing done.
    for err in [
        ws.accept_suggestion(second, MemoryField::AccountCode, "5200")
            .unwrap_err(),
        ws.dismiss_suggestion(second, MemoryField::AccountCode, "5200")
            .unwrap_err(),
    ] {
        assert!(
            matches!(err, ApiError::Store(StoreError::SuggestionChanged { .. })),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "the suggestion changed; look again");
    }
    assert_eq!(ws.document(second).unwrap().unwrap(), read);

    // Accepted: the lines get the code as a person's change, undoable.
    let accepted = ws
        .accept_suggestion(second, MemoryField::AccountCode, "5300")
        .unwrap()
        .unwrap();
    assert!(accepted
        .lines
        .iter()
        .all(|l| l.account_code.as_deref() == Some("5300")));
    assert!(accepted.lines_by_person && accepted.can_undo);
    assert_eq!(suggested(&accepted, MemoryField::AccountCode), None);
    assert_eq!(ws.undo(second).unwrap().as_deref(), Some("line items"));
    assert_eq!(ws.document(second).unwrap().unwrap().lines, read.lines);

    // Dismissed: gone, and still gone after a restart.
    ws.dismiss_suggestion(second, MemoryField::AccountCode, "5300")
        .unwrap();
    drop(ws);
    let ws = open(data.path(), folder.path());
    let after = ws.document(second).unwrap().unwrap();
    assert_eq!(suggested(&after, MemoryField::AccountCode), None);
    let err = ws
        .accept_suggestion(second, MemoryField::AccountCode, "5300")
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Store(StoreError::SuggestionChanged { .. })),
        "{err:?}"
    );

    // The settings page: edits are checked like a correction; forgetting removes the
    // suggestion it made.
    let memory = ws.vendor_memory().unwrap();
    assert_eq!(memory.len(), 2, "{memory:#?}");
    let code = memory
        .iter()
        .find(|m| m.field == MemoryField::AccountCode)
        .unwrap();
    let err = ws.set_memory_value(code.id, "9999").unwrap_err();
    assert!(err.to_string().contains("account code"), "{err}");
    let edited = ws.set_memory_value(code.id, "5330 Foreign").unwrap();
    let code = edited
        .iter()
        .find(|m| m.field == MemoryField::AccountCode)
        .unwrap();
    assert_eq!(code.value, "5330");
    assert!(code.edited_ms.is_some());
    // A new value was not dismissed: it is offered again.
    assert_eq!(
        suggested(
            &ws.document(second).unwrap().unwrap(),
            MemoryField::AccountCode
        )
        .as_deref(),
        Some("5330")
    );
    let left = ws.forget_memory(code.id).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        suggested(
            &ws.document(second).unwrap().unwrap(),
            MemoryField::AccountCode
        ),
        None
    );
    assert!(ws.forget_memory(code.id).is_err());
}
