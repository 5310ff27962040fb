//! Operations shared by the control routes and the [`crate::Emulator`] methods.

use bytes::Bytes;
use serde_json::Value;

use crate::model::WriteMode;
use crate::state::{Fault, Shared};
use crate::{EmulatorError, Tokens};

pub(crate) fn put_file(
    sh: &Shared,
    path: &str,
    content: Vec<u8>,
    client_modified: Option<String>,
) -> Result<Value, EmulatorError> {
    let content = Bytes::from(content);
    Ok(sh.mutate(|s| {
        s.ns.put_file(path, content, &WriteMode::Overwrite, false, client_modified)
    })?)
}

pub(crate) fn create_folder(sh: &Shared, path: &str) -> Result<Value, EmulatorError> {
    Ok(sh.mutate(|s| s.ns.create_folder(path, false))?)
}

pub(crate) fn move_path(sh: &Shared, from: &str, to: &str) -> Result<Value, EmulatorError> {
    Ok(sh.mutate(|s| s.ns.relocate(from, to, false))?)
}

pub(crate) fn delete_path(sh: &Shared, path: &str) -> Result<Value, EmulatorError> {
    Ok(sh.mutate(|s| s.ns.delete(path))?)
}

pub(crate) fn issue_tokens(sh: &Shared, client_id: &str) -> Tokens {
    let lifetime = sh.config.access_token_lifetime;
    let mut s = sh.lock();
    let refresh_token = s.issue_refresh(client_id);
    let access_token = s.issue_access(lifetime, Some(refresh_token.clone()));
    Tokens {
        access_token,
        refresh_token,
    }
}

pub(crate) fn inject_fault(sh: &Shared, route: &str, fault: Fault, count: u32) {
    let key = if route == "*" {
        route.to_string()
    } else {
        crate::control::route_key(route)
    };
    let mut s = sh.lock();
    let q = s.faults.entry(key).or_default();
    for _ in 0..count {
        q.push_back(fault.clone());
    }
}

pub(crate) fn reset_cursors(sh: &Shared) {
    sh.lock().ns.epoch += 1;
    // Wake longpolls so that they answer `reset` now.
    sh.changed.send_modify(|_| {});
}
