//! Extracting one file (`boxkeeper extract`): the document pipeline of boxkeeper-extract,
//! with the file's own errors reported on the file rather than stopping the run.

use std::collections::BTreeMap;
use std::path::Path;

use boxkeeper_extract::document::{self, DocumentExtraction, Format, Options};
use boxkeeper_extract::LineItem;
use serde::Serialize;

/// What `boxkeeper extract` prints for each file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExtractOutput {
    pub file: String,
    pub document_type: Option<String>,
    /// "e-invoice", "text" or "ocr"; null when the file could not be read.
    pub source: Option<String>,
    pub fields: BTreeMap<String, FieldOutput>,
    pub line_items: Vec<LineItem>,
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldOutput {
    pub value: String,
    pub confidence: f32,
    pub source: String,
}

/// Extracts a file. A file that cannot be read comes back with no `source` and the reason
/// in `problems`, so a caller prints it and goes on with the next file.
pub fn extract_file(path: &Path, opts: &Options) -> ExtractOutput {
    let file = path.display().to_string();
    let _span = tracing::info_span!("extract", file = %file).entered();
    match try_extract(path, opts) {
        Ok(got) => output(file, got),
        Err(why) => ExtractOutput {
            file,
            document_type: None,
            source: None,
            fields: BTreeMap::new(),
            line_items: Vec::new(),
            problems: vec![why],
        },
    }
}

impl crate::Workspace {
    /// [`extract_file`], then the configured LLM on the text read, its answer merged per
    /// field (`boxkeeper extract --llm`). A model that fails leaves the offline result, with
    /// the reason among the problems.
    pub fn extract_file_with_llm(
        &self,
        path: &Path,
        opts: &Options,
    ) -> crate::Result<ExtractOutput> {
        let file = path.display().to_string();
        let _span = tracing::info_span!("extract", file = %file, llm = true).entered();
        let read = match try_extract(path, opts) {
            Ok(read) => read,
            Err(_) => return Ok(extract_file(path, opts)),
        };
        let Some(extractor) = self.llm_extractor()? else {
            return Ok(output(file, read));
        };
        if read.source == "e-invoice" || read.text.trim().is_empty() {
            return Ok(output(file, read));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        Ok(match extractor.extract_blocking(&read.text, &name) {
            Ok(answer) => {
                let mut merged = boxkeeper_extract::merge::merge(&[&read, &answer.document]);
                if let Some(d) = answer.description {
                    merged.fields.insert(
                        "description".into(),
                        document::FieldValue {
                            value: d,
                            confidence: 0.7,
                            source: "llm".into(),
                            bbox: None,
                        },
                    );
                }
                tracing::info!(tokens = answer.usage.total, "the model read the document");
                output(file, merged)
            }
            Err(e) => {
                let mut out = output(file, read);
                out.problems
                    .push(format!("the LLM could not read this document: {e}"));
                out
            }
        })
    }
}

impl ExtractOutput {
    /// Whether the file was read at all.
    pub fn was_read(&self) -> bool {
        self.source.is_some()
    }
}

fn output(file: String, got: DocumentExtraction) -> ExtractOutput {
    ExtractOutput {
        file,
        document_type: got.document_type,
        source: Some(got.source),
        fields: got
            .fields
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    FieldOutput {
                        value: v.value,
                        confidence: v.confidence,
                        source: v.source,
                    },
                )
            })
            .collect(),
        line_items: got.line_items,
        problems: got.problems,
    }
}

fn try_extract(path: &Path, opts: &Options) -> Result<DocumentExtraction, String> {
    let format = Format::of_name(&path.display().to_string()).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    document::extract_document(&bytes, format, opts).map_err(|e| e.to_string())
}
