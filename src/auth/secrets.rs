//! Random tokens and how they are kept: handed out once in clear, stored only as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe: session cookies, API tokens, emailed links, challenges.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What the database keeps of a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A time-ordered id for new rows.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A backup code: 10 characters from an alphabet without look-alikes, shown as `xxxxx-xxxxx`.
pub fn backup_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = rand::random::<[u8; 10]>();
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Backup codes are compared without dashes, spaces or case.
pub fn normalize_backup_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_url_safe() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(hash(&a), hash(&a));
        assert_eq!(hash(&a).len(), 32);
    }

    #[test]
    fn backup_codes_normalise() {
        let code = backup_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            normalize_backup_code(&code.to_uppercase().replace('-', " ")),
            code.replace('-', "")
        );
    }
}
