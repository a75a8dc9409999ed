//! The starter catalog embedded in the binary and its seeding into the database by slug:
//! missing categories, subcategories and services are added; existing rows (which an admin may
//! have renamed or hidden) are left alone.

use rusqlite::{Connection, params};
use serde::Deserialize;

use super::AgeGroup;

const EMBEDDED: &str = include_str!("catalog.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    category: Vec<CategoryDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDef {
    slug: String,
    name: String,
    #[serde(default)]
    terms: Vec<String>,
    subcategory: Vec<SubcategoryDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubcategoryDef {
    slug: String,
    name: String,
    service: Vec<ServiceDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceDef {
    slug: String,
    name: String,
    #[serde(default)]
    terms: Vec<String>,
    ages: Vec<AgeGroup>,
    online: bool,
}

fn parse() -> anyhow::Result<File> {
    toml::from_str(EMBEDDED).map_err(|e| anyhow::anyhow!("embedded catalog.toml is invalid: {e}"))
}

/// Adds what the embedded catalog has and the database lacks.
pub fn seed(conn: &Connection) -> anyhow::Result<()> {
    let file = parse()?;
    let mut category = conn.prepare(
        "INSERT INTO categories (slug, name, terms, position) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (slug) DO NOTHING",
    )?;
    let mut subcategory = conn.prepare(
        "INSERT INTO subcategories (category_id, slug, name, position)
         SELECT id, ?2, ?3, ?4 FROM categories WHERE slug = ?1
         ON CONFLICT (slug) DO NOTHING",
    )?;
    let mut service = conn.prepare(
        "INSERT INTO services (subcategory_id, slug, name, terms, age_groups, online_capable, position)
         SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM subcategories WHERE slug = ?1
         ON CONFLICT (slug) DO NOTHING",
    )?;
    for (ci, c) in (0i64..).zip(&file.category) {
        category.execute(params![
            c.slug,
            c.name,
            serde_json::to_string(&c.terms)?,
            ci
        ])?;
        for (si, s) in (0i64..).zip(&c.subcategory) {
            subcategory.execute(params![c.slug, s.slug, s.name, si])?;
            for (vi, v) in (0i64..).zip(&s.service) {
                service.execute(params![
                    s.slug,
                    v.slug,
                    v.name,
                    serde_json::to_string(&v.terms)?,
                    serde_json::to_string(&v.ages)?,
                    v.online,
                    vi
                ])?;
            }
        }
    }
    Ok(())
}

/// The embedded catalog as a snapshot without a database (ids in file order, nothing hidden), for
/// unit tests of code that reads the catalog.
#[cfg(test)]
pub(crate) fn embedded_snapshot() -> anyhow::Result<super::Catalog> {
    use std::collections::HashMap;

    use super::{Catalog, CategoryView, Service, ServiceView, SubcategoryView};

    let file = parse()?;
    let mut last_id = 0i64;
    let mut next_id = || {
        last_id += 1;
        last_id
    };
    let mut categories = Vec::new();
    let mut services = HashMap::new();
    let mut category_terms = HashMap::new();
    for c in file.category {
        let mut subcategories = Vec::new();
        for s in c.subcategory {
            let mut views = Vec::new();
            for v in s.service {
                let id = next_id();
                views.push(ServiceView {
                    id: id.to_string(),
                    slug: v.slug.clone(),
                    name: v.name.clone(),
                    age_groups: v.ages.clone(),
                    online_capable: v.online,
                });
                services.insert(
                    id,
                    Service {
                        id,
                        slug: v.slug,
                        name: v.name,
                        category_slug: c.slug.clone(),
                        category_name: c.name.clone(),
                        subcategory_slug: s.slug.clone(),
                        terms: v.terms,
                        age_groups: v.ages,
                        online_capable: v.online,
                        hidden: false,
                    },
                );
            }
            subcategories.push(SubcategoryView {
                id: next_id().to_string(),
                slug: s.slug,
                name: s.name,
                services: views,
            });
        }
        category_terms.insert(c.slug.clone(), c.terms);
        categories.push(CategoryView {
            id: next_id().to_string(),
            slug: c.slug,
            name: c.name,
            subcategories,
        });
    }
    Ok(Catalog {
        categories,
        services,
        category_terms,
        json: axum::body::Bytes::new(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_embedded_catalog_is_complete_and_consistent() {
        let file = parse().unwrap();
        assert_eq!(file.category.len(), 7);
        let subcategories: Vec<&SubcategoryDef> =
            file.category.iter().flat_map(|c| &c.subcategory).collect();
        let services: Vec<&ServiceDef> = subcategories.iter().flat_map(|s| &s.service).collect();
        assert!(
            (60..=80).contains(&subcategories.len()),
            "{}",
            subcategories.len()
        );
        assert!((190..=230).contains(&services.len()), "{}", services.len());
        let slugs: HashSet<&str> = services.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(slugs.len(), services.len(), "service slugs are unique");
        for wanted in [
            "piano", "guitar", "violin", "ballet", "hip-hop", "swimming", "sat", "spanish", "esl",
            "chess",
        ] {
            assert!(slugs.contains(wanted), "{wanted} is in the catalog");
        }
        assert!(services.iter().all(|s| !s.ages.is_empty()));
    }
}
