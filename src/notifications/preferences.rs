//! Notification categories and each user's choice of channels per category.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Security and account mail: transactional, always sent.
    Account,
    LessonUpdates,
    Messages,
    Reviews,
    Promotions,
}

pub const ALL: [Category; 5] = [
    Category::Account,
    Category::LessonUpdates,
    Category::Messages,
    Category::Reviews,
    Category::Promotions,
];

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::LessonUpdates => "lesson_updates",
            Self::Messages => "messages",
            Self::Reviews => "reviews",
            Self::Promotions => "promotions",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        ALL.into_iter().find(|c| c.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Account => "Account and security",
            Self::LessonUpdates => "Lesson updates",
            Self::Messages => "Messages",
            Self::Reviews => "Reviews",
            Self::Promotions => "News and offers",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Account => "Sign-in alerts, password and verification emails. Always on.",
            Self::LessonUpdates => "Reminders and changes to your lessons.",
            Self::Messages => "New messages from instructors or students.",
            Self::Reviews => "Review requests and replies to your reviews.",
            Self::Promotions => "Occasional news, tips and offers.",
        }
    }

    /// Account mail cannot be turned off.
    pub fn locked(self) -> bool {
        self == Self::Account
    }

    fn default_channels(self) -> Channels {
        let on = self != Self::Promotions;
        Channels {
            email: on,
            in_app: on,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub in_app: bool,
}

pub fn channels(
    conn: &Connection,
    user_id: &str,
    category: Category,
) -> rusqlite::Result<Channels> {
    if category.locked() {
        return Ok(Channels {
            email: true,
            in_app: true,
        });
    }
    let stored = conn
        .prepare_cached("SELECT email, in_app FROM notification_preferences WHERE user_id = ?1 AND category = ?2")?
        .query_row(params![user_id, category.as_str()], |r| Ok(Channels { email: r.get(0)?, in_app: r.get(1)? }))
        .optional()?;
    Ok(stored.unwrap_or_else(|| category.default_channels()))
}

pub fn set_channels(
    conn: &Connection,
    user_id: &str,
    category: Category,
    channels: Channels,
) -> rusqlite::Result<()> {
    if category.locked() {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO notification_preferences (user_id, category, email, in_app) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id, category) DO UPDATE SET email = excluded.email, in_app = excluded.in_app",
        params![user_id, category.as_str(), channels.email, channels.in_app],
    )?;
    Ok(())
}
