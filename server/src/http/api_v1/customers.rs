//! Customers through the API: a page of them (all, or the ones a text finds), one with the
//! agents' notes, and for a read-and-write token adding one, changing one and merging two.
//! The same rules hold as in the desktop: a name is required, an address is checked, tags
//! are tidied as the customer details tidy them, and an email address or phone number
//! finds one customer only (given to a second, it is refused: merge them instead).

use super::{
    super::{
        error::{AppError, PathParam},
        AppState,
    },
    auth::Writer,
    input::{ApiJson, QueryParams},
    openapi::ErrorBody,
    paging::{Page, Paging},
};
pub use crate::api_json::customer::{Customer, Note};
use crate::store::{
    customers::{AddressTaken, CustomerChange},
    records::CustomerPage,
    NewCustomer,
};
use app::domain::{
    about_customer::tags,
    customer::{customer_email, customer_name, customer_phone, phone_digits},
    ids::CustomerId,
    refusal::Reason,
    validate::FieldError,
};
use axum::{
    extract::State,
    http::{header::LOCATION, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A customer with what the agents wrote about them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerWithNotes {
    #[serde(flatten)]
    pub customer: Customer,
    /// Oldest first.
    pub notes: Vec<Note>,
}

/// Which customers.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Part of a name, an email address, or a phone number's digits.
    pub q: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200; 50 when absent.
    pub limit: Option<u32>,
}

/// A customer to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomerBody {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What to change of a customer: what is left out stays; `email` or `phone` empty or
/// `null` removes it; `tags` replaces the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

/// A field given, `null` included (`Some(None)`); left out, it stays `None`.
fn given<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The customer merged into the one in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// This customer's conversations, addresses and notes become the other's, and it goes.
    pub from: i64,
}

#[utoipa::path(get, path = "/customers", operation_id = "list_customers", tag = "customers", params(CustomerQuery),
    responses((status = 200, body = Page<Customer>), (status = 400, body = ErrorBody)))]
/// The customers, by id (the ones the text finds, with `q`).
pub async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<CustomerQuery>,
) -> Result<Json<Page<Customer>>, AppError> {
    let paging = Paging::of(query.cursor.as_deref(), query.limit)?;
    let text = query.q.unwrap_or_default();
    let text = text.trim().to_lowercase();
    let page = CustomerPage {
        digits: phone_digits(&text),
        text,
        after: paging.after.unwrap_or(0),
        limit: paging.limit + 1,
    };
    let rows = state.services.store.customer_records(&page).await?;
    let rows = rows.into_iter().map(Customer::from).collect();
    Ok(Json(paging.page(rows, |c: &Customer| c.id)))
}

#[utoipa::path(get, path = "/customers/{id}", operation_id = "get_customer", tag = "customers",
    params(("id" = i64, Path, description = "The customer's id")),
    responses((status = 200, body = CustomerWithNotes), (status = 404, body = ErrorBody)))]
/// One customer with the agents' notes.
pub async fn one(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<CustomerWithNotes>, AppError> {
    let store = &state.services.store;
    let customer = store.customer_record(CustomerId(id)).await?;
    let notes = store.customer_notes(CustomerId(id)).await?;
    Ok(Json(CustomerWithNotes {
        customer: customer.into(),
        notes: notes.into_iter().map(Note::from).collect(),
    }))
}

/// Every field at fault at once, or each checked value.
fn checked<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn taken(taken: AddressTaken) -> AppError {
    AppError::Conflict(match taken {
        AddressTaken::Email(by) => Reason::EmailTaken { customer: by.0 },
        AddressTaken::Phone(by) => Reason::PhoneTaken { customer: by.0 },
    })
}

#[utoipa::path(post, path = "/customers", operation_id = "add_customer", tag = "customers", request_body = NewCustomerBody,
    responses((status = 201, body = Customer), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Adds a customer (a read-and-write token).
pub async fn add(
    Writer(caller): Writer,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewCustomerBody>,
) -> Result<impl IntoResponse, AppError> {
    let mut errors = Vec::new();
    let name = checked(&mut errors, customer_name(&body.name));
    let email = checked(
        &mut errors,
        customer_email(body.email.as_deref().unwrap_or("")),
    );
    let phone = checked(
        &mut errors,
        customer_phone(body.phone.as_deref().unwrap_or("")),
    );
    let tags = checked(&mut errors, tags(&body.tags));
    let (Some(name), Some(email), Some(phone), Some(tags)) = (name, email, phone, tags) else {
        return Err(AppError::Invalid(errors));
    };
    let audit = caller.audit("customer.add", format!("\"{name}\""));
    let new = NewCustomer { name, email, phone };
    let store = &state.services.store;
    let id = store
        .add_customer(&new, &tags, &audit)
        .await?
        .map_err(taken)?;
    tracing::info!(customer = %id, token = %caller.0.id, "customer added through the API");
    let customer: Customer = store.customer_record(id).await?.into();
    let location = format!("/api/v1/customers/{}", id.0);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(customer)))
}

#[utoipa::path(patch, path = "/customers/{id}", operation_id = "change_customer", tag = "customers", request_body = CustomerPatch,
    params(("id" = i64, Path, description = "The customer's id")),
    responses((status = 200, body = Customer), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Changes a customer (a read-and-write token).
pub async fn change(
    Writer(caller): Writer,
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    ApiJson(body): ApiJson<CustomerPatch>,
) -> Result<Json<Customer>, AppError> {
    let mut errors = Vec::new();
    let change = CustomerChange {
        name: body
            .name
            .and_then(|n| checked(&mut errors, customer_name(&n))),
        email: body
            .email
            .and_then(|e| checked(&mut errors, customer_email(e.as_deref().unwrap_or("")))),
        phone: body
            .phone
            .and_then(|p| checked(&mut errors, customer_phone(p.as_deref().unwrap_or("")))),
        tags: body.tags.and_then(|t| checked(&mut errors, tags(&t))),
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let what = [
        change.name.as_ref().map(|_| "name"),
        change.email.as_ref().map(|_| "email"),
        change.phone.as_ref().map(|_| "phone"),
        change.tags.as_ref().map(|_| "tags"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let store = &state.services.store;
    let id = CustomerId(id);
    if !what.is_empty() {
        let audit = caller.audit("customer.change", format!("customer {}: {what}", id.0));
        store
            .change_customer(id, &change, &audit)
            .await?
            .map_err(taken)?;
    }
    Ok(Json(store.customer_record(id).await?.into()))
}

#[utoipa::path(post, path = "/customers/{id}/merge", operation_id = "merge_customers", tag = "customers", request_body = MergeBody,
    params(("id" = i64, Path, description = "The customer kept")),
    responses((status = 200, body = Customer), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
/// Merges another customer into this one (a read-and-write token): one person from now
/// on, with both histories.
pub async fn merge(
    Writer(caller): Writer,
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<Json<Customer>, AppError> {
    let (from, into) = (CustomerId(body.from), CustomerId(id));
    if from == into {
        return Err(AppError::Conflict(Reason::SameCustomer));
    }
    // A customer missing or erased is refused 404 by the merge itself, which holds both.
    let via = format!("API token \"{}\"", caller.0.name);
    state
        .services
        .chat
        .merge_customers(caller.0.created_by, from, into, &via)
        .await?;
    tracing::info!(from = %from, into = %into, token = %caller.0.id, "customers merged through the API");
    Ok(Json(
        state.services.store.customer_record(into).await?.into(),
    ))
}
