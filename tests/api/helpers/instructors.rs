//! Building instructors for tests: every onboarding step through the real API.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::TestApp;
use super::browser::Browser;

pub const ADMIN_PASSWORD: &str = "a long admin passphrase";

/// A PNG of `width` x `height` pixels.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

impl TestApp {
    /// An admin's browser (created on first use).
    pub async fn admin(&self) -> Browser {
        let _ = instainstru::auth::signup::create_admin(
            &self.state,
            "root@example.com",
            ADMIN_PASSWORD,
        )
        .await;
        let mut admin = self.browser();
        assert_eq!(
            admin
                .log_in("root@example.com", ADMIN_PASSWORD)
                .await
                .status(),
            200
        );
        admin
    }

    /// The catalog id of a service by slug.
    pub fn service_id(&self, slug: &str) -> String {
        self.state
            .catalog
            .get()
            .service_by_slug(slug)
            .expect("service in catalog")
            .id
            .to_string()
    }

    /// A live instructor teaching piano online and in their studio, Mon-Sun 09:00-17:00 in
    /// New York; returns their browser and id.
    pub async fn live_instructor(&self, email: &str) -> (Browser, String) {
        self.live_teacher(Teacher::piano(email)).await
    }

    /// A live instructor as `teacher` describes, set up entirely through the API.
    pub async fn live_teacher(&self, teacher: Teacher<'_>) -> (Browser, String) {
        let mut browser = self.browser();
        let response = browser
            .sign_up(
                teacher.email,
                super::browser::PASSWORD,
                teacher.name,
                "instructor",
            )
            .await;
        assert_eq!(response.status(), 201, "sign up {}", teacher.email);
        let id = browser.json("/api/v1/auth/me").await["user"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut profile = json!({
            "bio": teacher.bio,
            "years_experience": 12,
            "languages": ["English", "Spanish"],
            "timezone": "America/New_York",
            "service_areas": teacher.areas,
        });
        if let Some((address, lat, lng)) = teacher.studio {
            profile["teaching_location"] = json!({"address": address, "lat": lat, "lng": lng});
        }
        assert_eq!(
            browser
                .send(
                    reqwest::Method::PUT,
                    "/api/v1/instructor/profile",
                    Some(&profile)
                )
                .await
                .status(),
            200
        );
        let services = json!({"services": teacher.services.iter().map(|(slug, rates, ages)| json!({
            "service_id": self.service_id(slug),
            "durations_min": [30, 60],
            "age_groups": ages,
            "skill_levels": ["beginner", "intermediate"],
            "rates": rates,
        })).collect::<Vec<_>>()});
        assert_eq!(
            browser
                .send(
                    reqwest::Method::PUT,
                    "/api/v1/instructor/services",
                    Some(&services)
                )
                .await
                .status(),
            200
        );
        assert_eq!(
            browser
                .upload("/api/v1/instructor/photo", png(300, 300), "me.png", &[])
                .await
                .status(),
            200
        );
        assert_eq!(
            browser
                .upload(
                    "/api/v1/instructor/background-check",
                    PDF.to_vec(),
                    "check.pdf",
                    &[]
                )
                .await
                .status(),
            200
        );
        let admin = self.admin().await;
        let passed = admin
            .post(
                &format!("/api/v1/admin/background-checks/{id}"),
                &json!({"result": "passed"}),
            )
            .await;
        assert_eq!(passed.status(), 200);
        assert_eq!(
            browser
                .post("/api/v1/instructor/payouts/onboarding", &json!({}))
                .await
                .status(),
            200
        );
        if matches!(
            self.state.payments.as_ref(),
            instainstru::payments::Provider::Stripe(_)
        ) {
            // With Stripe, payouts are ready when Stripe says so.
            let teacher = id.clone();
            let account: String = self
                .state
                .db
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT payouts_account FROM instructor_profiles WHERE user_id = ?1",
                        [&teacher],
                        |r| r.get(0),
                    )?)
                })
                .await
                .unwrap();
            let ready = json!({"id": account, "object": "account", "charges_enabled": true, "payouts_enabled": true});
            self.deliver_event("account.updated", &format!("evt_ready_{id}"), ready, None)
                .await;
        }
        browser.set_week(teacher.week.0, teacher.week.1).await;
        let live = browser.post("/api/v1/instructor/go-live", &json!({})).await;
        assert_eq!(live.status(), 200, "{}", live.text().await.unwrap());
        (browser, id)
    }
}

/// What a test instructor teaches, where and when.
pub struct Teacher<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub bio: &'a str,
    /// (service slug, rates JSON, age groups).
    pub services: Vec<(&'a str, serde_json::Value, Vec<&'a str>)>,
    pub areas: Vec<&'a str>,
    pub studio: Option<(&'a str, f64, f64)>,
    /// Every day from .0 to .1.
    pub week: (&'a str, &'a str),
}

impl<'a> Teacher<'a> {
    /// The standard test instructor: piano online $70/h and at the studio $90/h, Park Slope,
    /// every day 09:00-17:00 New York time.
    pub fn piano(email: &'a str) -> Self {
        Self {
            email,
            name: "Ada Lovelace",
            bio: "Classical pianist teaching all ages for twelve years.",
            services: vec![(
                "piano",
                json!({"online_cents_per_hour": 7000, "studio_cents_per_hour": 9000}),
                vec!["kids", "adults"],
            )],
            areas: vec!["park-slope"],
            studio: Some(("1 Garfield Pl, Brooklyn", 40.6729, -73.9786)),
            week: ("09:00", "17:00"),
        }
    }
}

impl Browser {
    /// POSTs a multipart upload with `file` and extra text fields.
    pub async fn upload(
        &self,
        path: &str,
        bytes: Vec<u8>,
        name: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        for (key, value) in fields {
            form = form.text(key.to_string(), value.to_string());
        }
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        if let Some(csrf) = &self.csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        request.send().await.expect("upload")
    }

    /// Every day of the week open from `start` to `end`.
    pub async fn set_week(&self, start: &str, end: &str) {
        let response = self.get("/api/v1/instructor/availability").await;
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        let mut doc: Value = response.json().await.unwrap();
        for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
            doc["weekly"][day] = json!([{"start": start, "end": end}]);
        }
        let mut request = self
            .client
            .put(format!("{}/api/v1/instructor/availability", self.base))
            .json(&doc);
        request = request
            .header("If-Match", etag)
            .header("X-CSRF-Token", self.csrf.clone().unwrap_or_default());
        assert_eq!(request.send().await.unwrap().status(), 200);
    }
}
