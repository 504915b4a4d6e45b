//! Officers' signing keys (Ed25519, RFC 8032).
//!
//! An officer keeps their secret key in a file of their own ([`SecretKey::write_new`], readable
//! by its owner only); its public key is recorded in the roster by an event
//! (`OfficerKeyRegistered`). Every record an officer with a key writes carries a signature of its
//! body by that key, kept beside the body in the record; `audit verify` checks each against the
//! key registered for the record's actor when it was written. A seal of the head
//! (`coop audit seal --key`) is signed the same way.

use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The first word of a secret key file.
const HEADER: &str = "coop-secret-key/1 ed25519";

/// Why a key could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file cannot be read.
    #[error("cannot read the key file {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Not a coop secret key file.
    #[error("{0} is not a coop secret key file (its first line is '{HEADER} <64 hex digits>')")]
    Malformed(String),
    /// No randomness to make a key with.
    #[error("no random numbers to make a key with: {0}")]
    Random(String),
}

/// An officer's secret signing key (shared by its clones: the requests of a batch signed by
/// one officer hold one key).
#[derive(Clone)]
pub struct SecretKey(std::sync::Arc<SigningKey>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret: the public half names it.
        write!(f, "SecretKey(public {})", self.public_hex())
    }
}

impl SecretKey {
    /// A new key, from the system's random numbers.
    pub fn generate() -> Result<SecretKey, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(SecretKey(std::sync::Arc::new(SigningKey::from_bytes(&seed))))
    }

    /// Its public key, as recorded in the roster: 64 lowercase hexadecimal digits.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// The signature of `message`, 128 hexadecimal digits.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.0.sign(message).to_bytes())
    }

    /// The text of its file: a header and the secret seed in hexadecimal.
    fn file_text(&self) -> String {
        format!("{HEADER} {}\n", hex::encode(self.0.to_bytes()))
    }

    /// Reads a key from the text of its file (`what` names the file in errors).
    pub fn parse(text: &str, what: &str) -> Result<SecretKey, KeyError> {
        let bad = || KeyError::Malformed(what.to_string());
        let line = text.lines().next().ok_or_else(bad)?.trim();
        let seed = line.strip_prefix(HEADER).ok_or_else(bad)?.trim();
        let bytes: [u8; 32] = hex::decode(seed).map_err(|_| bad())?.try_into().map_err(|_| bad())?;
        Ok(SecretKey(std::sync::Arc::new(SigningKey::from_bytes(&bytes))))
    }

    /// Reads a key file (at most 4 KiB are read).
    pub fn read(path: &Path) -> Result<SecretKey, KeyError> {
        use std::io::Read;
        let err = |e: std::io::Error| KeyError::Read { path: path.display().to_string(), reason: e.to_string() };
        let mut text = String::new();
        std::fs::File::open(path).map_err(err)?.take(4096).read_to_string(&mut text).map_err(err)?;
        SecretKey::parse(&text, &path.display().to_string())
    }

    /// Writes the key to a new file that only its owner may read (an existing file is never
    /// overwritten), creating its directory if needed.
    pub fn write_new(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(path)?;
        f.write_all(self.file_text().as_bytes())?;
        f.sync_all()
    }
}

/// Whether `signature` (hexadecimal) is a signature of `message` by the public key `public`
/// (hexadecimal); strict verification (no malleable signatures, no weak keys).
pub fn verify(public: &str, message: &[u8], signature: &str) -> bool {
    let Ok(Ok(key)) = hex::decode(public).map(|b| <[u8; 32]>::try_from(b.as_slice()).map(|k| VerifyingKey::from_bytes(&k))) else {
        return false;
    };
    let Ok(key) = key else { return false };
    let Ok(sig) = hex::decode(signature).map(|b| <[u8; 64]>::try_from(b.as_slice()).map(|s| Signature::from_bytes(&s))) else {
        return false;
    };
    let Ok(sig) = sig else { return false };
    key.verify_strict(message, &sig).is_ok() && key.verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_signs_what_only_its_public_half_verifies_and_its_file_reads_back() {
        let k = SecretKey::generate().unwrap();
        let other = SecretKey::generate().unwrap();
        let sig = k.sign_hex(b"body");
        assert!(verify(&k.public_hex(), b"body", &sig));
        assert!(!verify(&k.public_hex(), b"bodY", &sig), "another message");
        assert!(!verify(&other.public_hex(), b"body", &sig), "another key");
        assert!(!verify(&k.public_hex(), b"body", "00"), "not a signature");
        assert!(!verify("zz", b"body", &sig), "not a key");
        let back = SecretKey::parse(&k.file_text(), "f").unwrap();
        assert_eq!(back.public_hex(), k.public_hex());
        assert!(SecretKey::parse("hello", "f").is_err());
        assert!(!format!("{k:?}").contains(&hex::encode(k.0.to_bytes())), "Debug never shows the secret");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("alice.key");
        k.write_new(&path).unwrap();
        assert!(k.write_new(&path).is_err(), "never overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(SecretKey::read(&path).unwrap().public_hex(), k.public_hex());
    }
}
