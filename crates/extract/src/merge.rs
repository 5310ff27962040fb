//! Merging the readings of one document by several extractors (the embedded e-invoice, the
//! offline rules on text or OCR, the LLM) into one. Per field the better-supported value
//! wins and keeps its provenance: an e-invoice value (the invoice's own data) beats
//! everything; otherwise the highest support, where extractors that agree on a value
//! reinforce each other (two independent 0.7 readings of the same total are worth more than
//! one 0.8 reading of another). Line items and the document type come from the best
//! candidate that has them. A person's corrections are not merged here: the store pins them
//! over whatever extraction produces.

use std::collections::BTreeMap;

use crate::document::{DocumentExtraction, FieldValue};

/// The source name of the embedded e-invoice reader.
const EINVOICE: &str = "e-invoice";
/// Agreement never makes a reading as sure as the invoice's own data.
const AGREEMENT_CAP: f32 = 0.99;
/// A losing value at least this sure is worth a problem sentence: the reviewer should know
/// that the extractors disagreed.
const NOTABLE_DISAGREEMENT: f32 = 0.5;

/// One document from several readings; `candidates` in order of preference for ties (e.g.
/// offline first, then LLM). No candidates: an empty extraction.
pub fn merge(candidates: &[&DocumentExtraction]) -> DocumentExtraction {
    match candidates {
        [] => return DocumentExtraction::default(),
        [only] => return (*only).clone(),
        _ => {}
    }
    let mut problems: Vec<String> = Vec::new();
    let mut names: Vec<&String> = candidates.iter().flat_map(|c| c.fields.keys()).collect();
    names.sort();
    names.dedup();

    let mut fields = BTreeMap::new();
    for name in names {
        let readings: Vec<&FieldValue> = candidates
            .iter()
            .filter_map(|c| c.fields.get(name))
            .collect();
        let (winner, note) = pick(name, &readings);
        problems.extend(note);
        fields.insert(name.clone(), winner);
    }

    let ranked = rank(candidates);
    let document_type = ranked.iter().find_map(|c| c.document_type.clone());
    let line_items = ranked
        .iter()
        .find(|c| !c.line_items.is_empty())
        .map(|c| c.line_items.clone())
        .unwrap_or_default();

    let mut all_problems: Vec<String> = Vec::new();
    for p in candidates
        .iter()
        .flat_map(|c| c.problems.iter())
        .chain(&problems)
    {
        if !all_problems.contains(p) {
            all_problems.push(p.clone());
        }
    }
    let mut sources: Vec<&str> = Vec::new();
    for c in candidates {
        if !sources.contains(&c.source.as_str()) {
            sources.push(&c.source);
        }
    }
    // The base is the first reading of the text (not the e-invoice's XML, not the model's
    // answer), so whatever else a reading carries, such as the text that was read, comes
    // from the reader that read it.
    let base = candidates
        .iter()
        .find(|c| c.source != EINVOICE && c.source != "llm")
        .unwrap_or(&candidates[0]);
    let mut merged = (*base).clone();
    merged.document_type = document_type;
    merged.source = sources.join("+");
    merged.fields = fields;
    merged.line_items = line_items;
    merged.problems = all_problems;
    merged
}

/// Candidates best first: e-invoices, then by the sum of their fields' confidences (more
/// fields read surely = a better reading); ties keep the caller's order.
fn rank<'a>(candidates: &[&'a DocumentExtraction]) -> Vec<&'a DocumentExtraction> {
    let score = |c: &DocumentExtraction| -> (bool, f32) {
        (
            c.source == EINVOICE,
            c.fields.values().map(|f| f.confidence).sum(),
        )
    };
    let mut ranked: Vec<&DocumentExtraction> = candidates.to_vec();
    ranked.sort_by(|a, b| {
        let (ea, sa) = score(a);
        let (eb, sb) = score(b);
        eb.cmp(&ea).then(sb.total_cmp(&sa))
    });
    ranked
}

