//! Rate limits on what strangers may do, keyed by client address (governor's GCRA): chats
//! started from the widget's pre-chat form, requests to what the widget reads, and
//! requests to Meta's webhooks or to `/api/v1` that are refused; and `/api/v1` calls,
//! keyed by token. The address is the peer's, or the one a trusted
//! proxy forwarded ([`client_ip`]). With several nodes (issue 14), each start is also
//! counted in the database per address and minute, so starts spread over the nodes count
//! together.

use app::domain::limits::{
    API_CALLS_PER_MINUTE, CHAT_STARTS_PER_MINUTE, WEBHOOK_REFUSALS_PER_MINUTE,
    WIDGET_READS_PER_MINUTE,
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::HeaderMap;
use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct Gates {
    chat_starts: DefaultKeyedRateLimiter<IpAddr>,
    /// Requests to what the widget reads (issue 17); counted on each node alone: the
    /// limit bounds the work one address gives a node, not a total.
    widget_reads: DefaultKeyedRateLimiter<IpAddr>,
    /// The operator's number of widget reads, for the refusal's wording.
    pub widget_reads_per_minute: u32,
    /// Refused requests to the webhooks (Messenger, WhatsApp) and the API.
    webhook_refusals: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses past that limit, and until when they are turned away.
    webhook_turned_away: Mutex<HashMap<IpAddr, Instant>>,
    /// The operator's number, for the refusal's wording.
    pub chat_starts_per_minute: u32,
    /// Issue 17: `/api/v1` calls, by token (its id).
    api_calls: DefaultKeyedRateLimiter<i64>,
    /// The counts the nodes share, when there are several.
    shared: Option<std::sync::Arc<dyn crate::store::cluster::Coordination>>,
}

impl Default for Gates {
    fn default() -> Self {
        Gates::new(CHAT_STARTS_PER_MINUTE)
    }
}

impl Gates {
    /// With the operator's number of chat starts per address and minute (at least one).
    pub fn new(chat_starts_per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(chat_starts_per_minute.max(1)).expect("at least one");
        Gates {
            chat_starts: RateLimiter::keyed(Quota::per_minute(per_minute)),
            widget_reads: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(WIDGET_READS_PER_MINUTE).expect("a positive limit"),
            )),
            widget_reads_per_minute: WIDGET_READS_PER_MINUTE,
            webhook_refusals: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(WEBHOOK_REFUSALS_PER_MINUTE).expect("a positive limit"),
            )),
            webhook_turned_away: Mutex::default(),
            chat_starts_per_minute: per_minute.get(),
            api_calls: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(API_CALLS_PER_MINUTE).expect("a positive limit"),
            )),
            shared: None,
        }
    }

    /// With the operator's number of widget reads per address and minute (at least one).
    pub fn widget_reads(mut self, per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        self.widget_reads = RateLimiter::keyed(Quota::per_minute(per_minute));
        self.widget_reads_per_minute = per_minute.get();
        self
    }

    /// Counting across the nodes that share this database too.
    pub fn shared(
        mut self,
        coordination: std::sync::Arc<dyn crate::store::cluster::Coordination>,
    ) -> Self {
        self.shared = Some(coordination);
        self
    }

    /// One chat start from `ip` on any node, or how long until the next one may come.
    pub async fn chat_start_anywhere(&self, ip: IpAddr) -> Result<(), Duration> {
        self.chat_start(ip)?;
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        let now = crate::clock::now_ms();
        let window = now - now.rem_euclid(60_000);
        let key = format!("chat-start:{}", rate_key(ip));
        match shared.count_hit(&key, window).await {
            Ok(hits) if hits > self.chat_starts_per_minute => {
                Err(Duration::from_millis((window + 60_000 - now).max(1) as u64))
            }
            Ok(_) => Ok(()),
            Err(e) => {
                // This node's own limit still holds.
                tracing::error!(error = %e, "chat starts not counted across nodes");
                Ok(())
            }
        }
    }

    /// One chat start from `ip` on this node, or how long until the next one may come.
    pub fn chat_start(&self, ip: IpAddr) -> Result<(), Duration> {
        check(&self.chat_starts, ip)
    }

    /// One request from `ip` to what the widget reads, or how long until the next may come.
    pub fn widget_read(&self, ip: IpAddr) -> Result<(), Duration> {
        check(&self.widget_reads, ip)
    }

    /// One `/api/v1` call with the token `token`, or how long until the next may come.
    pub fn api_call(&self, token: i64) -> Result<(), Duration> {
        self.api_calls.check_key(&token).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }

    /// How long `ip` is still turned away from the webhooks and the API, if it is.
    pub fn turned_away(&self, ip: IpAddr) -> Option<Duration> {
        let turned_away = self.webhook_turned_away.lock().expect("not poisoned");
        turned_away
            .get(&rate_key(ip))
            .and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// A request from `ip` to the webhooks or the API was refused (a bad signature, no
    /// live token): past the limit, the address is turned away from both until its
    /// allowance comes back (at least a second).
    pub fn refused(&self, ip: IpAddr) {
        if let Err(wait) = check(&self.webhook_refusals, ip) {
            let mut turned_away = self.webhook_turned_away.lock().expect("not poisoned");
            let now = Instant::now();
            if turned_away.len() > 10_000 {
                turned_away.retain(|_, until| *until > now);
            }
            turned_away.insert(rate_key(ip), now + wait.max(Duration::from_secs(1)));
        }
    }
}

