//! The optional LLM extractor's settings: which OpenAI-compatible server (OpenAI, Azure's
//! `/openai/v1/`, a local Ollama or llama.cpp server), which model, structured output or
//! JSON mode. They live in the database's settings; the API key lives in the OS keyring
//! (else a 0600 file, with a warning), never in the database or a log. Off until a base URL
//! and a model are saved.

use boxkeeper_llm::{ApiKey, LlmExtractor, LlmSettings, Mode};

use crate::dto::{LlmConfig, LlmMode};
use crate::secrets::SecretStore;
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

const BASE_URL: &str = "llm.base_url";
const MODEL: &str = "llm.model";
const MODE: &str = "llm.mode";
const API_KEY: &str = "llm-api-key";

impl Workspace {
    fn llm_secrets(&self) -> SecretStore {
        SecretStore::new(&self.inner.paths.dir)
    }

    /// The saved LLM settings (never the key: only whether there is one, and where).
    pub fn llm_config(&self) -> Result<LlmConfig> {
        let store = lock(&self.inner.reader);
        let key = self.llm_secrets().load(API_KEY)?;
        Ok(LlmConfig {
            base_url: store.setting(BASE_URL)?.unwrap_or_default(),
            model: store.setting(MODEL)?.unwrap_or_default(),
            mode: match store.setting(MODE)?.as_deref() {
                Some("json") => LlmMode::Json,
                _ => LlmMode::Structured,
            },
            has_key: key.is_some(),
            key_warning: key.and_then(|(_, place)| place.warning()),
        })
    }

    /// Saves the settings; `key` (when given) replaces the stored key, an empty one removes
    /// it (a local server needs none). An empty base URL turns the LLM off.
    pub fn save_llm_config(&self, config: &LlmConfig, key: Option<&str>) -> Result<LlmConfig> {
        let base = config.base_url.trim().trim_end_matches('/');
        if !(base.is_empty() || base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ApiError::Invalid(format!(
                "the LLM base URL must start with http:// or https:// (e.g. https://api.openai.com/v1), not {base:?}"
            )));
        }
        if !base.is_empty() && config.model.trim().is_empty() {
            return Err(ApiError::Invalid(
                "name the model to use (e.g. gpt-4o-mini)".into(),
            ));
        }
        {
            let store = lock(&self.inner.reader);
            store.set_setting(BASE_URL, base)?;
            store.set_setting(MODEL, config.model.trim())?;
            store.set_setting(
                MODE,
                match config.mode {
                    LlmMode::Json => "json",
                    LlmMode::Structured => "structured",
                },
            )?;
        }
        match key.map(str::trim) {
            Some("") => self.llm_secrets().delete(API_KEY)?,
            Some(key) => {
                self.llm_secrets().save(API_KEY, key)?;
            }
            None => {}
        }
        tracing::info!(
            base_url = base,
            model = config.model.trim(),
            "LLM settings saved"
        );
        self.llm_config()
    }

    /// The extractor the settings describe, or None while the LLM is off.
    pub(crate) fn llm_extractor(&self) -> Result<Option<LlmExtractor>> {
        let config = self.llm_config()?;
        if config.base_url.is_empty() || config.model.is_empty() {
            return Ok(None);
        }
        let key = self
            .llm_secrets()
            .load(API_KEY)?
            .map(|(k, _)| k)
            .unwrap_or_default();
        let mut settings = LlmSettings::new(config.base_url, config.model, ApiKey::new(key));
        settings.mode = match config.mode {
            LlmMode::Json => Mode::JsonMode,
            LlmMode::Structured => Mode::StructuredOutput,
        };
        LlmExtractor::new(settings)
            .map(Some)
            .map_err(|e| ApiError::Invalid(e.to_string()))
    }
}
