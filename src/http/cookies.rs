//! Reading and writing the few cookies the app uses, all HttpOnly and SameSite=Lax.

use axum::http::{HeaderMap, HeaderValue, header};

pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value; `max_age_secs = 0` deletes the cookie.
pub fn set(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; session=tok; b=2"),
        );
        assert_eq!(get(&headers, "session"), Some("tok"));
        assert_eq!(get(&headers, "missing"), None);
        let value = set("session", "tok", 60, true);
        assert_eq!(
            value,
            "session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }
}
