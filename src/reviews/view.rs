//! Reviews and ratings as the API shows them: the public list item (first name and last
//! initial, never the student's id), the full review its student, instructor and admins see, and
//! an instructor's rating summary for profiles and search.

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::rating::{self, Totals};
use super::store::{self, Listed};
use super::tips::TipView;
use crate::auth::model::display_name;
use crate::common::time::rfc3339;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ResponseView {
    pub text: String,
    pub created_at: String,
}

/// A review in an instructor's public list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicReview {
    pub id: String,
    /// 1 to 5 stars.
    pub rating: i64,
    pub text: Option<String>,
    pub created_at: String,
    /// First name and last initial ("Maya R.").
    pub student_display_name: String,
    pub service_name: String,
    /// The instructor's answer, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseView>,
}

/// A review as its student, its instructor and admins see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub booking_id: String,
    pub instructor_id: String,
    pub rating: i64,
    pub text: Option<String>,
    pub created_at: String,
    pub student_display_name: String,
    pub service_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseView>,
    /// Whether the instructor has answered (once only).
    pub responded: bool,
    /// Hidden by an admin: listed nowhere public and not counted in the rating.
    pub hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    /// The student's latest tip on the lesson: only on `GET /api/v1/bookings/{id}/review`, and
    /// only for the student, so its outcome survives a reload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip: Option<super::tips::TipView>,
}

fn response_of(listed: &Listed) -> Option<ResponseView> {
    listed.response.as_ref().map(|(text, at)| ResponseView {
        text: text.clone(),
        created_at: rfc3339(*at),
    })
}

pub fn public(listed: &Listed) -> PublicReview {
    let r = &listed.review;
    PublicReview {
        id: r.id.clone(),
        rating: r.rating,
        text: r.text.clone(),
        created_at: rfc3339(r.created_at),
        student_display_name: display_name(&listed.student_name),
        service_name: listed.service_name.clone(),
        response: response_of(listed),
    }
}

pub fn full(listed: &Listed) -> ReviewView {
    let r = &listed.review;
    ReviewView {
        id: r.id.clone(),
        booking_id: r.booking_id.clone(),
        instructor_id: r.instructor_id.clone(),
        rating: r.rating,
        text: r.text.clone(),
        created_at: rfc3339(r.created_at),
        student_display_name: display_name(&listed.student_name),
        service_name: listed.service_name.clone(),
        response: response_of(listed),
        responded: listed.response.is_some(),
        hidden: r.hidden_at.is_some(),
        hidden_reason: r.hidden_reason.clone(),
        tip: None,
    }
}

/// The answer to `POST /api/v1/bookings/{id}/review`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewCreated {
    pub review: ReviewView,
    /// The tip sent with the review; check its `status` (a refused card does not undo the review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip: Option<TipView>,
}

/// The review `id` as [`ReviewView`], read in the caller's transaction.
pub fn load(conn: &Connection, id: &str) -> crate::error::AppResult<ReviewView> {
    store::listed(conn, id)?
        .map(|l| full(&l))
        .ok_or_else(crate::error::AppError::not_found)
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceReviewCount {
    /// The catalog service id.
    pub service_id: String,
    pub review_count: u32,
}

/// An instructor's rating as profiles and search show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Summary {
    /// The Bayesian average, one decimal; null under 3 visible reviews.
    pub rating: Option<f64>,
    /// Visible reviews.
    pub review_count: u32,
    /// Fewer than 5 visible reviews.
    pub is_new: bool,
    /// Visible reviews per catalog service, most reviewed first.
    pub by_service: Vec<ServiceReviewCount>,
}

fn count_u32(count: i64) -> u32 {
    u32::try_from(count).unwrap_or_default()
}

/// The instructor's summary against `platform` (the totals over every visible review, read
/// once for a whole list).
pub fn summary_with(
    conn: &Connection,
    instructor_id: &str,
    platform: Totals,
) -> rusqlite::Result<Summary> {
    let services = store::per_service(conn, instructor_id)?;
    let own = services
        .iter()
        .fold(Totals::default(), |acc, (_, t)| acc.plus(*t));
    Ok(Summary {
        rating: rating::shown(own, platform),
        review_count: count_u32(own.count),
        is_new: rating::is_new(own.count),
        by_service: services
            .into_iter()
            .map(|(service_id, t)| ServiceReviewCount {
                service_id: service_id.to_string(),
                review_count: count_u32(t.count),
            })
            .collect(),
    })
}

/// The instructor's summary (two indexed reads).
pub fn summary(conn: &Connection, instructor_id: &str) -> rusqlite::Result<Summary> {
    let platform = store::platform_totals(conn)?;
    summary_with(conn, instructor_id, platform)
}
