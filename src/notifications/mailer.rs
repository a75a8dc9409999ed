//! Email transports: `outbox` (stored in the database), `log` (a log line, no body, since
//! bodies carry single-use tokens) and `smtp` (lettre over STARTTLS).

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Email, outbox};
use crate::app::AppState;
use crate::config::{EmailConfig, EmailTransport};

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Outbox,
    Log,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn from_config(config: &EmailConfig) -> anyhow::Result<Self> {
        let from = config.from.parse().context("email.from is not a mailbox")?;
        let transport = match config.transport {
            EmailTransport::Outbox => Transport::Outbox,
            EmailTransport::Log => Transport::Log,
            EmailTransport::Smtp => {
                let smtp = &config.smtp;
                let builder = if smtp.starttls {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                        .context("email.smtp.host is not a valid host name")?
                } else {
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                };
                let mut builder = builder.port(smtp.port).timeout(Some(smtp.timeout.0));
                if !smtp.username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        smtp.username.clone(),
                        smtp.password.clone(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self { from, transport })
    }

    pub fn uses_outbox(&self) -> bool {
        matches!(self.transport, Transport::Outbox)
    }

    pub async fn deliver(&self, state: &AppState, email: &Email) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Outbox => {
                let email = email.clone();
                let now = state.clock.now();
                state
                    .db
                    .write(move |tx| Ok(outbox::insert(tx, &email, now)?))
                    .await?;
            }
            Transport::Log => {
                tracing::info!(to = %email.to, subject = %email.subject, template = %email.template, "email (log transport)");
            }
            Transport::Smtp(smtp) => {
                smtp.send(self.message(email)?)
                    .await
                    .context("SMTP delivery failed")?;
            }
        }
        Ok(())
    }

    fn message(&self, email: &Email) -> anyhow::Result<Message> {
        let to: Mailbox = email
            .to
            .parse()
            .with_context(|| format!("bad recipient {}", email.to))?;
        let domain = self.from.email.domain().to_string();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(format!(
                "<{}@{domain}>",
                email.message_id.replace(['<', '>', ' '], "")
            )))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .context("cannot build the message")
    }
}
