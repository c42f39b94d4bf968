//! The API's OpenAPI 3.1 document, served at `/api/v1/openapi.json` without a token (a
//! program or a person reads it before having one): generated with utoipa from the route
//! functions' `#[utoipa::path]` and the answers' own types, so the shapes are the ones the
//! routes write. The refusals every route may give (401, 429, and 400, 413, 415 for a
//! body) are added to each route here.

use super::{conversations, customers, emails, paging::Page, read};
use axum::{http::header::CONTENT_TYPE, response::IntoResponse};
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::{
    openapi::{
        security::{Http, HttpAuthScheme, SecurityScheme},
        Content, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder,
    },
    Modify, OpenApi, ToSchema,
};

/// Every refusal: a stable code, a sentence for a person, and the fields at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// invalid_token, insufficient_scope, not_found, malformed, invalid, conflict,
    /// too_many_requests, internal...
    pub error: String,
    pub message: String,
    /// With `invalid`: each field at fault with its own message.
    pub errors: Option<Vec<FieldErrorBody>>,
}

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        version = "1",
        description = "Read and follow customers and conversations: see the README's \"The API\"."
    ),
    servers((url = "/api/v1")),
    paths(
        read::token,
        read::queues,
        read::agents,
        customers::list,
        customers::one,
        customers::add,
        customers::change,
        customers::merge,
        conversations::list,
        conversations::one,
        emails::start,
    ),
    components(schemas(ErrorBody, FieldErrorBody, Page<customers::Customer>,
        Page<conversations::ConversationSummary>)),
    modifiers(&BearerToken),
    security(("token" = []))
)]
struct ApiDoc;

/// Every route takes `Authorization: Bearer sbt_…`, and may refuse as any route does.
struct BearerToken;

/// A refusal in the common shape.
fn refusal(description: &str) -> RefOr<Response> {
    let body = Content::new(Some(Ref::from_schema_name("ErrorBody")));
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", body)
            .build(),
    )
}

impl Modify for BearerToken {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        for item in doc.paths.paths.values_mut() {
            let reads = [&mut item.get];
            let writes = [&mut item.post, &mut item.patch];
            for (operation, body) in reads
                .into_iter()
                .map(|o| (o, false))
                .chain(writes.into_iter().map(|o| (o, true)))
            {
                let Some(operation) = operation else { continue };
                let mut refusals = vec![
                    ("401", "invalid_token: no live token"),
                    ("429", "too_many_requests: wait for Retry-After"),
                ];
                if body {
                    refusals.extend([
                        ("400", "malformed: a body that cannot be read"),
                        ("413", "malformed: a body over 64 KB"),
                        ("415", "malformed: a body not sent as JSON"),
                    ]);
                }
                for (status, description) in refusals {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| refusal(description));
                }
            }
        }
    }
}

/// GET /api/v1/openapi.json: built once, then served as it is (anyone may ask for it).
pub async fn document() -> impl IntoResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let json = DOCUMENT.get_or_init(|| {
        serde_json::to_string(&ApiDoc::openapi()).expect("the OpenAPI document is JSON")
    });
    ([(CONTENT_TYPE, "application/json")], json.as_str())
}
