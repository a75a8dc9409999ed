//! The emails and in-app notices of the booking lifecycle, sent by jobs (once per event and
//! recipient) with times shown in each recipient's own time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde_json::{Value, json};

use super::model::{BookingRow, Party, Status};
use super::store;
use crate::app::AppState;
use crate::auth::model::User;
use crate::availability::slots::Format;
use crate::common::money::usd;
use crate::error::{AppError, AppResult};
use crate::notifications::{Notice, Recipient};

fn local(at: DateTime<Utc>, zone: &str, long: bool) -> String {
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let at = at.with_timezone(&tz);
    if long {
        at.format("%A, %B %-d, %Y at %-I:%M %p %Z").to_string()
    } else {
        at.format("%a %b %-d, %-I:%M %p").to_string()
    }
}

fn format_label(format: Format) -> &'static str {
    match format {
        Format::Travel => "at your place",
        Format::Studio => "at the studio",
        Format::Online => "online",
    }
}

struct People {
    student: User,
    instructor: User,
}

fn people(conn: &Connection, b: &BookingRow) -> AppResult<People> {
    let find = |id: &str| -> AppResult<User> {
        crate::auth::store::user_by_id(conn, id)?.ok_or_else(AppError::not_found)
    };
    Ok(People {
        student: find(&b.student_id)?,
        instructor: find(&b.instructor_id)?,
    })
}

/// The variables every booking email shares, for `to` (who sees the other party's name).
fn base(b: &BookingRow, to: &User, other: &User) -> Notice {
    let zone = if to.id == b.instructor_id || to.timezone.is_empty() {
        b.timezone.as_str()
    } else {
        to.timezone.as_str()
    };
    let place = match b.format {
        Format::Online => "Online (the link is on the lesson page)".to_string(),
        Format::Studio => "The instructor's studio (address on the lesson page)".to_string(),
        Format::Travel => b.address.clone().unwrap_or_default(),
    };
    Notice::new("booking_confirmed", String::new())
        .var("service", b.service_name.clone())
        .var("duration", b.duration_min)
        .var("format_label", format_label(b.format))
        .var("when", local(b.start, zone, true))
        .var("when_short", local(b.start, zone, false))
        .var("other_name", other.display_name())
        .var("place", place)
        .var("money", Value::Array(Vec::new()))
}

fn lines(items: &[(&str, i64)]) -> Value {
    Value::Array(
        items
            .iter()
            .filter(|(_, cents)| *cents != 0)
            .map(|(label, cents)| json!({"label": label, "amount": usd(*cents)}))
            .collect(),
    )
}

fn student_price(b: &BookingRow) -> Value {
    lines(&[
        ("Lesson", b.lesson_price_cents),
        ("Service fee", b.service_fee_cents),
        ("Credit applied", -b.credits_applied_cents),
        ("Card total", b.total_charge_cents),
    ])
}

