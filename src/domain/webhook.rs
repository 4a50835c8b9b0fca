//! Webhook subscriptions as rules: which events one wants, how its call
//! reports are encoded, the retry ladder, Standard Webhooks signatures and
//! which target addresses count as private. No I/O.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::event::Kind;

/// The subscription name of DeepCall-shaped call reports.
pub const CALL_REPORT: &str = "callReport";
/// Every event kind and the call reports.
pub const EVERYTHING: &str = "*";

/// Svix's published ladder: the delay before each attempt after a failure
/// of the one before (at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h);
/// eight attempts over about 27.6 hours, then the delivery is given up.
pub const RETRY_LADDER: [u64; 8] = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];
/// A `Retry-After` longer than this is cut to it.
pub const MAX_RETRY_AFTER: u64 = 6 * 3600;
/// A subscription whose deliveries have failed this long (from its first
/// failure since its last success) is switched off when one of them is
/// given up.
pub const DISABLE_AFTER: u64 = 3 * 86_400;

/// What a subscription receives: the named event kinds, call reports, or
/// both (`*` is everything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    names: Vec<String>,
}

impl EventFilter {
    /// A non-empty list of `callReport`, event kinds (`login`, `break_start`,
    /// `ended`, …) or `*`; `None` when a name is unknown or the list is empty.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<EventFilter> {
        let mut list: Vec<String> = Vec::new();
        for name in names {
            let known = name == CALL_REPORT || name == EVERYTHING || Kind::parse(name).is_some();
            if !known {
                return None;
            }
            if !list.iter().any(|n| n == name) {
                list.push(name.to_string());
            }
        }
        (!list.is_empty()).then_some(EventFilter { names: list })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn wants_kind(&self, kind: Kind) -> bool {
        self.names.iter().any(|n| n == EVERYTHING || n == kind.as_str())
    }

    pub fn wants_call_reports(&self) -> bool {
        self.names.iter().any(|n| n == EVERYTHING || n == CALL_REPORT)
    }
}

/// How a call report travels: its JSON as the body, or form-encoded with
/// the JSON in one field `push_report` (DeepCall receivers read either).
/// Agent events are always JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Form,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "json" => Some(Format::Json),
            "form" => Some(Format::Form),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Form => "form",
        }
    }
}

pub const JSON_CONTENT: &str = "application/json";
pub const FORM_CONTENT: &str = "application/x-www-form-urlencoded";

/// A call report's JSON as `format` sends it: the body and its Content-Type.
pub fn encode_report(json: &str, format: Format) -> (String, &'static str) {
    match format {
        Format::Json => (json.to_string(), JSON_CONTENT),
        Format::Form => {
            let body = serde_urlencoded::to_string([("push_report", json)]).unwrap_or_default();
            (body, FORM_CONTENT)
        }
    }
}

/// What to do after a failed attempt, the `tries`-th of the current run
/// (1 = the first): retry after the ladder's next delay times `scale`
/// (at least a second), or after the receiver's `Retry-After` (at most
/// `MAX_RETRY_AFTER`); `None` when the ladder is spent.
pub fn retry_delay(tries: u32, retry_after: Option<u64>, scale: f64) -> Option<u64> {
    let next = *RETRY_LADDER.get(tries as usize)?;
    if let Some(asked) = retry_after {
        return Some(asked.clamp(1, MAX_RETRY_AFTER));
    }
    Some(((next as f64 * scale).ceil() as u64).max(1))
}

/// A new signing secret: `whsec_` and the base64 of 24 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", BASE64.encode(bytes))
}

/// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256
/// of "id.timestamp.body">` under each secret, space-separated (two during
/// a rotation's grace period). Secrets are `whsec_<base64>`; one that does
/// not decode is used as its bytes.
pub fn signature(secrets: &[&str], message_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signatures = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let raw = secret.strip_prefix("whsec_").unwrap_or(secret);
        let key = BASE64.decode(raw).unwrap_or_else(|_| raw.as_bytes().to_vec());
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else { continue };
        mac.update(format!("{message_id}.{timestamp}.").as_bytes());
        mac.update(body);
        signatures.push(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())));
    }
    signatures.join(" ")
}

