//! Connecting an account: OAuth 2 authorization code flow with PKCE (S256) for a public
//! client (the user's own app key, no secret), through the oauth2 crate over ureq. The
//! authorize URL asks for `token_access_type=offline`, so the exchange yields a refresh
//! token; the code arrives on a loopback redirect (`LoopbackRedirect`) or is pasted by the
//! user. Secrets (code, verifier, tokens) are wrapped so that Debug never shows them.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken as OAuthRefreshToken, RequestTokenError, TokenResponse, TokenUrl,
};

use crate::client::{AccessToken, Endpoints};

/// A refresh token: long-lived, the one secret worth keeping. Debug hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(pub String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The refresh token or the code is no longer valid: the user must connect again.
    #[error("Dropbox no longer accepts this connection ({0}): reconnect Dropbox")]
    Revoked(String),
    #[error("the authorization was denied in the browser ({0})")]
    Denied(String),
    #[error("the answer from the browser does not belong to this connection attempt (state mismatch); start again")]
    StateMismatch,
    #[error("{0}")]
    BadInput(String),
    #[error("cannot reach Dropbox's token endpoint: {0}")]
    Unavailable(String),
    #[error("Dropbox's token endpoint answered unexpectedly: {0}")]
    Unexpected(String),
    #[error("no answer from the browser within {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error("the connection attempt was cancelled")]
    Cancelled,
    #[error("cannot listen for the browser's redirect on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: std::io::Error },
}

/// What the token endpoint granted.
#[derive(Debug, Clone)]
pub struct Grant {
    pub access: AccessToken,
    /// When the access token stops working (Dropbox: 4 hours after issue).
    pub expires_at: SystemTime,
    /// Present on the code exchange with `token_access_type=offline`; absent on a refresh.
    pub refresh: Option<RefreshToken>,
}

/// A user's Dropbox app: its key and the hosts it talks to.
#[derive(Clone, Debug)]
pub struct OAuthApp {
    pub app_key: String,
    pub endpoints: Endpoints,
}

/// One connection attempt: the URL to open, and what checks the answer. Not Clone: a
/// verifier is used once.
pub struct PendingAuthorization {
    pub url: String,
    pub redirect_uri: Option<String>,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// What came back from the browser: a code, and the state it carried (absent when pasted).
#[derive(Clone)]
pub struct AuthorizationAnswer {
    pub code: String,
    pub state: Option<String>,
}

impl std::fmt::Debug for AuthorizationAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthorizationAnswer(…)")
    }
}

impl AuthorizationAnswer {
    /// Reads what the user pasted: the bare code Dropbox showed, or the whole redirect URL
    /// copied from the browser's address bar (`...?code=...&state=...`).
    pub fn pasted(text: &str) -> Result<AuthorizationAnswer, OAuthError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(OAuthError::BadInput("paste the code Dropbox showed".into()));
        }
        if text.contains("code=") || text.contains("error=") {
            let query = text.split_once('?').map_or(text, |(_, q)| q);
            return answer_from_query(query);
        }
        if text.chars().any(char::is_whitespace) {
            return Err(OAuthError::BadInput(
                "a code has no spaces: paste only the code Dropbox showed".into(),
            ));
        }
        Ok(AuthorizationAnswer {
            code: text.to_string(),
            state: None,
        })
    }
}

fn answer_from_query(query: &str) -> Result<AuthorizationAnswer, OAuthError> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    for (k, v) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => error = Some(format!("{}: {v}", error.unwrap_or_default())),
            _ => {}
        }
    }
    if let Some(error) = error {
        return Err(OAuthError::Denied(error));
    }
    let code = code.ok_or_else(|| OAuthError::BadInput("the answer has no code".into()))?;
    Ok(AuthorizationAnswer { code, state })
}

type HttpError = std::io::Error;

/// oauth2's HTTP client, on ureq like the rest of the connector.
fn http(
    agent: &ureq::Agent,
) -> impl Fn(oauth2::HttpRequest) -> Result<oauth2::HttpResponse, HttpError> + '_ {
    move |request: oauth2::HttpRequest| {
        let (parts, body) = request.into_parts();
        let mut builder = ureq::http::Request::builder()
            .method(parts.method.as_str())
            .uri(parts.uri.to_string());
        for (name, value) in &parts.headers {
            builder = builder.header(name.as_str(), value.as_bytes());
        }
        let request = builder.body(body).map_err(HttpError::other)?;
        let mut response = agent.run(request).map_err(HttpError::other)?;
        let mut out = oauth2::http::Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            out = out.header(name.as_str(), value.as_bytes());
        }
        let body = response
            .body_mut()
            .read_to_vec()
            .map_err(HttpError::other)?;
        out.body(body).map_err(HttpError::other)
    }
}

