//! TOTP second factor (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits, one step of skew either way).

use totp_rs::{Builder, Secret, Totp};

const ISSUER: &str = "InstaInstru";

/// A fresh 160-bit secret in base32, as authenticator apps take it.
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .ok()
}

/// The `otpauth://` URI and a PNG QR code of it (base64), rendered here: no outside service.
pub fn enrolment(secret_base32: &str, account: &str) -> anyhow::Result<(String, String)> {
    let totp = totp(secret_base32, account)
        .ok_or_else(|| anyhow::anyhow!("stored TOTP secret is invalid"))?;
    let uri = totp.to_url().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let png = totp.to_qr_base64().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok((uri, png))
}

/// The time step `code` matches at `unix_secs`, if any. Callers reject steps already used.
pub fn matching_step(secret_base32: &str, code: &str, unix_secs: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = u64::try_from(unix_secs).ok()?;
    totp(secret_base32, "")?
        .check(&code, time)
        .and_then(|step| i64::try_from(step).ok())
}

/// The code for `unix_secs`; used by tests and the load benchmark.
pub fn code_at(secret_base32: &str, unix_secs: i64) -> Option<String> {
    Some(
        totp(secret_base32, "")?
            .generate(u64::try_from(unix_secs).ok()?)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_and_neighbours_only() {
        let secret = new_secret();
        let now = 1_780_000_000;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(code.len(), 6);
        let step = matching_step(&secret, &code, now).unwrap();
        assert_eq!(step, now / 30);
        assert!(
            matching_step(&secret, &code, now + 30).is_some(),
            "one step of skew"
        );
        assert!(matching_step(&secret, &code, now + 90).is_none());
        assert!(matching_step(&secret, "12345", now).is_none());
    }

    #[test]
    fn enrolment_gives_an_otpauth_uri_and_a_png() {
        let (uri, png) = enrolment(&new_secret(), "ada@example.com").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/InstaInstru:ada%40example.com?"),
            "{uri}"
        );
        assert!(png.len() > 100);
    }
}
