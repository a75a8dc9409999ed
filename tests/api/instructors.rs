//! Catalog, areas, instructor onboarding, go-live, public profiles and browse lists.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::instructors::{PDF, png};
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn the_catalog_and_areas_are_served() {
    let app = TestApp::spawn().await;
    let catalog: Value = app.get("/api/v1/catalog").await.json().await.unwrap();
    let categories = catalog["categories"].as_array().unwrap();
    assert_eq!(categories.len(), 7);
    assert_eq!(categories[0]["slug"], "music");
    let services: Vec<&Value> = categories
        .iter()
        .flat_map(|c| c["subcategories"].as_array().unwrap())
        .flat_map(|s| s["services"].as_array().unwrap())
        .collect();
    assert!(services.len() >= 190, "{}", services.len());
    let piano = services.iter().find(|s| s["slug"] == "piano").unwrap();
    assert!(
        piano["id"].is_string()
            && piano["age_groups"].is_array()
            && piano["online_capable"] == true
    );
    let swimming = services.iter().find(|s| s["slug"] == "swimming").unwrap();
    assert_eq!(swimming["online_capable"], false);

    let areas: Value = app.get("/api/v1/areas").await.json().await.unwrap();
    let list = areas["areas"].as_array().unwrap();
    let slope = list.iter().find(|a| a["slug"] == "park-slope").unwrap();
    assert_eq!(slope["parent"], "brooklyn");
    assert!(slope["lat"].is_f64());
}

#[tokio::test]
async fn admins_add_rename_and_hide_services() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let student = app.sign_up("s@example.com", "student").await;
    let sub = app.state.catalog.get().categories[0].subcategories[0]
        .id
        .clone();
    let body = json!({"subcategory_id": sub, "slug": "theremin", "name": "Theremin", "terms": ["Spooky Sounds"], "age_groups": ["adults"], "online_capable": true});
    assert_problem(
        student.post("/api/v1/admin/catalog/services", &body).await,
        403,
        "auth.forbidden",
    )
    .await;
    let created = admin.post("/api/v1/admin/catalog/services", &body).await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_problem(
        admin.post("/api/v1/admin/catalog/services", &body).await,
        409,
        "catalog.slug_taken",
    )
    .await;
    assert!(
        app.get("/api/v1/catalog")
            .await
            .text()
            .await
            .unwrap()
            .contains("Theremin")
    );

    let path = format!("/api/v1/admin/catalog/services/{id}");
    assert_eq!(
        admin
            .send(
                Method::PATCH,
                &path,
                Some(&json!({"name": "Theremin & Synth"}))
            )
            .await
            .status(),
        204
    );
    assert!(
        app.get("/api/v1/catalog")
            .await
            .text()
            .await
            .unwrap()
            .contains("Theremin & Synth")
    );
    assert_eq!(
        admin
            .send(Method::PATCH, &path, Some(&json!({"hidden": true})))
            .await
            .status(),
        204
    );
    assert!(
        !app.get("/api/v1/catalog")
            .await
            .text()
            .await
            .unwrap()
            .contains("Theremin")
    );
    assert_eq!(
        app.state
            .catalog
            .get()
            .service_by_slug("theremin")
            .unwrap()
            .terms,
        vec!["spooky sounds"]
    );
}

#[tokio::test]
async fn going_live_lists_what_is_missing_until_everything_is_there() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("t@example.com", "instructor").await;
    let not_ready = browser.post("/api/v1/instructor/go-live", &json!({})).await;
    let body = assert_problem(not_ready, 422, "instructor.not_ready").await;
    let missing: Vec<&str> = body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        [
            "photo",
            "bio",
            "services",
            "availability",
            "payouts",
            "background_check"
        ]
    );
    let profile = browser.json("/api/v1/instructor/profile").await;
    assert_eq!(profile["live"], false);
    assert_eq!(profile["missing"].as_array().unwrap().len(), 6);

    // Travel needs a service area.
    let travel = json!({"services": [{"service_id": app.service_id("guitar"), "durations_min": [60], "age_groups": ["adults"],
        "rates": {"travel_cents_per_hour": 12000}}]});
    assert_eq!(
        browser
            .send(Method::PUT, "/api/v1/instructor/services", Some(&travel))
            .await
            .status(),
        200
    );
    let profile = browser.json("/api/v1/instructor/profile").await;
    assert!(
        profile["missing"]
            .as_array()
            .unwrap()
            .contains(&json!("service_area"))
    );
}

