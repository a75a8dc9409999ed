//! The catalog: categories, subcategories and services, seeded from the reference data embedded
//! in the binary (`catalog.toml`) and editable by admins. Reads come from an in-memory snapshot
//! (with the `GET /api/v1/catalog` body serialised once), rebuilt after every admin edit.

mod admin;
pub mod data;
mod routes;
pub mod store;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::Db;
use crate::error::AppResult;

pub use routes::routes;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AgeGroup {
    Toddler,
    Kids,
    Teens,
    Adults,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 4] = [Self::Toddler, Self::Kids, Self::Teens, Self::Adults];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Toddler => "toddler",
            Self::Kids => "kids",
            Self::Teens => "teens",
            Self::Adults => "adults",
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub age_groups: Vec<AgeGroup>,
    pub online_capable: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SubcategoryView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub services: Vec<ServiceView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub subcategories: Vec<SubcategoryView>,
}

/// One service with everything other domains need to know about it.
#[derive(Clone, Debug)]
pub struct Service {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub category_slug: String,
    pub category_name: String,
    pub subcategory_slug: String,
    pub terms: Vec<String>,
    pub age_groups: Vec<AgeGroup>,
    pub online_capable: bool,
    pub hidden: bool,
}

/// A snapshot of the whole catalog.
pub struct Catalog {
    /// Visible services only, in display order.
    pub categories: Vec<CategoryView>,
    /// Every service, hidden ones included, by id.
    pub services: HashMap<i64, Service>,
    /// Each category's search terms ("music lessons" means all of Music), by category slug.
    pub category_terms: HashMap<String, Vec<String>>,
    /// The serialised `GET /api/v1/catalog` body.
    pub json: Bytes,
}

impl Catalog {
    pub fn service(&self, id: i64) -> Option<&Service> {
        self.services.get(&id)
    }

    pub fn service_by_slug(&self, slug: &str) -> Option<&Service> {
        self.services.values().find(|s| s.slug == slug)
    }
}

/// The current snapshot, swapped whole after an edit.
#[derive(Clone)]
pub struct CatalogCache(Arc<RwLock<Arc<Catalog>>>);

impl CatalogCache {
    pub async fn load(db: &Db) -> AppResult<Self> {
        let catalog = db.read(|c| Ok(store::snapshot(c)?)).await?;
        Ok(Self(Arc::new(RwLock::new(Arc::new(catalog)))))
    }

    pub fn get(&self) -> Arc<Catalog> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub async fn reload(&self, db: &Db) -> AppResult<()> {
        let catalog = db.read(|c| Ok(store::snapshot(c)?)).await?;
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(catalog);
        Ok(())
    }
}
