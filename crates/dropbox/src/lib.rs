//! The Dropbox connector's core, without I/O: the shapes of the API v2 that the change feed
//! reads (list_folder entries and results, longpoll results, error bodies), how an entry
//! becomes a raw entry for the classifier (Dropbox ids are the identity; `path_lower` is the
//! key, since Dropbox paths are case-insensitive; `path_display` is what the user sees), how
//! an HTTP failure is classified (retry after a wait, refresh the token, re-list after a
//! cursor reset, or give up and say why), and the capped exponential backoff with jitter that
//! retries follow; OAuth 2 with PKCE for connecting an account and a token source that
//! refreshes access tokens; the HTTP client (base URLs are settings, so tests point it at
//! the emulator; an optional path root addresses a team space) and the change feed that
//! commits each page of entries with its cursor. Storing the refresh token and running the
//! feed on a thread belong to the app (boxkeeper-api).

mod client;
mod entries;
mod errors;
mod feed;
mod oauth;
mod retry;

pub use client::{AccessToken, Account, Client, Endpoints, RootInfo, TokenSource};
pub use feed::{ChangeFeed, FeedError, FeedProgress, RetryPolicy, SyncReport};
pub use oauth::{
    AuthorizationAnswer, Grant, LoopbackRedirect, OAuthApp, OAuthError, PendingAuthorization,
    RefreshToken,
};

pub use entries::{batch_of, Entry, ListFolderResult, LongpollResult};
pub use errors::{classify_failure, Failure};
pub use retry::Backoff;
