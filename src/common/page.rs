//! Pagination as API.md fixes it: `?page=1&per_page=20` (at most 100) in, and
//! `{"items": [...], "page", "per_page", "total"}` out.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_PER_PAGE: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> AppResult<Self> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(AppError::invalid(
                "request.invalid_query",
                "page",
                "must be 1 or more",
            ));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(AppError::invalid(
                "request.invalid_query",
                "per_page",
                "must be between 1 and 100",
            ));
        }
        Ok(Self { page, per_page })
    }

    pub fn offset(self) -> u32 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Paginated<T> {
    pub fn new(items: Vec<T>, page: Page, total: u64) -> Self {
        Self {
            items,
            page: page.page,
            per_page: page.per_page,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced_with_field_names() {
        assert_eq!(
            Page::new(None, None).unwrap(),
            Page {
                page: 1,
                per_page: 20
            }
        );
        assert_eq!(Page::new(Some(3), Some(10)).unwrap().offset(), 20);
        assert!(
            Page::new(Some(0), None)
                .unwrap_err()
                .errors
                .contains_key("page")
        );
        assert!(
            Page::new(None, Some(101))
                .unwrap_err()
                .errors
                .contains_key("per_page")
        );
    }
}
