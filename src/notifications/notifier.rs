//! Sending a notification: render the email (when the user's preferences allow, or always for
//! transactional mail) and queue it, and add the in-app item, all inside the caller's write
//! transaction, keyed by the event so a retried producer never notifies twice.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use rusqlite::Connection;
use serde_json::{Map, Value};
use sha2::Sha256;

use super::preferences::{self, Category, Channels};
use super::templates::{self, Templates};
use super::{Email, enqueue_email, inbox};
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct Notifier {
    templates: Arc<Templates>,
    public_url: Arc<str>,
    unsubscribe_key: Arc<[u8]>,
}

pub struct Recipient<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
}

/// What to say, once per `event_key`.
pub struct Notice {
    pub template: &'static str,
    pub event_key: String,
    /// Path (under the public URL) and label of the email's main button.
    pub action: Option<(String, &'static str)>,
    /// Extra template variables.
    pub vars: Map<String, Value>,
    pub in_app: Option<InApp>,
}

pub struct InApp {
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

impl Notice {
    pub fn new(template: &'static str, event_key: impl Into<String>) -> Self {
        Self {
            template,
            event_key: event_key.into(),
            action: None,
            vars: Map::new(),
            in_app: None,
        }
    }

    pub fn action(mut self, path: impl Into<String>, label: &'static str) -> Self {
        self.action = Some((path.into(), label));
        self
    }

    pub fn var(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.vars.insert(key.into(), value.into());
        self
    }

    pub fn in_app(
        mut self,
        title: impl Into<String>,
        body: impl Into<String>,
        link: Option<&str>,
    ) -> Self {
        self.in_app = Some(InApp {
            title: title.into(),
            body: body.into(),
            link: link.map(str::to_string),
        });
        self
    }
}

type HmacSha256 = Hmac<Sha256>;

impl Notifier {
    pub fn new(templates: Templates, public_url: &str, unsubscribe_key: &[u8]) -> Self {
        Self {
            templates: Arc::new(templates),
            public_url: public_url.into(),
            unsubscribe_key: unsubscribe_key.into(),
        }
    }

    pub fn send(
        &self,
        conn: &Connection,
        to: &Recipient<'_>,
        notice: &Notice,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let template = templates::find(notice.template).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("no email template {}", notice.template))
        })?;
        let channels = if template.transactional {
            Channels {
                email: true,
                in_app: true,
            }
        } else {
            preferences::channels(conn, to.user_id, template.category)?
        };
        if channels.email {
            let mut context = notice.vars.clone();
            context.insert("name".into(), to.name.into());
            context.insert("email".into(), to.email.into());
            context.insert("category_label".into(), template.category.label().into());
            if let Some((path, label)) = &notice.action {
                context.insert(
                    "action_url".into(),
                    format!("{}{path}", self.public_url).into(),
                );
                context.insert("action_label".into(), (*label).into());
            }
            if !template.transactional {
                let token = self.unsubscribe_token(to.user_id, template.category);
                context.insert(
                    "unsubscribe_url".into(),
                    format!("{}/unsubscribe?token={token}", self.public_url).into(),
                );
            }
            let rendered = self
                .templates
                .render(template, &Value::Object(context))
                .map_err(AppError::internal)?;
            let email = Email {
                message_id: notice.event_key.clone(),
                to: to.email.to_string(),
                subject: rendered.subject,
                template: template.name.to_string(),
                text: rendered.text,
                html: rendered.html,
            };
            enqueue_email(conn, &email, now)?;
        }
        if let (true, Some(item)) = (channels.in_app, &notice.in_app) {
            let new = inbox::NewItem {
                user_id: to.user_id,
                category: template.category.as_str(),
                title: &item.title,
                body: &item.body,
                link: item.link.as_deref(),
                event_key: &notice.event_key,
            };
            inbox::insert(conn, &new, to_db(now))?;
        }
        Ok(())
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.unsubscribe_key)
            .expect("HMAC takes keys of any length");
        mac.update(payload.as_bytes());
        mac
    }

    /// A link token that unsubscribes `user_id` from `category` without signing in.
    pub fn unsubscribe_token(&self, user_id: &str, category: Category) -> String {
        let payload = format!("{user_id}:{}", category.as_str());
        let tag = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(&tag[..16])
        )
    }

    pub fn verify_unsubscribe(&self, token: &str) -> Option<(String, Category)> {
        let (payload, tag) = token.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(&payload).verify_truncated_left(&tag).ok()?;
        let (user_id, category) = payload.rsplit_once(':')?;
        Some((user_id.to_string(), Category::parse(category)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribe_tokens_verify_and_resist_tampering() {
        let notifier = Notifier::new(
            Templates::load().unwrap(),
            "http://x",
            b"0123456789abcdef0123456789abcdef",
        );
        let token = notifier.unsubscribe_token("user-1", Category::Promotions);
        assert_eq!(
            notifier.verify_unsubscribe(&token),
            Some(("user-1".into(), Category::Promotions))
        );
        let forged = notifier.unsubscribe_token("user-2", Category::Promotions);
        let (payload, _) = forged.split_once('.').unwrap();
        let (_, tag) = token.split_once('.').unwrap();
        assert_eq!(
            notifier.verify_unsubscribe(&format!("{payload}.{tag}")),
            None
        );
        assert_eq!(notifier.verify_unsubscribe("garbage"), None);
    }
}
