//! The desktop as a gadget of a host agent desktop (SPEC D-1): the OpenSocial descriptor a
//! Finesse-style layout names, and a JSON manifest for other hosts. Both point at this
//! server as the browser reached it, so the same binary serves any address. The host side
//! of the messages is `public/gadget/host.js`; the desktop side is the desktop's `host`
//! module.

use super::AppState;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap};

/// The gadget's height before the desktop says its own (OpenSocial `height`).
const START_HEIGHT: u32 = 640;

/// `https://host:port` of this server as the request reached it: what the descriptor's
/// iframe and script load. HTTPS when the server is set up for it (`--secure-cookies`).
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.services.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// `GET /gadget/switchboard.xml`: an OpenSocial gadget whose HTML holds the desktop in an
/// iframe through `host.js`, following its height with `dynamic-height` and flashing the
/// gadget's title with `settitle` when an offer arrives. The host desktop's origin must be
/// on the administrator's list, or the desktop refuses to be framed.
pub async fn descriptor(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Module>
  <ModulePrefs title="Switchboard" description="Chats and emails: the Chat and Email Control and Manage Chat and Email gadgets in one" height="{START_HEIGHT}" scrolling="false" author="Switchboard">
    <Require feature="settitle"/>
    <Require feature="dynamic-height"/>
    <Require feature="pubsub-2"/>
    <Require feature="setprefs"/>
    <Require feature="loadingindicator">
      <Param name="manual-dismiss">false</Param>
      <Param name="loading-timeout">10</Param>
    </Require>
  </ModulePrefs>
  <Content type="html" view="default"><![CDATA[
<div id="switchboard-gadget"></div>
<script src="{base}/gadget/host.js"></script>
<script>
  (function () {{
    var opensocial = typeof gadgets !== "undefined" && gadgets.window;
    Switchboard.embed(document.getElementById("switchboard-gadget"), {{
      url: "{base}/",
      onResize: function (height) {{
        if (opensocial && gadgets.window.adjustHeight) gadgets.window.adjustHeight(height);
      }},
      onAttention: function () {{
        if (opensocial && gadgets.window.setTitle) Switchboard.flashTitle(gadgets.window.setTitle, "Switchboard");
      }}
    }});
  }})();
</script>
]]></Content>
</Module>
"#
    );
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

/// `GET /gadget/manifest.json`: where the desktop is and which API version it speaks, for
/// hosts that are not OpenSocial containers.
pub async fn manifest(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let manifest = serde_json::json!({
        "name": "Switchboard",
        "description": "Chats and emails for contact-center agents",
        "url": format!("{base}/"),
        "host_script": format!("{base}/gadget/host.js"),
        "descriptor": format!("{base}/gadget/switchboard.xml"),
        "api_version": app::domain::gadget_api::API_VERSION,
        "width": { "min": 900 },
        "height": START_HEIGHT,
        "requests": ["subscribe", "get_state", "get_contacts", "set_state"],
        "events": ["loaded", "state", "offer", "withdrawn", "accepted", "left", "ended", "unread", "resize", "attention"],
    });
    axum::Json(manifest).into_response()
}