type TokenError = RequestTokenError<
    HttpError,
    oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
>;

fn token_error(e: TokenError) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error() {
            BasicErrorResponseType::InvalidGrant => OAuthError::Revoked(
                r.error_description()
                    .cloned()
                    .unwrap_or_else(|| "invalid_grant".into()),
            ),
            other => OAuthError::Unexpected(format!(
                "{}{}",
                other.as_ref(),
                r.error_description()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            )),
        },
        RequestTokenError::Request(e) => OAuthError::Unavailable(e.to_string()),
        RequestTokenError::Parse(e, _) => OAuthError::Unexpected(e.to_string()),
        RequestTokenError::Other(e) => OAuthError::Unexpected(e),
    }
}

fn grant_of(r: &oauth2::basic::BasicTokenResponse) -> Grant {
    // Dropbox always says; four hours is what it says today.
    let lifetime = r.expires_in().unwrap_or(Duration::from_secs(14_400));
    Grant {
        access: AccessToken(r.access_token().secret().clone()),
        expires_at: SystemTime::now() + lifetime,
        refresh: r.refresh_token().map(|t| RefreshToken(t.secret().clone())),
    }
}

impl OAuthApp {
    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }

    fn urls(&self) -> Result<(AuthUrl, TokenUrl), OAuthError> {
        let auth = AuthUrl::new(format!("{}/oauth2/authorize", self.endpoints.authorize))
            .map_err(|e| OAuthError::BadInput(format!("authorize URL: {e}")))?;
        let token = TokenUrl::new(format!("{}/oauth2/token", self.endpoints.api))
            .map_err(|e| OAuthError::BadInput(format!("token URL: {e}")))?;
        Ok((auth, token))
    }

    /// Starts a connection attempt: a fresh state and PKCE verifier, and the authorize URL
    /// to open. With `redirect_uri`, Dropbox sends the browser there; without, it shows the
    /// code for the user to paste.
    pub fn authorize(
        &self,
        redirect_uri: Option<&str>,
    ) -> Result<PendingAuthorization, OAuthError> {
        if self.app_key.trim().is_empty() {
            return Err(OAuthError::BadInput(
                "set the app key of your Dropbox app first".into(),
            ));
        }
        let (auth, token) = self.urls()?;
        let mut client = BasicClient::new(ClientId::new(self.app_key.trim().to_string()))
            .set_auth_uri(auth)
            .set_token_uri(token);
        if let Some(uri) = redirect_uri {
            client = client.set_redirect_uri(
                RedirectUrl::new(uri.to_string())
                    .map_err(|e| OAuthError::BadInput(format!("redirect URI: {e}")))?,
            );
        }
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_extra_param("token_access_type", "offline")
            .url();
        Ok(PendingAuthorization {
            url: url.to_string(),
            redirect_uri: redirect_uri.map(str::to_string),
            state,
            verifier,
        })
    }

    /// Trades the code for tokens. A state that came back must be the one sent.
    pub fn exchange(
        &self,
        pending: PendingAuthorization,
        answer: &AuthorizationAnswer,
    ) -> Result<Grant, OAuthError> {
        if let Some(state) = &answer.state {
            if state != pending.state.secret() {
                return Err(OAuthError::StateMismatch);
            }
        } else if pending.redirect_uri.is_some() {
            // A redirect always carries the state; a pasted bare code cannot.
            tracing::debug!("code pasted without state");
        }
        let (auth, token) = self.urls()?;
        let mut client = BasicClient::new(ClientId::new(self.app_key.trim().to_string()))
            .set_auth_uri(auth)
            .set_token_uri(token);
        if let Some(uri) = &pending.redirect_uri {
            client = client.set_redirect_uri(
                RedirectUrl::new(uri.clone())
                    .map_err(|e| OAuthError::BadInput(format!("redirect URI: {e}")))?,
            );
        }
        let agent = Self::agent();
        let response = client
            .exchange_code(AuthorizationCode::new(answer.code.trim().to_string()))
            .set_pkce_verifier(pending.verifier)
            .request(&http(&agent))
            .map_err(token_error)?;
        let grant = grant_of(&response);
        if grant.refresh.is_none() {
            return Err(OAuthError::Unexpected(
                "no refresh token in the answer (was token_access_type=offline dropped?)".into(),
            ));
        }
        Ok(grant)
    }

    /// A new access token from the refresh token.
    pub fn refresh(&self, refresh: &RefreshToken) -> Result<Grant, OAuthError> {
        let (auth, token) = self.urls()?;
        let client = BasicClient::new(ClientId::new(self.app_key.trim().to_string()))
            .set_auth_uri(auth)
            .set_token_uri(token);
        let agent = Self::agent();
        let response = client
            .exchange_refresh_token(&OAuthRefreshToken::new(refresh.0.clone()))
            .request(&http(&agent))
            .map_err(token_error)?;
        Ok(grant_of(&response))
    }
}

