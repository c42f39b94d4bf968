//! The privacy section's calls (issue 17): administrators only, checked by the server. A
//! customer's export is a download (`GET /admin/customers/{id}/export.json`), not a call.

use super::ApiError;
use crate::domain::{
    ids::CustomerId,
    privacy::{CustomerList, CustomerQuery, Erased, PrivacyView, Retention},
};
use leptos::prelude::*;

/// What the section shows first: the retention in force.
#[server(prefix = "/api", endpoint = "admin/privacy", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_privacy() -> Result<PrivacyView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.privacy(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// One page of the customers a search finds, the ones seen last first.
#[server(prefix = "/api", endpoint = "admin/customers", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn find_customers(query: CustomerQuery) -> Result<CustomerList, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.find_customers(&headers, query).await
    }
    .await
    .map_err(super::fail)
}

/// Erases a customer for good: refused while a conversation of theirs is not over.
#[server(prefix = "/api", endpoint = "admin/customer-erase", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn erase_customer(customer: CustomerId) -> Result<Erased, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.erase_customer(&headers, customer).await
    }
    .await
    .map_err(super::fail)
}

/// Stores the retention; returns it as stored.
#[server(prefix = "/api", endpoint = "admin/retention", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_retention(retention: Retention) -> Result<Retention, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_retention(&headers, retention).await
    }
    .await
    .map_err(super::fail)
}
