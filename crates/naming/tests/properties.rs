//! Properties: `parse` never panics, and convention-following names are read back exactly.

use std::sync::LazyLock;

use boxkeeper_naming::{DocumentType, PathKind, PathRules, VendorType};
use proptest::prelude::*;

static RULES: LazyLock<PathRules> = LazyLock::new(PathRules::defaults);

fn any_kind() -> impl Strategy<Value = PathKind> {
    prop_oneof![Just(PathKind::File), Just(PathKind::Folder)]
}

/// Path-like strings: segments drawn from convention fragments, separators and arbitrary
/// unicode, so the parser is exercised well past the happy path.
fn pathish() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        any::<String>(),
        "[0-9]{1,5}[ _-]{0,3}[a-zA-Zé ]{0,8}",
        "[0-9]{1,5}_[0-9]{1,3}(_[0-9]{1,3})? [\\PC]{0,12} (Invoice|Receipt|W9|W8-BEN|W8-BEN-E) ?[0-9]{0,3}\\.(pdf|PDF|txt)",
        Just("1. Purchase Orders".to_owned()),
        Just("3. Petty Cash".to_owned()),
        "PC_[\\PC]{0,10}",
        "[\\\\/. ]{0,4}",
    ];
    prop::collection::vec(segment, 0..7).prop_map(|s| s.join("/"))
}

/// A vendor or merchant as people type them: no separators, no surrounding spaces, letters
/// from several scripts, punctuation and digits.
fn vendor() -> impl Strategy<Value = String> {
    "[A-Za-zÀ-žЀ-ӿ0-9&,.'()]([A-Za-zÀ-žЀ-ӿ0-9&,.'() -]{0,24}[A-Za-zÀ-žЀ-ӿ0-9&,.'()])?"
}

fn doc_type() -> impl Strategy<Value = (DocumentType, &'static str)> {
    prop_oneof![
        Just((DocumentType::Invoice, "Invoice")),
        Just((DocumentType::Receipt, "Receipt")),
        Just((DocumentType::W9, "W9")),
        Just((DocumentType::W8Ben, "W8-BEN")),
        Just((DocumentType::W8BenE, "W8-BEN-E")),
    ]
}

/// Randomly upper-cases letters, as people and cameras do with extensions and type words.
fn random_case(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn expected_file_number(file: &Option<String>, trailing: &Option<String>) -> String {
    let n = file.as_deref().or(trailing.as_deref()).unwrap_or("01");
    if n.len() == 1 {
        format!("0{n}")
    } else {
        n.to_owned()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(path in pathish(), kind in any_kind()) {
        let _ = RULES.parse(&path, kind);
        let _ = PathKind::guess(&path);
        let _ = RULES.is_ignored(&path);
    }

    #[test]
    fn parse_never_panics_on_any_string(path in any::<String>(), kind in any_kind()) {
        let _ = RULES.parse(&path, kind);
        let _ = PathKind::guess(&path);
        let _ = RULES.is_ignored(&path);
    }

    #[test]
    fn convention_names_are_recovered(
        project in "[0-9]{1,6}",
        po in "[0-9]{1,4}",
        file in proptest::option::of("[0-9]{1,3}"),
        trailing in proptest::option::of("[0-9]{1,3}"),
        trailing_space in any::<bool>(),
        vendor in vendor(),
        (doc, word) in doc_type(),
        ext in prop::sample::select(vec!["pdf", "png", "jpg", "jpeg", "tif", "tiff", "bmp", "heic"]),
        case_mask in any::<u64>(),
        prefix in prop::sample::select(vec!["", "/", "/home/u/Dropbox/2024/", "C:\\Dropbox\\"]),
    ) {
        let file_part = file.as_ref().map(|f| format!("_{f}")).unwrap_or_default();
        let trailing_part = trailing
            .as_ref()
            .map(|t| format!("{}{t}", if trailing_space { " " } else { "" }))
            .unwrap_or_default();
        let name = format!(
            "{project}_{po}{file_part} {vendor} {}{trailing_part}.{}",
            random_case(word, case_mask),
            random_case(ext, case_mask.rotate_left(17)),
        );
        let path = format!(
            "{prefix}{project} - Some Show/1. Purchase Orders/{project}_{po} {vendor}/{name}"
        );

        let p = RULES.parse(&path, PathKind::File);
        prop_assert_eq!(p.project_number.as_deref(), Some(project.as_str()), "{}", path);
        prop_assert_eq!(p.project_name.as_deref(), Some("Some Show"));
        prop_assert_eq!(p.po_number.as_deref(), Some(po.as_str()));
        prop_assert_eq!(p.vendor_name.as_deref(), Some(vendor.as_str()));
        prop_assert_eq!(p.document_type, Some(doc));
        prop_assert_eq!(p.file_number, Some(expected_file_number(&file, &trailing)));
        prop_assert!(matches!(p.vendor_type, Some(VendorType::Vendor | VendorType::Cc)));
        prop_assert!(p.problems.is_empty(), "{:?}", p.problems);
        prop_assert_eq!(PathKind::guess(&path), PathKind::File);

        // The same name alone, and with the petty-cash prefix, reads the same.
        let alone = RULES.parse(&name, PathKind::File);
        prop_assert_eq!(alone.po_number.as_deref(), Some(po.as_str()));
        prop_assert_eq!(alone.vendor_name.as_deref(), Some(vendor.as_str()));
        prop_assert_eq!(alone.vendor_type, None);
        let pc = RULES.parse(&format!("PC_{name}"), PathKind::File);
        prop_assert_eq!(pc.vendor_type, Some(VendorType::Pc));
        prop_assert_eq!(pc.vendor_name.as_deref(), Some(vendor.as_str()));
        prop_assert_eq!(pc.document_type, Some(doc));
    }

    #[test]
    fn po_folders_are_recovered(
        project in "[0-9]{1,6}",
        po in "[0-9]{1,4}",
        vendor in vendor(),
        sub in proptest::option::of("[A-Za-z' ]{1,10}[A-Za-z]"),
    ) {
        let mut path = format!("/{project}_Show/1. Purchase Orders/{project}_{po} {vendor}");
        if let Some(sub) = &sub {
            path = format!("{path}/{sub}");
        }
        let p = RULES.parse(&path, PathKind::Folder);
        prop_assert_eq!(p.project_number.as_deref(), Some(project.as_str()));
        prop_assert_eq!(p.po_number.as_deref(), Some(po.as_str()));
        prop_assert_eq!(p.vendor_name.as_deref(), Some(vendor.as_str()));
        prop_assert!(p.vendor_type.is_some());
        prop_assert!(p.problems.is_empty(), "{:?}", p.problems);
    }
}