fn with(
    mut notice: Notice,
    template: &'static str,
    event_key: String,
    title: &str,
    link: &str,
) -> Notice {
    notice.template = template;
    notice.event_key = event_key;
    let body = format!(
        "{} · {}",
        notice
            .vars
            .get("service")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        notice
            .vars
            .get("when_short")
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    notice
        .action(link.to_string(), "View lesson")
        .in_app(title, body, Some(link))
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

fn outcome_text(b: &BookingRow, for_student: bool) -> String {
    let credit = b.cancel_credit_cents.unwrap_or(0);
    let payout = b.cancel_payout_cents.unwrap_or(0);
    match (b.cancel_policy.as_deref(), for_student) {
        (Some("full_release"), true) => format!(
            "Nothing was charged{}.",
            if credit > 0 {
                format!(" and {} of credit is yours again", usd(credit))
            } else {
                String::new()
            }
        ),
        (Some("credit_full"), true) => format!(
            "You keep the lesson price as credit: {} (the service fee is not refunded).",
            usd(credit)
        ),
        (Some("credit_half"), true) => format!(
            "Half the lesson price comes back as credit: {}.",
            usd(credit)
        ),
        (Some("instructor_cancel"), true) => {
            "Everything you paid, fee included, goes back to you.".to_string()
        }
        (Some("credit_half"), false) => format!(
            "You are paid half of your earnings for it: {}.",
            usd(payout)
        ),
        (None, true) if b.status == Status::PaymentFailed => {
            "The payment never went through, so nothing was charged.".to_string()
        }
        _ => String::new(),
    }
}

/// The notices of one booking event.
pub async fn send(state: &AppState, id: &str, event: &str) -> AppResult<()> {
    let (id, event, now, st) = (
        id.to_string(),
        event.to_string(),
        state.clock.now(),
        state.clone(),
    );
    state
        .db
        .write(move |tx| {
            let Some(b) = store::get(tx, &id)? else {
                return Ok(());
            };
            let p = people(tx, &b)?;
            let link = format!("/student/bookings/{}", b.id);
            let teach_link = format!("/instructor/schedule/{}", b.id);
            let key = |who: &str| format!("booking:{}:{event}:{who}", b.id);
            let for_student = base(&b, &p.student, &p.instructor);
            let for_instructor = base(&b, &p.instructor, &p.student);
            match event.as_str() {
                "confirmed" => {
                    let note = if b.payment_status == super::model::PaymentStatus::Scheduled {
                        "Your card is authorised 24 hours before the lesson and charged after it."
                    } else {
                        "Your card is authorised now and charged after the lesson."
                    };
                    let n = with(for_student.var("money", student_price(&b)).var("payment_note", note), "booking_confirmed", key("student"), "Lesson booked", &link);
                    send_to(&st, tx, &p.student, &n, now)?;
                    let earnings = lines(&[("Your earnings", b.instructor_payout_cents)]);
                    let n = with(for_instructor.var("money", earnings).var("note", b.note.clone().unwrap_or_default()), "booking_new", key("instructor"), "New booking", &teach_link);
                    send_to(&st, tx, &p.instructor, &n, now)?;
                }
                "rescheduled" => {
                    let previous = match &b.rescheduled_from {
                        Some(old) => store::get(tx, old)?.map(|o| local(o.start, &b.timezone, false)),
                        None => None,
                    };
                    let n = with(for_student.var("previous", previous.clone()), "booking_rescheduled", key("student"), "Lesson moved", &link);
                    send_to(&st, tx, &p.student, &n, now)?;
                    let n = with(for_instructor.var("previous", previous), "booking_rescheduled", key("instructor"), "Lesson moved", &teach_link);
                    send_to(&st, tx, &p.instructor, &n, now)?;
                }
                "cancelled" => {
                    let by = match b.cancelled_by {
                        Some(Party::Student) => p.student.display_name(),
                        Some(Party::Instructor) => p.instructor.display_name(),
                        Some(Party::Admin) => "InstaInstru support".to_string(),
                        _ => String::new(),
                    };
                    let reason = b.cancel_reason.clone().unwrap_or_default();
                    let n = with(
                        for_student.var("cancelled_by", by.clone()).var("reason", reason.clone()).var("outcome", outcome_text(&b, true)),
                        "booking_cancelled", key("student"), "Lesson cancelled", &link,
                    );
                    send_to(&st, tx, &p.student, &n, now)?;
                    let n = with(
                        for_instructor.var("cancelled_by", by).var("reason", reason).var("outcome", outcome_text(&b, false)),
                        "booking_cancelled", key("instructor"), "Lesson cancelled", &teach_link,
                    );
                    send_to(&st, tx, &p.instructor, &n, now)?;
                }
                "completed" => {
                    // The review request: the button opens the review form on the lesson.
                    let zone = if p.student.timezone.is_empty() { &b.timezone } else { &p.student.timezone };
                    let deadline = local(b.end + super::jobs::REVIEW_WINDOW, zone, true);
                    let n = with(for_student.var("deadline", deadline), "lesson_completed", key("student"), "Lesson complete: leave a review", &link)
                        .action(format!("{link}?review=1"), "Leave a review");
                    send_to(&st, tx, &p.student, &n, now)?;
                }
                "payment_failed" | "payment_final_warning" => {
                    let deadline = local(b.start - super::payment::DEADLINE_BEFORE, &p.student.timezone, true);
                    let template = if event == "payment_failed" { "payment_failed" } else { "payment_final_warning" };
                    let decline = tx
                        .query_row(
                            "SELECT detail FROM booking_events WHERE booking_id = ?1 AND kind = 'payment_failed' ORDER BY id DESC LIMIT 1",
                            [&b.id],
                            |r| r.get::<_, String>(0),
                        )
                        .unwrap_or_default();
                    let n = with(
                        for_student.var("deadline", deadline).var("decline", decline.replace('_', " ")),
                        template,
                        format!("booking:{}:{event}:{}", b.id, b.authorize_attempts),
                        "Payment failed: update your card",
                        "/account/payments",
                    );
                    send_to(&st, tx, &p.student, &n, now)?;
                }
                "receipt" => {
                    let n = with(for_student.var("money", student_price(&b)), "receipt", key("student"), "Receipt", &link);
                    send_to(&st, tx, &p.student, &n, now)?;
                }
                "no_show_reported" => {
                    let Some(report) = store::no_show(tx, &b.id)? else {
                        return Ok(());
                    };
                    let (accused, notice, path) = if report.absent == Party::Student {
                        (&p.student, for_student, &link)
                    } else {
                        (&p.instructor, for_instructor, &teach_link)
                    };
                    let n = with(notice.var("reason", report.reason), "no_show_reported", key("accused"), "You were reported absent", path);
                    send_to(&st, tx, accused, &n, now)?;
                }
                "capture_stuck" => {
                    let alert = format!("capturing the payment of booking {} has failed for 72 hours", b.id);
                    crate::payments::events::alert_admins(
                        &st,
                        tx,
                        &format!("booking:{}:capture_stuck", b.id),
                        "Payment capture stuck",
                        &alert,
                        now,
                    )?;
                }
                other => tracing::warn!(event = other, "no notice for this booking event"),
            }
            Ok(())
        })
        .await
}

/// The 24 h and 1 h reminders, to both parties, for lessons still on.
pub async fn remind(state: &AppState, id: &str, hours: i64) -> AppResult<()> {
    let (id, now, st) = (id.to_string(), state.clock.now(), state.clone());
    state
        .db
        .write(move |tx| {
            let Some(b) = store::get(tx, &id)? else {
                return Ok(());
            };
            if b.status != Status::Confirmed || b.start <= now {
                return Ok(());
            }
            let p = people(tx, &b)?;
            let in_words = if hours >= 24 {
                "tomorrow".to_string()
            } else {
                format!("in {hours} hour{}", if hours == 1 { "" } else { "s" })
            };
            for (user, other, link) in [
                (
                    &p.student,
                    &p.instructor,
                    format!("/student/bookings/{}", b.id),
                ),
                (
                    &p.instructor,
                    &p.student,
                    format!("/instructor/schedule/{}", b.id),
                ),
            ] {
                let n = with(
                    base(&b, user, other).var("in_words", in_words.clone()),
                    "lesson_reminder",
                    format!("booking:{}:remind:{hours}:{}", b.id, user.id),
                    &format!("Lesson {in_words}"),
                    &link,
                );
                send_to(&st, tx, user, &n, now)?;
            }
            Ok(())
        })
        .await
}