#[tokio::test]
async fn profile_fields_are_validated_by_name() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("t@example.com", "instructor").await;
    let good = json!({"bio": "I teach piano with patience.", "years_experience": 5, "languages": ["English"],
        "timezone": "America/New_York", "service_areas": ["park-slope"]});
    for (key, value, field) in [
        ("bio", json!("short"), "bio"),
        ("years_experience", json!(99), "years_experience"),
        ("timezone", json!("Moon/Base"), "timezone"),
        ("service_areas", json!(["atlantis"]), "service_areas"),
        ("meeting_url", json!("http://zoom.example"), "meeting_url"),
        ("languages", json!([]), "languages"),
    ] {
        let mut body = good.clone();
        body[key] = value;
        let response = browser
            .send(Method::PUT, "/api/v1/instructor/profile", Some(&body))
            .await;
        let problem = assert_problem(response, 422, "request.invalid_field").await;
        assert!(problem["errors"][field].is_string(), "{field}: {problem}");
    }
    let saved = browser
        .send(Method::PUT, "/api/v1/instructor/profile", Some(&good))
        .await;
    assert_eq!(saved.status(), 200);
    assert_eq!(
        saved.json::<Value>().await.unwrap()["service_areas"],
        json!(["park-slope"])
    );
    let student = app.sign_up("s@example.com", "student").await;
    assert_problem(
        student
            .send(Method::PUT, "/api/v1/instructor/profile", Some(&good))
            .await,
        403,
        "auth.forbidden",
    )
    .await;
}

#[tokio::test]
async fn rates_respect_floors_cap_and_online_capability() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("t@example.com", "instructor").await;
    let put = |rates: Value, service: &str, durations: Value| json!({"services": [{"service_id": app.service_id(service), "durations_min": durations, "age_groups": ["adults"], "rates": rates}]});
    let cases = [
        (
            put(json!({"studio_cents_per_hour": 7999}), "piano", json!([60])),
            "instructor.rate_below_floor",
            "services[0].rates.studio_cents_per_hour",
        ),
        (
            put(json!({"online_cents_per_hour": 5999}), "piano", json!([60])),
            "instructor.rate_below_floor",
            "services[0].rates.online_cents_per_hour",
        ),
        (
            put(
                json!({"travel_cents_per_hour": 100001}),
                "piano",
                json!([60]),
            ),
            "instructor.rate_above_cap",
            "services[0].rates.travel_cents_per_hour",
        ),
        (
            put(
                json!({"online_cents_per_hour": 9000}),
                "swimming",
                json!([60]),
            ),
            "instructor.online_not_offered",
            "services[0].rates.online_cents_per_hour",
        ),
        (
            put(json!({"online_cents_per_hour": 9000}), "piano", json!([20])),
            "request.invalid_field",
            "services[0].durations_min",
        ),
        (
            put(json!({}), "piano", json!([60])),
            "request.invalid_field",
            "services[0].rates",
        ),
    ];
    for (body, code, field) in cases {
        let problem = assert_problem(
            browser
                .send(Method::PUT, "/api/v1/instructor/services", Some(&body))
                .await,
            422,
            code,
        )
        .await;
        assert!(problem["errors"][field].is_string(), "{field}: {problem}");
    }
    let ok = put(
        json!({"online_cents_per_hour": 6000, "studio_cents_per_hour": 8000}),
        "piano",
        json!([45, 30, 45]),
    );
    let saved: Value = browser
        .send(Method::PUT, "/api/v1/instructor/services", Some(&ok))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["services"][0]["durations_min"], json!([30, 45]));
    assert_eq!(saved["services"][0]["service_name"], "Piano");
    let first_id = saved["services"][0]["id"].clone();
    let again: Value = browser
        .send(Method::PUT, "/api/v1/instructor/services", Some(&ok))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["services"][0]["id"], first_id,
        "an offering keeps its id across edits"
    );
}

