//! How the extractor reaches its server: base URL, model, key, output mode, time limits.

use std::time::Duration;

/// An API key. It is only ever handed to the HTTP client: `Debug` prints `(…)` and there is
/// no `Display`, so a key cannot end up in a log line or an error by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(…)")
    }
}

/// How the answer's shape is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `response_format: json_schema` with `strict: true`: the server holds the model to the
    /// schema (OpenAI, Azure, Ollama, llama.cpp's server).
    StructuredOutput,
    /// `response_format: json_object`: the schema goes into the instructions and the answer
    /// is checked here (servers without structured output).
    JsonMode,
}

/// Everything the extractor needs to reach a server.
#[derive(Clone, Debug)]
pub struct LlmSettings {
    /// The API base including `/v1` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434/v1`); `/chat/completions` is appended.
    pub base_url: String,
    pub model: String,
    pub api_key: ApiKey,
    pub mode: Mode,
    /// Longest wait for one HTTP answer (each retry has its own).
    pub timeout: Duration,
    /// Retries of async-openai's own retry layer on 429 `rate_limit_exceeded`, 5xx and
    /// connection failures. Its backoff is fixed by the library: 100 ms doubling up to 8 s,
    /// replaced by the server's `Retry-After` seconds when sent. 429 `insufficient_quota` is
    /// never retried.
    pub max_retries: usize,
    /// `max_completion_tokens` sent with each request (None: the server's default).
    pub max_completion_tokens: Option<u32>,
    /// Sampling temperature (Some(0.0): the most repeatable reading). Reasoning models
    /// (o-series, gpt-5) refuse any value: use None for them.
    pub temperature: Option<f32>,
}

impl LlmSettings {
    /// Structured output, a 60 s timeout, 3 retries, 4096 completion tokens at most,
    /// temperature 0.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>, api_key: ApiKey) -> Self {
        LlmSettings {
            base_url: base_url.into(),
            model: model.into(),
            api_key,
            mode: Mode::StructuredOutput,
            timeout: Duration::from_secs(60),
            max_retries: 3,
            max_completion_tokens: Some(4096),
            temperature: Some(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_key() {
        let s = LlmSettings::new("http://x/v1", "m", ApiKey::new("sk-secret-123"));
        let shown = format!("{s:?} {:?}", s.api_key);
        assert!(!shown.contains("sk-secret-123"), "{shown}");
        assert!(shown.contains("api_key: (…)"), "{shown}");
    }
}
