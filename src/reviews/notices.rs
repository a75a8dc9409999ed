//! The emails and in-app notices of reviews and tips, sent by jobs once per event and
//! recipient: "review received" and "tip received" to the instructor; the tip receipt, the
//! instructor's response and the review reminder to the student. Times are shown in each
//! recipient's own zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::jobs::Event;
use super::store;
use crate::app::AppState;
use crate::auth::model::User;
use crate::bookings::jobs::REVIEW_WINDOW;
use crate::bookings::model::{BookingRow, Status};
use crate::common::money::usd;
use crate::error::{AppError, AppResult};
use crate::notifications::{Notice, Recipient};

fn zone_of<'a>(user: &'a User, b: &'a BookingRow) -> &'a str {
    // Instructors see their lessons in the lesson's zone (their own), students in theirs.
    if user.id == b.instructor_id || user.timezone.is_empty() {
        &b.timezone
    } else {
        &user.timezone
    }
}

fn local(at: DateTime<Utc>, zone: &str, format: &str) -> String {
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    at.with_timezone(&tz).format(format).to_string()
}

fn stars(rating: i64) -> String {
    let full = usize::try_from(rating.clamp(0, 5)).unwrap_or_default();
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

fn user(conn: &Connection, id: &str) -> AppResult<User> {
    crate::auth::store::user_by_id(conn, id)?.ok_or_else(AppError::not_found)
}

/// The lesson variables every notice here shares, for `to` (who sees `other`'s name).
fn lesson(notice: Notice, b: &BookingRow, to: &User, other: &User) -> Notice {
    notice
        .var("service", b.service_name.clone())
        .var("when_short", local(b.start, zone_of(to, b), "%a %b %-d"))
        .var("other_name", other.display_name())
}

fn send_to(
    state: &AppState,
    conn: &Connection,
    user: &User,
    notice: &Notice,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = Recipient {
        user_id: &user.id,
        email: &user.email,
        name: &user.full_name,
    };
    state.notifier.send(conn, &to, notice, now)
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        out = out.trim_end().to_string() + "…";
    }
    out
}

/// The notices of one review or tip event.
pub async fn send(state: &AppState, id: &str, event: Event) -> AppResult<()> {
    let (id, now, st) = (id.to_string(), state.clock.now(), state.clone());
    state
        .db
        .write(move |tx| {
            match event {
                Event::ReviewReceived | Event::ResponseReceived => {
                    let Some(listed) = store::listed(tx, &id)? else {
                        return Ok(());
                    };
                    let r = &listed.review;
                    let Some(b) = crate::bookings::store::get(tx, &r.booking_id)? else {
                        return Ok(());
                    };
                    let (student, teacher) =
                        (user(tx, &r.student_id)?, user(tx, &r.instructor_id)?);
                    let text = r.text.clone().unwrap_or_default();
                    if event == Event::ReviewReceived {
                        let title = format!("New review: {}", stars(r.rating));
                        let body = format!("{}: {}", student.display_name(), excerpt(&text));
                        let n = lesson(
                            Notice::new("review_received", format!("review:{}:received", r.id)),
                            &b,
                            &teacher,
                            &student,
                        )
                        .var("rating", r.rating)
                        .var("stars", stars(r.rating))
                        .var("text", text)
                        .action("/instructor/reviews", "Read and respond")
                        .in_app(title, body, Some("/instructor/reviews"));
                        send_to(&st, tx, &teacher, &n, now)?;
                    } else if let Some((response, _)) = &listed.response {
                        let link = format!("/instructors/{}", r.instructor_id);
                        let body = format!("{}: {}", teacher.display_name(), excerpt(response));
                        let n = lesson(
                            Notice::new("review_response", format!("review:{}:response", r.id)),
                            &b,
                            &student,
                            &teacher,
                        )
                        .var("stars", stars(r.rating))
                        .var("response", response.clone())
                        .action(link.clone(), "See it")
                        .in_app(
                            "Your instructor answered your review",
                            body,
                            Some(&link),
                        );
                        send_to(&st, tx, &student, &n, now)?;
                    }
                }
                Event::TipCaptured => {
                    let Some(tip) = store::tip(tx, &id)? else {
                        return Ok(());
                    };
                    let Some(b) = crate::bookings::store::get(tx, &tip.booking_id)? else {
                        return Ok(());
                    };
                    let (student, teacher) =
                        (user(tx, &tip.student_id)?, user(tx, &tip.instructor_id)?);
                    let amount = usd(tip.amount_cents);
                    let link = format!("/student/bookings/{}", b.id);
                    let n = lesson(
                        Notice::new("tip_receipt", format!("tip:{}:receipt", tip.id)),
                        &b,
                        &student,
                        &teacher,
                    )
                    .var("amount", amount.clone())
                    .action(link.clone(), "View lesson")
                    .in_app(
                        format!("Receipt: {amount} tip"),
                        format!("All of it goes to {}.", teacher.display_name()),
                        Some(&link),
                    );
                    send_to(&st, tx, &student, &n, now)?;
                    let n = lesson(
                        Notice::new("tip_received", format!("tip:{}:received", tip.id)),
                        &b,
                        &teacher,
                        &student,
                    )
                    .var("amount", amount.clone())
                    .action("/instructor/earnings", "See your earnings")
                    .in_app(
                        format!("{} tipped you {amount}", student.display_name()),
                        b.service_name.clone(),
                        Some("/instructor/earnings"),
                    );
                    send_to(&st, tx, &teacher, &n, now)?;
                }
            }
            Ok(())
        })
        .await
}

/// The review reminder, 3 days after completion: once, and only while the lesson is
/// completed, unreviewed and inside its review window.
pub async fn remind(state: &AppState, booking_id: &str) -> AppResult<()> {
    let (id, now, st) = (booking_id.to_string(), state.clock.now(), state.clone());
    state
        .db
        .write(move |tx| {
            let Some(b) = crate::bookings::store::get(tx, &id)? else {
                return Ok(());
            };
            let closes = b.end + REVIEW_WINDOW;
            if b.status != Status::Completed
                || now > closes
                || store::of_booking(tx, &b.id)?.is_some()
            {
                return Ok(());
            }
            let (student, teacher) = (user(tx, &b.student_id)?, user(tx, &b.instructor_id)?);
            let link = format!("/student/bookings/{}?review=1", b.id);
            let n = lesson(
                Notice::new(
                    "review_reminder",
                    format!("booking:{}:review_reminder", b.id),
                ),
                &b,
                &student,
                &teacher,
            )
            .var(
                "deadline",
                local(closes, zone_of(&student, &b), "%A, %B %-d"),
            )
            .action(link.clone(), "Leave a review")
            .in_app(
                format!("How was {}?", b.service_name),
                format!("Review your lesson with {}", teacher.display_name()),
                Some(&link),
            );
            send_to(&st, tx, &student, &n, now)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_show_the_rating_out_of_five() {
        assert_eq!(stars(4), "★★★★☆");
        assert_eq!(stars(5), "★★★★★");
        assert_eq!(stars(9), "★★★★★");
    }
}
