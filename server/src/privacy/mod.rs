//! A customer's privacy (issue 17), for administrators only: the customers found by name,
//! address or number; everything kept about one, exported as JSON; one erased, audited;
//! the retention, which erases the contents of conversations ended longer ago than it
//! says. What an erasure removes and keeps: [`crate::store::privacy`].
//!
//! - `export`: the JSON file of a customer's export.
//! - `retention`: the task that applies the retention, and keeps agents' events a day.

pub mod export;
pub mod retention;

use crate::{
    clock::now_ms,
    services::{internal, invalid, Services},
    store::{privacy::Erasure, AuditEntry, StoreError},
};
use app::{
    api::ApiError,
    domain::{
        ids::CustomerId,
        limits::CUSTOMERS_PAGE_SIZE,
        privacy::{CustomerList, CustomerQuery, Erased, PrivacyView, Retention},
        validate::{Field, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// What the privacy section shows first.
    pub async fn privacy_view(&self, headers: &HeaderMap) -> Result<PrivacyView, ApiError> {
        self.administrator(headers).await?;
        Ok(PrivacyView {
            retention: self.store.retention().await.map_err(internal)?,
        })
    }

    /// One page of the customers a search finds, the ones seen last first.
    pub async fn find_customers(
        &self,
        headers: &HeaderMap,
        query: CustomerQuery,
    ) -> Result<CustomerList, ApiError> {
        self.administrator(headers).await?;
        query.validate().map_err(ApiError::Invalid)?;
        let text = query.text.trim().to_lowercase();
        // "+33 6 12" finds the number +33612...: its digits, when it has at least two.
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let digits = if digits.len() >= 2 {
            digits
        } else {
            String::new()
        };
        let (rows, total) = self
            .store
            .find_customers(
                &text,
                &digits,
                query.page.saturating_mul(CUSTOMERS_PAGE_SIZE),
                CUSTOMERS_PAGE_SIZE,
            )
            .await
            .map_err(internal)?;
        Ok(CustomerList {
            rows,
            total,
            page: query.page,
        })
    }

    /// Everything kept about a customer, as a JSON file's bytes; audited (who exported
    /// whom, never what).
    pub async fn export_customer(
        &self,
        headers: &HeaderMap,
        customer: CustomerId,
    ) -> Result<Vec<u8>, ApiError> {
        let admin = self.administrator(headers).await?;
        let dossier = self.store.dossier(customer).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound,
            e => internal(e),
        })?;
        let agents = self.store.agents().await.map_err(internal)?;
        let at = now_ms();
        let bytes = export::to_json(&dossier, &agents, at).map_err(internal)?;
        self.store
            .record_audit(&AuditEntry {
                at_ms: at,
                agent: admin.id,
                action: "customer.export".into(),
                detail: format!("customer {}", customer.0),
            })
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, customer = customer.0, "customer exported");
        Ok(bytes)
    }

    /// Erases a customer, unless a conversation of theirs is not over yet; audited (the
    /// customer's number only: nothing about them stays in the audit either).
    pub async fn erase_customer(
        &self,
        headers: &HeaderMap,
        customer: CustomerId,
    ) -> Result<Erased, ApiError> {
        let admin = self.administrator(headers).await?;
        let at = now_ms();
        let audit = AuditEntry {
            at_ms: at,
            agent: admin.id,
            action: "customer.erase".into(),
            detail: format!("customer {}", customer.0),
        };
        let erasure = self
            .store
            .erase_customer(customer, at, &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ApiError::NotFound,
                e => internal(e),
            })?;
        match erasure {
            Erasure::StillOpen(count) => Err(invalid(
                Field::Customer,
                Problem::StillOpen {
                    count: count as usize,
                },
            )),
            Erasure::Done {
                conversations,
                files,
            } => {
                let erased = Erased {
                    conversations,
                    files: files.len() as u32,
                };
                self.email.forget_files(files).await;
                tracing::info!(
                    agent = %admin.id,
                    customer = customer.0,
                    conversations,
                    "customer erased"
                );
                Ok(erased)
            }
        }
    }

    /// Stores the retention, audited; the task applies it within a minute.
    pub async fn save_retention(
        &self,
        headers: &HeaderMap,
        retention: Retention,
    ) -> Result<Retention, ApiError> {
        let admin = self.administrator(headers).await?;
        retention.validate().map_err(ApiError::Invalid)?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "retention.save".into(),
            detail: retention.describe(),
        };
        self.store
            .save_retention(&retention, &audit)
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, retention = %audit.detail, "retention saved");
        Ok(retention)
    }
}