/// One hit of `ip` on `limiter`, or how long until the next one may come; the limiter's
/// memory is trimmed once it holds many addresses.
fn check(limiter: &DefaultKeyedRateLimiter<IpAddr>, ip: IpAddr) -> Result<(), Duration> {
    let result = limiter.check_key(&rate_key(ip)).map_err(|not_until| {
        not_until.wait_time_from(governor::clock::DefaultClock::default().now())
    });
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    result
}

/// The address a limit counts against: an IPv4 address itself, an IPv6 address by its /64
/// network (one subscriber gets a whole /64 and could otherwise take a fresh address for
/// every attempt); an IPv4-mapped IPv6 address as the IPv4 address it is.
pub fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// One address of `X-Forwarded-For`, with or without a port (`203.0.113.9:4711`,
/// `[2001:db8::1]:443`), as some proxies write it.
fn forwarded_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// The client's address: the peer's, unless the peer is a proxy the operator trusts, whose
/// `X-Forwarded-For` then names it (the right-most address that is not a trusted proxy).
/// An untrusted peer's header is ignored, so a client cannot choose its own address.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(forwarded_address)
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        let proxy = ip("10.0.0.2");
        assert_eq!(
            client_ip(ip("198.51.100.7"), &headers, &[proxy]),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(proxy, &headers, &[proxy]), ip("203.0.113.9"));
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn forwarded_addresses_may_carry_a_port() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9:4711".parse().unwrap());
        let proxy = ip("10.0.0.2");
        assert_eq!(client_ip(proxy, &headers, &[proxy]), ip("203.0.113.9"));
        headers.insert("x-forwarded-for", "[2001:db8::1]:443".parse().unwrap());
        assert_eq!(client_ip(proxy, &headers, &[proxy]), ip("2001:db8::1"));
    }

    /// Every input bounded: an IPv6 client cannot escape a per-address limit by taking
    /// another address of its /64.
    #[test]
    fn ipv6_addresses_count_by_their_64_bit_network() {
        let gates = Gates::default();
        for n in 1..=5 {
            assert!(gates.chat_start(ip(&format!("2001:db8:1:2::{n}"))).is_ok());
        }
        assert!(gates.chat_start(ip("2001:db8:1:2:ffff::9")).is_err());
        assert!(
            gates.chat_start(ip("2001:db8:1:3::1")).is_ok(),
            "another network"
        );
        assert_eq!(rate_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }

    /// Issue 16: a stranger probing the webhooks is turned away after its refusals, per
    /// address; nothing else counts.
    #[test]
    fn an_address_refused_too_often_is_turned_away_from_the_webhooks() {
        let gates = Gates::default();
        for _ in 0..WEBHOOK_REFUSALS_PER_MINUTE {
            gates.refused(ip("192.0.2.1"));
            assert_eq!(gates.turned_away(ip("192.0.2.1")), None);
        }
        gates.refused(ip("192.0.2.1"));
        let wait = gates.turned_away(ip("192.0.2.1")).expect("turned away");
        assert!(wait > Duration::from_millis(500) && wait <= Duration::from_secs(1));
        assert_eq!(gates.turned_away(ip("192.0.2.2")), None, "another address");
        assert!(
            gates.chat_start(ip("192.0.2.1")).is_ok(),
            "a limit of its own"
        );
    }

    #[test]
    fn five_chat_starts_a_minute_per_address() {
        let gates = Gates::default();
        for _ in 0..5 {
            assert!(gates.chat_start(ip("192.0.2.1")).is_ok());
        }
        let wait = gates.chat_start(ip("192.0.2.1")).unwrap_err();
        assert!(wait <= Duration::from_secs(12), "{wait:?}");
        assert!(gates.chat_start(ip("192.0.2.2")).is_ok(), "another address");
    }
}