/// The loopback listener that receives the browser after the user approves: a port the user
/// registered in their Dropbox app as `http://127.0.0.1:PORT/callback` (Dropbox needs the
/// exact URI registered; port 0 picks a free one, for tests against the emulator).
pub struct LoopbackRedirect {
    listener: TcpListener,
    port: u16,
}

impl LoopbackRedirect {
    pub fn bind(port: u16) -> Result<LoopbackRedirect, OAuthError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .map_err(|source| OAuthError::Listen { port, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| OAuthError::Listen { port, source })?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|source| OAuthError::Listen { port, source })?;
        Ok(LoopbackRedirect { listener, port })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Waits for the browser's request on /callback, answers it with a page that says what
    /// happened, and returns the code. Other requests (a favicon) get a 404 and the wait goes
    /// on. Stops at `timeout` or when `cancel` is set.
    pub fn wait(
        &self,
        timeout: Duration,
        cancel: &AtomicBool,
    ) -> Result<AuthorizationAnswer, OAuthError> {
        let deadline = Instant::now() + timeout;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(OAuthError::Cancelled);
            }
            if Instant::now() >= deadline {
                return Err(OAuthError::TimedOut(timeout));
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(answer) = serve_callback(stream) {
                        return answer;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    return Err(OAuthError::Listen {
                        port: self.port,
                        source: e,
                    })
                }
            }
        }
    }
}

/// Answers one browser request. `None` when it was not the callback.
fn serve_callback(mut stream: TcpStream) -> Option<Result<AuthorizationAnswer, OAuthError>> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    // Drain the headers so the browser sees a clean answer.
    let mut line = String::new();
    while reader.read_line(&mut line).ok()? > 2 {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/callback" {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return None;
    }
    let answer = answer_from_query(query);
    let message = match &answer {
        Ok(_) => {
            "Boxkeeper received the authorization. You can close this tab and go back to the app."
                .to_string()
        }
        Err(e) => format!("Boxkeeper could not connect: {e}. Go back to the app and try again."),
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Boxkeeper</title><p>{}</p>",
        message.replace('&', "&amp;").replace('<', "&lt;")
    );
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_code_or_url() {
        let a = AuthorizationAnswer::pasted("  abc123  ").unwrap();
        assert_eq!(a.code, "abc123");
        assert!(a.state.is_none());
        let a =
            AuthorizationAnswer::pasted("http://127.0.0.1:5/callback?code=x%2By&state=s1").unwrap();
        assert_eq!((a.code.as_str(), a.state.as_deref()), ("x+y", Some("s1")));
        assert!(matches!(
            AuthorizationAnswer::pasted("?error=access_denied&error_description=no"),
            Err(OAuthError::Denied(_))
        ));
        assert!(AuthorizationAnswer::pasted("").is_err());
        assert!(AuthorizationAnswer::pasted("two words").is_err());
    }

    #[test]
    fn authorize_url_asks_for_pkce_offline_and_state() {
        let app = OAuthApp {
            app_key: "key1".into(),
            endpoints: Endpoints::all_at("http://127.0.0.1:9"),
        };
        let p = app
            .authorize(Some("http://127.0.0.1:53682/callback"))
            .unwrap();
        let url = oauth2::url::Url::parse(&p.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/oauth2/authorize");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "key1");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["token_access_type"], "offline");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:53682/callback");
        assert!(q["state"].len() >= 16);
        assert!(q["code_challenge"].len() >= 43);
        // Two attempts never share a state.
        let p2 = app.authorize(None).unwrap();
        assert_ne!(p.state.secret(), p2.state.secret());
        assert!(!p2.url.contains("redirect_uri"));
        assert!(format!("{p2:?}").find("verifier").is_none());
    }

    #[test]
    fn an_empty_app_key_is_refused() {
        let app = OAuthApp {
            app_key: " ".into(),
            endpoints: Endpoints::dropbox(),
        };
        assert!(matches!(app.authorize(None), Err(OAuthError::BadInput(_))));
    }
}
