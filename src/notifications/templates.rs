//! Email templates: an HTML and a plain-text version of each message, both extending a shared
//! layout, rendered with minijinja (HTML auto-escaped). Sources are embedded in the binary.

use minijinja::Environment;
use serde_json::Value;

use super::preferences::Category;

/// One kind of email.
#[derive(Debug)]
pub struct EmailTemplate {
    pub name: &'static str,
    /// A minijinja expression template, rendered with the same context as the body.
    pub subject: &'static str,
    pub category: Category,
    /// Transactional mail is sent whatever the user's preferences and has no unsubscribe link.
    pub transactional: bool,
}

macro_rules! sources {
    ($($name:literal),* $(,)?) => {
        &[$(
            (concat!($name, ".html"), include_str!(concat!("templates/", $name, ".html"))),
            (concat!($name, ".txt"), include_str!(concat!("templates/", $name, ".txt"))),
        )*]
    };
}

const SOURCES: &[(&str, &str)] = sources![
    "layout",
    "verify_email",
    "welcome",
    "password_reset",
    "new_sign_in",
    "two_factor_enabled",
    "two_factor_disabled",
    "background_check_result",
    "background_check_expiring",
    "booking_details",
    "booking_confirmed",
    "booking_new",
    "lesson_reminder",
    "booking_cancelled",
    "booking_rescheduled",
    "payment_failed",
    "payment_final_warning",
    "receipt",
    "lesson_completed",
    "no_show_reported",
    "admin_alert",
    "review_received",
    "review_response",
    "review_reminder",
    "tip_receipt",
    "tip_received",
];

pub const TEMPLATES: &[EmailTemplate] = &[
    EmailTemplate {
        name: "verify_email",
        subject: "Confirm your email address",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "welcome",
        subject: "Welcome to InstaInstru, {{ name }}",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "password_reset",
        subject: "Reset your InstaInstru password",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "new_sign_in",
        subject: "New sign-in to your InstaInstru account",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "two_factor_enabled",
        subject: "Two-factor authentication is on",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "two_factor_disabled",
        subject: "Two-factor authentication is off",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "background_check_result",
        subject: "Your background check result",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "background_check_expiring",
        subject: "Your background check expires on {{ expires }}",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "booking_confirmed",
        subject: "Booked: {{ service }} with {{ other_name }}, {{ when_short }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "booking_new",
        subject: "New booking: {{ service }} with {{ other_name }}, {{ when_short }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "lesson_reminder",
        subject: "Reminder: {{ service }} {{ in_words }}",
        category: Category::LessonUpdates,
        transactional: false,
    },
    EmailTemplate {
        name: "booking_cancelled",
        subject: "Cancelled: {{ service }}, {{ when_short }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "booking_rescheduled",
        subject: "Moved: {{ service }} is now {{ when_short }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "payment_failed",
        subject: "Action needed: the payment for {{ service }} failed",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "payment_final_warning",
        subject: "Last reminder: pay for {{ service }} on {{ when_short }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "receipt",
        subject: "Receipt: {{ service }}, {{ when_short }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "lesson_completed",
        subject: "How was {{ service }} with {{ other_name }}?",
        category: Category::Reviews,
        transactional: false,
    },
    EmailTemplate {
        name: "no_show_reported",
        subject: "You were reported absent from {{ service }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "admin_alert",
        subject: "Admin alert: {{ alert }}",
        category: Category::Account,
        transactional: true,
    },
    EmailTemplate {
        name: "review_received",
        subject: "New review from {{ other_name }}: {{ stars }}",
        category: Category::Reviews,
        transactional: false,
    },
    EmailTemplate {
        name: "review_response",
        subject: "{{ other_name }} answered your review",
        category: Category::Reviews,
        transactional: false,
    },
    EmailTemplate {
        name: "review_reminder",
        subject: "How was {{ service }} with {{ other_name }}?",
        category: Category::Reviews,
        transactional: false,
    },
    // Money: a receipt and a payment notice always go, whatever the preferences.
    EmailTemplate {
        name: "tip_receipt",
        subject: "Receipt: your {{ amount }} tip for {{ other_name }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
    EmailTemplate {
        name: "tip_received",
        subject: "{{ other_name }} tipped you {{ amount }}",
        category: Category::LessonUpdates,
        transactional: true,
    },
];

pub fn find(name: &str) -> Option<&'static EmailTemplate> {
    TEMPLATES.iter().find(|t| t.name == name)
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Parses every template once; a broken template stops start-up instead of a send.
    pub fn load() -> anyhow::Result<Self> {
        let mut env = Environment::new();
        for (name, source) in SOURCES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    pub fn render(&self, template: &EmailTemplate, context: &Value) -> anyhow::Result<Rendered> {
        let ctx = minijinja::Value::from(minijinja::value::Serde(context));
        let subject = self.env.render_str(template.subject, ctx.clone())?;
        let text = self
            .env
            .get_template(&format!("{}.txt", template.name))?
            .render(ctx.clone())?;
        let html = self
            .env
            .get_template(&format!("{}.html", template.name))?
            .render(ctx)?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_renders_both_versions_and_escapes_html() {
        let templates = Templates::load().unwrap();
        let ctx = json!({
            "name": "Ada <script>",
            "email": "ada@example.com",
            "role": "student",
            "action_url": "http://127.0.0.1:8080/x?token=abc",
            "action_label": "Go",
            "device": "Firefox on Linux",
            "when": "Dec 1, 2026 12:00 UTC",
            "category_label": "Account",
        });
        for template in TEMPLATES {
            let out = templates.render(template, &ctx).unwrap();
            assert!(!out.subject.is_empty());
            assert!(
                out.text.contains("Hi Ada <script>,"),
                "{}: {}",
                template.name,
                out.text
            );
            assert!(
                out.html.contains("Hi Ada &lt;script&gt;,"),
                "{}",
                template.name
            );
            assert!(out.text.contains("http://127.0.0.1:8080/x?token=abc"));
            assert!(find(template.name).is_some());
        }
    }
}
