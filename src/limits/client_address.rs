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
    /// trusted; then, of the addresses `X-Forwarded-For` lists (every such
    /// header, in order), the right-most one that is not a trusted proxy —
    /// each proxy appends the address it received from, so only the part a
    /// trusted proxy wrote can be believed. A header that names nothing
    /// readable leaves `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let listed: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect();
        listed.iter().rev().find(|a| !self.trusts(**a)).or(listed.first()).copied().unwrap_or(peer)
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
        assert_eq!(proxies.client("::ffff:127.0.0.1".parse().unwrap(), &headers(&["203.0.113.7"])), client);
        assert!(TrustedProxies::parse_one("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse_one("proxy.local").is_err());
    }
}
