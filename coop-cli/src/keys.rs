//! `coop officer key new`: an officer's signing key, made here, its secret half written to a
//! file of their own and its public half registered in the roster.

use std::path::PathBuf;
use std::process::ExitCode;

use coop_core::Command;
use coop_store::keys::SecretKey;
use coop_store::Store;

use crate::{output, Ctx, Failure, Out};

/// Where a key is kept when no --out is given: the user's configuration directory.
fn default_path(person: &str) -> Result<PathBuf, Failure> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| Failure::input("no configuration directory (HOME is not set): say where to write the key with --out FILE"))?;
    let file: String = person.trim().chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    Ok(base.join("coop").join("keys").join(format!("{file}.key")))
}

pub fn key_new(ctx: &Ctx, store: &Store, person: String, out: Option<PathBuf>) -> Out {
    let person = person.trim().to_string();
    let actor = if ctx.actor_given { ctx.actor.clone() } else { person.clone() };
    let key = SecretKey::generate().map_err(|e| Failure { rule: None, code: 3, message: e.to_string() })?;
    // The first key signs its own registration (its owner shows they hold it); a new key is
    // registered under the old one (--key).
    let signer = ctx.key.clone().unwrap_or_else(|| key.clone());
    let request = ctx.request(Command::RegisterKey { person: person.clone(), public_key: key.public_hex() }).by(actor).signed(signer);
    // Refused before any file is written.
    store.check(&request)?;
    let path = match out {
        Some(p) => p,
        None => default_path(&person)?,
    };
    key.write_new(&path).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "it exists: a key file is never overwritten".to_string()
        } else {
            e.to_string()
        };
        Failure::input(format!("cannot write the key to {}: {why}", path.display()))
    })?;
    let receipt = match store.execute(request) {
        Ok(r) => r,
        Err(e) => {
            // Not registered: the key would sign nothing.
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
    };
    if ctx.cli_json {
        output::json(&serde_json::json!({"person": person, "public_key": key.public_hex(), "file": path, "receipt": receipt}))?;
    } else {
        let seqs = receipt.seqs().map(|(a, _)| format!("event {a}")).unwrap_or_default();
        println!("{person} signs their acts with key {}: {seqs}", key.public_hex());
        println!("secret key written to {} (readable by you only; keep a copy somewhere safe)", path.display());
        println!("sign every act in that name with it: --key {} (or COOP_KEY)", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
