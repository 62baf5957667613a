//! What handlers share: the stores, the session store, the login throttle, the rate
//! limits.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header;
use quill_accounts::{Accounts, LoginThrottle, RateLimiter, SqlSessionStore};
use quill_domain::PostId;
use quill_posts::Posts;

use crate::app::Client;
use crate::app::summaries::Summaries;

pub struct AppState {
    pub accounts: Accounts,
    pub posts: Posts,
    pub sessions: SqlSessionStore,
    pub throttle: LoginThrottle,
    /// Sign-ups, API sessions and post tokens per address and in all.
    pub limits: RateLimiter,
    /// Idle lifetime of API tokens, the same as browser sessions'.
    pub session_idle_secs: i64,
    /// Whether `X-Forwarded-For` from the peer tells the client's address.
    pub behind_proxy: bool,
    /// This process's timeuuid node id (random, multicast bit set as RFC 4122 asks).
    pub node: [u8; 6],
    /// The list page's entries, rendered once a post.
    pub summaries: Summaries,
}

impl AppState {
    pub fn new_post_id(&self) -> PostId {
        PostId::new_now(&self.node)
    }

    /// The client a request comes from: its `User-Agent` and address.
    pub fn client(&self, req: &HttpRequest) -> Client {
        let agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|agent| !agent.is_empty())
            .map(str::to_owned);
        Client {
            agent,
            address: self.client_ip(req),
        }
    }

    /// The client's address: the peer's, or the proxy's report of it when configured.
    pub fn client_ip(&self, req: &HttpRequest) -> IpAddr {
        let fallback = IpAddr::from([0, 0, 0, 0]);
        if self.behind_proxy {
            let info = req.connection_info();
            if let Some(ip) = info.realip_remote_addr().and_then(parse_ip) {
                return ip;
            }
        }
        req.peer_addr().map_or(fallback, |addr| addr.ip())
    }
}

fn parse_ip(raw: &str) -> Option<IpAddr> {
    raw.parse()
        .ok()
        .or_else(|| raw.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}
