//! Recognising a PO log by its file name: `PO_LOG_<project>-YYYY-MM-DD_HH-MM-SS.txt`, as the
//! budgeting software names its exports (in "5. Budget/1.5 PO Logs"). The name carries the
//! project the log belongs to and when it was exported, so the newest log of a project wins.

use crate::Timestamp;

/// What a PO log's file name says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoLogName {
    /// The project number as written ("2416").
    pub project: String,
    pub exported_at: Timestamp,
}

const PREFIX: &str = "PO_LOG_";
const EXTENSION: &str = ".txt";
/// `-YYYY-MM-DD_HH-MM-SS`
const STAMP_LEN: usize = 20;

/// The project and export time when `file_name` is a PO log's name; `None` otherwise. The
/// prefix and extension are compared without regard to case; a path is cut to its last
/// component ('/' or '\').
pub fn is_po_log_name(file_name: &str) -> Option<PoLogName> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let head = name.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let body = &name[PREFIX.len()..];
    let stem_len = body.len().checked_sub(EXTENSION.len())?;
    if !body.get(stem_len..)?.eq_ignore_ascii_case(EXTENSION) {
        return None;
    }
    let stem = body.get(..stem_len)?;
    let project_len = stem.len().checked_sub(STAMP_LEN)?;
    let (project, stamp) = (stem.get(..project_len)?, stem.get(project_len..)?);
    let stamp = stamp.strip_prefix('-')?;
    if project.trim().is_empty() || project.trim() != project {
        return None;
    }
    Some(PoLogName {
        project: project.to_string(),
        exported_at: Timestamp::parse_file_name_part(stamp)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_name() {
        let name = is_po_log_name("PO_LOG_2416-2024-05-01_10-00-00.txt").unwrap();
        assert_eq!(name.project, "2416");
        assert_eq!(name.exported_at.to_string(), "2024-05-01 10:00:00");
    }

    #[test]
    fn variants_and_paths() {
        let project = |s| is_po_log_name(s).map(|n| n.project);
        assert_eq!(
            project(
                "/2416 - Whop Keynote/5. Budget/1.5 PO Logs/PO_LOG_2416-2024-05-01_10-00-00.txt"
            )
            .as_deref(),
            Some("2416")
        );
        assert_eq!(
            project("po_log_2416-2024-05-01_10-00-00.TXT").as_deref(),
            Some("2416")
        );
        assert_eq!(
            project("C:\\Logs\\PO_LOG_2416-2024-05-01_10-00-00.txt").as_deref(),
            Some("2416")
        );
        // A project written with a hyphen still leaves the fixed-length stamp at the end.
        assert_eq!(
            project("PO_LOG_2416-B-2024-05-01_10-00-00.txt").as_deref(),
            Some("2416-B")
        );
        assert_eq!(
            project("PO_LOG_Zürich-2024-05-01_10-00-00.txt").as_deref(),
            Some("Zürich")
        );
    }

    #[test]
    fn not_po_log_names() {
        for name in [
            "PO_LOG_2416-2024-05-01_10-00-00.csv",
            "PO_LOG_2416-2024-05-01_10-00-00.txt.bak",
            "PO_LOG_-2024-05-01_10-00-00.txt",
            "PO_LOG_2024-05-01_10-00-00.txt",
            "PO_LOG_2416-2024-13-01_10-00-00.txt",
            "PO_LOG_2416-2024-05-01_25-00-00.txt",
            "PO_LOG_2416_2024-05-01_10-00-00.txt",
            "PO LOG 2416-2024-05-01_10-00-00.txt",
            "2416_23_01 Jane Smith Invoice.pdf",
            "PO_LOG_",
            "",
        ] {
            assert_eq!(is_po_log_name(name), None, "{name}");
        }
    }
}
