//! The rules file: the defaults load, and every kind of mistake in an edited copy is rejected
//! with the line that holds it.

use boxkeeper_naming::{
    DocumentType, PathKind, PathRules, RulesError, VendorType, DEFAULT_RULES_TOML,
};

/// 1-based number of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + 1
}

/// The default file with one exact substring replaced (which must be present once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(DEFAULT_RULES_TOML.matches(from).count(), 1, "{from:?}");
    DEFAULT_RULES_TOML.replacen(from, to, 1)
}

fn error(text: &str) -> RulesError {
    PathRules::from_toml(text).expect_err("the rules should be rejected")
}

#[test]
fn defaults_load() {
    let rules = PathRules::defaults();
    assert!(PathRules::from_toml(DEFAULT_RULES_TOML).is_ok());
    let p = rules.parse(
        "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_01 Jane Smith Invoice.pdf",
        PathKind::File,
    );
    assert_eq!(p.document_type, Some(DocumentType::Invoice));
}

#[test]
fn default_file_documents_its_keys() {
    for key in [
        "ignore =",
        "[folders]",
        "purchase_orders =",
        "petty_cash =",
        "[project_folder]",
        "[po_folder]",
        "card_suffix =",
        "card_words =",
        "[file]",
        "petty_cash_prefix =",
        "[file.document_types]",
    ] {
        let line = line_of(DEFAULT_RULES_TOML, key);
        let previous = DEFAULT_RULES_TOML.lines().nth(line - 2).unwrap_or("");
        // Each key is explained by a comment just above it (or, for a table, just below).
        let next = DEFAULT_RULES_TOML.lines().nth(line).unwrap_or("");
        assert!(
            previous.trim_start().starts_with('#') || next.trim_start().starts_with('#'),
            "{key} has no comment next to it"
        );
    }
}

#[test]
fn toml_syntax_error_reports_its_line() {
    let text = edited("petty_cash_prefix = \"PC_\"", "petty_cash_prefix = \"PC_");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "petty_cash_prefix =")));
    assert!(e.column.is_some());
    assert!(
        e.to_string()
            .starts_with(&format!("line {}, column ", e.line.unwrap())),
        "{e}"
    );

    let garbage = "ignore = []\n\n[folders\n";
    assert_eq!(error(garbage).line, Some(3));
}

#[test]
fn bad_regex_reports_the_line_of_its_key() {
    let text = edited("(?P<project>[0-9]+)[_-]", "(?P<project>[0-9+)[_-]");
    let e = error(&text);
    let line = line_of(&text, "(?P<project>[0-9+)[_-]");
    assert!(text.lines().nth(line - 1).unwrap().starts_with("pattern ="));
    assert_eq!(e.line, Some(line));
    assert!(
        e.message
            .starts_with("po_folder.pattern: regex parse error"),
        "{e}"
    );
}

#[test]
fn pattern_missing_a_required_group_is_named() {
    let text = edited("(?P<name>.+)$'", "(.+)$'");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "(?P<number>[0-9]+)\\s*[-_]")));
    assert!(
        e.message
            .starts_with("project_folder.pattern must have capture groups `number` and `name`"),
        "{e}"
    );
    assert!(e.message.contains("missing `name`"), "{e}");

    let text = edited("(?P<type>", "(");
    let e = error(&text);
    assert!(
        e.message
            .starts_with("file.pattern must have capture groups"),
        "{e}"
    );
    assert!(e.message.contains("missing `type`"), "{e}");

    let text = edited("(?P<issuer>.*?)", "(.*?)");
    assert!(error(&text).message.contains("po_folder.card_suffix"));
}

#[test]
fn unknown_keys_are_rejected_with_their_line() {
    let text = edited("[folders]\n", "[folders]\npurchase_order = \"POs\"\n");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "purchase_order = \"POs\"")));
    assert!(e.message.contains("unknown field `purchase_order`"), "{e}");
    assert!(e.message.starts_with("folders"), "{e}");

    let text = format!("colour = \"blue\"\n{DEFAULT_RULES_TOML}");
    let e = error(&text);
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("colour"), "{e}");

    let text = edited("[po_folder]\n", "[po_folder]\ncard_word = [\"visa\"]\n");
    assert_eq!(error(&text).line, Some(line_of(&text, "card_word = ")));
}

#[test]
fn missing_key_is_rejected() {
    let text = edited("petty_cash = \"3. Petty Cash\"\n", "");
    let e = error(&text);
    assert!(e.message.contains("petty_cash"), "{e}");
}

#[test]
fn unknown_document_type_reports_its_line() {
    let text = edited("w9 = \"W9\"", "w9 = \"W-9\"");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "w9 = \"W-9\"")));
    assert!(e.message.contains("W-9"), "{e}");
}

#[test]
fn duplicate_document_word_is_rejected() {
    let text = edited("w9 = \"W9\"", "w9 = \"W9\"\nW9 = \"W9\"");
    let e = error(&text);
    assert!(e.message.contains("listed twice"), "{e}");
    assert!(e.line.is_some());
}

#[test]
fn bad_glob_and_empty_card_word_report_their_line() {
    let text = edited("\"*.part\",", "\"*.{part\",");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "*.{part")));
    assert!(e.message.starts_with("ignore:"), "{e}");

    let text = edited("\"brex\", ", "\"  \", ");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "\"  \", ")));
    assert!(e.message.starts_with("po_folder.card_words"), "{e}");
}

