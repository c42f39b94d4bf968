//! What `/metrics` serves, in the OpenMetrics text format Prometheus scrapes: counters,
//! gauges and two histograms (the time a request takes, and the time a chat line takes from
//! being stored to being written to a page or a widget). Built on `prometheus-client`, the
//! Prometheus project's Rust client: a registry per server (tests run several servers in one
//! process, so no global recorder), lock-free metrics, the exposition format kept right.

use app::domain::state::AgentState;
use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::{Registry, Unit},
};
use std::time::Duration;

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct State {
    state: &'static str,
}

/// A response's status class: "2xx" to "5xx" (never the path, whose values are unbounded).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: &'static str,
}

/// Who a chat line was delivered to: "agent" (a desktop page) or "customer" (a widget).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Recipient {
    to: &'static str,
}

/// One node's open connections of one kind ("page" or "widget"), as its heartbeat says.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NodeConnections {
    node: String,
    kind: &'static str,
}

/// Where a chat line went, for [`Metrics::line_delivered`].
#[derive(Debug, Clone, Copy)]
pub enum DeliveredTo {
    Agent,
    Customer,
}

pub struct Metrics {
    registry: Registry,
    http_requests: Counter,
    request_duration: Family<Status, Histogram>,
    logins: Family<Outcome, Counter>,
    ws_connections: Gauge,
    widget_sockets: Gauge,
    state_changes: Family<State, Counter>,
    delivery_latency: Family<Recipient, Histogram>,
    leader_changes: Counter,
    notices: Counter,
    notice_lag: Histogram,
    node_connections: Family<NodeConnections, Gauge>,
}

/// Request durations: 1 ms to about 16 s, doubling.
fn request_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Delivery latencies: 0.5 ms to about 8 s, doubling.
fn delivery_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let http_requests = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests received",
            http_requests.clone(),
        );
        let request_duration =
            Family::<Status, Histogram>::new_with_constructor(request_buckets as fn() -> _);
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its response's headers, by status class",
            Unit::Seconds,
            request_duration.clone(),
        );
        let logins = Family::<Outcome, Counter>::default();
        registry.register("logins", "Login attempts by outcome", logins.clone());
        let ws_connections = Gauge::default();
        registry.register(
            "websocket_connections",
            "Open desktop WebSockets",
            ws_connections.clone(),
        );
        let widget_sockets = Gauge::default();
        registry.register(
            "widget_websockets",
            "Open widget WebSockets (customers' chat windows)",
            widget_sockets.clone(),
        );
        let state_changes = Family::<State, Counter>::default();
        registry.register(
            "agent_state_changes",
            "Agent state changes by new state",
            state_changes.clone(),
        );
        let delivery_latency =
            Family::<Recipient, Histogram>::new_with_constructor(delivery_buckets as fn() -> _);
        registry.register_with_unit(
            "chat_line_delivery",
            "Time from a chat line being stored to its being written to a live page or widget",
            Unit::Seconds,
            delivery_latency.clone(),
        );
        let leader_changes = Counter::default();
        registry.register(
            "cluster_leads_taken",
            "Times this node took the routing lead (several nodes on PostgreSQL)",
            leader_changes.clone(),
        );
        let notices = Counter::default();
        registry.register(
            "cluster_notices",
            "Notices heard from the other nodes (what they stored, typing)",
            notices.clone(),
        );
        let notice_lag = delivery_buckets();
        registry.register_with_unit(
            "cluster_notice_lag",
            "Time from this node's notice being sent to its being heard back through its \
             listening connection (a ping every 10 s)",
            Unit::Seconds,
            notice_lag.clone(),
        );
        let node_connections = Family::<NodeConnections, Gauge>::default();
        registry.register(
            "cluster_node_connections",
            "Open desktop pages and widgets per live node, as their heartbeats say",
            node_connections.clone(),
        );
        Metrics {
            leader_changes,
            notices,
            notice_lag,
            node_connections,
            registry,
            http_requests,
            request_duration,
            logins,
            ws_connections,
            widget_sockets,
            state_changes,
            delivery_latency,
        }
    }
}

impl Metrics {
    pub fn http_request(&self) {
        self.http_requests.inc();
    }

    /// A request was answered with `status` after `took`.
    pub fn http_response(&self, status: u16, took: Duration) {
        let status = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.request_duration
            .get_or_create(&Status { status })
            .observe(took.as_secs_f64());
    }

    pub fn login(&self, ok: bool) {
        let outcome = if ok { "success" } else { "failure" };
        self.logins.get_or_create(&Outcome { outcome }).inc();
    }

