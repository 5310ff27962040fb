//! The LLM extractor. This crate owns reading a document's fields with a language model
//! behind an OpenAI-compatible chat-completions API (OpenAI, Azure's `/openai/v1/`, Ollama,
//! llama.cpp's server), through async-openai: the prompt (instructions in the system message,
//! the document as delimited data in the user message, never as instructions), the answer's
//! JSON Schema (structured output where the server supports it, JSON mode otherwise), one
//! repair round when the answer is not valid JSON or breaks the schema, the checks that turn
//! the answer into the app's [`DocumentExtraction`] (source "llm", confidence from the
//! checks), and typed errors for what a server can do (refuse, cut the answer, rate-limit,
//! run out of quota, time out). The model's output only ever becomes field values. Merging
//! with the offline extractor's result is `boxkeeper_extract::merge`'s job.

mod answer;
pub mod prompt;
pub mod schema;
mod settings;

use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::retry::OpenAIRetryLayer;
use async_openai::middleware::ReqwestService;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, FinishReason, ResponseFormat, ResponseFormatJsonSchema,
};
use async_openai::Client;
use boxkeeper_extract::document::DocumentExtraction;
use serde::Serialize;
use serde_json::Value;
use tower::Layer;
use tracing::Instrument;

pub use answer::{LlmLineItem, CHECKED, FAILED};
pub use settings::{ApiKey, LlmSettings, Mode};

/// Tokens used by one extraction (all rounds together).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TokenUsage {
    pub prompt: u32,
    pub completion: u32,
    pub total: u32,
}

/// What the model read from one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LlmExtraction {
    /// The fields (each with source "llm" and a confidence from the checks), the lines
    /// without their accounts, and the problems the checks found.
    pub document: DocumentExtraction,
    /// The lines with date and account code.
    pub line_items: Vec<LlmLineItem>,
    /// What the vendor did, a few words ("Gaffer").
    pub description: Option<String>,
    pub usage: TokenUsage,
    /// 1, or 2 when the first answer had to be repaired.
    pub rounds: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("LLM settings: {0}")]
    Settings(String),
    #[error("the model refused to read this document: {0}")]
    Refused(String),
    #[error("the model's answer was cut off at the token limit (raise max_completion_tokens or shorten the document)")]
    Truncated,
    #[error("the server's content filter withheld the answer")]
    ContentFiltered,
    #[error("the model gave no usable answer after one repair round: {0}")]
    InvalidAnswer(String),
    #[error("the server refused the API key: {0}")]
    Unauthorized(String),
    #[error("the server has no model {model:?}: {message}")]
    ModelNotFound { model: String, message: String },
    #[error("the account's quota is used up (check the plan and billing): {0}")]
    QuotaExceeded(String),
    #[error("still rate-limited after the retries: {0}")]
    RateLimited(String),
    #[error("the server failed (HTTP {status}) after the retries: {message}")]
    Server { status: u16, message: String },
    #[error("the server rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot reach the server: {0}")]
    Connection(String),
    #[error("the server's answer is not a chat completion: {0}")]
    Protocol(String),
}

/// Reads documents with one model on one server.
#[derive(Debug)]
pub struct LlmExtractor {
    settings: LlmSettings,
    client: Client<OpenAIConfig>,
    schema: Value,
}

/// A good answer, or what was wrong with it (sent back in the repair round).
enum Round {
    Good(serde_json::Map<String, Value>),
    Unusable { content: String, problem: String },
}