#[test]
fn identical_fixed_folders_are_rejected() {
    let text = edited(
        "petty_cash = \"3. Petty Cash\"",
        "petty_cash = \"1. purchase ORDERS\"",
    );
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "petty_cash = \"1. purchase")));
}

#[test]
fn display_without_a_line_is_just_the_message() {
    let e = RulesError {
        line: None,
        column: None,
        message: "cannot read rules.toml".to_owned(),
    };
    assert_eq!(e.to_string(), "cannot read rules.toml");
    let e = RulesError {
        line: Some(12),
        column: Some(5),
        message: "oops".to_owned(),
    };
    assert_eq!(e.to_string(), "line 12, column 5: oops");
}

#[test]
fn load_reads_a_file_and_reports_io_errors_without_a_line() {
    let dir = std::env::temp_dir().join(format!("boxkeeper-naming-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.toml");
    std::fs::write(&path, DEFAULT_RULES_TOML).unwrap();
    assert!(PathRules::load(&path).is_ok());

    std::fs::write(&path, "ignore = [\n").unwrap();
    assert!(PathRules::load(&path).unwrap_err().line.is_some());

    let missing = PathRules::load(&dir.join("nope.toml")).unwrap_err();
    assert_eq!(missing.line, None);
    assert_eq!(missing.column, None);
    assert!(missing.message.contains("nope.toml"), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ignore_globs() {
    let rules = PathRules::defaults();
    for name in [
        ".dropbox",
        ".dropbox.cache",
        ".DS_Store",
        "Thumbs.db",
        "THUMBS.DB",
        "desktop.ini",
        "~$Budget.xlsx",
        ".~lock.Budget.ods#",
        "upload.tmp",
        "movie.mp4.part",
        "scan.pdf.crdownload",
        "/2416 - Whop Keynote/1. Purchase Orders/.DS_Store",
        "C:\\Dropbox\\2416\\Thumbs.db",
    ] {
        assert!(rules.is_ignored(name), "{name}");
    }
    for name in [
        "2416_23_01 Jane Smith Invoice.pdf",
        "Thumbs.db.pdf",
        "my.dropbox notes.txt",
        "tmp",
        ".~lock.Budget.ods",
        "",
        "/.DS_Store/",
    ] {
        assert!(!rules.is_ignored(name), "{name}");
    }
}

/// Another company's tree: different fixed folders, "PO-" style names, no card words.
#[test]
fn custom_rules_drive_the_parser() {
    let text = r#"
ignore = ["*.bak"]

[folders]
purchase_orders = "POs"
petty_cash = ""

[project_folder]
pattern = '^P(?P<number>[0-9]+) (?P<name>.+)$'
shape = "P<number> <name>"

[po_folder]
pattern = '^PO-(?P<project>[0-9]+)-(?P<po>[0-9]+) (?P<vendor>.+)$'
shape = "PO-<project>-<po> <vendor>"
card_suffix = '^(?P<issuer>.*?) x(?P<last4>[0-9]{4})$'
card_words = []

[file]
pattern = '^(?P<project>[0-9]+)-(?P<po>[0-9]+)-(?P<file>[0-9]+) (?P<vendor>.+) (?P<type>bill|tax form)\.pdf$'
shape = "<project>-<po>-<nn> <vendor> <bill|tax form>.pdf"
petty_cash_prefix = ""

[file.document_types]
bill = "INVOICE"
"Tax Form" = "W9"
"#;
    let rules = PathRules::from_toml(text).unwrap();
    assert!(rules.is_ignored("old.BAK"));
    assert!(!rules.is_ignored("Thumbs.db"));

    let p = rules.parse(
        "/P77 Gala/POs/PO-77-4 Jane Doe/77-4-2 Jane Doe bill.pdf",
        PathKind::File,
    );
    assert_eq!(p.project_number.as_deref(), Some("77"));
    assert_eq!(p.project_name.as_deref(), Some("Gala"));
    assert_eq!(p.po_number.as_deref(), Some("4"));
    assert_eq!(p.file_number.as_deref(), Some("02"));
    assert_eq!(p.document_type, Some(DocumentType::Invoice));
    assert_eq!(p.vendor_type, Some(VendorType::Vendor));
    assert!(p.problems.is_empty(), "{:?}", p.problems);

    let w9 = rules.parse(
        "/P77 Gala/POs/PO-77-4 Jane Doe/77-4-1 Jane Doe tax form.pdf",
        PathKind::File,
    );
    assert_eq!(w9.document_type, Some(DocumentType::W9));

    // No card words: any " x1234" suffix is a card.
    let card = rules.parse("/P77 Gala/POs/PO-77-5 Company x1234", PathKind::Folder);
    assert_eq!(card.vendor_type, Some(VendorType::Cc));

    // Problems quote the configured shapes.
    let bad = rules.parse("/P77 Gala/POs/PO-77-4 Jane Doe/Invoice.pdf", PathKind::File);
    assert_eq!(
        bad.problems,
        vec!["file name \"Invoice.pdf\" does not follow '<project>-<po>-<nn> <vendor> <bill|tax form>.pdf'".to_owned()]
    );
    // Petty cash switched off: neither "PC_" nor a "3. Petty Cash" folder mean anything.
    let pc = rules.parse(
        "/P77 Gala/3. Petty Cash/PC_77-4-1 X bill.pdf",
        PathKind::File,
    );
    assert_eq!(pc.vendor_type, None);
}