    pub fn ws_opened(&self) {
        self.ws_connections.inc();
    }

    pub fn ws_closed(&self) {
        self.ws_connections.dec();
    }

    pub fn widget_opened(&self) {
        self.widget_sockets.inc();
    }

    pub fn widget_closed(&self) {
        self.widget_sockets.dec();
    }

    pub fn state_change(&self, to: AgentState) {
        self.state_changes
            .get_or_create(&State { state: to.as_str() })
            .inc();
    }

    /// A live chat line stored at `stored_at_ms` was just written to its page or widget.
    pub fn line_delivered(&self, to: DeliveredTo, stored_at_ms: i64, now_ms: i64) {
        let to = match to {
            DeliveredTo::Agent => "agent",
            DeliveredTo::Customer => "customer",
        };
        let seconds = (now_ms - stored_at_ms).max(0) as f64 / 1000.0;
        self.delivery_latency
            .get_or_create(&Recipient { to })
            .observe(seconds);
    }

    /// This node took the lead.
    pub fn leader_change(&self) {
        self.leader_changes.inc();
    }

    /// A notice from another node was heard.
    pub fn notice_heard(&self) {
        self.notices.inc();
    }

    /// This node heard its own notice sent `lag_ms` ago.
    pub fn notice_lag(&self, lag_ms: i64) {
        self.notice_lag.observe(lag_ms.max(0) as f64 / 1000.0);
    }

    /// The pages and widgets open on this node now.
    pub fn connections(&self) -> (i64, i64) {
        (self.ws_connections.get(), self.widget_sockets.get())
    }

    /// Each live node's open pages and widgets (the nodes gone since are forgotten).
    pub fn nodes_connections(&self, nodes: &[(String, i64, i64)]) {
        self.node_connections.clear();
        for (node, pages, widgets) in nodes {
            for (kind, count) in [("page", *pages), ("widget", *widgets)] {
                self.node_connections
                    .get_or_create(&NodeConnections {
                        node: node.clone(),
                        kind,
                    })
                    .set(count);
            }
        }
    }

    /// The exposition text ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_histograms() {
        let m = Metrics::default();
        m.login(true);
        m.login(false);
        m.login(false);
        m.state_change(AgentState::Ready);
        m.ws_opened();
        m.widget_opened();
        m.widget_opened();
        m.widget_closed();
        m.http_response(200, Duration::from_millis(3));
        m.http_response(404, Duration::from_millis(1));
        m.line_delivered(DeliveredTo::Customer, 1_000, 1_002);
        m.notice_lag(3);
        m.nodes_connections(&[("sb-gone".into(), 9, 9)]);
        m.nodes_connections(&[("sb-1".into(), 4, 2)]);
        let text = m.render();
        assert!(text.contains("switchboard_cluster_notice_lag_seconds_count 1\n"));
        assert!(text.contains("switchboard_cluster_notice_lag_seconds_bucket{le=\"0.004\"} 1\n"));
        assert!(
            text.contains("switchboard_cluster_node_connections{node=\"sb-1\",kind=\"page\"} 4\n")
        );
        assert!(text
            .contains("switchboard_cluster_node_connections{node=\"sb-1\",kind=\"widget\"} 2\n"));
        assert!(!text.contains("sb-gone"), "a node gone is forgotten");
        assert!(text.contains("switchboard_logins_total{outcome=\"failure\"} 2\n"));
        assert!(text.contains("switchboard_agent_state_changes_total{state=\"ready\"} 1\n"));
        assert!(text.contains("# TYPE switchboard_websocket_connections gauge\n"));
        assert!(text.contains("switchboard_websocket_connections 1\n"));
        assert!(text.contains("switchboard_widget_websockets 1\n"));
        assert!(text.contains("# TYPE switchboard_http_request_duration_seconds histogram\n"));
        assert!(text.contains(
            "switchboard_http_request_duration_seconds_bucket{le=\"0.004\",status=\"2xx\"} 1\n"
        ));
        assert!(
            text.contains("switchboard_http_request_duration_seconds_count{status=\"4xx\"} 1\n")
        );
        // 2 ms: not in the 1 ms bucket, in the 2 ms one.
        assert!(text.contains(
            "switchboard_chat_line_delivery_seconds_bucket{le=\"0.001\",to=\"customer\"} 0\n"
        ));
        assert!(text.contains(
            "switchboard_chat_line_delivery_seconds_bucket{le=\"0.002\",to=\"customer\"} 1\n"
        ));
        assert!(text.ends_with("# EOF\n"));
    }
}
