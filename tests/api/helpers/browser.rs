//! A person using the API: their own cookie jar and the CSRF token their session was given.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use super::TestApp;

pub const PASSWORD: &str = "a sturdy passphrase 42";

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
}

impl TestApp {
    /// A fresh browser with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .user_agent("TestBrowser/1.0")
                .build()
                .expect("client"),
            base: self.url.clone(),
            csrf: None,
        }
    }

    /// A signed-up (and signed-in) person with `PASSWORD`.
    pub async fn sign_up(&self, email: &str, role: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.sign_up(email, PASSWORD, "Ada Lovelace", role).await;
        assert_eq!(response.status(), 201, "sign up {email}");
        browser
    }

    /// The newest email of `template` sent to `to`.
    pub async fn last_email(&self, to: &str, template: &str) -> Value {
        self.run_jobs().await;
        self.outbox(to)
            .await
            .into_iter()
            .find(|m| m["template"] == template)
            .unwrap_or_else(|| panic!("no {template} email to {to}"))
    }

    /// The `token=` value of the link in the newest `template` email to `to`.
    pub async fn emailed_token(&self, to: &str, template: &str) -> String {
        let email = self.last_email(to, template).await;
        let text = email["text"].as_str().expect("text");
        let start = text.find("token=").expect("a link with a token") + "token=".len();
        text[start..]
            .split_whitespace()
            .next()
            .expect("token")
            .to_string()
    }
}

impl Browser {
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(csrf) = &self.csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }

    /// Keeps the CSRF token of a successful sign-in.
    async fn keep_session(&mut self, response: Response) -> Response {
        if response.status().is_success() {
            let status = response.status();
            let headers = response.headers().clone();
            let body: Value = response.json().await.expect("json");
            if let Some(csrf) = body["csrf_token"].as_str() {
                self.csrf = Some(csrf.to_string());
            }
            let mut rebuilt = axum::http::Response::builder().status(status);
            for (name, value) in &headers {
                rebuilt = rebuilt.header(name, value);
            }
            return Response::from(rebuilt.body(body.to_string()).expect("response"));
        }
        response
    }

    pub async fn sign_up(
        &mut self,
        email: &str,
        password: &str,
        name: &str,
        role: &str,
    ) -> Response {
        let body = json!({"email": email, "password": password, "full_name": name, "role": role});
        let response = self.post("/api/v1/auth/signup", &body).await;
        self.keep_session(response).await
    }

    pub async fn log_in(&mut self, email: &str, password: &str) -> Response {
        let response = self
            .post(
                "/api/v1/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        self.keep_session(response).await
    }

    pub async fn second_factor(&mut self, body: &Value) -> Response {
        let response = self.post("/api/v1/auth/login/2fa", body).await;
        self.keep_session(response).await
    }
}
