//! Building and running the application: open the stores, wire middleware and routes,
//! bind, serve until SIGTERM/SIGINT (letting in-flight requests finish).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::SameSite;
use actix_web::dev::Server;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use quill_accounts::PoolSize;
use quill_accounts::{Accounts, Db, LoginThrottle, PasswordHasher, RateLimiter, SqlSessionStore};
use quill_posts::{CassandraPostStore, EmbeddedPostStore, Posts};
use rand::RngCore;
use tracing_actix_web::TracingLogger;

use crate::compress;
use crate::errors::{self, render_bare_errors};
use crate::metrics::Metrics;
use crate::secrets::Secrets;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{csrf, flash, https, methods, metrics, read_floor, request_id, routes};

/// The Content-Security-Policy: no inline script or style, nothing from elsewhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// How often expired sessions, throttle counters and rate-limit windows are purged.
const PURGE_EVERY: Duration = Duration::from_secs(600);

pub struct Application {
    address: SocketAddr,
    server: Server,
}

impl Application {
    /// Opens the data directory and stores and binds the listener; call
    /// `run_until_stopped` to serve.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let (state, secrets) = open_state(&settings).await?;
        let state = web::Data::new(state);
        let sessions = state.sessions.clone();
        spawn_purge(
            sessions.clone(),
            state.throttle.clone(),
            state.limits.clone(),
        );
        spawn_resume_deletions(state.clone());