#[tokio::test]
async fn photos_are_sniffed_cropped_and_served_with_caching() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("t@example.com", "instructor").await;
    let fake = browser
        .upload(
            "/api/v1/instructor/photo",
            b"<?php evil(); ?>".to_vec(),
            "photo.png",
            &[],
        )
        .await;
    assert_problem(fake, 422, "media.unsupported_type").await;
    let bad_crop = browser
        .upload(
            "/api/v1/instructor/photo",
            png(200, 100),
            "p.png",
            &[("crop_x", "150"), ("crop_y", "0"), ("crop_size", "100")],
        )
        .await;
    assert_problem(bad_crop, 422, "media.bad_crop").await;
    let huge = browser
        .upload(
            "/api/v1/instructor/photo",
            vec![0u8; 11 * 1024 * 1024],
            "big.png",
            &[],
        )
        .await;
    assert_eq!(huge.status(), 422);

    let ok = browser
        .upload(
            "/api/v1/instructor/photo",
            png(640, 480),
            "p.png",
            &[("crop_x", "100"), ("crop_y", "40"), ("crop_size", "400")],
        )
        .await;
    assert_eq!(ok.status(), 200);
    let url = ok.json::<Value>().await.unwrap()["photo_url"]
        .as_str()
        .unwrap()
        .to_string();
    let photo = app.get(&url).await;
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert!(
        photo.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let image = image::load_from_memory(&photo.bytes().await.unwrap()).unwrap();
    assert_eq!((image.width(), image.height()), (400, 400));
    let thumb = image::load_from_memory(
        &app.get(&url.replace("-400.jpg", "-96.jpg"))
            .await
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(thumb.width(), 96);
    assert_eq!(app.get("/media/photos/..%2Fsecret.jpg").await.status(), 404);
}

#[tokio::test]
async fn background_checks_are_reviewed_by_admins_and_expire() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("t@example.com", "instructor").await;
    let id = browser.json("/api/v1/auth/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let exe = browser
        .upload(
            "/api/v1/instructor/background-check",
            b"MZ\x90\x00binary".to_vec(),
            "x.pdf",
            &[],
        )
        .await;
    assert_problem(exe, 422, "media.unsupported_type").await;
    let sent = browser
        .upload(
            "/api/v1/instructor/background-check",
            PDF.to_vec(),
            "check.pdf",
            &[],
        )
        .await;
    assert_eq!(
        sent.json::<Value>().await.unwrap()["background_check"]["status"],
        "pending"
    );

    let admin = app.admin().await;
    let pending = admin.json("/api/v1/admin/background-checks").await;
    assert_eq!(pending["items"][0]["instructor_id"], id.as_str());
    let document = admin
        .get(pending["items"][0]["document_url"].as_str().unwrap())
        .await;
    assert_eq!(document.headers()["content-type"], "application/pdf");
    assert_problem(
        browser
            .get(&format!("/api/v1/admin/background-checks/{id}/document"))
            .await,
        403,
        "auth.forbidden",
    )
    .await;

    let decided = admin
        .post(
            &format!("/api/v1/admin/background-checks/{id}"),
            &json!({"result": "passed", "note": "All clear"}),
        )
        .await;
    assert_eq!(decided.status(), 200);
    assert_problem(
        admin
            .post(
                &format!("/api/v1/admin/background-checks/{id}"),
                &json!({"result": "passed"}),
            )
            .await,
        404,
        "not_found",
    )
    .await;
    let check = &browser.json("/api/v1/instructor/profile").await["background_check"];
    assert_eq!(check["status"], "passed");
    assert_eq!(check["expires_at"], "2027-12-01T12:00:00Z");
    let result = app
        .last_email("t@example.com", "background_check_result")
        .await;
    assert!(result["text"].as_str().unwrap().contains("passed"));

    // The daily job reminds once, 30 days before expiry.
    app.state
        .jobs
        .start(&app.state)
        .await
        .unwrap()
        .shutdown(&app.state, std::time::Duration::from_secs(1))
        .await
        .unwrap();
    app.advance(334 * 86_400).await;
    app.run_jobs().await;
    assert!(
        app.outbox("t@example.com")
            .await
            .iter()
            .all(|m| m["template"] != "background_check_expiring")
    );
    app.advance(2 * 86_400).await;
    app.advance(86_400).await;
    let reminders = app
        .outbox("t@example.com")
        .await
        .into_iter()
        .filter(|m| m["template"] == "background_check_expiring")
        .count();
    assert_eq!(reminders, 1);
}

#[tokio::test]
async fn availability_needs_if_match_and_refuses_stale_writes() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("t@example.com", "instructor").await;
    let response = browser.get("/api/v1/instructor/availability").await;
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let mut doc: Value = response.json().await.unwrap();
    assert_eq!(doc["timezone"], "America/New_York");
    assert_eq!(
        (doc["buffer_min"].as_u64(), doc["horizon_days"].as_u64()),
        (Some(15), Some(90))
    );
    doc["weekly"]["mon"] = json!([{"start": "09:00", "end": "12:00"}]);

    let put = |if_match: Option<&str>, body: &Value| {
        let mut request = browser
            .client
            .put(format!("{}/api/v1/instructor/availability", app.url))
            .json(body);
        request = request.header("X-CSRF-Token", browser.csrf.clone().unwrap());
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_problem(
        put(None, &doc).await.unwrap(),
        428,
        "availability.if_match_required",
    )
    .await;
    let saved = put(Some(&etag), &doc).await.unwrap();
    assert_eq!(saved.status(), 200);
    let new_etag = saved.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);
    assert_eq!(
        saved.json::<Value>().await.unwrap()["orphaned_bookings"],
        json!([])
    );
    let stale = assert_problem(
        put(Some(&etag), &doc).await.unwrap(),
        412,
        "availability.stale",
    )
    .await;
    assert_eq!(stale["current_etag"], new_etag.as_str());

    doc["weekly"]["tue"] =
        json!([{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]);
    let overlap = assert_problem(
        put(Some(&new_etag), &doc).await.unwrap(),
        422,
        "availability.invalid",
    )
    .await;
    assert!(overlap["errors"]["weekly.tue[1]"].is_string());
}

#[tokio::test]
async fn a_live_instructor_is_public_with_slots_in_utc() {
    let app = TestApp::spawn().await;
    let hidden = app.sign_up("hidden@example.com", "instructor").await;
    let hidden_id = hidden.json("/api/v1/auth/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    hidden.json("/api/v1/instructor/profile").await;
    assert_problem(
        app.get(&format!("/api/v1/instructors/{hidden_id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        hidden
            .get(&format!("/api/v1/instructors/{hidden_id}"))
            .await
            .status(),
        200,
        "visible to themselves"
    );

    let (teacher, id) = app.live_instructor("t@example.com").await;
    let profile: Value = app
        .get(&format!("/api/v1/instructors/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["display_name"], "Ada L.");
    assert_eq!(profile["live"], true);
    assert_eq!(profile["service_areas"][0]["name"], "Park Slope");
    assert_eq!(profile["teaching_location"]["lat"], 40.67, "coarsened");
    assert!(
        !profile.to_string().contains("Garfield"),
        "the address is private"
    );
    let service = &profile["services"][0];
    assert_eq!(service["rates"]["online_cents_per_hour"], 7000);
    assert!(service["rates"].get("travel_cents_per_hour").is_none());

    let offering = service["id"].as_str().unwrap();
    let url = format!(
        "/api/v1/instructors/{id}/slots?service_id={offering}&duration_min=60&format=online&from=2026-12-02&to=2026-12-02"
    );
    let slots: Value = app.get(&url).await.json().await.unwrap();
    assert_eq!(slots["timezone"], "America/New_York");
    let list = slots["slots"].as_array().unwrap();
    assert_eq!(list.len(), 29, "09:00 to 16:00 New York in 15-minute steps");
    assert_eq!(list[0]["start"], "2026-12-02T14:00:00Z");
    assert_eq!(list[0]["end"], "2026-12-02T15:00:00Z");
    // A saved change shows at once (parsed rules are cached per document version).
    teacher.set_week("10:00", "12:00").await;
    let slots: Value = app.get(&url).await.json().await.unwrap();
    assert_eq!(
        slots["slots"].as_array().unwrap().len(),
        5,
        "10:00 to 11:00"
    );

    let bad = |query: &str| {
        let url = format!("/api/v1/instructors/{id}/slots?{query}");
        let app = &app;
        async move { app.get(&url).await }
    };
    assert!(
        assert_problem(
            bad("service_id=nope&duration_min=60&format=online").await,
            422,
            "slots.unknown_service"
        )
        .await["errors"]["service_id"]
            .is_string()
    );
    assert_problem(
        bad(&format!(
            "service_id={offering}&duration_min=45&format=online"
        ))
        .await,
        422,
        "slots.duration_not_offered",
    )
    .await;
    assert_problem(
        bad(&format!(
            "service_id={offering}&duration_min=60&format=travel"
        ))
        .await,
        422,
        "slots.format_not_offered",
    )
    .await;
    assert!(
        assert_problem(
            bad(&format!(
                "service_id={offering}&duration_min=60&format=online&from=2026-12-02&to=2027-01-05"
            ))
            .await,
            422,
            "request.invalid_query"
        )
        .await["errors"]["to"]
            .is_string()
    );
    assert!(
        assert_problem(
            bad(&format!(
                "service_id={offering}&duration_min=sixty&format=online"
            ))
            .await,
            422,
            "request.invalid_query"
        )
        .await["errors"]["duration_min"]
            .is_string()
    );
    for far in ["+262142-12-31", "2099-01-01", "1999-01-01"] {
        let problem = assert_problem(
            bad(&format!(
                "service_id={offering}&duration_min=60&format=online&from={far}"
            ))
            .await,
            422,
            "request.invalid_query",
        )
        .await;
        assert!(problem["errors"]["from"].is_string(), "{far}: {problem}");
    }
}

#[tokio::test]
async fn sunday_new_york_slots_follow_dst_through_the_endpoint() {
    let app = TestApp::spawn().await;
    app.post_json("/api/v1/dev/clock", &json!({"now": "2027-03-01T12:00:00Z"}))
        .await;
    let (browser, id) = app.live_instructor("t@example.com").await;
    browser.set_week("09:00", "12:00").await;
    let offering = browser.json("/api/v1/instructor/services").await["services"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = |date: &str| {
        let url = format!(
            "/api/v1/instructors/{id}/slots?service_id={offering}&duration_min=60&format=online&from={date}&to={date}"
        );
        let app = &app;
        async move { app.get(&url).await.json::<Value>().await.unwrap()["slots"][0]["start"].clone() }
    };
    assert_eq!(first("2027-03-07").await, "2027-03-07T14:00:00Z");
    assert_eq!(first("2027-03-14").await, "2027-03-14T13:00:00Z");
}

#[tokio::test]
async fn browse_lists_live_instructors_by_category_service_and_area() {
    let app = TestApp::spawn().await;
    let (_, id) = app.live_instructor("t@example.com").await;
    app.sign_up("draft@example.com", "instructor").await;
    let all: Value = app.get("/api/v1/instructors").await.json().await.unwrap();
    assert_eq!(all["total"], 1);
    assert_eq!(all["items"][0]["id"], id.as_str());
    assert_eq!(
        all["items"][0]["services"][0]["min_rate_cents_per_hour"],
        7000
    );
    for (query, total) in [
        ("category=music", 1),
        ("category=dance", 0),
        ("service=piano", 1),
        ("service=violin", 0),
        ("area=park-slope", 1),
        ("area=brooklyn", 1),
        ("area=queens", 0),
    ] {
        let body: Value = app
            .get(&format!("/api/v1/instructors?{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["total"], total, "{query}");
    }
}

#[tokio::test]
async fn payouts_onboarding_links_stay_on_site_offline_and_the_dashboard_needs_an_account() {
    let app = TestApp::spawn().await;
    let teacher = app.sign_up("t@example.com", "instructor").await;
    assert_problem(
        teacher
            .post("/api/v1/instructor/payouts/dashboard", &json!({}))
            .await,
        422,
        "payouts.not_set_up",
    )
    .await;
    let link: Value = teacher
        .post("/api/v1/instructor/payouts/onboarding", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(link["url"], "/instructor/onboarding?payouts=done");
    let dashboard: Value = teacher
        .post("/api/v1/instructor/payouts/dashboard", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dashboard["url"], "/instructor/earnings");
}
