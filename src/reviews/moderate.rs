//! What happens to a review after it is written: the instructor answers it once (1-500
//! characters; only their own reviews, anyone else gets 404), and an admin may hide it with a
//! reason. A hidden review leaves the public lists and the rating in the same write. There is
//! no admin audit log yet, so the review row itself records who hid it, when and why.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::create::{MAX_TEXT, clean_text};
use super::view::{self, ReviewView};
use super::{jobs, store};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResponse {
    /// 1 to 500 characters, shown publicly under the review.
    pub text: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HideRequest {
    /// Why it is hidden (1 to 500 characters), kept with the review.
    pub reason: String,
}

/// `POST /api/v1/reviews/{id}/response` by the review's instructor.
pub async fn respond(
    state: &AppState,
    me: &CurrentUser,
    review_id: &str,
    body: NewResponse,
) -> AppResult<ReviewView> {
    let text = clean_text(Some(&body.text), "review.text_too_long")?.ok_or_else(|| {
        AppError::invalid("review.text_required", "text", "write a response first")
    })?;
    let (id, instructor, now) = (review_id.to_string(), me.user.id.clone(), state.clock.now());
    let review = state
        .db
        .write(move |tx| {
            let review = store::get(tx, &id)?
                .filter(|r| r.instructor_id == instructor)
                .ok_or_else(AppError::not_found)?;
            if !store::insert_response(tx, &review.id, &text, now)? {
                return Err(AppError::conflict(
                    "review.response_exists",
                    "You have already answered this review.",
                ));
            }
            jobs::notify(tx, jobs::Event::ResponseReceived, &review.id, now)?;
            view::load(tx, &review.id)
        })
        .await?;
    state.jobs.wake();
    Ok(review)
}

/// `POST /api/v1/admin/reviews/{id}/hide`. Hiding a hidden review changes nothing.
pub async fn hide(
    state: &AppState,
    admin: &CurrentUser,
    review_id: &str,
    body: HideRequest,
) -> AppResult<ReviewView> {
    let reason = body.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(
            "review.reason_required",
            "reason",
            format!("give a reason of 1 to {MAX_TEXT} characters"),
        ));
    }
    let (id, by, now) = (
        review_id.to_string(),
        admin.user.id.clone(),
        state.clock.now(),
    );
    let review = state
        .db
        .write(move |tx| {
            let review = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            if store::hide(tx, &review.id, &reason, &by, now)? {
                store::uncount(tx, &review)?;
                jobs::reindex(
                    tx,
                    &review.instructor_id,
                    &format!("review:{}:hidden", review.id),
                    now,
                )?;
                tracing::info!(review = %review.id, admin = %by, %reason, "review hidden");
            }
            view::load(tx, &review.id)
        })
        .await?;
    state.jobs.wake();
    Ok(review)
}
