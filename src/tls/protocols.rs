//! TLS protocol versions and how Tomcat and Spring Boot settings enable them.

/// A protocol version a server can enable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// SSL 2.0.
    SslV2,
    /// The SSLv2-compatible hello format (not a protocol version of its own).
    SslV2Hello,
    /// SSL 3.0.
    SslV3,
    /// TLS 1.0.
    TlsV1,
    /// TLS 1.1.
    TlsV1_1,
    /// TLS 1.2.
    TlsV1_2,
    /// TLS 1.3.
    TlsV1_3,
}

impl Protocol {
    /// The JSSE name (`TLSv1.1`), read case-insensitively as JSSE does.
    pub fn from_jsse(name: &str) -> Option<Protocol> {
        let protocol = match name.to_ascii_lowercase().as_str() {
            "sslv2" => Protocol::SslV2,
            "sslv2hello" => Protocol::SslV2Hello,
            "sslv3" => Protocol::SslV3,
            "tlsv1" | "tlsv1.0" => Protocol::TlsV1,
            "tlsv1.1" => Protocol::TlsV1_1,
            "tlsv1.2" => Protocol::TlsV1_2,
            "tlsv1.3" => Protocol::TlsV1_3,
            _ => return None,
        };
        Some(protocol)
    }

    /// The protocol's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::SslV2 => "SSLv2",
            Protocol::SslV2Hello => "SSLv2Hello",
            Protocol::SslV3 => "SSLv3",
            Protocol::TlsV1 => "TLSv1",
            Protocol::TlsV1_1 => "TLSv1.1",
            Protocol::TlsV1_2 => "TLSv1.2",
            Protocol::TlsV1_3 => "TLSv1.3",
        }
    }

    /// SSLv2 or SSLv3: broken, never to be enabled.
    pub fn is_ssl(self) -> bool {
        matches!(self, Protocol::SslV2 | Protocol::SslV3)
    }

    /// TLS 1.0 or 1.1: deprecated by RFC 8996.
    pub fn is_legacy_tls(self) -> bool {
        matches!(self, Protocol::TlsV1 | Protocol::TlsV1_1)
    }
}

/// Tomcat's `all`: what `protocols="all"` enables.
const TOMCAT_ALL: [Protocol; 5] =
    [Protocol::SslV2Hello, Protocol::TlsV1, Protocol::TlsV1_1, Protocol::TlsV1_2, Protocol::TlsV1_3];

/// A protocol a setting leaves enabled, with the byte range (in the decoded value) of the
/// token that enabled it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enabled {
    /// The protocol.
    pub protocol: Protocol,
    /// Start of the enabling token.
    pub start: usize,
    /// End of the enabling token.
    pub end: usize,
}

/// Evaluates Tomcat's `SSLHostConfig protocols` (and the 9.0 `sslEnabledProtocols` alias):
/// tokens split before each `+`, `-` or `,`, trimmed, applied left to right from an empty set.
pub fn tomcat_protocols(value: &str) -> Vec<Enabled> {
    let mut enabled: Vec<Enabled> = Vec::new();
    let mut token_start = 0;
    let bytes = value.as_bytes();
    for i in 0..=bytes.len() {
        let at_split = i == bytes.len() || (i > token_start && matches!(bytes.get(i), Some(b'+' | b'-' | b',')));
        if !at_split {
            continue;
        }
        if let Some(token) = value.get(token_start..i) {
            apply_tomcat_token(&mut enabled, token, token_start);
        }
        token_start = i;
    }
    enabled
}

fn apply_tomcat_token(enabled: &mut Vec<Enabled>, token: &str, token_start: usize) {
    let trimmed = token.trim();
    // Tomcat ignores a token that is only a sign.
    if trimmed.len() <= 1 {
        return;
    }
    let (sign, name) = match trimmed.as_bytes().first() {
        Some(b'+') => ('+', trimmed.get(1..).unwrap_or("").trim()),
        Some(b'-') => ('-', trimmed.get(1..).unwrap_or("").trim()),
        Some(b',') => (',', trimmed.get(1..).unwrap_or("").trim()),
        _ => (' ', trimmed),
    };
    let offset = token.len() - token.trim_start().len();
    let name_start = token_start + offset + trimmed.find(name).unwrap_or(0);
    let range = (name_start, name_start + name.len());
    let named: Vec<Protocol> = if name.eq_ignore_ascii_case("all") {
        TOMCAT_ALL.to_vec()
    } else {
        Protocol::from_jsse(name).into_iter().collect()
    };
    for protocol in named {
        enabled.retain(|e| e.protocol != protocol);
        if sign != '-' {
            enabled.push(Enabled { protocol, start: range.0, end: range.1 });
        }
    }
}

/// Evaluates a comma-separated list of protocol names (Spring Boot's
/// `server.ssl.enabled-protocols`).
pub fn listed_protocols(value: &str) -> Vec<Enabled> {
    let mut enabled = Vec::new();
    let mut start = 0;
    for part in value.split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if let Some(protocol) = Protocol::from_jsse(name) {
            let at = start + lead;
            enabled.push(Enabled { protocol, start: at, end: at + name.len() });
        }
        start += part.len() + 1;
    }
    enabled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[Enabled]) -> Vec<&'static str> {
        list.iter().map(|e| e.protocol.name()).collect()
    }

    #[test]
    fn tomcat_lists_add_and_remove_left_to_right() {
        assert_eq!(names(&tomcat_protocols("all")), ["SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
        assert_eq!(names(&tomcat_protocols("all -TLSv1 -TLSv1.1")), ["SSLv2Hello", "TLSv1.2", "TLSv1.3"]);
        assert_eq!(names(&tomcat_protocols("+TLSv1.2,+TLSv1.3")), ["TLSv1.2", "TLSv1.3"]);
        assert_eq!(names(&tomcat_protocols("TLSv1.2, SSLv3")), ["TLSv1.2", "SSLv3"]);
    }

    #[test]
    fn ranges_point_at_the_enabling_token() {
        let value = "+TLSv1.2, +TLSv1";
        let enabled = tomcat_protocols(value);
        let legacy = enabled.iter().find(|e| e.protocol == Protocol::TlsV1).expect("TLSv1");
        assert_eq!(&value[legacy.start..legacy.end], "TLSv1");
        let list = "TLSv1.2, TLSv1.1";
        let e = listed_protocols(list);
        assert_eq!(&list[e[1].start..e[1].end], "TLSv1.1");
    }
}
