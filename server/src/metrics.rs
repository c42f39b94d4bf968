//! A few counters and gauges served at `/metrics` in the Prometheus text format. Hand-made
//! on atomics: the handful of series here does not justify a metrics framework.

use app::domain::state::AgentState;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

#[derive(Default)]
pub struct Metrics {
    http_requests: AtomicU64,
    logins_ok: AtomicU64,
    logins_failed: AtomicU64,
    ws_connections: AtomicI64,
    state_changes: [AtomicU64; 4],
}

fn state_index(state: AgentState) -> usize {
    match state {
        AgentState::LoggedOut => 0,
        AgentState::NotReady => 1,
        AgentState::Ready => 2,
        AgentState::Reserved => 3,
    }
}

impl Metrics {
    pub fn http_request(&self) {
        self.http_requests.fetch_add(1, Relaxed);
    }

    pub fn login(&self, ok: bool) {
        if ok {
            &self.logins_ok
        } else {
            &self.logins_failed
        }
        .fetch_add(1, Relaxed);
    }

    pub fn ws_opened(&self) {
        self.ws_connections.fetch_add(1, Relaxed);
    }

    pub fn ws_closed(&self) {
        self.ws_connections.fetch_sub(1, Relaxed);
    }

    pub fn state_change(&self, to: AgentState) {
        self.state_changes[state_index(to)].fetch_add(1, Relaxed);
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP switchboard_http_requests_total HTTP requests received.\n");
        out.push_str("# TYPE switchboard_http_requests_total counter\n");
        out.push_str(&format!(
            "switchboard_http_requests_total {}\n",
            self.http_requests.load(Relaxed)
        ));
        out.push_str("# HELP switchboard_logins_total Login attempts by outcome.\n");
        out.push_str("# TYPE switchboard_logins_total counter\n");
        out.push_str(&format!(
            "switchboard_logins_total{{outcome=\"success\"}} {}\n",
            self.logins_ok.load(Relaxed)
        ));
        out.push_str(&format!(
            "switchboard_logins_total{{outcome=\"failure\"}} {}\n",
            self.logins_failed.load(Relaxed)
        ));
        out.push_str("# HELP switchboard_websocket_connections Open desktop WebSockets.\n");
        out.push_str("# TYPE switchboard_websocket_connections gauge\n");
        out.push_str(&format!(
            "switchboard_websocket_connections {}\n",
            self.ws_connections.load(Relaxed)
        ));
        out.push_str(
            "# HELP switchboard_agent_state_changes_total Agent state changes by new state.\n",
        );
        out.push_str("# TYPE switchboard_agent_state_changes_total counter\n");
        for state in [
            AgentState::LoggedOut,
            AgentState::NotReady,
            AgentState::Ready,
            AgentState::Reserved,
        ] {
            out.push_str(&format!(
                "switchboard_agent_state_changes_total{{state=\"{}\"}} {}\n",
                state.as_str(),
                self.state_changes[state_index(state)].load(Relaxed)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.login(true);
        m.login(false);
        m.login(false);
        m.state_change(AgentState::Ready);
        let text = m.render();
        assert!(text.contains("switchboard_logins_total{outcome=\"failure\"} 2\n"));
        assert!(text.contains("switchboard_agent_state_changes_total{state=\"ready\"} 1\n"));
        assert!(text.contains("# TYPE switchboard_websocket_connections gauge\n"));
    }
}