/// Addresses a webhook may not reach unless the operator allows it:
/// loopback, private (RFC 1918, unique-local), link-local, unspecified,
/// carrier-grade NAT, multicast and broadcast — the server's own network,
/// which a customer's URL must not be a way into — and the special ranges
/// of IANA's registries that are not the public internet (documentation,
/// benchmarking, IETF protocol assignments, reserved, site-local). An IPv6
/// address that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is
/// judged by the IPv4 it carries; Teredo's is hidden, so Teredo is refused.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                // IETF protocol assignments (192.0.0.0/24), benchmarking
                // (198.18.0.0/15), reserved (240.0.0.0/4).
                || (a, b, c) == (192, 0, 0)
                || (a == 198 && (b & 0xfe) == 18)
                || a >= 240
        }
        IpAddr::V6(v6) => match carried_v4(v6) {
            Some(v4) => is_private(IpAddr::V4(v4)),
            None => {
                let [first, second, ..] = v6.segments();
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    // link-local fe80::/10, site-local fec0::/10
                    || (first & 0xffc0) == 0xfe80
                    || (first & 0xffc0) == 0xfec0
                    // discard-only 100::/64
                    || v6.segments()[..4] == [0x100, 0, 0, 0]
                    // documentation 2001:db8::/32, Teredo 2001::/32
                    || (first, second) == (0x2001, 0x0db8)
                    || (first, second) == (0x2001, 0x0000)
            }
        },
    }
}

/// The IPv4 address an IPv6 one carries: IPv4-mapped `::ffff:a.b.c.d`,
/// IPv4-compatible `::a.b.c.d` (not `::1`/`::`), IPv4-translated
/// `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, and 6to4
/// `2002:AABB:CCDD::/48`.
fn carried_v4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = v6.segments();
    let low = |hi: u16, lo: u16| std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(low(s[6], s[7])),
        [0x64, 0xff9b, 0, 0, 0, 0, ..] | [0x64, 0xff9b, 1, ..] => Some(low(s[6], s[7])),
        // IPv4-translated (RFC 2765): ::ffff:0:a.b.c.d.
        [0, 0, 0, 0, 0xffff, 0, ..] => Some(low(s[6], s[7])),
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        _ => None,
    }
}

/// A subscription's URL: `http` or `https`, a host, at most 2,000
/// characters, no credentials in it. `None` otherwise.
pub fn valid_url(raw: &str) -> Option<url::Url> {
    if raw.len() > 2000 {
        return None;
    }
    let url = url::Url::parse(raw).ok()?;
    let scheme_ok = matches!(url.scheme(), "http" | "https");
    let clean = url.username().is_empty() && url.password().is_none();
    (scheme_ok && clean && url.host().is_some()).then_some(url)
}

/// Whether the URL names a private target by itself: an IP literal that is
/// private, or a `localhost` name. Names are also checked once resolved,
/// when sending.
pub fn names_private_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(v4)) => is_private(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => is_private(IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => true,
    }
}

/// How long one attempt may take, connection to last byte.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_example_signature_is_reproduced() {
        // From the Standard Webhooks specification's test vectors.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let got = signature(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(got, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn the_ladder_is_svixs_scaled_and_retry_after_wins_within_bounds() {
        assert_eq!(retry_delay(1, None, 1.0), Some(5));
        assert_eq!(retry_delay(2, None, 1.0), Some(300));
        assert_eq!(retry_delay(7, None, 1.0), Some(36_000));
        assert_eq!(retry_delay(8, None, 1.0), None, "eight attempts, then given up");
        assert_eq!(retry_delay(3, None, 0.001), Some(2));
        assert_eq!(retry_delay(1, None, 0.001), Some(1));
        assert_eq!(retry_delay(2, Some(30), 1.0), Some(30));
        assert_eq!(retry_delay(2, Some(10 * 86_400), 1.0), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_delay(8, Some(30), 1.0), None);
    }

    #[test]
    fn private_targets_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
            // The special ranges of issue 24.
            "198.18.0.1",
            "198.19.255.255",
            "192.0.0.8",
            "240.0.0.1",
            "255.255.255.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::c0a8:1",
            "::127.0.0.1",
            "::10.0.0.1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fec0::1",
            "2001:db8::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::ffff:0:7f00:1",
            "100::1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        // A public IPv4 behind NAT64 or 6to4 stays public; 198.20.0.0 is past the benchmarking /15.
        for public in
            ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "198.20.0.1"]
        {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
        assert!(names_private_host(&valid_url("http://LOCALHOST./x").unwrap()));
        assert!(names_private_host(&valid_url("http://[::1]:8080/").unwrap()));
        assert!(!names_private_host(&valid_url("https://crm.example.com/push").unwrap()));
        assert!(valid_url("ftp://example.com/").is_none());
        assert!(valid_url("https://user:pw@example.com/").is_none());
    }

    #[test]
    fn filters_take_kinds_call_reports_or_everything() {
        let f = EventFilter::parse(["callReport", "login", "login"]).unwrap();
        assert_eq!(f.names(), ["callReport", "login"]);
        assert!(f.wants_call_reports() && f.wants_kind(Kind::Login) && !f.wants_kind(Kind::Ended));
        assert!(EventFilter::parse(["*"]).unwrap().wants_kind(Kind::BreakStart));
        assert!(EventFilter::parse(["nope"]).is_none());
        assert!(EventFilter::parse([]).is_none());
    }
}
