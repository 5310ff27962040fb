//! What OCR does to dates: a dot read as a colon is still the date; a time is not one.

use boxkeeper_extract::{find_date, Locale};

#[test]
fn a_dotted_date_with_a_colon_from_ocr_is_still_a_date() {
    assert_eq!(
        find_date("Nr. 471102 vom 05.03:2018", Locale::European).as_deref(),
        Some("2018-03-05")
    );
    assert_eq!(find_date("um 10:30 Uhr", Locale::European), None);
}
