//! Paging by cursor: a list answers one page, `{"data": [...], "next_cursor": "..."}`, and
//! the next page is asked with `cursor=<next_cursor>`; `next_cursor` is absent on the last
//! page. A cursor names the last record read, so a page never shifts or repeats when
//! records are added meanwhile; to a program it is an opaque string.

use super::super::error::AppError;
use app::domain::limits::{API_PAGE_DEFAULT, API_PAGE_MAX};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Given to `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A list's cursor and size, as the query gives them.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// The id of the last record of the page before, if any.
    pub after: Option<i64>,
    pub limit: u32,
}

const PREFIX: &str = "c";

impl Paging {
    /// Reads `cursor` and `limit` (1 to [`API_PAGE_MAX`], [`API_PAGE_DEFAULT`] when absent).
    pub fn of(cursor: Option<&str>, limit: Option<u32>) -> Result<Paging, AppError> {
        let limit = limit.unwrap_or(API_PAGE_DEFAULT);
        if !(1..=API_PAGE_MAX).contains(&limit) {
            return Err(malformed(format!(
                "limit must be between 1 and {API_PAGE_MAX} (it was {limit})"
            )));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(cursor) => Some(
                cursor
                    .strip_prefix(PREFIX)
                    .and_then(|id| id.parse::<i64>().ok())
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        malformed(
                            "cursor is not one this API gave: pass next_cursor as it came".into(),
                        )
                    })?,
            ),
        };
        Ok(Paging { after, limit })
    }

    /// The page of `rows` (read with one more than the limit, to know whether more follow),
    /// its cursor the id of its last row.
    pub fn page<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> i64) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = more
            .then(|| rows.last().map(|r| format!("{PREFIX}{}", id(r))))
            .flatten();
        Page {
            data: rows,
            next_cursor,
        }
    }
}

fn malformed(message: String) -> AppError {
    AppError::Malformed {
        status: StatusCode::BAD_REQUEST,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: a page says where the next one starts only when there is one, and a
    /// cursor it gave reads back as the id it names; a cursor not given by it is refused.
    #[test]
    fn a_cursor_names_the_last_row_of_a_full_page() {
        let paging = Paging::of(None, Some(2)).unwrap();
        let page = paging.page(vec![7_i64, 5, 3], |r| *r);
        assert_eq!(page.data, vec![7, 5]);
        let next = page.next_cursor.unwrap();
        assert_eq!(Paging::of(Some(&next), Some(2)).unwrap().after, Some(5));
        let last = paging.page(vec![3_i64, 1], |r| *r);
        assert_eq!(last.next_cursor, None);
        assert!(Paging::of(Some("5"), None).is_err());
        assert!(Paging::of(Some("c-1"), None).is_err());
        assert!(Paging::of(None, Some(0)).is_err());
        assert!(Paging::of(None, Some(API_PAGE_MAX + 1)).is_err());
        assert_eq!(Paging::of(None, None).unwrap().limit, API_PAGE_DEFAULT);
    }
}
