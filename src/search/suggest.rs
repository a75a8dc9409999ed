//! `GET /api/v1/search/suggest?q=`: completions for the search box from the catalog (services
//! by name and search terms, categories) and the areas (names and aliases), matched at the
//! start of any word, services first.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::http::{Json, Query};

const LIMIT: usize = 8;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What is typed so far.
    q: Option<String>,
}

#[derive(Serialize, ToSchema, PartialEq, Debug)]
pub struct Suggestion {
    /// service, category or area.
    kind: &'static str,
    /// What to show.
    label: String,
    /// The slug.
    value: String,
}

#[derive(Serialize, ToSchema)]
pub struct Suggestions {
    items: Vec<Suggestion>,
}

/// Whether a word of `name` starts with `typed` (both lowercase).
fn matches(name: &str, typed: &str) -> bool {
    let name = name.to_lowercase();
    name.starts_with(typed)
        || name
            .split([' ', '-', '&', '/'])
            .any(|w| w.starts_with(typed))
}

/// Complete what is typed in the search box.
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "search", params(SuggestQuery),
    responses((status = 200, body = Suggestions)))]
pub async fn suggest(
    State(state): State<AppState>,
    Query(params): Query<SuggestQuery>,
) -> Json<Suggestions> {
    let typed = params.q.unwrap_or_default().trim().to_lowercase();
    let mut items = Vec::new();
    if typed.chars().count() >= 2 {
        let catalog = state.catalog.get();
        for category in &catalog.categories {
            for service in category.subcategories.iter().flat_map(|s| &s.services) {
                let terms = catalog
                    .services
                    .values()
                    .find(|s| s.slug == service.slug)
                    .map(|s| s.terms.clone())
                    .unwrap_or_default();
                if matches(&service.name, &typed) || terms.iter().any(|t| matches(t, &typed)) {
                    items.push(Suggestion {
                        kind: "service",
                        label: service.name.clone(),
                        value: service.slug.clone(),
                    });
                }
            }
        }
        for category in &catalog.categories {
            if matches(&category.name, &typed) {
                items.push(Suggestion {
                    kind: "category",
                    label: format!("{} lessons", category.name),
                    value: category.slug.clone(),
                });
            }
        }
        for area in state.areas.all() {
            if matches(&area.name, &typed) || area.aliases.iter().any(|a| matches(a, &typed)) {
                items.push(Suggestion {
                    kind: "area",
                    label: area.name.clone(),
                    value: area.slug.clone(),
                });
            }
        }
    }
    // Names that start with what is typed come before word matches inside a name.
    items.sort_by_key(|s| !s.label.to_lowercase().starts_with(&typed));
    items.truncate(LIMIT);
    Json(Suggestions { items })
}
