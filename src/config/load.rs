//! Layering and validation. Each layer is a TOML table; environment variables are folded into
//! the table (`INSTAINSTRU__EMAIL__SMTP__HOST` -> `email.smtp.host`) before one typed
//! deserialisation, so every error can name the key it is about.

use std::path::Path;

use serde::{Deserialize, Deserializer};
use toml::{Table, Value};

use super::{Config, EmailTransport, PaymentsProvider};

const ENV_PREFIX: &str = "INSTAINSTRU__";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("config key `{key}`: {message}")]
    Key { key: String, message: String },
}

/// Loads defaults <- `file` (when given) <- environment `vars`.
pub fn load(
    file: Option<&Path>,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let mut table = match file {
        Some(path) => read_file(path)?,
        None => Table::new(),
    };
    for (name, raw) in vars {
        if let Some(key) = name.strip_prefix(ENV_PREFIX) {
            let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
            insert(&mut table, &path, parse_env_value(&raw))?;
        }
    }
    let config: Config =
        serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| ConfigError::Key {
            key: e.path().to_string(),
            message: e.inner().message().to_string(),
        })?;
    validate(&config)?;
    Ok(config)
}

fn read_file(path: &Path) -> Result<Table, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: shown.clone(),
        source,
    })?;
    text.parse::<Table>().map_err(|e| ConfigError::Syntax {
        path: shown,
        message: e.message().to_string(),
    })
}

/// Booleans and numbers are taken as such; anything else stays a string.
fn parse_env_value(raw: &str) -> Value {
    if let Ok(b) = raw.parse::<bool>() {
        return Value::Boolean(b);
    }
    if let Ok(i) = raw.parse::<i64>() {
        return Value::Integer(i);
    }
    Value::String(raw.to_string())
}

fn insert(table: &mut Table, path: &[String], value: Value) -> Result<(), ConfigError> {
    let (last, parents) = path.split_last().ok_or_else(|| ConfigError::Key {
        key: ENV_PREFIX.into(),
        message: "empty key".into(),
    })?;
    let mut current = table;
    for (depth, part) in parents.iter().enumerate() {
        let entry = current
            .entry(part.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        current = entry.as_table_mut().ok_or_else(|| ConfigError::Key {
            key: path[..=depth].join("."),
            message: "is a value, not a section".into(),
        })?;
    }
    current.insert(last.clone(), value);
    Ok(())
}

/// Rules that need more than one key, or more than a type, to check.
fn validate(config: &Config) -> Result<(), ConfigError> {
    let bad = |key: &str, message: &str| {
        Err(ConfigError::Key {
            key: key.into(),
            message: message.into(),
        })
    };
    let url = &config.server.public_url;
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
        return bad(
            "server.public_url",
            "must be an http(s) URL without a trailing slash",
        );
    }
    if config.database.readers == 0 {
        return bad("database.readers", "must be at least 1");
    }
    if config.jobs.workers == 0 {
        return bad("jobs.workers", "must be at least 1");
    }
    if config.jobs.max_attempts == 0 {
        return bad("jobs.max_attempts", "must be at least 1");
    }
    if config.payments.provider == PaymentsProvider::Stripe {
        let stripe = &config.payments.stripe;
        for (key, value, prefix) in [
            ("payments.stripe.secret_key", &stripe.secret_key, "sk_"),
            (
                "payments.stripe.publishable_key",
                &stripe.publishable_key,
                "pk_",
            ),
            (
                "payments.stripe.webhook_secret",
                &stripe.webhook_secret,
                "whsec_",
            ),
        ] {
            // Restricted keys (rk_) work as secret keys too.
            let restricted = prefix == "sk_" && value.starts_with("rk_");
            if !value.starts_with(prefix) && !restricted {
                return bad(
                    key,
                    &format!(
                        "is required when payments.provider = \"stripe\" (it starts with {prefix})"
                    ),
                );
            }
        }
    }
    if config.email.transport == EmailTransport::Smtp && config.email.smtp.host.is_empty() {
        return bad(
            "email.smtp.host",
            "is required when email.transport = \"smtp\"",
        );
    }
    if config
        .email
        .from
        .parse::<lettre::message::Mailbox>()
        .is_err()
    {
        return bad(
            "email.from",
            "must be a mailbox such as \"Name <name@example.com>\"",
        );
    }
    Ok(())
}

/// Strings that may look like numbers in the environment (a numeric SMTP password).
pub(super) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(i64),
        Flag(bool),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Number(n) => n.to_string(),
        Raw::Flag(b) => b.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ByteSize, Duration};

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn runs_with_no_file_at_all() {
        assert_eq!(load(None, Vec::new()).unwrap(), Config::default());
    }

    #[test]
    fn the_documented_file_matches_the_compiled_defaults() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
        assert_eq!(load(Some(&file), Vec::new()).unwrap(), Config::default());
    }

    #[test]
    fn environment_overrides_nested_keys() {
        let config = load(
            None,
            env(&[
                ("INSTAINSTRU__DEV__TEST_CLOCK", "true"),
                ("INSTAINSTRU__SERVER__BODY_LIMIT", "2MB"),
                ("INSTAINSTRU__JOBS__BACKOFF_BASE", "5s"),
                ("INSTAINSTRU__EMAIL__SMTP__PASSWORD", "123456"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert!(config.dev.test_clock);
        assert_eq!(config.server.body_limit, ByteSize::mb(2));
        assert_eq!(config.jobs.backoff_base, Duration::secs(5));
        assert_eq!(config.email.smtp.password, "123456");
    }

    #[test]
    fn errors_name_the_bad_key() {
        let err = load(
            None,
            env(&[("INSTAINSTRU__SERVER__BIND", "not-an-address")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`server.bind`"), "{err}");
        let err = load(None, env(&[("INSTAINSTRU__SERVER__NOPE", "1")])).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        let err = load(None, env(&[("INSTAINSTRU__JOBS__LEASE", "5 minutes")])).unwrap_err();
        assert!(err.to_string().contains("`jobs.lease`"), "{err}");
    }

    #[test]
    fn smtp_transport_needs_a_host() {
        let err = load(None, env(&[("INSTAINSTRU__EMAIL__TRANSPORT", "smtp")])).unwrap_err();
        assert!(err.to_string().contains("`email.smtp.host`"), "{err}");
    }
}
