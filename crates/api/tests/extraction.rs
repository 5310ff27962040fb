//! Documents read in the background, through the workspace the app and the CLI use: a local
//! folder and Dropbox (the emulator) as sources, a broken file that fails with its reason
//! while the queue goes on, equal bytes read once, and a person's correction that survives
//! re-extraction and a restart.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use boxkeeper_api::dto::{DocumentQuery, DocumentRow, DocumentStatus, DropboxConfig};
use boxkeeper_api::{DataPaths, Workspace};
use dropbox_emulator::Emulator;

const PO: &str = "2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";
/// A ZUGFeRD invoice: its embedded XML is the answer (Lieferant GmbH, 471102, 529.87 EUR).
const INVOICE: &str = "ZUGFeRD-corpus__XML-Rechnung__FX__EN16931_AbweichenderZahlungsempf.pdf";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn invoice_bytes() -> Vec<u8> {
    if std::env::var_os("BOXKEEPER_PDFIUM_DIR").is_none() {
        std::env::set_var("BOXKEEPER_PDFIUM_DIR", repo().join(".tools/pdfium"));
    }
    let shared = std::env::var_os("BOXKEEPER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    std::fs::read(shared.join("corpus/zugferd/pdf").join(INVOICE)).expect("the shared corpus")
}

fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn rows(ws: &Workspace) -> Vec<DocumentRow> {
    let mut rows = ws
        .documents_page(DocumentQuery::default(), 0, 100)
        .unwrap()
        .rows;
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    rows
}

fn wait_settled(ws: &Workspace, n: usize) -> Vec<DocumentRow> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = rows(ws);
        if rows.len() == n
            && rows
                .iter()
                .all(|r| matches!(r.status, DocumentStatus::Done | DocumentStatus::Failed))
        {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "documents not settled: {rows:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_folder_is_read_in_the_background_and_corrections_stay() {
    let folder = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let invoice = invoice_bytes();
    put(
        folder.path(),
        &format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"),
        &invoice,
    );
    put(folder.path(), "copies/same bytes.pdf", &invoice);
    put(folder.path(), "broken.pdf", b"<html>not a pdf</html>");
    put(folder.path(), "photo.heic", b"\0\0\0\x18ftypheic");
    put(folder.path(), "notes.txt", b"not a document");

    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    ws.watch_folder(folder.path(), true).unwrap();
    ws.start_extraction().unwrap();
    let rows = wait_settled(&ws, 4);
    let by_name = |name: &str| {
        rows.iter()
            .find(|r| r.path.ends_with(name))
            .unwrap()
            .clone()
    };

    let inv = by_name("2416_23_01 Jane Smith Invoice.pdf");
    assert_eq!(inv.status, DocumentStatus::Done, "{inv:?}");
    assert_eq!(inv.extracted_by.as_deref(), Some("e-invoice"));
    assert_eq!(inv.total.as_deref(), Some("529.87"));
    assert_eq!(inv.currency.as_deref(), Some("EUR"));
    let copy = by_name("same bytes.pdf");
    assert_eq!(copy.total.as_deref(), Some("529.87"));

    let broken = by_name("broken.pdf");
    assert_eq!(broken.status, DocumentStatus::Failed);
    assert!(
        broken.error.as_deref().unwrap().contains("not a PDF"),
        "{broken:?}"
    );
    let heic = by_name("photo.heic");
    assert_eq!(heic.status, DocumentStatus::Failed);
    assert!(heic.error.as_deref().unwrap().contains("HEIC"), "{heic:?}");

    let status = ws.status().unwrap();
    assert_eq!(
        (status.documents.done, status.documents.failed),
        (2, 2),
        "{:?}",
        status.documents
    );

    // The file name fills what the invoice does not say: the PO.
    let detail = ws.document(inv.id).unwrap().unwrap();
    let po = detail
        .fields
        .iter()
        .find(|f| f.name == "po_number")
        .unwrap();
    assert_eq!(po.provenance, "file name");
    assert_eq!(po.value.as_deref(), Some("2416_23"));

    // A person corrects the total; re-extraction (forced) does not overwrite it.
    ws.correct_field(inv.id, "total", "530.00").unwrap();
    assert!(ws.correct_field(inv.id, "no_such_field", "1").is_err());
    assert_eq!(ws.reextract(&[inv.id]).unwrap(), 1);
    let rows = wait_settled(&ws, 4);
    let inv = rows.iter().find(|r| r.id == inv.id).unwrap();
    assert_eq!(inv.total.as_deref(), Some("530.00"));
    ws.stop_extraction();
    drop(ws);

    // After a restart: still the person's value, with its history.
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    let detail = ws.document(inv.id).unwrap().unwrap();
    let total = detail.fields.iter().find(|f| f.name == "total").unwrap();
    assert_eq!(total.value.as_deref(), Some("530.00"));
    assert_eq!(total.extracted_value.as_deref(), Some("529.87"));
    assert!(total.pinned);
    assert!(detail.history.iter().any(|h| h.name == "total"
        && h.who == "person"
        && h.new_value.as_deref() == Some("530.00")));
    let detail = ws.revert_field(inv.id, "total").unwrap().unwrap();
    let total = detail.fields.iter().find(|f| f.name == "total").unwrap();
    assert_eq!(total.value.as_deref(), Some("529.87"));
}

#[test]
fn dropbox_documents_are_downloaded_and_read() {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    emu.set_longpoll_second(Duration::from_millis(20));
    emu.put_file(
        &format!("/{PO}/2416_23_01 Jane Smith Invoice.pdf"),
        invoice_bytes(),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    let config = DropboxConfig {
        app_key: "key".into(),
        api_base: Some(emu.base_url()),
        content_base: Some(emu.base_url()),
        notify_base: Some(emu.base_url()),
        authorize_base: Some(emu.base_url()),
        ..Default::default()
    };
    let start = ws.dropbox_connect_begin(config, true).unwrap();
    let page = ureq::get(&start.authorize_url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_string();
    ws.dropbox_connect_paste(&code).unwrap();
    ws.start_extraction().unwrap();
    let rows = wait_settled(&ws, 1);
    assert_eq!(rows[0].status, DocumentStatus::Done, "{rows:?}");
    assert_eq!(rows[0].total.as_deref(), Some("529.87"));

    // A file added later is read too; one the server will not serve fails with the reason.
    emu.put_file(
        &format!("/{PO}/2416_23_02 Jane Smith Invoice.pdf"),
        b"%PDF-1.4 cut".to_vec(),
    )
    .unwrap();
    let rows = wait_settled(&ws, 2);
    let second = rows
        .iter()
        .find(|r| r.path.ends_with("_02 Jane Smith Invoice.pdf"))
        .unwrap();
    assert_eq!(second.status, DocumentStatus::Failed, "{second:?}");
    ws.stop_dropbox();
    ws.stop_extraction();
}

#[test]
fn with_an_llm_configured_its_answer_is_merged_and_a_correction_still_wins() {
    std::env::set_var("BOXKEEPER_KEYRING", "off");
    let llm = openai_emulator::Emulator::start("127.0.0.1:0").unwrap();
    let answer = serde_json::json!({
        "document_type": "invoice",
        "vendor_name": "Jane Smith Lighting",
        "invoice_number": "42183017",
        "invoice_date": "2024-03-01",
        "due_date": null,
        "currency": "USD",
        "subtotal": 3000,
        "tax": 0,
        "total": 3000,
        "po_number": null,
        "description": "Gaffer",
        "line_items": [{"description": "Gaffer", "quantity": 5, "unit_price": 600,
            "amount": 3000, "date": "2024-02-26", "account_code": "5300"}]
    });
    let folder = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    // A PDF with a text layer and no e-invoice: the offline rules and the model both read it.
    let text_pdf = {
        let shared = std::env::var_os("BOXKEEPER_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join("../shared"));
        invoice_bytes(); // points at pdfium
        std::fs::read(shared.join("corpus/invoice2data/AmazonWebServices.pdf")).unwrap()
    };
    put(
        folder.path(),
        &format!("{PO}/2416_23_01 Jane Smith Invoice.pdf"),
        &text_pdf,
    );

    let ws = Workspace::open(DataPaths::in_dir(data.path()), |_| {}).unwrap();
    let config = boxkeeper_api::dto::LlmConfig {
        base_url: llm.base_url(),
        model: "gpt-4o-mini".into(),
        ..Default::default()
    };
    assert!(ws.save_llm_config(&config, Some("")).is_ok());
    let saved = ws.save_llm_config(&config, Some(llm.api_key())).unwrap();
    assert!(saved.has_key);
    // The key is in the secret store, not in the settings the window reads.
    assert!(!serde_json::to_string(&saved)
        .unwrap()
        .contains(llm.api_key()));

    llm.push_reply(openai_emulator::Reply::json(&answer));
    ws.watch_folder(folder.path(), true).unwrap();
    ws.start_extraction().unwrap();
    let rows = wait_settled(&ws, 1);
    let doc = ws.document(rows[0].id).unwrap().unwrap();
    assert_eq!(
        doc.document.extracted_by.as_deref(),
        Some("text+llm"),
        "{doc:#?}"
    );
    let field = |name: &str| doc.fields.iter().find(|f| f.name == name).cloned().unwrap();
    assert_eq!(field("description").value.as_deref(), Some("Gaffer"));
    assert_eq!(field("description").provenance, "llm");
    // Both read the number: the offline reading's page and box are kept for the window.
    let number = field("invoice_number");
    assert_eq!(number.value.as_deref(), Some("42183017"));
    assert_eq!(
        (number.provenance.as_str(), number.location.as_deref()),
        ("offline", Some("page 1"))
    );
    assert!(
        number
            .bbox
            .as_ref()
            .is_some_and(|b| b.len() == 4 && b[2] > b[0]),
        "{number:?}"
    );
    assert_eq!(doc.lines.len(), 1);
    assert_eq!(doc.lines[0].account_code.as_deref(), Some("5300"));
    assert_eq!(doc.lines[0].quantity.as_deref(), Some("5"));
    assert!(doc.llm_tokens.unwrap_or(0) > 0);
    // The document text went to the model as data, in the user message.
    let sent = llm.chat_requests();
    assert!(
        sent[0].messages_text("user").contains("Amazon"),
        "the text was sent"
    );

    // A person's value stays through a re-extraction, whatever the model says next; a
    // model that refuses costs nothing already read.
    ws.correct_field(rows[0].id, "description", "Gaffer, 5 days")
        .unwrap();
    llm.push_reply(openai_emulator::Reply::refusal("I can't help with that."));
    ws.reextract(&[rows[0].id]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let rows = wait_settled(&ws, 1);
    let doc = ws.document(rows[0].id).unwrap().unwrap();
    let description = doc.fields.iter().find(|f| f.name == "description").unwrap();
    assert_eq!(description.value.as_deref(), Some("Gaffer, 5 days"));
    assert!(
        doc.problems.iter().any(|p| p.contains("refused")),
        "{:?}",
        doc.problems
    );
    assert_eq!(doc.document.extracted_by.as_deref(), Some("text"));
    ws.stop_extraction();
}
