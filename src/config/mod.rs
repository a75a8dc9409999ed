//! Typed configuration: compiled-in defaults, then `config.toml`, then environment variables
//! `INSTAINSTRU__SECTION__KEY`. Loaded and validated once at start-up; a bad key or value stops
//! start-up with a message naming the key. `config.toml` at the repository root documents every
//! key with the same defaults (a test keeps the two equal).

mod load;
pub mod units;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use load::{ConfigError, load};
pub use units::{ByteSize, Duration};

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub data: DataConfig,
    pub database: DatabaseConfig,
    pub jobs: JobsConfig,
    pub auth: AuthConfig,
    pub market: MarketConfig,
    pub payments: PaymentsConfig,
    pub areas: AreasConfig,
    pub search: SearchConfig,
    pub email: EmailConfig,
    pub log: LogConfig,
    pub dev: DevConfig,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The address people reach the app at; `https` turns on HSTS and Secure cookies.
    pub public_url: String,
    pub request_timeout: Duration,
    /// Largest JSON request body; uploads have their own limits.
    pub body_limit: ByteSize,
    /// How long shutdown waits for requests and jobs before releasing what is left.
    pub shutdown_grace: Duration,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// Holds the database file, the search index and uploaded media.
    pub dir: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Query-only connections serving reads beside the one writer.
    pub readers: usize,
    pub busy_timeout: Duration,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    pub workers: usize,
    pub poll_interval: Duration,
    /// A claimed job is someone else's to retry once its lease runs out.
    pub lease: Duration,
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Finished jobs and sent outbox mail are pruned after this long.
    pub retention: Duration,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A session unused for this long is signed out.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_lifetime: Duration,
    pub verify_email_ttl: Duration,
    pub password_reset_ttl: Duration,
    /// Time to enter the second factor after the password.
    pub login_challenge_ttl: Duration,
    /// How long "trust this device" skips the second factor.
    pub trusted_device: Duration,
    pub signups_per_ip_per_hour: u32,
    pub password_resets_per_email_per_hour: u32,
    pub verification_emails_per_hour: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::secs(14 * 86_400),
            session_lifetime: Duration::secs(30 * 86_400),
            verify_email_ttl: Duration::secs(86_400),
            password_reset_ttl: Duration::secs(3_600),
            login_challenge_ttl: Duration::secs(300),
            trusted_device: Duration::secs(30 * 86_400),
            signups_per_ip_per_hour: 100,
            password_resets_per_email_per_hour: 5,
            verification_emails_per_hour: 5,
        }
    }
}

/// The operator's market rules (SPEC 3-6). Money is integer cents.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarketConfig {
    /// Lowest hourly rate for travel and studio lessons.
    pub rate_floor_in_person_cents: i64,
    pub rate_floor_online_cents: i64,
    pub rate_cap_cents: i64,
    /// Whether going live needs a passed background check.
    pub background_check_required: bool,
    pub background_check_valid: Duration,
    /// The student's service fee on the lesson price, in basis points (1200 = 12%).
    pub service_fee_bps: i64,
    /// How long a credit grant can be spent.
    pub credit_validity: Duration,
    /// Bookings (and other money requests) one user may make per minute.
    pub bookings_per_user_per_minute: u32,
}

