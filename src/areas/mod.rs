//! The operator's areas: a gazetteer of boroughs and neighborhoods with aliases and centroids.
//! The demo region (New York City) is embedded; an operator replaces it with `areas.file`, a
//! TOML file of the same shape:
//!
//! ```toml
//! [[area]]
//! slug = "park-slope"          # unique, lowercase
//! name = "Park Slope"
//! kind = "neighborhood"        # or "borough" (a top-level area)
//! parent = "brooklyn"          # neighborhoods: the slug of their borough
//! aliases = ["the slope"]      # what people type, lowercase
//! lat = 40.6710                # centroid, WGS84
//! lng = -73.9814
//! radius_km = 1.2              # roughly how far the area reaches from its centroid
//! ```

mod routes;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use routes::routes;

const EMBEDDED: &str = include_str!("nyc.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Borough,
    Neighborhood,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub slug: String,
    pub name: String,
    pub kind: Kind,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub lat: f64,
    pub lng: f64,
    pub radius_km: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    area: Vec<Area>,
}

pub struct Areas {
    list: Vec<Area>,
    by_slug: HashMap<String, usize>,
    /// The serialised `GET /api/v1/areas` body.
    pub json: Bytes,
}

impl Areas {
    /// The operator's file when given, else the embedded demo region.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let text = match file {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read areas file {}", path.display()))?,
            None => EMBEDDED.to_string(),
        };
        let parsed: File = toml::from_str(&text).context("the areas file is not valid")?;
        Self::from_list(parsed.area)
    }

    fn from_list(list: Vec<Area>) -> anyhow::Result<Self> {
        let mut by_slug = HashMap::new();
        for (i, area) in list.iter().enumerate() {
            if by_slug.insert(area.slug.clone(), i).is_some() {
                bail!("area slug `{}` appears twice", area.slug);
            }
        }
        for area in &list {
            match (&area.kind, &area.parent) {
                (Kind::Neighborhood, Some(parent)) if by_slug.contains_key(parent) => {}
                (Kind::Neighborhood, _) => {
                    bail!("neighborhood `{}` needs an existing parent", area.slug)
                }
                (Kind::Borough, _) => {}
            }
            if !(-90.0..=90.0).contains(&area.lat) || !(-180.0..=180.0).contains(&area.lng) {
                bail!("area `{}` has coordinates out of range", area.slug);
            }
        }
        let json = serde_json::to_vec(&serde_json::json!({ "areas": list }))
            .unwrap_or_default()
            .into();
        Ok(Self {
            list,
            by_slug,
            json,
        })
    }

    pub fn get(&self, slug: &str) -> Option<&Area> {
        self.by_slug.get(slug).map(|&i| &self.list[i])
    }

    pub fn all(&self) -> &[Area] {
        &self.list
    }

    /// The smallest area whose circle contains the point (a neighborhood before its borough).
    pub fn containing(&self, lat: f64, lng: f64) -> Option<&Area> {
        self.list
            .iter()
            .filter(|a| distance_km(a.lat, a.lng, lat, lng) <= a.radius_km)
            .min_by(|a, b| a.radius_km.total_cmp(&b.radius_km))
    }

    /// The most specific area an address names ("12 Union St, Park Slope, Brooklyn" -> Park
    /// Slope), matching names and aliases as whole words.
    pub fn mentioned_in(&self, text: &str) -> Option<&Area> {
        let words = |s: &str| {
            let cleaned: String = s
                .to_lowercase()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect();
            format!(
                " {} ",
                cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        };
        let haystack = words(text);
        self.list
            .iter()
            .filter(|a| {
                std::iter::once(&a.name)
                    .chain(&a.aliases)
                    .any(|name| haystack.contains(&words(name)))
            })
            .min_by(|a, b| a.radius_km.total_cmp(&b.radius_km))
    }

    /// Whether `slug` is `area` itself or one of its neighborhoods.
    pub fn covers(&self, area: &str, slug: &str) -> bool {
        area == slug || self.get(slug).and_then(|a| a.parent.as_deref()) == Some(area)
    }
}

/// Great-circle distance in kilometres (haversine).
pub fn distance_km(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_region_is_new_york_city() {
        let areas = Areas::load(None).unwrap();
        let boroughs = areas
            .all()
            .iter()
            .filter(|a| a.kind == Kind::Borough)
            .count();
        assert_eq!(boroughs, 5);
        assert!(areas.all().len() >= 55);
        let slope = areas.get("park-slope").unwrap();
        assert_eq!(slope.parent.as_deref(), Some("brooklyn"));
        assert!(areas.covers("brooklyn", "park-slope"));
        assert_eq!(
            areas.containing(slope.lat, slope.lng).unwrap().slug,
            "park-slope"
        );
        let aliases: Vec<&str> = areas
            .all()
            .iter()
            .flat_map(|a| a.aliases.iter().map(String::as_str))
            .collect();
        for alias in ["ues", "uws", "bk", "lic", "fidi", "les"] {
            assert!(aliases.contains(&alias), "{alias}");
        }
    }

    #[test]
    fn distances_are_in_kilometres() {
        // Times Square to the Brooklyn Bridge: about 5.4 km.
        let d = distance_km(40.7580, -73.9855, 40.7061, -73.9969);
        assert!((5.5..6.0).contains(&d), "{d}");
    }

    #[test]
    fn broken_files_are_refused() {
        let orphan = Area {
            slug: "x".into(),
            name: "X".into(),
            kind: Kind::Neighborhood,
            parent: Some("nowhere".into()),
            aliases: vec![],
            lat: 0.0,
            lng: 0.0,
            radius_km: 1.0,
        };
        assert!(Areas::from_list(vec![orphan]).is_err());
    }
}
