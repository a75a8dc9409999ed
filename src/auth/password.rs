//! Passwords: strength rules and argon2id hashing.
//!
//! Parameters are OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1 (about 20-40 ms per
//! hash on the 2-core reference machine in release builds; see `benches/login.rs`). Hashes are
//! PHC strings, so the parameters can be raised later and old hashes still verify.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

const COMMON: &str = include_str!("common_passwords.txt");

fn hasher() -> Argon2<'static> {
    // 19 MiB, 2 passes, 1 lane: constants that are valid, so `new` cannot fail.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why `password` is too weak, if it is.
pub fn weakness(password: &str, email: &str, full_name: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Some("must be at least 10 characters");
    }
    if chars > MAX_LEN {
        return Some("must be at most 256 characters");
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|common| common == lower) {
        return Some("is too common; choose something less guessable");
    }
    let distinct = {
        let mut seen: Vec<char> = lower.chars().collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    if distinct < 4 {
        return Some("uses too few different characters");
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Some("must not contain your email address");
    }
    if full_name
        .split_whitespace()
        .any(|part| part.len() >= 4 && lower.contains(&part.to_lowercase()))
    {
        return Some("must not contain your name");
    }
    None
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the same time as a real check, so a sign-in for an unknown email is not faster.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("an unguessable placeholder password").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_never_contain_the_password() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!phc.contains("correct horse"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse battery!", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn weak_passwords_are_explained() {
        assert_eq!(
            weakness("short", "a@b.c", "Ada"),
            Some("must be at least 10 characters")
        );
        assert!(
            weakness("password123", "a@b.c", "Ada")
                .unwrap()
                .contains("too common")
        );
        assert!(
            weakness("Password1234", "a@b.c", "Ada")
                .unwrap()
                .contains("too common")
        );
        assert!(weakness("aaaaaaaaaaaa", "a@b.c", "Ada").is_some());
        assert!(
            weakness("lovelace-rules-99", "ada@b.c", "Ada Lovelace")
                .unwrap()
                .contains("name")
        );
        assert!(
            weakness("xx-ada.byron-99", "ada.byron@b.c", "Ada")
                .unwrap()
                .contains("email")
        );
        assert_eq!(
            weakness("correct horse battery", "ada@b.c", "Ada Lovelace"),
            None
        );
    }
}