impl LlmExtractor {
    pub fn new(settings: LlmSettings) -> Result<LlmExtractor, LlmError> {
        let base = settings.base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(LlmError::Settings(format!(
                "base_url {base:?} is not an http(s) URL (e.g. https://api.openai.com/v1)"
            )));
        }
        if settings.model.trim().is_empty() {
            return Err(LlmError::Settings("no model named".into()));
        }
        // Explicit org/project so OPENAI_* variables of the environment are not sent to
        // whatever server base_url names.
        let config = OpenAIConfig::new()
            .with_api_base(base)
            .with_api_key(settings.api_key.expose())
            .with_org_id("")
            .with_project_id("");
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError::Settings(format!("HTTP client: {e}")))?;
        let service = OpenAIRetryLayer::new(settings.max_retries).layer(ReqwestService::new(http));
        let client = Client::with_config(config).with_http_service(service);
        Ok(LlmExtractor {
            settings,
            client,
            schema: schema::answer_schema(),
        })
    }

    pub fn settings(&self) -> &LlmSettings {
        &self.settings
    }

    /// Reads one document's text. `file_name` is shown to the model as part of the data.
    pub async fn extract(
        &self,
        document_text: &str,
        file_name: &str,
    ) -> Result<LlmExtraction, LlmError> {
        let span = tracing::info_span!(
            "llm_extract",
            file_name,
            model = %self.settings.model,
            mode = ?self.settings.mode,
            rounds = tracing::field::Empty,
            prompt_tokens = tracing::field::Empty,
            completion_tokens = tracing::field::Empty,
            total_tokens = tracing::field::Empty,
        );
        async {
            let result = self.extract_inner(document_text, file_name).await;
            match &result {
                Ok(r) => tracing::info!(
                    fields = r.document.fields.len(),
                    lines = r.line_items.len(),
                    problems = r.document.problems.len(),
                    "llm extraction done"
                ),
                Err(e) => tracing::warn!(error = %e, "llm extraction failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    /// [`LlmExtractor::extract`] for callers without a runtime (CLI, worker threads); must
    /// not be called from inside one.
    pub fn extract_blocking(
        &self,
        document_text: &str,
        file_name: &str,
    ) -> Result<LlmExtraction, LlmError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LlmError::Settings(format!("cannot start a runtime: {e}")))?;
        rt.block_on(self.extract(document_text, file_name))
    }

    async fn extract_inner(
        &self,
        document_text: &str,
        file_name: &str,
    ) -> Result<LlmExtraction, LlmError> {
        let mut messages = vec![
            ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage::from(
                prompt::instructions(self.settings.mode),
            )),
            ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage::from(
                prompt::document_message(document_text, file_name),
            )),
        ];
        let mut usage = TokenUsage::default();
        let first = self.round(&messages, &mut usage).await?;
        let (answer, rounds) = match first {
            Round::Good(a) => (a, 1),
            Round::Unusable { content, problem } => {
                tracing::info!(%problem, "unusable answer, asking once more");
                messages.push(ChatCompletionRequestMessage::Assistant(
                    ChatCompletionRequestAssistantMessage::from(content),
                ));
                messages.push(ChatCompletionRequestMessage::User(
                    ChatCompletionRequestUserMessage::from(prompt::repair_message(&problem)),
                ));
                match self.round(&messages, &mut usage).await? {
                    Round::Good(a) => (a, 2),
                    Round::Unusable { problem, .. } => {
                        return Err(LlmError::InvalidAnswer(problem));
                    }
                }
            }
        };
        let span = tracing::Span::current();
        span.record("rounds", rounds);
        let read = answer::read(&answer);
        Ok(LlmExtraction {
            document: read.document,
            line_items: read.line_items,
            description: read.description,
            usage,
            rounds,
        })
    }

    /// One request: the answer parsed and checked against the schema, or why it is
    /// unusable; errors for what no repair can fix.
    async fn round(
        &self,
        messages: &[ChatCompletionRequestMessage],
        usage: &mut TokenUsage,
    ) -> Result<Round, LlmError> {
        let response_format = match self.settings.mode {
            Mode::StructuredOutput => ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: Some("Fields of one bookkeeping document".into()),
                    name: schema::SCHEMA_NAME.into(),
                    schema: self.schema.clone(),
                    strict: Some(true),
                },
            },
            Mode::JsonMode => ResponseFormat::JsonObject,
        };
        let request = CreateChatCompletionRequest {
            model: self.settings.model.clone(),
            messages: messages.to_vec(),
            response_format: Some(response_format),
            max_completion_tokens: self.settings.max_completion_tokens,
            temperature: self.settings.temperature,
            ..Default::default()
        };
        tracing::debug!(messages = messages.len(), "sending chat completion request");
        let response = self
            .client
            .chat()
            .create(request)
            .await
            .map_err(|e| self.error(e))?;
        if let Some(u) = &response.usage {
            usage.prompt += u.prompt_tokens;
            usage.completion += u.completion_tokens;
            usage.total += u.total_tokens;
            let span = tracing::Span::current();
            span.record("prompt_tokens", usage.prompt);
            span.record("completion_tokens", usage.completion);
            span.record("total_tokens", usage.total);
            tracing::debug!(
                prompt_tokens = u.prompt_tokens,
                completion_tokens = u.completion_tokens,
                total_tokens = u.total_tokens,
                "token usage"
            );
        }
        let Some(choice) = response.choices.into_iter().next() else {
            return Err(LlmError::Protocol("no choices in the answer".into()));
        };
        if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
            return Err(LlmError::Refused(refusal));
        }
        match choice.finish_reason {
            Some(FinishReason::Length) => return Err(LlmError::Truncated),
            Some(FinishReason::ContentFilter) => return Err(LlmError::ContentFiltered),
            _ => {}
        }
        let content = choice.message.content.unwrap_or_default();
        let parsed = match serde_json::from_str::<Value>(strip_fence(&content)) {
            Ok(v) => v,
            Err(e) => {
                return Ok(Round::Unusable {
                    content,
                    problem: format!("it is not valid JSON ({e})"),
                })
            }
        };
        let broken = schema::violations(&parsed, &self.schema);
        if !broken.is_empty() {
            return Ok(Round::Unusable {
                content,
                problem: format!("it does not follow the schema: {}", broken.join("; ")),
            });
        }
        match parsed {
            Value::Object(map) => Ok(Round::Good(map)),
            // The schema's root is an object, so violations() caught anything else.
            other => Ok(Round::Unusable {
                content,
                problem: format!("expected a JSON object, got {other}"),
            }),
        }
    }

    fn error(&self, e: OpenAIError) -> LlmError {
        match e {
            OpenAIError::ApiError(r) => {
                let status = r.status_code.as_u16();
                let message = r.api_error.message.clone();
                let code = r.api_error.code.as_deref().unwrap_or("");
                let kind = r.api_error.r#type.as_deref().unwrap_or("");
                match status {
                    401 | 403 => LlmError::Unauthorized(message),
                    404 if code == "model_not_found" || message.contains("model") => {
                        LlmError::ModelNotFound {
                            model: self.settings.model.clone(),
                            message,
                        }
                    }
                    429 if code == "insufficient_quota" || kind == "insufficient_quota" => {
                        LlmError::QuotaExceeded(message)
                    }
                    429 => LlmError::RateLimited(message),
                    500..=599 => LlmError::Server { status, message },
                    _ => LlmError::Rejected { status, message },
                }
            }
            OpenAIError::Reqwest(e) => self.transport(&e),
            OpenAIError::Boxed(e) => match e.downcast_ref::<reqwest::Error>() {
                Some(re) => self.transport(re),
                None => LlmError::Connection(e.to_string()),
            },
            OpenAIError::JSONDeserialize(e, body) => {
                let shown: String = body.chars().take(300).collect();
                LlmError::Protocol(format!("{e}: {shown}"))
            }
            other => LlmError::Protocol(other.to_string()),
        }
    }

    fn transport(&self, e: &reqwest::Error) -> LlmError {
        if e.is_timeout() {
            LlmError::Timeout(self.settings.timeout)
        } else {
            // reqwest's own message is only "error sending request"; the cause is below it.
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            LlmError::Connection(message)
        }
    }
}

/// Models in JSON mode sometimes wrap the object in a Markdown code fence.
fn strip_fence(content: &str) -> &str {
    let t = content.trim();
    t.strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .map_or(t, str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_fences_are_taken_off() {
        assert_eq!(strip_fence("```json\n{\"a\":1}\n```"), "{\"a\":1}");
        assert_eq!(strip_fence(" {\"a\":1} "), "{\"a\":1}");
        assert_eq!(strip_fence("```\n{}\n```"), "{}");
    }

    #[test]
    fn settings_are_checked() {
        let bad = LlmSettings::new("ftp://x", "m", ApiKey::new("k"));
        assert!(matches!(LlmExtractor::new(bad), Err(LlmError::Settings(_))));
        let no_model = LlmSettings::new("http://127.0.0.1:1/v1", " ", ApiKey::new("k"));
        assert!(matches!(
            LlmExtractor::new(no_model),
            Err(LlmError::Settings(_))
        ));
    }
}