impl Default for MarketConfig {
    fn default() -> Self {
        Self {
            rate_floor_in_person_cents: 8_000,
            rate_floor_online_cents: 6_000,
            rate_cap_cents: 100_000,
            background_check_required: true,
            background_check_valid: Duration::secs(365 * 86_400),
            service_fee_bps: 1_200,
            credit_validity: Duration::secs(365 * 86_400),
            bookings_per_user_per_minute: 5,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentsProvider {
    /// Offline, deterministic, Stripe's test payment methods: the default.
    #[default]
    Simulated,
    /// Real Stripe with the keys below.
    Stripe,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    pub provider: PaymentsProvider,
    pub stripe: StripeConfig,
}

/// Stripe keys (secrets: set them through the environment, e.g.
/// `INSTAINSTRU__PAYMENTS__STRIPE__SECRET_KEY`, not in a committed file).
#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StripeConfig {
    /// `sk_live_...` or `sk_test_...`.
    #[serde(deserialize_with = "load::lenient_string")]
    pub secret_key: String,
    /// `pk_...`, handed to Stripe.js in the browser.
    #[serde(deserialize_with = "load::lenient_string")]
    pub publishable_key: String,
    /// `whsec_...` of the platform webhook endpoint.
    #[serde(deserialize_with = "load::lenient_string")]
    pub webhook_secret: String,
    /// `whsec_...` of the Connect webhook endpoint (events from instructors' accounts).
    #[serde(deserialize_with = "load::lenient_string")]
    pub connect_webhook_secret: String,
    /// Where the API is; only tests point it elsewhere.
    pub api_base: String,
}

impl Default for StripeConfig {
    fn default() -> Self {
        Self {
            secret_key: String::new(),
            publishable_key: String::new(),
            webhook_secret: String::new(),
            connect_webhook_secret: String::new(),
            api_base: "https://api.stripe.com".into(),
        }
    }
}

/// Never print the keys (config dumps, panics, logs).
impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |key: &str| if key.is_empty() { "(unset)" } else { "(set)" };
        f.debug_struct("StripeConfig")
            .field("secret_key", &shown(&self.secret_key))
            .field("publishable_key", &self.publishable_key)
            .field("webhook_secret", &shown(&self.webhook_secret))
            .field(
                "connect_webhook_secret",
                &shown(&self.connect_webhook_secret),
            )
            .field("api_base", &self.api_base)
            .finish()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AreasConfig {
    /// A TOML gazetteer replacing the embedded New York City areas (format in src/areas/mod.rs
    /// and README.md); empty = the embedded one.
    pub file: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransport {
    Outbox,
    Log,
    Smtp,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    pub transport: EmailTransport,
    pub from: String,
    pub smtp: SmtpConfig,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    #[serde(deserialize_with = "load::lenient_string")]
    pub username: String,
    #[serde(deserialize_with = "load::lenient_string")]
    pub password: String,
    /// Upgrade the connection with STARTTLS (required unless talking to a local relay).
    pub starttls: bool,
    pub timeout: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter such as "info" or "instainstru=debug,tower_http=info"; RUST_LOG wins.
    pub level: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Ranked answers kept for repeated queries (dropped whenever the index changes); 0: none.
    pub result_cache: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self { result_cache: 512 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevConfig {
    /// Lets `/api/v1/dev/clock` move time. Never turn this on in production.
    pub test_clock: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".into(),
            request_timeout: Duration::secs(30),
            body_limit: ByteSize::mb(1),
            shutdown_grace: Duration::secs(8),
        }
    }
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("./data"),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            readers: 4,
            busy_timeout: Duration::secs(5),
        }
    }
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            poll_interval: Duration::secs(1),
            lease: Duration::secs(300),
            max_attempts: 8,
            backoff_base: Duration::secs(30),
            backoff_max: Duration::secs(6 * 3600),
            retention: Duration::secs(30 * 86_400),
        }
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            transport: EmailTransport::Outbox,
            from: "InstaInstru <no-reply@instainstru.local>".into(),
            smtp: SmtpConfig::default(),
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            username: String::new(),
            password: String::new(),
            starttls: true,
            timeout: Duration::secs(30),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            level: "info".into(),
        }
    }
}

impl Config {
    pub fn database_path(&self) -> PathBuf {
        self.data.dir.join("instainstru.db")
    }

    /// Held by the running server so a second server or a restore cannot touch the same data.
    pub fn lock_path(&self) -> PathBuf {
        self.data.dir.join("instainstru.lock")
    }

    pub fn data_dir(&self) -> &Path {
        &self.data.dir
    }

    pub fn public_url_is_https(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }
}
