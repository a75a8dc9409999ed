//! Composition root: config -> database -> state -> router -> jobs -> serve -> shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::areas::Areas;
use crate::auth::throttle::Throttle;
use crate::catalog::CatalogCache;
use crate::common::Clock;
use crate::common::metrics::Metrics;
use crate::config::Config;
use crate::db::Db;
use crate::db::maintenance::DataDirLock;
use crate::error::AppError;
use crate::jobs::{self, Jobs, Registry};
use crate::notifications::templates::Templates;
use crate::notifications::{self, Mailer, Notifier};
use crate::payments::Provider;

/// Everything a handler or a job needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Clock,
    pub jobs: Jobs,
    pub mailer: Arc<Mailer>,
    pub notifier: Notifier,
    pub catalog: CatalogCache,
    pub areas: Arc<Areas>,
    /// Parsed availability rules by instructor and document version.
    pub rules: Arc<crate::availability::RulesCache>,
    /// Serialised slot answers, stamped with what they depend on.
    pub slots: Arc<crate::availability::SlotsCache>,
    pub payments: Arc<Provider>,
    pub throttle: Arc<Throttle>,
    pub metrics: Arc<Metrics>,
    pub search: Arc<crate::search::Search>,
}

/// The assembled application: state plus router, not yet listening.
pub struct App {
    pub state: AppState,
    pub router: Router,
}

impl App {
    /// Opens and migrates the database and wires every domain. The clock is passed in so
    /// tests can hold a handle to the same manual clock.
    pub async fn build(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let db = Db::open(&config.database_path(), &config.database).with_context(|| {
            format!(
                "cannot open the database at {}",
                config.database_path().display()
            )
        })?;
        let mailer = Mailer::from_config(&config.email)?;
        let now = crate::common::time::to_db(clock.now());
        let unsubscribe_key = db
            .write(move |tx| Ok(crate::db::app_secret(tx, "unsubscribe_key", now)?))
            .await?;
        db.write(|tx| crate::catalog::data::seed(tx).map_err(AppError::internal))
            .await?;
        let catalog = CatalogCache::load(&db).await?;
        let areas_file =
            (!config.areas.file.is_empty()).then(|| std::path::PathBuf::from(&config.areas.file));
        let areas = Areas::load(areas_file.as_deref())?;
        let notifier = Notifier::new(
            Templates::load()?,
            &config.server.public_url,
            &unsubscribe_key,
        );
        let payments = Arc::new(Provider::from_config(
            &config.payments,
            db.clone(),
            clock.clone(),
        )?);
        let (search, index_fresh) =
            crate::search::Search::open(config.data_dir(), config.search.result_cache)?;
        let state = AppState {
            search: Arc::new(search),
            jobs: Jobs::new(registry(), config.jobs.clone()),
            config: Arc::new(config),
            db,
            clock,
            mailer: Arc::new(mailer),
            notifier,
            catalog,
            areas: Arc::new(areas),
            rules: Arc::default(),
            slots: Arc::default(),
            payments,
            throttle: Arc::new(Throttle::default()),
            metrics: Arc::new(Metrics::default()),
        };
        if index_fresh {
            // A new (or older-schema) index: filled from the database in the background, so
            // start-up stays fast; searches find more as it fills.
            let st = state.clone();
            tokio::spawn(async move {
                match crate::search::rebuild(&st, |_, _| {}).await {
                    Ok(count) => tracing::info!(instructors = count, "search index built"),
                    Err(err) => tracing::error!(%err, "could not build the search index"),
                }
            });
        }
        let router = crate::http::router(state.clone());
        Ok(Self { state, router })
    }
}

/// Every job kind of every domain.
fn registry() -> Registry {
    let mut registry = Registry::default();
    jobs::register(&mut registry);
    notifications::register(&mut registry);
    crate::instructors::background::register(&mut registry);
    crate::credits::register(&mut registry);
    crate::payments::events::register(&mut registry);
    crate::search::jobs::register(&mut registry);
    crate::bookings::jobs::register(&mut registry);
    crate::reviews::register(&mut registry);
    registry
}

/// The clock a server runs on: manual (starting now) only when the test clock is enabled.
pub fn clock_for(config: &Config) -> Clock {
    if config.dev.test_clock {
        Clock::manual(chrono::Utc::now())
    } else {
        Clock::system()
    }
}

/// Runs the server until SIGTERM or SIGINT, then drains requests and jobs within
/// `server.shutdown_grace` and returns.
pub async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let _lock = DataDirLock::acquire(&config.lock_path())?;
    if config.dev.test_clock {
        tracing::warn!(
            "dev.test_clock is on: the clock can be moved over HTTP; never use this in production"
        );
    }
    let grace = config.server.shutdown_grace.0;
    let bind = config.server.bind;
    let clock = clock_for(&config);
    let app = App::build(config, clock).await?;
    let state = app.state.clone();
    if demo {
        crate::cli::seed_demo(&state, 1000, 2026).await?;
    }
    let workers = state.jobs.start(&state).await?;

    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(database = %state.db.path().display(), "listening on http://{addr}");

    let (stop, stopped) = tokio::sync::watch::channel(());
    let mut server = tokio::spawn(async move {
        let mut stopped = stopped;
        axum::serve(
            listener,
            app.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.changed().await;
        })
        .await
    });
    tokio::select! {
        result = &mut server => {
            result??;
            return Ok(());
        }
        () = shutdown_signal() => {}
    }
    tracing::info!("shutting down: draining requests and jobs");
    let _ = stop.send(());
    let (http, released) = tokio::join!(
        tokio::time::timeout(grace, server),
        workers.shutdown(&state, grace)
    );
    if http.is_err() {
        tracing::warn!("some connections were still open after the grace period");
    }
    released?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