        let listener = TcpListener::bind(settings.http.bind)
            .with_context(|| format!("binding QUILL_BIND {}", settings.http.bind))?;
        let address = listener.local_addr()?;
        let server = server(listener, &settings, state, secrets, sessions)?;
        tracing::info!(%address, data_dir = %settings.data_dir.display(), "Quill is listening");
        Ok(Self { address, server })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address to open in a browser on this machine: a wildcard bind
    /// (`0.0.0.0`, `::`) is reached through the loopback address.
    pub fn url(&self) -> String {
        let mut address = self.address;
        if address.ip().is_unspecified() {
            address.set_ip(match address.ip() {
                IpAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
                IpAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{address}/")
    }

    /// A handle that stops the server gracefully, as SIGTERM does.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Opens the data directory, the secrets and the stores: what the handlers share,
/// without the server (`Application::build` serves it; tests drive it directly).
pub async fn open_state(settings: &Settings) -> anyhow::Result<(AppState, Secrets)> {
    // Owner-only: the directory holds password hashes and the secret key.
    let mut data_dir = std::fs::DirBuilder::new();
    data_dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut data_dir, 0o700);
    data_dir
        .create(&settings.data_dir)
        .with_context(|| format!("creating QUILL_DATA_DIR {}", settings.data_dir.display()))?;
    let secrets = match &settings.secret_key_file {
        Some(path) => Secrets::load(path)?,
        None => Secrets::load_or_create(&settings.data_dir)?,
    };
    let pool = PoolSize {
        connections: settings.accounts.pool_size,
        checkout_timeout: settings.accounts.timeout,
    };
    let db = open_accounts(settings, pool).await?;
    let posts = match &settings.cassandra {
        Some(config) => Posts::Cassandra(
            CassandraPostStore::connect(config)
                .await
                .context("connecting to QUILL_CASSANDRA_NODES")?,
        ),
        None => {
            let dir = settings.data_dir.clone();
            let store = tokio::task::spawn_blocking(move || EmbeddedPostStore::open(&dir, pool))
                .await?
                .context("opening the post store")?;
            Posts::Embedded(store)
        }
    };
    let (policy, concurrency) = (
        settings.login.password_policy,
        settings.login.hash_concurrency,
    );
    let hasher = tokio::task::spawn_blocking(move || {
        PasswordHasher::new(policy, concurrency, Duration::from_secs(5))
    })
    .await??;
    let sessions = SqlSessionStore::new(
        db.clone(),
        settings.session.absolute,
        settings.session.cached,
    );
    let throttle = LoginThrottle::new(db.clone(), settings.login.throttle);
    let limits = RateLimiter::new(db.clone(), settings.limits);
    let mut node = [0u8; 6];
    rand::rng().fill_bytes(&mut node);
    node[0] |= 0x01;
    let state = AppState {
        accounts: Accounts::new(db, hasher),
        posts,
        sessions,
        throttle,
        limits,
        session_idle_secs: settings.session.idle.as_secs() as i64,
        behind_proxy: settings.http.behind_proxy,
        node,
        summaries: Default::default(),
    };
    Ok((state, secrets))
}

fn server(
    listener: TcpListener,
    settings: &Settings,
    state: web::Data<AppState>,
    secrets: Secrets,
    sessions: SqlSessionStore,
) -> anyhow::Result<Server> {
    let metrics = web::Data::new(Metrics::default());
    let secrets = web::Data::new(secrets);
    let (idle, max_body) = (settings.session.idle, settings.http.max_body_bytes);
    let transport = https::Transport {
        always_https: settings.http.cookie_secure,
        behind_proxy: settings.http.behind_proxy,
    };
    let idle = actix_web::cookie::time::Duration::seconds(idle.as_secs() as i64);
    let server = HttpServer::new(move || {
        let session = SessionMiddleware::builder(sessions.clone(), secrets.cookie.clone())
            .cookie_name("quill_session".into())
            .cookie_http_only(true)
            // `Secure` (and `__Host-`) over HTTPS: the https middleware decides.
            .cookie_secure(false)
            .cookie_same_site(SameSite::Lax)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(idle)
                    .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
            )
            .build();
        App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(secrets.clone())
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(
                web::FormConfig::default()
                    .limit(max_body)
                    .error_handler(errors::unreadable_form),
            )
            .app_data(
                web::JsonConfig::default()
                    .limit(max_body)
                    .error_handler(errors::unreadable_json),
            )
            .app_data(web::QueryConfig::default().error_handler(errors::unreadable_query))
            .configure(routes::configure)
            .default_service(web::to(|| async {
                actix_web::HttpResponse::NotFound().finish()
            }))
            .wrap(from_fn(methods::head_as_get))
            .wrap(session)
            .wrap(from_fn(read_floor::middleware))
            .wrap(from_fn(csrf::ensure_cookie))
            .wrap(from_fn(flash::clear_after_display))
            .wrap(from_fn(move |req, next| {
                https::middleware(transport, req, next)
            }))
            .wrap(
                ErrorHandlers::new()
                    .handler(StatusCode::NOT_FOUND, render_bare_errors)
                    .handler(StatusCode::METHOD_NOT_ALLOWED, render_bare_errors)
                    .handler(StatusCode::PAYLOAD_TOO_LARGE, render_bare_errors)
                    .handler(StatusCode::BAD_REQUEST, render_bare_errors)
                    .handler(StatusCode::INTERNAL_SERVER_ERROR, render_bare_errors),
            )
            .wrap(security_headers())
            .wrap(from_fn(compress::middleware))
            .wrap(from_fn(metrics::observe))
            .wrap(from_fn(request_id::echo))
            .wrap(TracingLogger::default())
    })
    .workers(settings.http.workers)
    .shutdown_timeout(settings.http.shutdown_timeout.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}

/// Headers on every response (HSTS only over HTTPS: the https middleware adds it).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CSP))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
}

/// Brings the cluster's schema up to this build before serving. Asked of a replica
/// first, so that instances (re)start while the primary is away once the schema is
/// current; `quill migrate` does the same work on its own.
/// The accounts database: MariaDB/MySQL when `QUILL_DATABASE_URL` names one (migrated
/// when it is behind this build), else SQLite in the data directory.
async fn open_accounts(settings: &Settings, pool: PoolSize) -> anyhow::Result<Db> {
    #[cfg(feature = "mysql")]
    if let Some(urls) = &settings.accounts.database {
        let db = Db::connect_mysql(urls, pool, settings.accounts.causal_wait)
            .context("connecting to QUILL_DATABASE_URL")?;
        migrate_if_pending(&db).await?;
        return Ok(db);
    }
    let data_dir = settings.data_dir.clone();
    tokio::task::spawn_blocking(move || {
        Db::open_sqlite(&data_dir, pool).context("opening the accounts database")
    })
    .await?
}

/// A replica that lags may not have the last migration yet, so the primary is asked
/// too before migrating: in compose, the instances' account may not change the schema
/// (the sql-migrate job's account does), and an instance that starts while a replica
/// lags must not try.
#[cfg(feature = "mysql")]
async fn migrate_if_pending(db: &Db) -> anyhow::Result<()> {
    let pending = db
        .has_pending_migrations()
        .await
        .context("reading the schema version from QUILL_DATABASE_READ_URL")?
        && db
            .has_pending_migrations_on_primary()
            .await
            .context("reading the schema version from QUILL_DATABASE_URL")?;
    if pending {
        let applied = db.migrate().await.context(
            "migrating the accounts database at QUILL_DATABASE_URL (when this account may \
             not change the schema, run `quill migrate` as one that may first; compose's \
             sql-migrate job does)",
        )?;
        tracing::info!(?applied, "accounts database migrated");
    }
    Ok(())
}

/// Deletes expired sessions, ended throttle windows and ended rate-limit windows now
/// and then, so the tables stay the size of live use.
/// Resumes, in the background, the account deletions a failure left pending.
fn spawn_resume_deletions(state: web::Data<AppState>) {
    tokio::spawn(async move {
        match crate::app::deletion::resume_all(&state).await {
            Ok(0) => {}
            Ok(ended) => tracing::info!(ended, "pending account deletions resumed"),
            Err(error) => tracing::warn!(%error, "pending account deletions not resumed"),
        }
    });
}

fn spawn_purge(sessions: SqlSessionStore, throttle: LoginThrottle, limits: RateLimiter) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        loop {
            every.tick().await;
            match sessions.purge_expired().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "expired sessions purged"),
                Err(e) => tracing::warn!(error = %e, "purging expired sessions failed"),
            }
            if let Err(e) = throttle.purge_expired().await {
                tracing::warn!(error = %e, "purging ended login throttle windows failed");
            }
            if let Err(e) = limits.purge_expired().await {
                tracing::warn!(error = %e, "purging ended rate-limit windows failed");
            }
        }
    });
}