/// How values are compared: trimmed, case and inner spacing ignored.
fn key(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The winning reading of one field, and a sentence when a notable rival lost.
fn pick(name: &str, readings: &[&FieldValue]) -> (FieldValue, Option<String>) {
    if let Some(e) = readings.iter().find(|r| r.source == EINVOICE) {
        return ((*e).clone(), None);
    }
    // Distinct values in order of first appearance, with the readings that agree on each.
    let mut groups: Vec<(String, Vec<&FieldValue>)> = Vec::new();
    for r in readings {
        let k = key(&r.value);
        match groups.iter_mut().find(|(gk, _)| *gk == k) {
            Some((_, members)) => members.push(r),
            None => groups.push((k, vec![r])),
        }
    }
    let support = |members: &[&FieldValue]| -> f32 {
        if members.len() == 1 {
            return members[0].confidence;
        }
        // Independent readings that agree: the chance that all are wrong shrinks.
        let all_wrong: f32 = members
            .iter()
            .map(|m| 1.0 - m.confidence.clamp(0.0, 1.0))
            .product();
        (1.0 - all_wrong).min(AGREEMENT_CAP)
    };
    let mut best = 0;
    for i in 1..groups.len() {
        if support(&groups[i].1) > support(&groups[best].1) {
            best = i;
        }
    }
    let members = &groups[best].1;
    // The value as the surest member wrote it, with every agreeing source named.
    let surest = members
        .iter()
        .copied()
        .reduce(|a, b| if b.confidence > a.confidence { b } else { a })
        .unwrap_or(members[0]);
    let mut sources: Vec<&str> = Vec::new();
    for m in members {
        if !sources.contains(&m.source.as_str()) {
            sources.push(&m.source);
        }
    }
    let winner = FieldValue {
        value: surest.value.clone(),
        confidence: support(members),
        source: sources.join(" + "),
        bbox: surest.bbox.or_else(|| members.iter().find_map(|m| m.bbox)),
    };
    let rivals: Vec<String> = groups
        .iter()
        .enumerate()
        .filter(|(i, (_, ms))| {
            *i != best && ms.iter().any(|m| m.confidence >= NOTABLE_DISAGREEMENT)
        })
        .flat_map(|(_, (_, ms))| {
            ms.iter()
                .map(|m| format!("{} read \"{}\"", m.source, m.value))
        })
        .collect();
    let note = (!rivals.is_empty()).then(|| {
        format!(
            "{}: {} read \"{}\" but {}",
            name.replace('_', " "),
            winner.source,
            winner.value,
            rivals.join(", ")
        )
    });
    (winner, note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineItem;

    fn fv(value: &str, confidence: f32, source: &str) -> FieldValue {
        FieldValue {
            value: value.into(),
            confidence,
            source: source.into(),
            bbox: None,
        }
    }

    fn doc(source: &str, fields: &[(&str, FieldValue)]) -> DocumentExtraction {
        DocumentExtraction {
            source: source.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..DocumentExtraction::default()
        }
    }

    fn line(amount: &str) -> LineItem {
        LineItem {
            amount: Some(amount.into()),
            ..LineItem::default()
        }
    }

    #[test]
    fn the_e_invoice_beats_everything() {
        let e = doc("e-invoice", &[("total", fv("100.00", 1.0, "e-invoice"))]);
        let t = doc("text", &[("total", fv("110.00", 0.9, "page 1"))]);
        let l = doc("llm", &[("total", fv("110.00", 0.85, "llm"))]);
        let m = merge(&[&t, &l, &e]);
        assert_eq!(m.fields["total"], fv("100.00", 1.0, "e-invoice"));
        assert_eq!(m.source, "text+llm+e-invoice");
        assert_eq!(m.problems, Vec::<String>::new());
    }

    #[test]
    fn agreement_raises_confidence_and_names_both_sources() {
        let t = doc("text", &[("invoice_number", fv("INV-7", 0.7, "page 1"))]);
        let l = doc("llm", &[("invoice_number", fv("inv-7 ", 0.6, "llm"))]);
        let m = merge(&[&t, &l]);
        let f = &m.fields["invoice_number"];
        assert_eq!(f.value, "INV-7", "the surer reading's spelling");
        assert_eq!(f.source, "page 1 + llm");
        assert!((f.confidence - 0.88).abs() < 1e-4, "{}", f.confidence);
    }

    #[test]
    fn agreement_stays_below_the_e_invoice() {
        let t = doc("text", &[("total", fv("5.00", 0.99, "page 1"))]);
        let l = doc("llm", &[("total", fv("5.00", 0.99, "llm"))]);
        assert_eq!(merge(&[&t, &l]).fields["total"].confidence, AGREEMENT_CAP);
    }

    #[test]
    fn otherwise_the_higher_confidence_wins_and_the_disagreement_is_noted() {
        let t = doc(
            "text",
            &[
                ("total", fv("102.00", 0.6, "page 1")),
                ("vendor_name", fv("ACME", 0.3, "page 1")),
            ],
        );
        let l = doc(
            "llm",
            &[
                ("total", fv("120.00", 0.85, "llm")),
                ("vendor_name", fv("ACME GmbH", 0.85, "llm")),
                ("due_date", fv("2024-04-01", 0.85, "llm")),
            ],
        );
        let m = merge(&[&t, &l]);
        assert_eq!(m.fields["total"], fv("120.00", 0.85, "llm"));
        assert_eq!(m.fields["vendor_name"].value, "ACME GmbH");
        assert_eq!(
            m.fields["due_date"].source, "llm",
            "a field only one reader found"
        );
        assert_eq!(
            m.problems,
            ["total: llm read \"120.00\" but page 1 read \"102.00\""],
            "the unsure vendor reading is not worth a note"
        );
    }

    #[test]
    fn two_weak_agreeing_readings_beat_one_stronger_rival() {
        let a = doc("text", &[("total", fv("10.00", 0.7, "page 1"))]);
        let b = doc("ocr", &[("total", fv("10.00", 0.7, "ocr page 1"))]);
        let c = doc("llm", &[("total", fv("19.00", 0.85, "llm"))]);
        let m = merge(&[&a, &b, &c]);
        assert_eq!(m.fields["total"].value, "10.00");
        assert_eq!(m.fields["total"].source, "page 1 + ocr page 1");
    }

    #[test]
    fn ties_keep_the_callers_order() {
        let a = doc("text", &[("po_number", fv("23", 0.8, "page 1"))]);
        let b = doc("llm", &[("po_number", fv("32", 0.8, "llm"))]);
        assert_eq!(merge(&[&a, &b]).fields["po_number"].value, "23");
        assert_eq!(merge(&[&b, &a]).fields["po_number"].value, "32");
    }

    #[test]
    fn lines_and_type_come_from_the_better_candidate_and_problems_are_kept() {
        let mut t = doc("text", &[("total", fv("30.00", 0.5, "page 1"))]);
        t.document_type = Some("RECEIPT".into());
        t.line_items = vec![line("30.00")];
        t.problems = vec!["no due date".into(), "shared".into()];
        let mut l = doc(
            "llm",
            &[
                ("total", fv("30.00", 0.85, "llm")),
                ("vendor_name", fv("Uber", 0.85, "llm")),
            ],
        );
        l.document_type = Some("INVOICE".into());
        l.line_items = vec![line("10.00"), line("20.00")];
        l.problems = vec!["shared".into()];
        let m = merge(&[&t, &l]);
        assert_eq!(m.document_type.as_deref(), Some("INVOICE"));
        assert_eq!(m.line_items, vec![line("10.00"), line("20.00")]);
        assert_eq!(m.problems, ["no due date", "shared"]);

        // A better candidate without lines leaves the lines to the next one.
        l.line_items.clear();
        assert_eq!(merge(&[&t, &l]).line_items, vec![line("30.00")]);
    }

    #[test]
    fn none_or_one_candidate() {
        assert_eq!(merge(&[]), DocumentExtraction::default());
        let t = doc("text", &[("total", fv("1.00", 0.5, "page 1"))]);
        assert_eq!(merge(&[&t]), t);
    }
}
