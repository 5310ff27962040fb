//! Every example of the folder tree in domain.md, plus the old system's bugs that the parser
//! must not repeat.

use std::sync::LazyLock;

use boxkeeper_naming::{DocumentType, ParsedPath, PathKind, PathRules, VendorType};

static RULES: LazyLock<PathRules> = LazyLock::new(PathRules::defaults);

const PROJECT: &str = "/2416 - Whop Keynote";
const POS: &str = "/2416 - Whop Keynote/1. Purchase Orders";

fn file(path: &str) -> ParsedPath {
    RULES.parse(path, PathKind::File)
}

fn folder(path: &str) -> ParsedPath {
    RULES.parse(path, PathKind::Folder)
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// The fields a well-named document in a vendor PO folder yields.
#[allow(clippy::too_many_arguments)]
fn expected(
    project: &str,
    name: Option<&str>,
    po: &str,
    vendor: &str,
    vendor_type: VendorType,
    doc: Option<DocumentType>,
    file_number: Option<&str>,
) -> ParsedPath {
    ParsedPath {
        project_number: s(project),
        project_name: name.map(str::to_owned),
        po_number: s(po),
        vendor_name: s(vendor),
        vendor_type: Some(vendor_type),
        document_type: doc,
        file_number: file_number.map(str::to_owned),
        problems: vec![],
    }
}

// --- project folders ------------------------------------------------------------------------

#[test]
fn project_folder_with_dash() {
    assert_eq!(
        folder(PROJECT),
        ParsedPath {
            project_number: s("2416"),
            project_name: s("Whop Keynote"),
            ..ParsedPath::default()
        }
    );
}

#[test]
fn project_folder_with_underscore() {
    assert_eq!(
        folder("/2416_Whop Keynote"),
        ParsedPath {
            project_number: s("2416"),
            project_name: s("Whop Keynote"),
            ..ParsedPath::default()
        }
    );
}

#[test]
fn underscore_project_folder_anchors_a_document() {
    let p = file("/2416_Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_01 Jane Smith Invoice.pdf");
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.project_name.as_deref(), Some("Whop Keynote"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn purchase_orders_folder_itself_has_no_problem() {
    let p = folder(POS);
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.project_name.as_deref(), Some("Whop Keynote"));
    assert_eq!(p.po_number, None);
    assert_eq!(p.vendor_type, None);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn fixed_folder_names_ignore_case_and_spacing() {
    let p = folder("/2416 - Whop Keynote/1.  PURCHASE orders /2416_23 Jane Smith");
    assert_eq!(p.po_number.as_deref(), Some("23"));
    assert_eq!(p.vendor_type, Some(VendorType::Vendor));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn relative_purchase_orders_folder_has_no_problem() {
    let p = folder("1. Purchase Orders");
    assert_eq!(p, ParsedPath::default());
}

#[test]
fn budget_folders_have_only_the_project() {
    for sub in [
        "5. Budget",
        "5. Budget/1.2 Working",
        "5. Budget/1.3 Actuals",
        "5. Budget/1.5 PO Logs",
    ] {
        let p = folder(&format!("{PROJECT}/{sub}"));
        assert_eq!(
            p,
            ParsedPath {
                project_number: s("2416"),
                project_name: s("Whop Keynote"),
                ..ParsedPath::default()
            },
            "{sub}"
        );
    }
}

/// The budgeting software names its PO logs itself; they belong in the tree, so their name is
/// no problem, and it says which project the log is for.
#[test]
fn po_log_export_is_known_and_names_its_project() {
    let p = file(&format!(
        "{PROJECT}/5. Budget/1.5 PO Logs/PO_LOG_2416-2024-03-01_10-20-30.txt"
    ));
    assert_eq!(
        p,
        ParsedPath {
            project_number: s("2416"),
            project_name: s("Whop Keynote"),
            ..ParsedPath::default()
        }
    );
    // Outside a project folder, the name alone gives the project.
    let p = file("/Exports/po_log_2417-2024-03-01_10-20-30.TXT");
    assert_eq!(p.project_number.as_deref(), Some("2417"));
    assert_eq!(p.project_name, None);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn po_log_of_another_project_is_a_problem() {
    let p = file(&format!(
        "{PROJECT}/5. Budget/1.5 PO Logs/PO_LOG_2417-2024-03-01_10-20-30.txt"
    ));
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert!(
        p.problems[0].contains("is for project 2417 but it is in project folder 2416"),
        "{:?}",
        p.problems
    );
}

/// Only the software's exact name is a PO log; anything like it is a misnamed file.
#[test]
fn near_po_log_names_are_a_problem() {
    for name in [
        "PO_LOG_2416.txt",
        "PO_LOG_2416-2024-03-01_10-20-30.csv",
        "PO LOG 2416.txt",
    ] {
        let p = file(&format!("{PROJECT}/5. Budget/1.5 PO Logs/{name}"));
        assert_eq!(p.problems.len(), 1, "{name}: {:?}", p.problems);
        assert!(
            p.problems[0].contains("does not follow"),
            "{:?}",
            p.problems
        );
    }
}

#[test]
fn project_folder_before_anchor_that_does_not_match_is_a_problem() {
    let p = file(
        "/Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_01 Jane Smith Invoice.pdf",
    );
    assert_eq!(p.project_name, None);
    // The PO folder and the name still say which project this is.
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert!(
        p.problems[0].contains("project folder \"Whop Keynote\""),
        "{:?}",
        p.problems
    );
}

// --- vendor PO ------------------------------------------------------------------------------

#[test]
fn vendor_po_folder() {
    assert_eq!(
        folder(&format!("{POS}/2416_23 Jane Smith")),
        ParsedPath {
            project_number: s("2416"),
            project_name: s("Whop Keynote"),
            po_number: s("23"),
            vendor_name: s("Jane Smith"),
            vendor_type: Some(VendorType::Vendor),
            ..ParsedPath::default()
        }
    );
}

#[test]
fn po_folder_with_dash_separator() {
    let p = folder(&format!("{POS}/2416-23 Jane Smith"));
    assert_eq!(p.po_number.as_deref(), Some("23"));
    assert_eq!(p.vendor_name.as_deref(), Some("Jane Smith"));
}

#[test]
fn w9_file() {
    assert_eq!(
        file(&format!(
            "{POS}/2416_23 Jane Smith/2416_23 Jane Smith W9.pdf"
        )),
        expected(
            "2416",
            Some("Whop Keynote"),
            "23",
            "Jane Smith",
            VendorType::Vendor,
            Some(DocumentType::W9),
            Some("01")
        )
    );
}

#[test]
fn invoices_01_and_02() {
    for n in ["01", "02"] {
        assert_eq!(
            file(&format!(
                "{POS}/2416_23 Jane Smith/2416_23_{n} Jane Smith Invoice.pdf"
            )),
            expected(
                "2416",
                Some("Whop Keynote"),
                "23",
                "Jane Smith",
                VendorType::Vendor,
                Some(DocumentType::Invoice),
                Some(n)
            )
        );
    }
}

#[test]
fn addl_files_folder_inherits_the_po() {
    assert_eq!(
        folder(&format!("{POS}/2416_23 Jane Smith/Add'l Files")),
        ParsedPath {
            project_number: s("2416"),
            project_name: s("Whop Keynote"),
            po_number: s("23"),
            vendor_name: s("Jane Smith"),
            vendor_type: Some(VendorType::Vendor),
            ..ParsedPath::default()
        }
    );
}

#[test]
fn file_in_addl_files_inherits_the_po_with_a_problem() {
    let p = file(&format!("{POS}/2416_23 Jane Smith/Add'l Files/notes.pdf"));
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.project_name.as_deref(), Some("Whop Keynote"));
    assert_eq!(p.po_number.as_deref(), Some("23"));
    assert_eq!(p.vendor_name.as_deref(), Some("Jane Smith"));
    assert_eq!(p.vendor_type, Some(VendorType::Vendor));
    assert_eq!(p.document_type, None);
    assert_eq!(p.file_number, None);
    assert_eq!(
        p.problems,
        vec!["file name \"notes.pdf\" does not follow '<project>_<PO>[_<nn>] <vendor> <Invoice|Receipt|W9|W8-BEN|W8-BEN-E>.<ext>'".to_owned()]
    );
}

#[test]
fn deep_subfolders_inherit_the_po() {
    let p = file(&format!(
        "{POS}/2416_23 Jane Smith/Add'l Files/2024/March/scan 3.jpg"
    ));
    assert_eq!(p.po_number.as_deref(), Some("23"));
    assert_eq!(p.vendor_name.as_deref(), Some("Jane Smith"));
    assert_eq!(p.vendor_type, Some(VendorType::Vendor));
    assert_eq!(p.problems.len(), 1);

    let f = folder(&format!("{POS}/2416_23 Jane Smith/Add'l Files/2024/March"));
    assert_eq!(f.po_number.as_deref(), Some("23"));
    assert!(f.problems.is_empty());
}

#[test]
fn documents_in_a_subfolder_are_read_from_their_name() {
    let p = file(&format!(
        "{POS}/2416_23 Jane Smith/Add'l Files/2416_23_03 Jane Smith Invoice.pdf"
    ));
    assert_eq!(p.file_number.as_deref(), Some("03"));
    assert_eq!(p.document_type, Some(DocumentType::Invoice));
    assert!(p.problems.is_empty());
}

#[test]
fn po_folder_that_does_not_match_is_a_problem() {
    let p = folder(&format!("{POS}/Old stuff"));
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.po_number, None);
    assert_eq!(p.vendor_type, None);
    assert_eq!(
        p.problems,
        vec!["PO folder \"Old stuff\" does not follow '<project>_<PO> <vendor>'".to_owned()]
    );
}

// --- card POs -------------------------------------------------------------------------------

#[test]
fn credit_card_po_and_its_receipts() {
    let po = folder(&format!("{POS}/2416_03 Credit Card 1138"));
    assert_eq!(
        po.po_number.as_deref(),
        Some("03"),
        "PO kept zero-padded as written"
    );
    assert_eq!(po.vendor_name.as_deref(), Some("Credit Card 1138"));
    assert_eq!(po.vendor_type, Some(VendorType::Cc));

    assert_eq!(
        file(&format!(
            "{POS}/2416_03 Credit Card 1138/2416_03_01 Uber Receipt.pdf"
        )),
        expected(
            "2416",
            Some("Whop Keynote"),
            "03",
            "Uber",
            VendorType::Cc,
            Some(DocumentType::Receipt),
            Some("01")
        )
    );
    assert_eq!(
        file(&format!(
            "{POS}/2416_03 Credit Card 1138/2416_03_02 Atlantis Fresh Market Receipt.pdf"
        )),
        expected(
            "2416",
            Some("Whop Keynote"),
            "03",
            "Atlantis Fresh Market",
            VendorType::Cc,
            Some(DocumentType::Receipt),
            Some("02")
        )
    );
}

#[test]
fn amex_po_is_a_card() {
    let p = folder(&format!("{POS}/2416_02 AMEX 8738"));
    assert_eq!(p.po_number.as_deref(), Some("02"));
    assert_eq!(p.vendor_name.as_deref(), Some("AMEX 8738"));
    assert_eq!(p.vendor_type, Some(VendorType::Cc));
}

#[test]
fn card_detection() {
    let cases = [
        ("Credit Card 1138", VendorType::Cc),
        ("AMEX 8738", VendorType::Cc),
        ("amex 8738", VendorType::Cc),
        ("American  Express 1005", VendorType::Cc),
        ("Chase Sapphire 4421", VendorType::Cc),
        ("MC 1234", VendorType::Cc),
        ("Brex 0042", VendorType::Cc),
        ("Debit-Card 7777", VendorType::Cc),
        // Old bug: any trailing four digits was a card.
        ("Studio54 1999", VendorType::Vendor),
        // Digits glued to a word.
        ("Studio1999", VendorType::Vendor),
        ("Credit Card1138", VendorType::Vendor),
        // Five digits are not a card's last four.
        ("Credit Card 11385", VendorType::Vendor),
        ("Visa 12345", VendorType::Vendor),
        // Four digits but no card word, or a card word only inside another word.
        ("Jane Smith 1234", VendorType::Vendor),
        ("Discovery Films 2024", VendorType::Vendor),
        ("Cardinal Catering 2024", VendorType::Vendor),
        ("McKinsey 1234", VendorType::Vendor),
        // Card word but no digits.
        ("Courier Car Rental, Inc.", VendorType::Vendor),
        ("Visa Consulting", VendorType::Vendor),
    ];
    for (vendor, want) in cases {
        let p = folder(&format!("{POS}/2416_09 {vendor}"));
        assert_eq!(p.vendor_type, Some(want), "{vendor}");
        assert_eq!(p.vendor_name.as_deref(), Some(vendor), "{vendor}");
    }
}

// --- petty cash -----------------------------------------------------------------------------

#[test]
fn petty_cash_by_folder() {
    let p = folder(&format!("{PROJECT}/3. Petty Cash/1. Crew PC Folders"));
    assert_eq!(
        p,
        ParsedPath {
            project_number: s("2416"),
            project_name: s("Whop Keynote"),
            vendor_type: Some(VendorType::Pc),
            ..ParsedPath::default()
        }
    );

    let r = file(&format!(
        "{PROJECT}/3. Petty Cash/1. Crew PC Folders/Jane Doe/2416_40_02 Home Depot Receipt.jpg"
    ));
    assert_eq!(r.vendor_type, Some(VendorType::Pc));
    assert_eq!(r.po_number.as_deref(), Some("40"));
    assert_eq!(r.vendor_name.as_deref(), Some("Home Depot"));
    assert_eq!(r.document_type, Some(DocumentType::Receipt));
    assert_eq!(r.file_number.as_deref(), Some("02"));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

#[test]
fn petty_cash_po_like_folder_is_read_without_complaint_about_others() {
    let p = folder(&format!(
        "{PROJECT}/3. Petty Cash/1. Crew PC Folders/2416_40 Jane Doe/Week 1"
    ));
    assert_eq!(p.po_number.as_deref(), Some("40"));
    assert_eq!(p.vendor_name.as_deref(), Some("Jane Doe"));
    assert_eq!(p.vendor_type, Some(VendorType::Pc));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn petty_cash_by_prefix() {
    // Even inside a card PO folder the prefix decides.
    let p = file(&format!(
        "{POS}/2416_03 Credit Card 1138/PC_2416_03_05 Home Depot Receipt.pdf"
    ));
    assert_eq!(p.vendor_type, Some(VendorType::Pc));
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.po_number.as_deref(), Some("03"));
    assert_eq!(p.file_number.as_deref(), Some("05"));
    assert_eq!(p.vendor_name.as_deref(), Some("Home Depot"));
    assert_eq!(p.document_type, Some(DocumentType::Receipt));
    assert!(p.problems.is_empty(), "{:?}", p.problems);

    let lower = file(&format!("{PROJECT}/pc_2416_41 Staples Receipt.png"));
    assert_eq!(lower.vendor_type, Some(VendorType::Pc));
    assert_eq!(lower.po_number.as_deref(), Some("41"));
}

#[test]
fn no_po_folder_and_no_petty_cash_means_no_vendor_type() {
    let p = file(&format!("{PROJECT}/2416_23_01 Jane Smith Invoice.pdf"));
    assert_eq!(p.vendor_type, None);
    assert_eq!(p.po_number.as_deref(), Some("23"));
    assert!(p.problems.is_empty());
}

// --- old bugs -------------------------------------------------------------------------------

#[test]
fn trailing_receipt_number_is_kept() {
    let base = format!("{POS}/2416_03 Credit Card 1138");
    let two = file(&format!("{base}/2416_03 Uber Receipt 02.pdf"));
    let three = file(&format!("{base}/2416_03 Uber Receipt 03.pdf"));
    let glued = file(&format!("{base}/2416_03 Uber Receipt4.pdf"));
    let single = file(&format!("{base}/2416_03 Uber Receipt 7.pdf"));
    assert_eq!(two.file_number.as_deref(), Some("02"));
    assert_eq!(three.file_number.as_deref(), Some("03"));
    assert_eq!(glued.file_number.as_deref(), Some("04"));
    assert_eq!(single.file_number.as_deref(), Some("07"));
    assert_ne!(two, three);
    for p in [&two, &three, &glued, &single] {
        assert_eq!(p.vendor_name.as_deref(), Some("Uber"));
        assert_eq!(p.document_type, Some(DocumentType::Receipt));
    }
}

#[test]
fn file_number_group_wins_over_trailing_number_and_is_padded() {
    let base = format!("{POS}/2416_23 Jane Smith");
    assert_eq!(
        file(&format!("{base}/2416_23_01 Jane Smith Invoice 2.pdf"))
            .file_number
            .as_deref(),
        Some("01")
    );
    assert_eq!(
        file(&format!("{base}/2416_23_1 Jane Smith Invoice.pdf"))
            .file_number
            .as_deref(),
        Some("01")
    );
    assert_eq!(
        file(&format!("{base}/2416_23_12 Jane Smith Invoice.pdf"))
            .file_number
            .as_deref(),
        Some("12")
    );
    assert_eq!(
        file(&format!("{base}/2416_23_123 Jane Smith Invoice.pdf"))
            .file_number
            .as_deref(),
        Some("123")
    );
    assert_eq!(
        file(&format!("{base}/2416_23_001 Jane Smith Invoice.pdf"))
            .file_number
            .as_deref(),
        Some("001")
    );
}

#[test]
fn vendor_with_punctuation() {
    let po = format!("{POS}/2416_11 Courier Car Rental, Inc.");
    let p = folder(&po);
    assert_eq!(p.vendor_name.as_deref(), Some("Courier Car Rental, Inc."));
    assert_eq!(p.vendor_type, Some(VendorType::Vendor));

    let f = file(&format!(
        "{po}/2416_11_01 Courier Car Rental, Inc. Invoice.pdf"
    ));
    assert_eq!(
        f,
        expected(
            "2416",
            Some("Whop Keynote"),
            "11",
            "Courier Car Rental, Inc.",
            VendorType::Vendor,
            Some(DocumentType::Invoice),
            Some("01")
        )
    );
}

#[test]
fn studio54_1999_is_a_vendor_with_invoices() {
    let f = file(&format!(
        "{POS}/2416_12 Studio54 1999/2416_12_01 Studio54 1999 Invoice.pdf"
    ));
    assert_eq!(f.vendor_type, Some(VendorType::Vendor));
    assert_eq!(f.vendor_name.as_deref(), Some("Studio54 1999"));
    assert_eq!(f.file_number.as_deref(), Some("01"));
}

// --- unicode, case, tax forms ---------------------------------------------------------------

#[test]
fn unicode_names() {
    let po = format!("{POS}/2416_07 Zoë Łukasiewicz");
    let p = folder(&po);
    assert_eq!(p.po_number.as_deref(), Some("07"));
    assert_eq!(p.vendor_name.as_deref(), Some("Zoë Łukasiewicz"));

    let w9 = file(&format!("{po}/2416_07 Zoë Łukasiewicz W9.pdf"));
    assert_eq!(w9.vendor_name.as_deref(), Some("Zoë Łukasiewicz"));
    assert_eq!(w9.document_type, Some(DocumentType::W9));

    let r = file(&format!(
        "{POS}/2416_03 Credit Card 1138/2416_03_04 Café Münster Receipt.pdf"
    ));
    assert_eq!(r.vendor_name.as_deref(), Some("Café Münster"));
    assert_eq!(r.file_number.as_deref(), Some("04"));
    assert!(r.problems.is_empty());

    let project = folder("/2417 - Müller Gala “Night”");
    assert_eq!(project.project_name.as_deref(), Some("Müller Gala “Night”"));
}

#[test]
fn unicode_digits_are_not_numbers() {
    // Arabic-Indic digits look like numbers to `\d` but are not PO numbers.
    let p = folder(&format!("{POS}/٢٤١٦_٢٣ Jane Smith"));
    assert_eq!(p.po_number, None);
    assert_eq!(p.problems.len(), 1);
}

#[test]
fn upper_and_mixed_case_extensions_and_words() {
    let base = format!("{POS}/2416_23 Jane Smith");
    for name in [
        "2416_23_01 Jane Smith INVOICE.PDF",
        "2416_23_01 Jane Smith invoice.Pdf",
        "2416_23_01 Jane Smith Invoice.JPEG",
        "2416_23_01 Jane Smith Invoice.jpg",
        "2416_23_01 Jane Smith Invoice.TIF",
        "2416_23_01 Jane Smith Invoice.tiff",
        "2416_23_01 Jane Smith Invoice.png",
        "2416_23_01 Jane Smith Invoice.bmp",
        "2416_23_01 Jane Smith Invoice.HEIC",
    ] {
        let p = file(&format!("{base}/{name}"));
        assert_eq!(p.document_type, Some(DocumentType::Invoice), "{name}");
        assert_eq!(p.vendor_name.as_deref(), Some("Jane Smith"), "{name}");
        assert!(p.problems.is_empty(), "{name}: {:?}", p.problems);
    }
    let docx = file(&format!("{base}/2416_23_01 Jane Smith Invoice.docx"));
    assert_eq!(docx.document_type, None);
    assert_eq!(docx.problems.len(), 1);
}

#[test]
fn w8_ben_and_w8_ben_e_are_different() {
    let base = format!("{POS}/2416_30 Acme GmbH");
    let ben = file(&format!("{base}/2416_30 Acme GmbH W8-BEN.pdf"));
    let ben_e = file(&format!("{base}/2416_30 Acme GmbH W8-BEN-E.pdf"));
    let ben_e_lower = file(&format!("{base}/2416_30 Acme GmbH w8-ben-e.PDF"));
    assert_eq!(ben.document_type, Some(DocumentType::W8Ben));
    assert_eq!(ben_e.document_type, Some(DocumentType::W8BenE));
    assert_eq!(ben_e_lower.document_type, Some(DocumentType::W8BenE));
    for p in [&ben, &ben_e, &ben_e_lower] {
        assert_eq!(p.vendor_name.as_deref(), Some("Acme GmbH"));
        assert!(p.problems.is_empty());
    }
}

// --- mismatches -----------------------------------------------------------------------------

#[test]
fn po_folder_of_another_project() {
    let p = folder(&format!("{POS}/2417_05 Jane Smith"));
    assert_eq!(
        p.project_number.as_deref(),
        Some("2417"),
        "the PO folder's number wins"
    );
    assert_eq!(p.project_name, None, "the folder's name belongs to 2416");
    assert_eq!(p.po_number.as_deref(), Some("05"));
    assert_eq!(
        p.problems,
        vec![
            "PO folder 2417_05 belongs to project 2417 but sits in project folder 2416".to_owned()
        ]
    );
}

#[test]
fn file_of_another_po() {
    let p = file(&format!(
        "{POS}/2416_23 Jane Smith/2416_24_01 Jane Smith Invoice.pdf"
    ));
    assert_eq!(
        p.po_number.as_deref(),
        Some("24"),
        "the name's PO is reported"
    );
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(
        p.problems,
        vec!["file name says PO 24 but it is in PO folder 2416_23".to_owned()]
    );
}

#[test]
fn file_of_another_project() {
    let p = file(&format!(
        "{POS}/2416_23 Jane Smith/2417_23_01 Jane Smith Invoice.pdf"
    ));
    assert_eq!(p.project_number.as_deref(), Some("2417"));
    assert_eq!(p.project_name, None);
    assert_eq!(
        p.problems,
        vec!["file name says project 2417 but it is in PO folder 2416_23".to_owned()]
    );

    let outside_po = file(&format!("{PROJECT}/2417_23_01 Jane Smith Invoice.pdf"));
    assert_eq!(
        outside_po.problems,
        vec!["file name says project 2417 but it is in project folder 2416".to_owned()]
    );
}

#[test]
fn numbers_are_compared_by_value() {
    let p = file(&format!(
        "{POS}/2416_3 Jane Smith/2416_03_01 Jane Smith Invoice.pdf"
    ));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.po_number.as_deref(), Some("03"));
}

// --- names that match nothing, odd paths ----------------------------------------------------

#[test]
fn names_that_match_nothing_are_kept_with_a_problem() {
    let p = file("/scratch/notes.txt");
    assert_eq!(p.project_number, None);
    assert_eq!(p.po_number, None);
    assert_eq!(p.vendor_name, None);
    assert_eq!(p.vendor_type, None);
    assert_eq!(p.document_type, None);
    assert_eq!(p.file_number, None);
    assert_eq!(p.problems.len(), 1);
    assert!(p.problems[0].starts_with("file name \"notes.txt\" does not follow"));

    // A folder that is not part of the convention is simply nothing.
    assert_eq!(folder("/scratch/old"), ParsedPath::default());
}

#[test]
fn empty_and_separator_only_paths() {
    for path in ["", "/", "//", "\\", " "] {
        let f = folder(path);
        assert_eq!(f.project_number, None);
        let _ = file(path);
    }
}

#[test]
fn absolute_paths_with_unrelated_prefixes() {
    let want = expected(
        "2416",
        Some("Whop Keynote"),
        "23",
        "Jane Smith",
        VendorType::Vendor,
        Some(DocumentType::Invoice),
        Some("02"),
    );
    for path in [
        "/home/u/Dropbox/2024/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_02 Jane Smith Invoice.pdf",
        "/Users/me/Dropbox (Acme Films)/2024/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_02 Jane Smith Invoice.pdf",
        // A leading folder that itself looks like a project must not win over the anchor.
        "/2024 - Archive/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith/2416_23_02 Jane Smith Invoice.pdf",
        "C:\\Users\\me\\Dropbox\\2024\\2416 - Whop Keynote\\1. Purchase Orders\\2416_23 Jane Smith\\2416_23_02 Jane Smith Invoice.pdf",
        "2416 - Whop Keynote//1. Purchase Orders///2416_23 Jane Smith/2416_23_02 Jane Smith Invoice.pdf",
    ] {
        assert_eq!(file(path), want, "{path}");
    }
}

#[test]
fn project_without_anchor_is_the_first_matching_folder() {
    let p = folder("/home/u/Dropbox/2024/2416 - Whop Keynote/5. Budget");
    assert_eq!(p.project_number.as_deref(), Some("2416"));
    assert_eq!(p.project_name.as_deref(), Some("Whop Keynote"));
}

#[test]
fn a_file_is_not_its_own_project_folder() {
    // "2416_23 notes.pdf" matches the project pattern, but a file is never a project folder.
    let p = file("/scratch/2416_23 notes.pdf");
    assert_eq!(p.project_number, None);
    assert_eq!(p.project_name, None);
    assert_eq!(p.problems.len(), 1);
}

// --- PathKind::guess ------------------------------------------------------------------------

#[test]
fn path_kind_guess() {
    let files = [
        "2416_23_01 Jane Smith Invoice.pdf",
        "/a/b/SCAN.JPEG",
        "/a/b/photo.heic",
        "C:\\x\\y\\z.tiff",
        "PO_LOG_2416-2024-03-01_10-20-30.txt",
        "archive.7z",
        "movie.mp4",
        ".env.local",
    ];
    for f in files {
        assert_eq!(PathKind::guess(f), PathKind::File, "{f}");
    }
    let folders = [
        "/2416 - Whop Keynote",
        "/2416 - Whop Keynote/1. Purchase Orders",
        "5. Budget/1.2 Working",
        "5. Budget/1.5 PO Logs",
        "/2416_11 Courier Car Rental, Inc.",
        "Season 1.2",
        "/a/b.toolongext",
        "/a/.DS_Store",
        "/a/b.pdf/",
        "trailing.",
        "",
        "/",
        "/a/Zoë.pdfé",
    ];
    for f in folders {
        assert_eq!(PathKind::guess(f), PathKind::Folder, "{f}");
    }
}

// --- the enums ------------------------------------------------------------------------------

#[test]
fn enum_spellings_round_trip() {
    for t in VendorType::ALL {
        assert_eq!(t.as_str().parse::<VendorType>(), Ok(t));
        assert_eq!(t.as_str().to_uppercase().parse::<VendorType>(), Ok(t));
        assert_eq!(t.to_string(), t.as_str());
    }
    for t in DocumentType::ALL {
        assert_eq!(t.as_str().parse::<DocumentType>(), Ok(t));
        assert_eq!(t.as_str().to_lowercase().parse::<DocumentType>(), Ok(t));
    }
    assert!("card".parse::<VendorType>().is_err());
    assert!("W8".parse::<DocumentType>().is_err());
    assert_eq!("W8-BEN-E".parse::<DocumentType>(), Ok(DocumentType::W8BenE));
    assert_eq!("W8-BEN".parse::<DocumentType>(), Ok(DocumentType::W8Ben));
}

#[test]
fn parsed_path_serializes_with_stored_spellings() {
    let p = file(&format!(
        "{POS}/2416_02 AMEX 8738/2416_02_01 Uber Receipt.pdf"
    ));
    let text = toml::to_string(&p).unwrap();
    assert!(text.contains("vendor_type = \"cc\""), "{text}");
    assert!(text.contains("document_type = \"RECEIPT\""), "{text}");
    let back: ParsedPath = toml::from_str(&text).unwrap();
    assert_eq!(back, p);
    assert_eq!(
        toml::Value::try_from(PathKind::Folder).unwrap().as_str(),
        Some("folder")
    );
}
