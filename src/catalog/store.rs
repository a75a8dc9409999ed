//! SQL over the catalog tables.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{AgeGroup, Catalog, CategoryView, Service, ServiceView, SubcategoryView};

fn json_list<T: serde::de::DeserializeOwned>(raw: &str) -> Vec<T> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Reads the whole catalog into a snapshot.
pub fn snapshot(conn: &Connection) -> rusqlite::Result<Catalog> {
    let mut categories: Vec<CategoryView> = Vec::new();
    let mut category_index: HashMap<i64, usize> = HashMap::new();
    let mut names: HashMap<i64, (String, String)> = HashMap::new();
    let mut category_terms = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT id, slug, name, terms FROM categories ORDER BY position, id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, slug, name, terms) = row?;
        category_index.insert(id, categories.len());
        names.insert(id, (slug.clone(), name.clone()));
        category_terms.insert(slug.clone(), json_list(&terms));
        categories.push(CategoryView {
            id: id.to_string(),
            slug,
            name,
            subcategories: Vec::new(),
        });
    }

    let mut sub_index: HashMap<i64, (usize, usize, i64, String)> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT id, category_id, slug, name FROM subcategories ORDER BY position, id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, category_id, slug, name) = row?;
        let Some(&ci) = category_index.get(&category_id) else {
            continue;
        };
        let list = &mut categories[ci].subcategories;
        sub_index.insert(id, (ci, list.len(), category_id, slug.clone()));
        list.push(SubcategoryView {
            id: id.to_string(),
            slug,
            name,
            services: Vec::new(),
        });
    }

    let mut services = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT id, subcategory_id, slug, name, terms, age_groups, online_capable, hidden
         FROM services ORDER BY position, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, bool>(6)?,
            r.get::<_, bool>(7)?,
        ))
    })?;
    for row in rows {
        let (id, subcategory_id, slug, name, terms, ages, online, hidden) = row?;
        let Some((ci, si, category_id, sub_slug)) = sub_index.get(&subcategory_id).cloned() else {
            continue;
        };
        let age_groups: Vec<AgeGroup> = json_list(&ages);
        if !hidden {
            categories[ci].subcategories[si].services.push(ServiceView {
                id: id.to_string(),
                slug: slug.clone(),
                name: name.clone(),
                age_groups: age_groups.clone(),
                online_capable: online,
            });
        }
        let (category_slug, category_name) = names.get(&category_id).cloned().unwrap_or_default();
        services.insert(
            id,
            Service {
                id,
                slug,
                name,
                category_slug,
                category_name,
                subcategory_slug: sub_slug,
                terms: json_list(&terms),
                age_groups,
                online_capable: online,
                hidden,
            },
        );
    }
    let json =
        serde_json::to_vec(&serde_json::json!({ "categories": categories })).unwrap_or_default();
    Ok(Catalog {
        categories,
        services,
        category_terms,
        json: json.into(),
    })
}

pub struct NewService<'a> {
    pub subcategory_id: i64,
    pub slug: &'a str,
    pub name: &'a str,
    pub terms: &'a [String],
    pub age_groups: &'a [AgeGroup],
    pub online_capable: bool,
}

/// Adds a service at the end of its subcategory; `None` when the slug is taken.
pub fn insert_service(conn: &Connection, s: &NewService<'_>) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "INSERT INTO services (subcategory_id, slug, name, terms, age_groups, online_capable, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                 (SELECT COALESCE(MAX(position), -1) + 1 FROM services WHERE subcategory_id = ?1))
         ON CONFLICT (slug) DO NOTHING RETURNING id",
        params![
            s.subcategory_id,
            s.slug,
            s.name,
            serde_json::to_string(s.terms).unwrap_or_default(),
            serde_json::to_string(s.age_groups).unwrap_or_default(),
            s.online_capable
        ],
        |r| r.get(0),
    )
    .optional()
}

pub fn subcategory_exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM subcategories WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )
}

pub struct ServiceChange {
    pub name: Option<String>,
    pub hidden: Option<bool>,
    pub terms: Option<Vec<String>>,
}

/// Applies an admin's edit; false when there is no such service.
pub fn update_service(
    conn: &Connection,
    id: i64,
    change: &ServiceChange,
) -> rusqlite::Result<bool> {
    let terms = change
        .terms
        .as_ref()
        .map(|t| serde_json::to_string(t).unwrap_or_default());
    Ok(conn.execute(
        "UPDATE services SET name = COALESCE(?2, name), hidden = COALESCE(?3, hidden),
                terms = COALESCE(?4, terms)
         WHERE id = ?1",
        params![id, change.name, change.hidden, terms],
    )? == 1)
}
