//! The command line: `serve`, `migrate`, `admin create`, `seed`, `reindex`, `backup`,
//! `restore`, `healthcheck`. Every command loads the same layered config; `--config` and
//! `--data-dir` work with all of them.

use std::io::{IsTerminal, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::{self, Config, LogFormat};
use crate::db::{self, Db};

#[derive(Parser)]
#[command(
    name = "instainstru",
    version,
    about = "InstaInstru: find, book and pay for lessons"
)]
struct Cli {
    /// Config file (default: ./config.toml when it exists, else built-in defaults).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Data directory holding the database, search index and media (overrides data.dir).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (and background jobs).
    Serve {
        /// Listen address, e.g. 127.0.0.1:8080; port 0 picks a free port.
        #[arg(long, value_name = "ADDR")]
        bind: Option<SocketAddr>,
        /// Seed a demo market into an empty database first.
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database schema and exit.
    Migrate,
    /// Administer accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Fill the database with data.
    Seed {
        /// A realistic demo market.
        #[arg(long)]
        demo: bool,
        /// How many demo instructors.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        instructors: usize,
        /// The same number always builds the same market.
        #[arg(long, value_name = "NUMBER", default_value_t = 2026)]
        seed: u64,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Write a consistent copy of the database (safe while the server runs).
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the database with a backup (refused while a server runs).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Exit 0 when the server answers /healthz.
    Healthcheck {
        /// Default: http://<server.bind>/healthz.
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match load_config(&cli) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(&config);
    match dispatch(cli.command, config) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let default_file = Path::new("config.toml");
    let file = match &cli.config {
        Some(path) => Some(path.as_path()),
        None => default_file.exists().then_some(default_file),
    };
    let mut config = config::load(file, std::env::vars())?;
    if let Some(dir) = &cli.data_dir {
        config.data.dir = dir.clone();
    }
    if let Command::Serve {
        bind: Some(bind), ..
    } = &cli.command
    {
        config.server.bind = *bind;
    }
    Ok(config)
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr so command output on stdout stays clean for scripts.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

fn dispatch(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match command {
        Command::Serve { demo, .. } => runtime.block_on(crate::app::serve(config, demo))?,
        Command::Migrate => {
            let db = Db::open(&config.database_path(), &config.database)?;
            let version = runtime.block_on(db.read(|c| Ok(db::schema_version(c)?)))?;
            println!(
                "database {} is at schema version {version}",
                db.path().display()
            );
        }
        Command::Admin {
            command: AdminCommand::Create { email, password },
        } => {
            let user = runtime.block_on(async {
                let app = crate::app::App::build(config, crate::common::Clock::system()).await?;
                crate::auth::signup::create_admin(&app.state, &email, &password)
                    .await
                    .map_err(describe)
            })?;
            println!("created admin {} ({})", user.email, user.id);
        }
        Command::Seed {
            demo,
            instructors,
            seed,
        } => {
            if !demo {
                eprintln!("nothing to seed: pass --demo for the demo market");
                return Ok(ExitCode::from(2));
            }
            runtime.block_on(async {
                let app = crate::app::App::build(config, crate::common::Clock::system()).await?;
                seed_demo(&app.state, instructors, seed).await
            })?;
        }
        Command::Reindex => runtime.block_on(async {
            let app = crate::app::App::build(config, crate::common::Clock::system()).await?;
            let started = std::time::Instant::now();
            let count = crate::search::rebuild(&app.state, |done, total| {
                println!("indexing: {done}/{total} instructors");
            })
            .await?;
            println!(
                "search index rebuilt: {count} instructors, {} documents, in {:.1} s",
                app.state.search.index.documents(),
                started.elapsed().as_secs_f64()
            );
            anyhow::Ok(())
        })?,
        Command::Backup { to } => {
            let bytes = db::maintenance::backup(&config.database_path(), &to)?;
            println!(
                "backed up {} to {} ({bytes} bytes)",
                config.database_path().display(),
                to.display()
            );
        }
        Command::Restore { from } => {
            let now = chrono::Utc::now().timestamp();
            let kept =
                db::maintenance::restore(&config.database_path(), &config.lock_path(), &from, now)?;
            println!(
                "restored {} from {}",
                config.database_path().display(),
                from.display()
            );
            if let Some(kept) = kept {
                println!("the previous database was kept as {}", kept.display());
            }
            // The search index described the old database: the next start rebuilds it.
            crate::search::index::SearchIndex::forget(&config.data_dir().join("search"));
        }
        Command::Healthcheck { url } => {
            let url = url.unwrap_or_else(|| default_health_url(config.server.bind));
            healthcheck(&url)?;
            println!("ok");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Seeds the demo market with progress on stdout, then prints the demo sign-ins.
pub async fn seed_demo(
    state: &crate::app::AppState,
    instructors: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let seeded = crate::demo::seed(state, instructors, seed, |done, total| {
        println!("seeding demo market: {done}/{total} instructors");
    })
    .await
    .map_err(describe)?;
    if !seeded.created {
        println!("the demo market is already in this database");
    }
    println!("demo sign-ins:");
    println!(
        "  student     {} / {}",
        crate::demo::STUDENT_EMAIL,
        crate::demo::STUDENT_PASSWORD
    );
    println!(
        "  admin       {} / {}",
        crate::demo::ADMIN_EMAIL,
        crate::demo::ADMIN_PASSWORD
    );
    println!(
        "  instructors instructor0001@demo.instainstru.local (0001-{instructors:04}) / {}",
        crate::demo::INSTRUCTOR_PASSWORD
    );
    Ok(())
}

/// A domain error as one line for the terminal: its detail and any field errors.
fn describe(err: crate::error::AppError) -> anyhow::Error {
    let fields: Vec<String> = err
        .errors
        .iter()
        .map(|(field, message)| format!("{field} {message}"))
        .collect();
    if fields.is_empty() {
        anyhow::anyhow!("{}", err.detail)
    } else {
        anyhow::anyhow!("{}", fields.join("; "))
    }
}

fn default_health_url(bind: SocketAddr) -> String {
    let host = if bind.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        bind.ip().to_string()
    };
    let host = if bind.is_ipv6() && !bind.ip().is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    format!("http://{host}:{}/healthz", bind.port())
}

/// A minimal HTTP/1.1 GET, so the binary can check itself (e.g. from a container health probe)
/// without an HTTP client library.
fn healthcheck(url: &str) -> anyhow::Result<()> {
    let rest = url
        .strip_prefix("http://")
        .context("healthcheck URL must start with http://")?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let addr = authority
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {authority}"))?
        .next()
        .context("no address")?;
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.lines().next().unwrap_or_default();
    if !status.starts_with("HTTP/1.1 200") {
        bail!("unhealthy: {status}");
    }
    Ok(())
}
