//! `/docs/` opens in a real browser: headless Chromium renders the served
//! Swagger UI from the served document, and the page lists every operation
//! without a resolver or parser error. Skipped when no Chromium is installed;
//! when `AGENTDESK_TEST_CHROMIUM` names one (CI does), it must work.

mod common;

use std::path::PathBuf;
use std::time::Duration;

const CHROMIUM_ENV: &str = "AGENTDESK_TEST_CHROMIUM";

/// The browser to use: the one the environment names, else one installed
/// where Debian puts it.
fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os(CHROMIUM_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(named));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(PathBuf::from).find(|p| p.exists())
}

/// The page's DOM after its scripts ran (8 s of virtual time: the UI fetches
/// `/openapi.json` and renders it).
async fn rendered(browser: &PathBuf, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let run = tokio::process::Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        .args(["--disable-component-update", "--no-first-run", "--disable-sync", "--virtual-time-budget=8000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .unwrap_or_else(|_| panic!("{} did not finish within 60 s", browser.display()))
        .unwrap_or_else(|e| panic!("{} does not run: {e}", browser.display()));
    assert!(output.status.success(), "{}: {}", browser.display(), String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The page's words for a schema it could not read or resolve.
const ERRORS: &[&str] =
    &["Resolver error", "Parser error", "errors-wrapper", "Failed to load API definition", "Could not resolve"];

fn assert_no_error(dom: &str, what: &str) {
    for error in ERRORS {
        assert!(!dom.contains(error), "{what} shows {error:?}:\n{dom}");
    }
}

backend_test!(the_docs_page_renders_every_operation_without_an_error_in_a_browser, |app| {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium installed and {CHROMIUM_ENV} is not set");
        return;
    };
    let dom = rendered(&browser, &format!("{}/docs/", app.base)).await;
    let doc: serde_json::Value =
        app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() > 40, "{}", paths.len());
    for path in paths.keys() {
        assert!(dom.contains(&format!(r#"data-path="{path}""#)), "{path} is not on the page:\n{dom}");
    }
    assert_no_error(&dom, "/docs/");
    // Schemas are resolved when an operation opens: open the first of each
    // section (a deep link), whose replies show every envelope and the error.
    let mut opened = Vec::new();
    for item in paths.values() {
        let Some(op) = item.get("post") else { continue };
        let tag = op["tags"][0].as_str().unwrap();
        if opened.iter().any(|(t, _)| t == tag) {
            continue;
        }
        opened.push((tag.to_string(), op["operationId"].as_str().unwrap().to_string()));
    }
    for (tag, id) in opened {
        let dom = rendered(&browser, &format!("{}/docs/#/{tag}/{id}", app.base)).await;
        assert!(dom.contains("opblock-post is-open"), "{id} did not open:\n{dom}");
        assert!(dom.contains("responses-table"), "{id} shows no replies:\n{dom}");
        assert_no_error(&dom, &id);
    }
});
