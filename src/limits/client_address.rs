//! Whose request it is: the connection's peer, or — when the peer is a
//! reverse proxy the operator trusts (`--trusted-proxies`) — the client the
//! proxy names in `X-Forwarded-For`. The per-address limits (failed logins,
//! the login budget) and the security log need the client: behind a proxy
//! every connection comes from the proxy, and one guesser would otherwise
//! spend the login budget of everyone behind it. A header from a peer that
//! is not trusted is ignored, so a client cannot name itself someone else.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }

    /// An address or a range: `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`.
    pub fn parse_one(raw: &str) -> Result<IpNet, String> {
        let raw = raw.trim();
        raw.parse::<IpNet>()
            .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| format!("{raw:?} is not an IP address or CIDR range"))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request from `peer`: `peer` itself unless it is
    /// trusted; then, walking the entries of `X-Forwarded-For` (every such
    /// header, in order) from the right, the first that is not a trusted
    /// proxy — each proxy appends the address it received from, so only
    /// what trusted proxies wrote can be believed. An entry that cannot be
    /// read (`unknown`, an obfuscated name) ends the walk: what is left of
    /// it was written by someone not trusted, so the request counts as the
    /// proxy's own (`peer`). `[v6]`, `v4:port` and `[v6]:port` are read.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for entry in entries.iter().rev() {
            match entry_address(entry) {
                Some(ip) if self.trusts(ip) => continue,
                Some(ip) => return ip,
                None => return peer,
            }
        }
        peer
    }
}

/// One `X-Forwarded-For` entry's address: `ip`, `[v6]`, `v4:port`, `[v6]:port`.
fn entry_address(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
}

/// The key an address counts under for the per-address limits: an IPv4
/// address however it is written (mapped into IPv6 too), an IPv6 one by
/// its /64 — the block one subscriber is given, which a client can move
/// around in at will.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(bits))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_itself() {
        let key = |s: &str| limit_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:1::1"), key("2001:db8:1:1:ffff::e"));
        assert_ne!(key("2001:db8:1:1::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("::ffff:5.5.6.7"), key("5.5.6.7"));
        assert_eq!(key("5.5.6.7").to_string(), "5.5.6.7");
    }

    #[test]
    fn only_a_trusted_peer_names_the_client_and_only_its_own_part_counts() {
        let proxies = TrustedProxies::new(vec![
            TrustedProxies::parse_one("10.0.0.0/8").unwrap(),
            TrustedProxies::parse_one("127.0.0.1").unwrap(),
        ]);
        let (proxy, stranger): (IpAddr, IpAddr) = ("10.1.2.3".parse().unwrap(), "198.51.100.9".parse().unwrap());
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(proxies.client(stranger, &headers(&["203.0.113.7"])), stranger, "not trusted: ignored");
        assert_eq!(proxies.client(proxy, &headers(&["203.0.113.7"])), client);
        // A client that writes its own header is named by what the proxy appended.
        assert_eq!(proxies.client(proxy, &headers(&["1.2.3.4, 203.0.113.7"])), client);
        assert_eq!(proxies.client(proxy, &headers(&["1.2.3.4", "203.0.113.7, 10.9.9.9"])), client);
        assert_eq!(proxies.client(proxy, &headers(&[])), proxy);
        assert_eq!(proxies.client(proxy, &headers(&["garbage"])), proxy);
        // Garbage a client wrote in front does not hide what the proxy appended.
        assert_eq!(proxies.client(proxy, &headers(&["garbage, 203.0.113.7"])), client);
        // What the proxy could not name ends the walk: the client's own entry is not believed.
        for unreadable in ["1.1.1.1, unknown", "1.1.1.1, _hidden"] {
            assert_eq!(proxies.client(proxy, &headers(&[unreadable])), proxy, "{unreadable}");
        }
        // Ports and brackets are read.
        let v6: IpAddr = "2001:db8:2::1".parse().unwrap();
        assert_eq!(proxies.client(proxy, &headers(&["1.1.1.1, [2001:db8:2::1]"])), v6);
        assert_eq!(proxies.client(proxy, &headers(&["1.1.1.1, [2001:db8:2::1]:443"])), v6);
        assert_eq!(proxies.client(proxy, &headers(&["1.1.1.1, 203.0.113.7:5678"])), client);
        assert_eq!(proxies.client("::ffff:127.0.0.1".parse().unwrap(), &headers(&["203.0.113.7"])), client);
        assert!(TrustedProxies::parse_one("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse_one("proxy.local").is_err());
    }
}
